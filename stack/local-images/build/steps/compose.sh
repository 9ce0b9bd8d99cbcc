#!/usr/bin/env bash
# Step: Docker Compose CLI v$COMPOSE_VERSION built from its Go module, installed as a docker CLI
# plugin (~/.docker/cli-plugins/docker-compose) and as $WS_BIN/docker-compose.
#
# `go install github.com/docker/compose/v5/cmd@vX` is refused because compose's go.mod has
# `exclude` directives, so the module is downloaded (go mod download) and built inside a
# writable copy of it, the same way its Makefile does (`go build -trimpath ./cmd` with the
# version stamped into internal.Version).
source "$(dirname "$0")/../lib.sh"
source "$WS_INFRA_DIR/docker.sh"

start=$SECONDS
module=github.com/docker/compose/v5
version="v${COMPOSE_VERSION}"
bin="$WS_BIN/docker-compose-$COMPOSE_VERSION"
plugin_dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"

# --- build ----------------------------------------------------------------------------------
if [ ! -x "$bin" ]; then
  command -v go >/dev/null 2>&1 || die "go is required to build docker compose"
  build_compose() {
    set -euo pipefail
    local dir tmp
    dir="$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$dir" ] || { echo "module dir not found for $module@$version"; return 1; }
    tmp="$(mktemp -d)"
    cp -r "$dir/." "$tmp/"
    chmod -R u+w "$tmp"
    (cd "$tmp" && CGO_ENABLED=0 go build -trimpath \
      -ldflags "-w -s -X $module/internal.Version=$version" -o "$bin.tmp" ./cmd)
    rm -rf "$tmp"
    mv "$bin.tmp" "$bin"
  }
  run_logged "compose-build-$COMPOSE_VERSION" build_compose
fi

# --- install --------------------------------------------------------------------------------
mkdir -p "$plugin_dir"
for dest in "$plugin_dir/docker-compose" "$WS_BIN/docker-compose"; do
  if ! cmp -s "$bin" "$dest"; then
    cp "$bin" "$dest.tmp" && chmod 755 "$dest.tmp" && mv "$dest.tmp" "$dest"
  fi
done
got="$(dk compose version --short 2>&1)" || die "'docker compose version' failed: $got"
case "$got" in
  "$COMPOSE_VERSION"|"v$COMPOSE_VERSION") ;;
  *) die "'docker compose version' reports '$got', expected $COMPOSE_VERSION" ;;
esac
log "compose: docker compose $got (plugin $plugin_dir/docker-compose, also $WS_BIN/docker-compose)"

# --- verify against this engine (once per compose version + engine version) ----------------
engine="$(dk version --format '{{.Server.Version}}')"
key="$COMPOSE_VERSION engine=$engine"
if ! stamp_ok compose-verified "$key"; then
  probe_img="$(ensure_probe_image)"
  proj="$(mktemp -d)"
  cat > "$proj/compose.yaml" <<EOF
name: ws-compose-probe
services:
  web:
    build:
      context: .
    image: walkstream-local/compose-probe:latest
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports: ["127.0.0.1::8080"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 3s
      retries: 20
    volumes: ["data:/data"]
  client:
    image: $probe_img
    command: ["sh", "-c", "wget -q -O - http://web:8080/ && sleep 600"]
    depends_on:
      web: {condition: service_healthy}
volumes:
  data: {}
EOF
  printf 'FROM %s\nCOPY marker /www/marker\n' "$probe_img" > "$proj/Dockerfile"
  echo compose-build-ok > "$proj/marker"
  down() {
    dk compose --project-directory "$proj" down -v --timeout 2 >/dev/null 2>&1 || true
    dk rmi walkstream-local/compose-probe:latest >/dev/null 2>&1 || true
  }
  trap 'down; rm -rf "$proj"' EXIT
  (cd "$proj" && timeout 120 "$WS_DOCKER" compose build) >"$WS_CACHE/logs/compose-verify.log" 2>&1 \
    || { tail -n 30 "$WS_CACHE/logs/compose-verify.log" >&2; die "compose build failed against engine $engine"; }
  (cd "$proj" && timeout 120 "$WS_DOCKER" compose up -d --wait --wait-timeout 60) >>"$WS_CACHE/logs/compose-verify.log" 2>&1 \
    || { tail -n 30 "$WS_CACHE/logs/compose-verify.log" >&2; die "compose up --wait failed against engine $engine"; }
  port="$(cd "$proj" && "$WS_DOCKER" compose port web 8080 | sed 's/.*://')"
  [ "$(curl -s --max-time 5 "http://127.0.0.1:$port/marker")" = compose-build-ok ] \
    || die "compose probe: published port $port did not serve the built file"
  [ "$(cd "$proj" && "$WS_DOCKER" compose ps --format '{{.Health}}' web)" = healthy ] \
    || die "compose probe: web is not healthy"
  (cd "$proj" && timeout 60 "$WS_DOCKER" compose down -v --timeout 2) >>"$WS_CACHE/logs/compose-verify.log" 2>&1 \
    || die "compose down -v failed"
  dk rmi walkstream-local/compose-probe:latest >/dev/null
  trap - EXIT
  rm -rf "$proj"
  left="$(dk ps -aq --filter label=com.docker.compose.project=ws-compose-probe)$(dk volume ls -q --filter label=com.docker.compose.project=ws-compose-probe)"
  [ -z "$left" ] || die "compose probe left resources behind: $left"
  stamp_set compose-verified "$key"
  log "compose: verified build + up --wait (healthcheck, depends_on healthy, published port) + down -v on engine $engine"
fi
log "compose: done in $((SECONDS - start))s"
