#!/usr/bin/env bash
# Step: InfluxDB 2 server (`influxd` v$INFLUXDB_VERSION) built from its Go module, cached as
# $WS_BIN/influxd-$INFLUXDB_VERSION, and the local image walkstream-local/influxdb:$INFLUXDB_VERSION
# (stack/local-images/images/influxdb) that stands in for the official influxdb:$INFLUXDB_VERSION image.
#
# How the binary is built (the upstream way, see influxdb's GNUmakefile and scripts/ci/build.sh):
# - stack/local-images/build/influxd is a wrapper module that requires github.com/influxdata/influxdb/v2 at the
#   pinned version and repeats the `replace` directives of influxdb's go.mod (a dependency's
#   replaces are ignored by Go), so the build list is the same as upstream's.
# - Flux's Rust half (libflux) is compiled by github.com/influxdata/pkg-config, a pkg-config
#   wrapper that runs `cargo build --release` on the flux module sources when cgo asks for
#   `pkg-config flux`; it is installed at the version influxdb's go.mod pins and put first on
#   PATH and in PKG_CONFIG. Cargo fetches crates from crates.io (Cargo.lock of flux is used).
# - Tags: sqlite_foreign_keys,sqlite_json (upstream COMMON_TAGS). Not `assets` (the UI would have
#   to be downloaded; the API is all tests need) and not `static_build` (needs the Rust musl
#   target and a musl C toolchain): the binary links libflux and sqlite statically and only
#   libc.so.6 and libgcc_s.so.1 dynamically, both part of every Debian bookworm system.
#
# Idempotent: the binary is reused when its stamp matches (version + tags + wrapper go.mod/go.sum);
# the image is rebuilt only when its label does not match the binary and the image sources.
# Env: WS_INFLUXD_SKIP_IMAGE=1 builds the binary only.
source "$(dirname "$0")/../lib.sh"

start=$SECONDS
module=github.com/influxdata/influxdb/v2
version="v${INFLUXDB_VERSION}"
mod_dir="$WS_INFRA_DIR/influxd"
bin="$WS_BIN/influxd-$INFLUXDB_VERSION"
tags="sqlite_foreign_keys,sqlite_json"
image="walkstream-local/influxdb:$INFLUXDB_VERSION"
image_src="$WS_REPO_DIR/stack/local-images/images/influxdb"
base_image="walkstream-local/debian:${DEBIAN_SUITE}"

command -v go >/dev/null 2>&1 || die "influxd: go is required"
command -v cargo >/dev/null 2>&1 || die "influxd: cargo (Rust) is required to build libflux"

# The wrapper module must pin the same version as versions.env.
pinned="$(cd "$mod_dir" && go list -m -f '{{.Version}}' "$module")"
if [ "$pinned" != "$version" ]; then
  die "influxd: $mod_dir/go.mod pins $module $pinned but versions.env says $version.
  Update it: cd $mod_dir && go get $module@$version, copy the replace directives of
  \$(go env GOMODCACHE)/$module@$version/go.mod into go.mod, then go mod tidy."
fi

modsum="$(cat "$mod_dir/go.mod" "$mod_dir/go.sum" | sha256sum | cut -c1-16)"
stamp_key="$version tags=$tags mod=$modsum"

# --- build ----------------------------------------------------------------------------------
if [ -x "$bin" ] && stamp_ok influxd "$stamp_key"; then
  log "influxd: $bin already built ($stamp_key)"
else
  # cgo needs a C compiler; upstream's CONTRIBUTING lists clang, gcc is what cgo uses by default.
  command -v gcc >/dev/null 2>&1 || die "influxd: gcc is required (cgo: sqlite, libflux link)"

  pc_version="$(cd "$mod_dir" && go list -m -f '{{.Version}}' github.com/influxdata/pkg-config)"
  pc_dir="$WS_CACHE/tools/pkg-config-$pc_version"
  if [ ! -x "$pc_dir/pkg-config" ]; then
    mkdir -p "$pc_dir"
    run_logged influxd-pkg-config env GOBIN="$pc_dir" \
      go install "github.com/influxdata/pkg-config@$pc_version"
  fi

  # Build information as upstream stamps it (main.version/commit/date), taken from the module
  # proxy's record of the tag (commit hash and tag time) rather than from a git checkout.
  info="$(cd "$mod_dir" && go mod download -json "$module@$version")"
  commit="$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Hash": "\([0-9a-f]*\)".*/\1/p' | head -n 1 | cut -c1-10)"
  info_file="$(printf '%s' "$info" | sed -n 's/^[[:space:]]*"Info": "\([^"]*\)".*/\1/p' | head -n 1)"
  date="$(sed -n 's/.*"Time":"\([^"]*\)".*/\1/p' "$info_file" 2>/dev/null || true)"
  ldflags="-s -w -X main.version=$version -X main.commit=${commit:-unknown} -X main.date=${date:-unknown}"

  # flux pins its Rust toolchain (libflux/../rust-toolchain.toml: channel 1.83 plus cross targets);
  # rustup would try to use that toolchain, which is not installed here. Build libflux with the
  # toolchain that is active outside the flux sources instead (override: WS_RUST_TOOLCHAIN).
  rust_toolchain="${WS_RUST_TOOLCHAIN:-}"
  if [ -z "$rust_toolchain" ] && command -v rustup >/dev/null 2>&1; then
    rust_toolchain="$(cd / && rustup show active-toolchain | cut -d' ' -f1)"
  fi

  build_influxd() {
    set -euo pipefail
    cd "$mod_dir"
    if [ -n "$rust_toolchain" ]; then export RUSTUP_TOOLCHAIN="$rust_toolchain"; fi
    echo "pkg-config: $pc_dir/pkg-config ($pc_version); $(cargo --version); $(rustc --version); $(go version)"
    # pkg-config prints its own log (cargo invocation, errors) into this build log on failure.
    PATH="$pc_dir:$PATH" PKG_CONFIG="$pc_dir/pkg-config" \
      CGO_ENABLED=1 go build -v -tags "$tags" -ldflags "$ldflags" -o "$bin.tmp" "$module/cmd/influxd"
    "$bin.tmp" version
  }
  build_start=$SECONDS
  run_logged influxd-build build_influxd
  mv -f "$bin.tmp" "$bin"
  stamp_set influxd "$stamp_key"
  printf '%s %ss\n' "$stamp_key" "$((SECONDS - build_start))" >>"$WS_CACHE/logs/influxd-build-time.txt"
  log "influxd: built $bin in $((SECONDS - build_start))s: $("$bin" version)"
fi

if [ "${WS_INFLUXD_SKIP_IMAGE:-0}" = 1 ]; then
  log "influxd: done in $((SECONDS - start))s (image skipped)"
  exit 0
fi

# --- image ----------------------------------------------------------------------------------
source "$WS_INFRA_DIR/docker.sh"
dk info >/dev/null 2>&1 || die "influxd: docker engine not reachable (run stack/local-images/build/steps/docker-engine.sh)"
dk_image_exists "$base_image" || die "influxd: base image $base_image missing (built by the base-image step)"

# The label identifies the binary, the image sources and the base image it was built from.
# Only the files the Dockerfile uses are in the build context (smoke-test.sh is not).
image_files=(Dockerfile entrypoint.sh default-config.yml)
src_sum="$( (sha256sum "$bin" | cut -d' ' -f1; cd "$image_src" && sha256sum "${image_files[@]}";
            dk image inspect -f '{{.Id}}' "$base_image") | sha256sum | cut -c1-32)"
label=org.walkstream.influxdb.source
current="$(dk image inspect -f "{{ index .Config.Labels \"$label\" }}" "$image" 2>/dev/null || true)"
if [ "$current" = "$src_sum" ]; then
  log "influxd: image $image up to date ($label=$src_sum)"
else
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  (cd "$image_src" && cp -a "${image_files[@]}" "$ctx/")
  install -m 755 "$bin" "$ctx/influxd"
  run_logged influxd-image dk build --pull=false -t "$image" \
    --build-arg "BASE_IMAGE=$base_image" --build-arg "INFLUXDB_VERSION=$INFLUXDB_VERSION" \
    --label "$label=$src_sum" "$ctx"
  log "influxd: image $image built ($(dk image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}'))"
fi

# --- verify (once per image id): parity with the official image where a test could pass wrongly --
image_id="$(dk image inspect -f '{{.Id}}' "$image")"
if ! stamp_ok "influxdb-verified-$INFLUXDB_VERSION" "$image_id"; then
  name="ws-influxdb-verify-$$"
  trap 'dk rm -f -v "$name" >/dev/null 2>&1 || true' EXIT
  # INFLUXD_REPORTING_DISABLED (set in stack/compose.yaml) reaches influxd through the entrypoint.
  got="$(dk run --rm -e INFLUXD_REPORTING_DISABLED=true "$image" influxd print-config --key-name reporting-disabled 2>/dev/null)"
  [ "$got" = true ] || die "influxd: INFLUXD_REPORTING_DISABLED=true not seen by influxd (reporting-disabled: '$got')"
  # A server set up from DOCKER_INFLUXDB_INIT_* runs as uid 1000 like upstream, and with reporting
  # disabled never starts its telemetry reporter (which logs service=telemetry msg=Starting).
  dk run -d --name "$name" -e INFLUXD_REPORTING_DISABLED=true \
    -e DOCKER_INFLUXDB_INIT_MODE=setup -e DOCKER_INFLUXDB_INIT_USERNAME=admin \
    -e DOCKER_INFLUXDB_INIT_PASSWORD=verify-password -e DOCKER_INFLUXDB_INIT_ORG=walkstream \
    -e DOCKER_INFLUXDB_INIT_BUCKET=walks -e DOCKER_INFLUXDB_INIT_ADMIN_TOKEN=verify-token "$image" >/dev/null
  healthy=0
  for _ in $(seq 1 60); do
    if dk exec "$name" curl -fsS -o /dev/null http://localhost:8086/health 2>/dev/null; then healthy=1; break; fi
    [ "$(dk inspect -f '{{.State.Running}}' "$name")" = true ] || break
    sleep 1
  done
  [ "$healthy" = 1 ] || { dk logs --tail 40 "$name" >&2; die "influxd: $image not healthy within 60s"; }
  got="$(dk exec "$name" stat -c '%u:%g' /proc/1)"
  [ "$got" = 1000:1000 ] || die "influxd: pid 1 runs as $got, expected 1000:1000 (user influxdb)"
  logs="$(dk logs "$name" 2>&1)"   # (captured first: `dk logs | grep -q` fails under pipefail)
  if grep -q 'service=telemetry' <<<"$logs"; then
    die "influxd: telemetry reporter started although INFLUXD_REPORTING_DISABLED=true"
  fi
  dk rm -f -v "$name" >/dev/null; trap - EXIT
  # What the stack relies on, once per image: setup (also *_FILE and init scripts), writes, Flux,
  # InfluxQL through the virtual DBRP mapping, and a restart that keeps the data.
  bash "$WS_REPO_DIR/stack/local-images/images/influxdb/smoke-test.sh" || die "influxd: smoke test of $image failed"
  stamp_set "influxdb-verified-$INFLUXDB_VERSION" "$image_id"
  log "influxd: verified $image (reporting disabled by env, setup from DOCKER_INFLUXDB_INIT_*, runs as 1000:1000)"
fi
log "influxd: done in $((SECONDS - start))s"
