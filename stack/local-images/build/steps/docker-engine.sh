#!/usr/bin/env bash
# Step: Docker Engine (Debian bookworm docker.io 20.10.24) installed and dockerd running.
#
# No init system runs dockerd here, so it is started in the background by this script
# (log: $WS_CACHE/logs/dockerd.log, pidfile: $WS_CACHE/run/dockerd.pid) and left running.
# Plain `dockerd` works in this VM sandbox (iptables nf_tables, bridge netfilter, overlay2,
# cgroup v1): no extra flags. Extra flags can be passed with WS_DOCKERD_FLAGS.
# After a (re)start the engine is probed once: a user-defined network must resolve container
# names, and a port published as -p 127.0.0.1:X:Y must answer from the host.
source "$(dirname "$0")/../lib.sh"
source "$WS_INFRA_DIR/docker.sh"

start=$SECONDS
export DEBIAN_FRONTEND=noninteractive

# --- install --------------------------------------------------------------------------------
need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
[ -x /bin/busybox ] || need_pkgs+=(busybox-static)   # tiny static image for the engine probe
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  log "docker-engine: apt-get install ${need_pkgs[*]}"
  run_logged apt-update apt-get update
  run_logged apt-install-docker apt-get install -y --no-install-recommends "${need_pkgs[@]}"
fi
# The Debian CLI may be missing if only dockerd was present.
[ -x "$WS_DOCKER" ] || die "docker CLI $WS_DOCKER not found"

# --- start ----------------------------------------------------------------------------------
mkdir -p "$WS_CACHE/logs" "$WS_CACHE/run"
pidfile="$WS_CACHE/run/dockerd.pid"
started_now=0
wait_ready() {  # wait_ready PID: poll `docker info` for up to 60 s while PID lives
  local _
  for _ in $(seq 1 60); do
    dk info >/dev/null 2>&1 && return 0
    kill -0 "$1" 2>/dev/null || return 1
    sleep 1
  done
  return 1
}
live_dockerd() {  # pid of a live (non-zombie) dockerd, if any
  local p
  for p in $(pgrep -x dockerd || true); do
    [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && { echo "$p"; return 0; }
  done
  return 0
}
if ! dk info >/dev/null 2>&1; then
  running="$(live_dockerd)"
  if [ -n "$running" ]; then
    # Started by someone else (or a concurrent run) and still initialising: wait for it.
    log "docker-engine: dockerd (pid $running) is running but not answering yet; waiting"
    if ! wait_ready "$running" && [ -n "$(live_dockerd)" ]; then
      tail -n 30 "$WS_CACHE/logs/dockerd.log" >&2 || true
      die "dockerd (pid $running) runs but 'docker info' fails after 60s"
    fi
  fi
fi
if ! dk info >/dev/null 2>&1; then
  # A dockerd killed without cleanup leaves its pidfile behind; dockerd refuses to start when
  # that pid belongs to a live process (pids get reused), so drop stale pidfiles.
  rm -f "$pidfile" /var/run/docker.pid
  log "docker-engine: starting dockerd ${WS_DOCKERD_FLAGS:-}"
  # setsid: dockerd must outlive this script and not get the terminal's signals.
  # shellcheck disable=SC2086
  setsid dockerd --pidfile "$pidfile" ${WS_DOCKERD_FLAGS:-} \
    >>"$WS_CACHE/logs/dockerd.log" 2>&1 </dev/null &
  dpid=$!
  started_now=1
  if ! wait_ready "$dpid"; then
    tail -n 30 "$WS_CACHE/logs/dockerd.log" >&2
    die "dockerd did not become ready within 60s (log: $WS_CACHE/logs/dockerd.log)"
  fi
  log "docker-engine: dockerd ready (pid $dpid)"
fi
server_version="$(dk version --format '{{.Server.Version}}')"
log "docker-engine: engine $server_version, CLI $WS_DOCKER ($(dk version --format '{{.Client.Version}}'))"

# --- probe: DNS on a user-defined network + a port published on 127.0.0.1 -------------------
# Done once per dockerd instance (keyed on the daemon's pid and start time).
dpid_now="$(live_dockerd)"; dpid_now="${dpid_now:-unknown}"
probe_key="$dpid_now-$(stat -c %Y "/proc/$dpid_now" 2>/dev/null || echo 0)-$server_version"
if [ "$started_now" = 1 ] || ! stamp_ok docker-engine-probe "$probe_key"; then
  probe_img="$(ensure_probe_image)"
  net=ws-probe-net
  srv=ws-probe-srv
  cleanup_probe() {
    dk rm -f "$srv" >/dev/null 2>&1 || true
    dk network rm "$net" >/dev/null 2>&1 || true
  }
  trap cleanup_probe EXIT
  cleanup_probe
  dk network create "$net" >/dev/null
  port=$((20000 + RANDOM % 20000))
  dk run -d --name "$srv" --network "$net" -p "127.0.0.1:$port:8080" "$probe_img" \
    httpd -f -p 8080 -h /www >/dev/null
  # Container to container by name (embedded DNS of user-defined networks). Note: busybox-static's
  # `wget -T` segfaults, so the time limit comes from busybox `timeout`.
  if ! out="$(dk run --rm --network "$net" "$probe_img" \
      sh -c "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 3 wget -q -O - http://$srv:8080/ && exit 0; sleep 0.5; done; exit 1" 2>&1)" \
      || [ "$out" != walkstream-probe-ok ]; then
    die "probe: container could not reach '$srv' by name on a user-defined network: $out"
  fi
  # Host to published port.
  ok=0
  for _ in $(seq 1 20); do
    if [ "$(curl -s --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null)" = walkstream-probe-ok ]; then ok=1; break; fi
    sleep 0.25
  done
  [ "$ok" = 1 ] || die "probe: published port 127.0.0.1:$port did not answer from the host"
  cleanup_probe
  trap - EXIT
  stamp_set docker-engine-probe "$probe_key"
  log "docker-engine: probe ok (network DNS + published port 127.0.0.1:$port)"
fi
log "docker-engine: done in $((SECONDS - start))s"
