#!/usr/bin/env bash
# Step: walkstream-local/telegraf:$TELEGRAF_VERSION, a stand-in for the official telegraf image.
#   1. Telegraf built from its Go module (go install ...@v$TELEGRAF_VERSION) as a custom build
#      with only the plugins the stack needs (build tags, docs/CUSTOMIZATION.md), cached as
#      $WS_BIN/telegraf-$TELEGRAF_VERSION.
#   2. stack/local-images/images/telegraf/Dockerfile: Debian base + curl + that binary.
#   3. Once per image: `telegraf --version`, the compiled plugin set, and loading a config that
#      uses every plugin (`telegraf config check` and a `--test` run).
source "$(dirname "$0")/../lib.sh"
source "$WS_INFRA_DIR/docker.sh"

start=$SECONDS
# Tag names: plugins/<category>/all/<name>.go `//go:build !custom || <category> || <category>.<name>`.
TELEGRAF_TAGS="${WS_TELEGRAF_TAGS:-custom,inputs.kafka_consumer,inputs.internal,inputs.net_response,outputs.influxdb_v2,outputs.health,outputs.prometheus_client,parsers.influx}"
module=github.com/influxdata/telegraf
bin="$WS_BIN/telegraf-$TELEGRAF_VERSION"
tags_file="$bin.tags"
img_dir="$WS_REPO_DIR/stack/local-images/images/telegraf"
image="walkstream-local/telegraf:$TELEGRAF_VERSION"
base_image="walkstream-local/debian:$DEBIAN_SUITE"

# --- 1. binary --------------------------------------------------------------------------------
if [ ! -x "$bin" ] || [ "$(cat "$tags_file" 2>/dev/null)" != "$TELEGRAF_TAGS" ]; then
  command -v go >/dev/null 2>&1 || die "go is required to build telegraf"
  build_telegraf() {
    set -euo pipefail
    local gobin
    gobin="$(mktemp -d)"
    # No replace/exclude directives in telegraf's go.mod, so `go install pkg@version` works.
    # -X flags: what the Makefile stamps (internal.Version/Commit/Branch) so --version is right.
    # Telegraf 1.40 needs Go >= 1.27; the go command fetches that toolchain from the module proxy.
    GOTOOLCHAIN="${WS_TELEGRAF_GOTOOLCHAIN:-go1.27.3}" GOBIN="$gobin" CGO_ENABLED=0 go install -trimpath -tags "$TELEGRAF_TAGS" \
      -ldflags "-w -s -X $module/internal.Version=$TELEGRAF_VERSION -X $module/internal.Branch=release -X $module/internal.Commit=v$TELEGRAF_VERSION" \
      "$module/cmd/telegraf@v$TELEGRAF_VERSION"
    mv "$gobin/telegraf" "$bin"
    rm -rf "$gobin"
    printf '%s' "$TELEGRAF_TAGS" > "$tags_file"
  }
  run_logged "telegraf-build-$TELEGRAF_VERSION" build_telegraf
fi
log "telegraf: $("$bin" --version) ($bin)"

# --- 2. image ---------------------------------------------------------------------------------
dk_image_exists "$base_image" || die "$base_image missing: run steps/base-image.sh first"
image_key="$TELEGRAF_VERSION $(sha256sum "$bin" | cut -c1-16) $( (cd "$img_dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16) $(dk image inspect --format '{{.Id}}' "$base_image")"
telegraf_context() {
  cp -a "$img_dir/." "$1/"
  cp "$bin" "$1/telegraf"
  # Default config of the image: the sample config of this very build (all its plugins, commented).
  "$bin" config > "$1/telegraf.conf"
}
dk_build_keyed "$image" "$image_key" "build-telegraf-image-$TELEGRAF_VERSION" telegraf_context \
  --build-arg "BASE=$base_image" --build-arg "TELEGRAF_VERSION=$TELEGRAF_VERSION"
log "telegraf: $image ready"

# --- 3. verify (once per image id) ------------------------------------------------------------
image_id="$(dk image inspect --format '{{.Id}}' "$image")"
if ! stamp_ok "telegraf-verified-$TELEGRAF_VERSION" "$image_id"; then
  got="$(dk run --rm "$image" telegraf --version)"
  case "$got" in "Telegraf $TELEGRAF_VERSION"*) ;; *) die "image reports '$got', expected Telegraf $TELEGRAF_VERSION" ;; esac
  # Options-only arguments go to telegraf, like the official entrypoint.
  [ "$(dk run --rm "$image" --version)" = "$got" ] || die "entrypoint does not pass '--version' to telegraf"
  # Exactly the plugins of the custom build.
  plugins="$(dk run --rm "$image" telegraf plugins | tr '\n' ' ')"
  for p in inputs.kafka_consumer inputs.internal inputs.net_response outputs.influxdb_v2 outputs.health outputs.prometheus_client parsers.influx; do
    case " $plugins " in *" $p "*) ;; *) die "plugin $p missing from the build: $plugins" ;; esac
  done
  case " $plugins " in *" inputs.cpu "*) die "custom build contains all plugins (tag 'custom' ignored?)" ;; esac
  # Runs as user telegraf with HOME its home dir, under tini as PID 1, like the official image; curl is there.
  [ "$(dk run --rm "$image" id -un)" = telegraf ] || die "entrypoint does not drop root to user telegraf"
  # (and the entrypoint's setcap gave the binary the official file capabilities).
  env_got="$(dk run --rm "$image" sh -c 'echo "$HOME $(cat /proc/1/comm) $(getcap /usr/bin/telegraf)"')"
  [ "$env_got" = "/etc/telegraf tini /usr/bin/telegraf cap_net_bind_service,cap_net_raw=ep" ] \
    || die "expected HOME=/etc/telegraf, tini as PID 1 and setcap'd telegraf, got '$env_got'"
  dk run --rm "$image" curl --version >/dev/null || die "curl missing in $image"

  conf_dir="$(mktemp -d)"
  trap 'rm -rf "$conf_dir"' EXIT
  cat > "$conf_dir/telegraf.conf" <<'EOF'
# Config shaped like the stack's: Kafka line protocol -> InfluxDB 2, health endpoint, internal stats.
[agent]
  interval = "1s"
  flush_interval = "1s"
  omit_hostname = true

[[inputs.kafka_consumer]]
  brokers = ["${KAFKA_BROKERS:-kafka-1:19092}"]
  topics = ["walk-events"]
  consumer_group = "telegraf"
  offset = "oldest"
  kafka_version = "4.0.0"
  data_format = "influx"
  max_undelivered_messages = 1000

[[inputs.internal]]
  collect_memstats = false

[[inputs.net_response]]
  protocol = "tcp"
  address = "kafka-1:19092"

[[outputs.influxdb_v2]]
  urls = ["${INFLUX_URL:-http://influxdb:8086}"]
  token = "${INFLUX_TOKEN:-test-token}"
  organization = "walkstream"
  bucket = "walks"

[[outputs.health]]
  service_address = "http://:8080"
EOF
  chmod -R a+rX "$conf_dir"
  out="$(dk run --rm -v "$conf_dir/telegraf.conf:/etc/telegraf/telegraf.conf:ro" "$image" \
    telegraf --config /etc/telegraf/telegraf.conf config check 2>&1)" \
    || die "telegraf config check failed: $out"
  # One gathering cycle of the non-service inputs: the config must load with all plugins.
  out="$(dk run --rm -v "$conf_dir/telegraf.conf:/etc/telegraf/telegraf.conf:ro" "$image" \
    telegraf --config /etc/telegraf/telegraf.conf --test --input-filter internal 2>&1)" \
    || die "telegraf --test failed: $out"
  echo "$out" | grep -q '^> internal_agent' || die "telegraf --test printed no internal_agent metric: $out"
  # The image's default config (generated sample) must load too.
  dk run --rm "$image" telegraf config check >/dev/null 2>&1 || die "default /etc/telegraf/telegraf.conf does not load"
  rm -rf "$conf_dir"; trap - EXIT
  stamp_set "telegraf-verified-$TELEGRAF_VERSION" "$image_id"
  log "telegraf: verified $got, plugins [$plugins], config with kafka_consumer/internal/net_response/influxdb_v2/health loads"
fi
log "telegraf: done in $((SECONDS - start))s"
