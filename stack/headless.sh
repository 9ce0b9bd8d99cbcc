#!/usr/bin/env sh
# Runs the whole pipeline without the app:  stack/headless.sh up | down | down-volumes
# WALKSTREAM_LOCAL_IMAGES=1 uses the locally built images (stack/local-images/build/provision.sh builds them)
# instead of pulling the official ones: for machines that cannot reach Docker Hub. Grafana and
# Kafka UI have no local build and are left out in that mode.
# WALKSTREAM_PROFILE=lite runs the lite profile (profiles/lite.yaml): one broker, no Kafka UI.
set -eu
cd "$(dirname "$0")"
sh ./init-env.sh
set -- "${1:-up}"
files="-f compose.yaml"
case "${WALKSTREAM_PROFILE:-full}" in
  full) ;;
  lite) files="$files -f profiles/lite.yaml" ;;
  *) echo "WALKSTREAM_PROFILE must be full or lite, not '${WALKSTREAM_PROFILE}'" >&2; exit 2 ;;
esac
if [ "${WALKSTREAM_LOCAL_IMAGES:-0}" = "1" ]; then files="$files -f local-images/compose.local.yaml"; fi
# shellcheck disable=SC2086
case "$1" in
  up) docker compose $files --profile headless up -d --build --wait --wait-timeout 300 ;;
  down) docker compose $files --profile headless down ;;
  down-volumes) docker compose $files --profile headless down -v ;;
  *) echo "usage: stack/headless.sh up|down|down-volumes" >&2; exit 2 ;;
esac
