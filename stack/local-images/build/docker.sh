#!/usr/bin/env bash
# Which docker CLI the provisioning steps and tests use. Sourced after lib.sh, never run.
#
# The engine is Debian bookworm's docker.io 20.10.24 (API 1.41). Debian's own CLI (/usr/bin/docker,
# same 20.10.24) is preferred: it matches the engine exactly and uses the classic builder for
# `docker build`. A newer CLI found first on PATH (e.g. a static 28.x in /usr/local/bin) also
# works, because the client negotiates the API down to 1.41, but its `docker build` prints the
# "legacy builder is deprecated" banner. Set WS_DOCKER to force another CLI; DOCKER_API_VERSION
# is not needed with either (negotiation), so it is left unset.
if [ -z "${WS_DOCKER:-}" ]; then
  if [ -x /usr/bin/docker ]; then WS_DOCKER=/usr/bin/docker; else WS_DOCKER="$(command -v docker || echo docker)"; fi
fi
export WS_DOCKER
dk() { "$WS_DOCKER" "$@"; }

# dk_image_exists NAME: true when the local image NAME (repo:tag) exists.
dk_image_exists() { dk image inspect "$1" >/dev/null 2>&1; }

# ensure_probe_image: prints the name of a ~2 MB image made from the host's static busybox
# (sh, wget, httpd, sleep, timeout), importing it first if missing. Used by the engine and compose
# probes; apt package busybox-static provides /bin/busybox (installed by steps/docker-engine.sh).
ensure_probe_image() {
  local img=walkstream-local/probe:busybox tmp a
  if ! dk_image_exists "$img"; then
    [ -x /bin/busybox ] || { echo "ensure_probe_image: /bin/busybox missing (apt-get install busybox-static)" >&2; return 1; }
    tmp="$(mktemp -d)"
    mkdir -p "$tmp/bin" "$tmp/www"
    cp /bin/busybox "$tmp/bin/busybox"
    for a in sh wget httpd sleep timeout cat; do ln -s busybox "$tmp/bin/$a"; done
    echo walkstream-probe-ok > "$tmp/www/index.html"
    tar -C "$tmp" -c . | dk import -c 'ENV PATH=/bin' - "$img" >/dev/null
    rm -rf "$tmp"
  fi
  echo "$img"
}

# dk_image_id NAME: the image id of NAME, or nothing.
dk_image_id() { dk image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
# dk_build_keyed IMAGE KEY LOG_NAME FILL_FN [docker build options...]: builds IMAGE, labelled
# walkstream.key=KEY, from a fresh context that FILL_FN CTX_DIR fills, unless IMAGE already carries
# KEY (nothing it is built from changed); then removes the image it replaced.
dk_build_keyed() {
  local image="$1" key="$2" name="$3" fill="$4" old_id ctx
  shift 4
  [ "$(dk image inspect --format '{{index .Config.Labels "walkstream.key"}}' "$image" 2>/dev/null || true)" != "$key" ] || return 0
  old_id="$(dk_image_id "$image")"
  ctx="$(mktemp -d)"
  trap "rm -rf '$ctx'" EXIT
  "$fill" "$ctx"
  run_logged "$name" dk build --label "walkstream.key=$key" "$@" -t "$image" "$ctx"
  rm -rf "$ctx"
  trap - EXIT
  dk_drop_replaced "$old_id" "$image"
}
# dk_drop_replaced OLD_ID NAME: after NAME was rebuilt, remove its previous image OLD_ID when it
# is no longer tagged (ignored when a container still uses it).
dk_drop_replaced() {
  local old="$1" name="$2"
  [ -n "$old" ] && [ "$old" != "$(dk_image_id "$name")" ] || return 0
  [ -z "$(dk image inspect --format '{{join .RepoTags ","}}' "$old" 2>/dev/null)" ] || return 0
  dk rmi "$old" >/dev/null 2>&1 || true
}
