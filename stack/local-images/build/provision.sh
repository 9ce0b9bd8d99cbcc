#!/usr/bin/env bash
# Provisions everything the stack tests need on this machine, idempotently:
#   docker-engine  Debian docker.io installed, dockerd running (left running)
#   compose        docker compose v$COMPOSE_VERSION (CLI plugin + $WS_BIN/docker-compose)
#   base-image     walkstream-local/debian:$DEBIAN_SUITE and walkstream-local/node:24 (NODE_VERSION)
#   kafka          walkstream-local/kafka:$KAFKA_VERSION
#   telegraf       walkstream-local/telegraf:$TELEGRAF_VERSION
#   influxd        walkstream-local/influxdb (steps/influxd.sh, when present)
#   chromium       Debian's Chromium for the end-to-end UI tests (steps/chromium.sh)
# Everything is cached under $WS_CACHE (~/.cache/walkstream): a cold run of the first five steps
# takes ~12-15 minutes on 2 cores (mostly Go builds), a warm run a few seconds.
# Run a subset with: provision.sh STEP...
source "$(dirname "$0")/lib.sh"

steps=("$@")
[ "${#steps[@]}" -gt 0 ] || steps=(docker-engine compose base-image kafka telegraf influxd chromium)

total_start=$SECONDS
summary=()
for step in "${steps[@]}"; do
  script="$WS_INFRA_DIR/steps/$step.sh"
  if [ ! -f "$script" ]; then
    if [ "$step" = influxd ]; then
      log "provision: steps/influxd.sh not present, skipping"
      summary+=("influxd: skipped (no script)")
      continue
    fi
    die "unknown step '$step' (no $script)"
  fi
  log "provision: === $step ==="
  step_start=$SECONDS
  bash "$script" || die "step '$step' failed after $((SECONDS - step_start))s"
  summary+=("$step: $((SECONDS - step_start))s")
done
log "provision: all done in $((SECONDS - total_start))s (${summary[*]/%/;})"
