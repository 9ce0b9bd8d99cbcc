#!/usr/bin/env bash
# The installed-app test (tests/installed/installed-app.test.ts): needs Docker, the locally built
# images and Chromium (provisioned idempotently, as for the stack suite) and root, to make the
# test's user, install folder and engine socket. It brings no stack up itself: the app does.
source "$(dirname "$0")/../../stack/local-images/build/lib.sh"
[ "$(id -u)" = 0 ] || die "the installed-app test needs root (it creates a user and a read-only install folder)"

dockerd_was_running=0
if [ -S /var/run/docker.sock ] && docker info >/dev/null 2>&1; then dockerd_was_running=1; fi
bash "$WS_INFRA_DIR/provision.sh"
source "$WS_INFRA_DIR/docker.sh"
stop_dockerd_if_ours() {
  [ "$dockerd_was_running" = 0 ] || return 0
  local pid
  pid="$(cat "$WS_CACHE/run/dockerd.pid" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  log "stopping the dockerd this run started (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL "$pid" 2>/dev/null || true
}
trap stop_dockerd_if_ours EXIT
export WS_DOCKER WS_BIN
cd "$WS_REPO_DIR"
[ -f out/web/index.html ] || npm run -s build:web
npx vitest run --project installed
