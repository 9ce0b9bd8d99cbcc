#!/usr/bin/env bash
# Shared helpers for the provisioning steps. Sourced, never run.
# Everything expensive is cached outside the clone so a fresh clone on a warm machine is fast.
set -euo pipefail

WS_INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WS_REPO_DIR="$(cd "$WS_INFRA_DIR/../../.." && pwd)"
WS_CACHE="${WALKSTREAM_CACHE:-$HOME/.cache/walkstream}"
WS_BIN="$WS_CACHE/bin"
mkdir -p "$WS_CACHE" "$WS_BIN"
# shellcheck source=versions.env
set -a; . "$WS_INFRA_DIR/versions.env"; set +a

log() { printf '[provision %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf '[provision] ERROR: %s\n' "$*" >&2; exit 1; }

# stamp_ok NAME KEY: true when step NAME already completed with the same KEY (e.g. a version).
stamp_ok() { [ -f "$WS_CACHE/stamps/$1" ] && [ "$(cat "$WS_CACHE/stamps/$1")" = "$2" ]; }
stamp_set() { mkdir -p "$WS_CACHE/stamps"; printf '%s' "$2" > "$WS_CACHE/stamps/$1"; }

# Runs a long command with its output in a log file, printing a heartbeat so CI shows progress.
run_logged() {
  local name="$1"; shift
  local logfile="$WS_CACHE/logs/$name.log"
  mkdir -p "$WS_CACHE/logs"
  log "$name: started (log: $logfile)"
  local start=$SECONDS
  ( "$@" ) >"$logfile" 2>&1 &
  local pid=$!
  local ticks=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1; ticks=$((ticks + 1))
    if [ $((ticks % 20)) -eq 0 ] && kill -0 "$pid" 2>/dev/null; then
      log "$name: still running ($((SECONDS - start))s) — $(tail -n 1 "$logfile" | cut -c1-120)"
    fi
  done
  if ! wait "$pid"; then
    tail -n 40 "$logfile" >&2
    die "$name failed after $((SECONDS - start))s; full log: $logfile"
  fi
  log "$name: done in $((SECONDS - start))s"
}

# A test script that provisions (which may start dockerd) stops that dockerd again at its end, and
# leaves one that was already running be: note_dockerd before provisioning, stop_dockerd_if_ours
# at the end.
note_dockerd() {
  WS_DOCKERD_WAS_RUNNING=0
  if [ -S /var/run/docker.sock ] && docker info >/dev/null 2>&1; then WS_DOCKERD_WAS_RUNNING=1; fi
}
stop_dockerd_if_ours() {
  [ "${WS_DOCKERD_WAS_RUNNING:-1}" = 0 ] || return 0
  local pid
  pid="$(cat "$WS_CACHE/run/dockerd.pid" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  log "stopping the dockerd this run started (pid $pid)"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  log "dockerd (pid $pid) did not stop within 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}
