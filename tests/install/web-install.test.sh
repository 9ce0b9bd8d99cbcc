#!/usr/bin/env bash
# The README's no-desktop path, `npm install && npm run web`, on a machine that cannot reach
# Electron's binary host: a fresh copy of the project installs (the failed binary download is a
# warning, not an error), browser mode builds, serves the app and answers an API call, and the
# desktop path (`npm start`'s first step) fails with a message saying why.
# Electron's mirror is pointed at a closed local port, so this holds on a networked machine too;
# npm packages come from the local npm cache when it has them. About a minute.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
scratch="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -TERM -- "-$server_pid" 2>/dev/null || true; fi
  rm -rf "$scratch"
}
trap cleanup EXIT
fail() {
  echo "web-install: $*" >&2
  exit 1
}

# The project as it is in the work tree (tracked and new files, not what .gitignore excludes).
(cd "$repo" && git ls-files -z --cached --others --exclude-standard) |
  (cd "$repo" && while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\0' "$f"; done) |
  tar -C "$repo" --null -T - -cf - | tar -C "$scratch/" -xf -
mkdir -p "$scratch/.home-config" "$scratch/.electron-cache"
cd "$scratch"

unset ELECTRON_SKIP_BINARY_DOWNLOAD ELECTRON_OVERRIDE_DIST_PATH
export ELECTRON_MIRROR='http://127.0.0.1:9/'
export electron_config_cache="$scratch/.electron-cache"
export XDG_CONFIG_HOME="$scratch/.home-config"
export npm_config_prefer_offline=true

echo "web-install: npm install (Electron's binary host unreachable)"
npm install >install.log 2>&1 || {
  tail -40 install.log >&2
  fail 'npm install failed'
}
grep -q "Electron's binary could not be downloaded" install.log ||
  fail 'npm install did not try (and fail) to download the Electron binary; install.log:'"$(tail -20 install.log)"
[ ! -e node_modules/electron/path.txt ] || fail 'an Electron binary was installed: the host was reachable'
cmp -s package-lock.json "$repo/package-lock.json" ||
  fail "npm install changed package-lock.json: it is out of date with package.json$(diff "$repo/package-lock.json" package-lock.json | head -20)"

echo "web-install: the desktop app's binary step fails and says why"
if node electron/install-binary.mjs >start.log 2>&1; then fail 'install-binary.mjs succeeded without a binary host'; fi
grep -q 'npm run web' start.log || fail "its message does not point to browser mode: $(cat start.log)"

echo "web-install: npm run web"
setsid npm run web >web.log 2>&1 &
server_pid=$!
login=""
for _ in $(seq 1 120); do
  login="$(grep -Eo 'http://127\.0\.0\.1:[0-9]+/login\?token=[A-Za-z0-9_-]+' web.log || true)"
  [ -n "$login" ] && break
  kill -0 "$server_pid" 2>/dev/null || {
    cat web.log >&2
    fail 'npm run web exited'
  }
  sleep 1
done
[ -n "$login" ] || {
  cat web.log >&2
  fail 'npm run web printed no login link within 120 s'
}
base="${login%%/login*}"
page="$(curl -fsS -c cookies -b cookies -L "$login")" || fail "GET $login failed"
grep -qi '<div id="root"' <<<"$page" || fail "the login link did not lead to the app page: $page"
reply="$(curl -fsS -b cookies -X POST "$base/api/call/settings:get")" || fail 'API call failed'
grep -q '"ok":true' <<<"$reply" || fail "settings:get did not answer ok: $reply"
echo "web-install: passed (npm install, npm run web at $base, API answers)"
