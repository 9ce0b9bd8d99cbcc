#!/bin/bash
# Entrypoint of walkstream-local/influxdb: a local stand-in for the official influxdb:2.x image's
# /entrypoint.sh (influxdata/influxdata-docker, influxdb/2.9/entrypoint.sh), reproducing the parts
# of its interface that the stack relies on. Section by section:
#
# - Command dispatch (official `main`): no args, `run`, `-flags`, or `influxd [run|-flags]` start
#   the server with the setup wrapper; anything else (`influxd version`, `bash`, ...) is exec'd as is.
# - Config file lookup (official `set_config_path`): INFLUXD_CONFIG_PATH if set, else the first of
#   /etc/influxdb2/config.{json,toml,yaml,yml}, else /etc/defaults/influxdb2/config.yml.
# - Config values (official `influxd::config::get`, which uses dasel + a table of defaults):
#   resolved with `influxd print-config --key-name KEY "$@"`, i.e. by influxd itself with its own
#   precedence flags > env (INFLUXD_*) > config file > defaults.
# - Data dirs (official `create_directories`): bolt dir and engine dir created with mode 700,
#   /etc/influxdb2 775, all chowned to influxdb (uid/gid 1000) when running as root.
# - *_FILE variants (official reads DOCKER_INFLUXDB_INIT_{PASSWORD,USERNAME,ADMIN_TOKEN}_FILE; here
#   _ORG_FILE, _BUCKET_FILE and _RETENTION_FILE too): the file content replaces the variable.
# - First-start setup (official `init_influxd` + `setup_influxd`): only when the bolt file does
#   not exist and DOCKER_INFLUXDB_INIT_MODE=setup. Requires _USERNAME, _PASSWORD, _ORG, _BUCKET;
#   optional _RETENTION (influx CLI duration syntax: 1w2d3h..., w/d/h/m/s/ms/us/ns; empty or 0 =
#   infinite) and _ADMIN_TOKEN. A temporary influxd is started on 127.0.0.1:$INFLUXD_INIT_PORT
#   (default 9999; the official binds :9999) with TLS off, pinged until it answers (at most
#   $INFLUXD_INIT_PING_ATTEMPTS one-second attempts), and set up with one `POST /api/v2/setup`
#   (the official runs `influx setup`; there is no influx CLI in this image, so curl + jq).
#   The IDs are exported as DOCKER_INFLUXDB_INIT_{USER,ORG,BUCKET}_ID (official
#   `set_init_resource_ids`), plus INFLUX_HOST / INFLUX_TOKEN / INFLUX_ORG for scripts (the
#   official scripts get them through the influx CLI config). Executable *.sh scripts in
#   /docker-entrypoint-initdb.d run via run-parts (official `run_user_scripts`). The temporary
#   server is then stopped (SIGINT, see init_influxd). On any failure the bolt and engine files
#   are removed so that the next start retries the setup (official `cleanup_influxd`).
# - CLI config (official: `influx setup --name default` writes $INFLUX_CONFIGS_PATH): written as
#   the same TOML with the final URL, so tools reading /etc/influxdb2/influx-configs find the token.
# - Privilege drop (official: `exec setpriv --reuid=influxdb --regid=influxdb --init-groups
#   "$BASH_SOURCE" "$@"`, which keeps root's environment, HOME included), then `exec influxd "$@"`.
# Not reproduced: DOCKER_INFLUXDB_INIT_MODE=upgrade (1.x -> 2.x migration); it fails loudly.
set -eo pipefail

# --- logging, in the format of the official wrapper (mimics influxd's logfmt) --------------------
declare -rA LOG_LEVELS=([error]=0 [warn]=1 [info]=2 [debug]=3)
LOG_LEVEL=info
log() {
  local -r level=$1 msg=$2
  shift 2
  if [ "${LOG_LEVELS[${level}]}" -gt "${LOG_LEVELS[${LOG_LEVEL}]:-2}" ]; then return; fi
  local attrs="system=docker"
  while [ "$#" -gt 1 ]; do attrs="${attrs} $1=$2"; shift 2; done
  echo "ts=$(date --utc +'%FT%T.%NZ') lvl=${level} msg=\"${msg}\" ${attrs}" >&2
}

declare -r CONFIG_VOLUME=/etc/influxdb2
declare -ra CONFIG_NAMES=(config.json config.toml config.yaml config.yml)
declare -r USER_SCRIPT_DIR=/docker-entrypoint-initdb.d
: "${INFLUXD_INIT_PORT:=9999}"
: "${INFLUXD_INIT_PING_ATTEMPTS:=600}"
: "${INFLUX_CONFIGS_PATH:=${CONFIG_VOLUME}/influx-configs}"
: "${DOCKER_INFLUXDB_INIT_CLI_CONFIG_NAME:=default}"

set_config_path() {
  local config_path=/etc/defaults/influxdb2/config.yml
  if [ -n "${INFLUXD_CONFIG_PATH:-}" ]; then
    config_path="${INFLUXD_CONFIG_PATH}"
  else
    local name
    for name in "${CONFIG_NAMES[@]}"; do
      if [ -f "${CONFIG_VOLUME}/${name}" ]; then config_path="${CONFIG_VOLUME}/${name}"; break; fi
    done
  fi
  export INFLUXD_CONFIG_PATH="${config_path}"
}

# config_get KEY [influxd args...]: the value influxd would use for KEY.
config_get() {
  local -r key=$1
  shift
  local value
  value="$(influxd print-config --key-name "${key}" "$@" 2>/dev/null)" || return 0
  # print-config writes one YAML scalar: plain, "double-quoted" or 'single-quoted'.
  case "${value}" in
    \"*\") value="${value:1:${#value}-2}" ;;
    \'*\') value="${value:1:${#value}-2}"; value="${value//\'\'/\'}" ;;
  esac
  printf '%s\n' "${value}"
}

set_data_paths() {
  BOLT_PATH="$(config_get bolt-path "$@")"
  ENGINE_PATH="$(config_get engine-path "$@")"
  if [ -z "${BOLT_PATH}" ] || [ -z "${ENGINE_PATH}" ]; then
    log error "could not resolve bolt-path/engine-path (influxd print-config failed)" config "${INFLUXD_CONFIG_PATH}"
    influxd print-config --key-name bolt-path "$@" >&2 || true
    exit 1
  fi
  export BOLT_PATH ENGINE_PATH
}

create_directories() {
  local -r bolt_dir="$(dirname "${BOLT_PATH}")"
  mkdir -p "${bolt_dir}" "${ENGINE_PATH}"
  chmod 700 "${bolt_dir}" "${ENGINE_PATH}" || :
  mkdir -p "${CONFIG_VOLUME}" || :
  chmod 775 "${CONFIG_VOLUME}" || :
  if [ "$(id -u)" = 0 ]; then
    find "${bolt_dir}" \! -user influxdb -exec chown influxdb '{}' +
    find "${ENGINE_PATH}" \! -user influxdb -exec chown influxdb '{}' +
    find "${CONFIG_VOLUME}" \! -user influxdb -exec chown influxdb '{}' +
  fi
}

# VAR_FILE -> VAR (the file wins, like the official image; a missing file is reported and skipped).
file_env() {
  local -r var=$1 file_var="$1_FILE"
  if [ -n "${!file_var:-}" ]; then
    if [ -e "${!file_var}" ]; then
      printf -v "${var}" '%s' "$(cat "${!file_var}")"
      export "${var?}"
    else
      echo "${file_var} defined, but file not existing, skipping."
    fi
  fi
}
for v in USERNAME PASSWORD ORG BUCKET RETENTION ADMIN_TOKEN; do file_env "DOCKER_INFLUXDB_INIT_${v}"; done

ensure_init_vars_set() {
  local missing_some=0 var
  for var in DOCKER_INFLUXDB_INIT_USERNAME DOCKER_INFLUXDB_INIT_PASSWORD DOCKER_INFLUXDB_INIT_ORG DOCKER_INFLUXDB_INIT_BUCKET; do
    if [ -z "${!var:-}" ]; then
      log error "missing parameter, cannot init InfluxDB" parameter "${var}"
      missing_some=1
    fi
  done
  if [ "${missing_some}" = 1 ]; then exit 1; fi
}

# retention_seconds DURATION: the influx CLI's duration syntax (RawDurationToTimeDuration) in
# whole seconds; integer magnitudes only.
retention_seconds() {
  local rest=$1 total_ns=0 mag unit
  [ -z "${rest}" ] && { echo 0; return; }
  [ "${rest}" = 0 ] && { echo 0; return; }
  while [ -n "${rest}" ]; do
    if [[ "${rest}" =~ ^([0-9]+)(ns|us|µs|ms|s|m|h|d|w)(.*)$ ]]; then
      mag=$((10#${BASH_REMATCH[1]})); unit=${BASH_REMATCH[2]}; rest=${BASH_REMATCH[3]}
    else
      log error "invalid DOCKER_INFLUXDB_INIT_RETENTION: duration must be week(w), day(d), hour(h), min(m), sec(s), millisec(ms), microsec(us), or nanosec(ns)" value "$1"
      return 1
    fi
    case "${unit}" in
      w) total_ns=$((total_ns + mag * 604800000000000)) ;;
      d) total_ns=$((total_ns + mag * 86400000000000)) ;;
      h) total_ns=$((total_ns + mag * 3600000000000)) ;;
      m) total_ns=$((total_ns + mag * 60000000000)) ;;
      s) total_ns=$((total_ns + mag * 1000000000)) ;;
      ms) total_ns=$((total_ns + mag * 1000000)) ;;
      us|µs) total_ns=$((total_ns + mag * 1000)) ;;
      ns) total_ns=$((total_ns + mag)) ;;
    esac
  done
  echo $(((total_ns + 500000000) / 1000000000))
}

cleanup_influxd() {
  log warn "cleaning bolt and engine files to prevent conflicts on retry" bolt_path "${BOLT_PATH}" engine_path "${ENGINE_PATH}"
  if [ -n "${INIT_PID:-}" ] && kill -0 "${INIT_PID}" 2>/dev/null; then
    kill -TERM "${INIT_PID}" 2>/dev/null || true
    wait "${INIT_PID}" 2>/dev/null || true
  fi
  rm -rf "${BOLT_PATH}" "${ENGINE_PATH:?}/"*
  # The SQLite file lives next to the bolt file by default and is created with it.
  rm -f "$(dirname "${BOLT_PATH}")/influxd.sqlite"
}

wait_for_influxd() {
  local -r pid=$1
  local ping_count=0
  while kill -0 "${pid}" 2>/dev/null && [ "${ping_count}" -lt "${INFLUXD_INIT_PING_ATTEMPTS}" ]; do
    sleep 1
    ping_count=$((ping_count + 1))
    log debug "pinging influxd..." ping_attempt "${ping_count}"
    if curl -fsS -o /dev/null --max-time 2 "${INFLUX_HOST}/ping" 2>/dev/null; then
      log info "got response from influxd, proceeding" total_pings "${ping_count}"
      return
    fi
  done
  if [ "${ping_count}" -ge "${INFLUXD_INIT_PING_ATTEMPTS}" ]; then
    log error "influxd took too long to start up" total_pings "${ping_count}"
  else
    log error "influxd crashed during startup" total_pings "${ping_count}"
  fi
  exit 1
}

# POST /api/v2/setup: the call `influx setup --force` makes. JSON is built by jq (--arg escapes).
setup_influxd() {
  local retention body response http_code
  retention="$(retention_seconds "${DOCKER_INFLUXDB_INIT_RETENTION:-}")"
  body="$(jq -cn \
    --arg username "${DOCKER_INFLUXDB_INIT_USERNAME}" \
    --arg password "${DOCKER_INFLUXDB_INIT_PASSWORD}" \
    --arg org "${DOCKER_INFLUXDB_INIT_ORG}" \
    --arg bucket "${DOCKER_INFLUXDB_INIT_BUCKET}" \
    --arg token "${DOCKER_INFLUXDB_INIT_ADMIN_TOKEN:-}" \
    --argjson retention "${retention}" \
    '{username: $username, password: $password, org: $org, bucket: $bucket}
     + (if $retention > 0 then {retentionPeriodSeconds: $retention} else {} end)
     + (if $token != "" then {token: $token} else {} end)')"
  response="$(mktemp)"
  http_code="$(printf '%s' "${body}" | curl -sS --max-time 60 -o "${response}" -w '%{http_code}' \
    -X POST -H 'Content-Type: application/json' --data-binary @- "${INFLUX_HOST}/api/v2/setup")"
  if [ "${http_code}" != 201 ]; then
    log error "setup failed" status "${http_code}" response "$(tr -d '\n' <"${response}")"
    rm -f "${response}"
    exit 1
  fi
  DOCKER_INFLUXDB_INIT_USER_ID="$(jq -r '.user.id' "${response}")"
  DOCKER_INFLUXDB_INIT_ORG_ID="$(jq -r '.org.id' "${response}")"
  DOCKER_INFLUXDB_INIT_BUCKET_ID="$(jq -r '.bucket.id' "${response}")"
  INFLUX_TOKEN="$(jq -r '.auth.token' "${response}")"
  INFLUX_ORG="${DOCKER_INFLUXDB_INIT_ORG}"
  export DOCKER_INFLUXDB_INIT_USER_ID DOCKER_INFLUXDB_INIT_ORG_ID DOCKER_INFLUXDB_INIT_BUCKET_ID INFLUX_TOKEN INFLUX_ORG
  rm -f "${response}"
  log info "setup complete" org "${DOCKER_INFLUXDB_INIT_ORG}" org_id "${DOCKER_INFLUXDB_INIT_ORG_ID}" \
    bucket "${DOCKER_INFLUXDB_INIT_BUCKET}" bucket_id "${DOCKER_INFLUXDB_INIT_BUCKET_ID}" retention_seconds "${retention}"
}

# The influx CLI config `influx setup --name default` would have written (TOML, 0600).
write_cli_config() {
  local -r url=$1 name=${DOCKER_INFLUXDB_INIT_CLI_CONFIG_NAME}
  toml_str() { jq -rn --arg s "$1" '$s | @json'; }   # JSON string escaping is valid TOML basic-string escaping
  mkdir -p "$(dirname "${INFLUX_CONFIGS_PATH}")"
  (
    umask 077
    {
      echo "[${name}]"
      echo "  url = $(toml_str "${url}")"
      echo "  token = $(toml_str "${INFLUX_TOKEN}")"
      echo "  org = $(toml_str "${DOCKER_INFLUXDB_INIT_ORG}")"
      echo "  active = true"
    } >"${INFLUX_CONFIGS_PATH}"
  )
}

run_user_scripts() {
  if [ -d "${USER_SCRIPT_DIR}" ] && [ -n "$(find "${USER_SCRIPT_DIR}" -maxdepth 1 -name '*sh' -type f 2>/dev/null)" ]; then
    log info "Executing user-provided scripts" script_dir "${USER_SCRIPT_DIR}"
    run-parts --regex '.*sh$' --report --exit-on-error "${USER_SCRIPT_DIR}"
  fi
}

handle_signal() {
  kill "-$1" "$2" 2>/dev/null || true
  wait "$2" 2>/dev/null || true
  exit 1
}

init_influxd() {
  if [ "${DOCKER_INFLUXDB_INIT_MODE}" = upgrade ]; then
    log error "DOCKER_INFLUXDB_INIT_MODE=upgrade is not supported by this local image (no 1.x data migration)"
    exit 1
  elif [ "${DOCKER_INFLUXDB_INIT_MODE}" != setup ]; then
    log error "found invalid DOCKER_INFLUXDB_INIT_MODE, valid values are 'setup' and 'upgrade'" DOCKER_INFLUXDB_INIT_MODE "${DOCKER_INFLUXDB_INIT_MODE}"
    exit 1
  fi
  ensure_init_vars_set
  trap cleanup_influxd EXIT

  local final_bind_addr final_scheme=http
  final_bind_addr="$(config_get http-bind-address "$@")"
  if [ -n "$(config_get tls-cert "$@")" ] && [ -n "$(config_get tls-key "$@")" ]; then final_scheme=https; fi

  # Temporary server: same flags as the final one, then overrides (pflag: the last one wins) for a
  # localhost-only address and no TLS. Run as the influxdb user when we are root, so every file it
  # creates is already owned correctly.
  log info "booting influxd server in the background" addr "127.0.0.1:${INFLUXD_INIT_PORT}"
  local -a run_as=()
  if [ "$(id -u)" = 0 ]; then run_as=(setpriv --reuid=influxdb --regid=influxdb --init-groups); fi
  "${run_as[@]}" influxd "$@" --http-bind-address="127.0.0.1:${INFLUXD_INIT_PORT}" --tls-cert= --tls-key= &
  INIT_PID=$!
  trap 'handle_signal TERM ${INIT_PID}' TERM
  trap 'handle_signal INT ${INIT_PID}' INT

  export INFLUX_HOST="http://localhost:${INFLUXD_INIT_PORT}"
  wait_for_influxd "${INIT_PID}"
  setup_influxd
  run_user_scripts

  log info "initialization complete, shutting down background influxd"
  # SIGINT, not the official SIGTERM: influxd 2.x only handles SIGINT (kit/signals: os.Interrupt,
  # os.Kill) and dies at once with exit code 2 on SIGTERM; SIGINT closes bolt/engine cleanly.
  kill -INT "${INIT_PID}"
  wait "${INIT_PID}" || true
  INIT_PID=
  trap - EXIT INT TERM

  local -r final_port="${final_bind_addr##*:}"
  write_cli_config "${final_scheme}://localhost:${final_port:-8086}"
  unset INFLUX_HOST INFLUX_TOKEN INFLUX_ORG
}

check_help_flag() {
  local arg
  for arg in "$@"; do
    if [ "${arg}" = --help ] || [ "${arg}" = -h ]; then return 0; fi
  done
  return 1
}

main() {
  set_config_path

  local run_influxd=false
  if [[ $# = 0 || "$1" = run || "${1:0:1}" = '-' ]]; then
    run_influxd=true
  elif [[ "$1" = influxd && ($# = 1 || "$2" = run || "${2:0:1}" = '-') ]]; then
    run_influxd=true
    shift 1
  fi
  if ! ${run_influxd}; then exec "$@"; fi
  if [ "${1:-}" = run ]; then shift 1; fi

  if check_help_flag "$@"; then exec influxd "$@"; fi

  LOG_LEVEL="$(config_get log-level "$@")"
  [ -n "${LOG_LEVELS[${LOG_LEVEL:-x}]:-}" ] || LOG_LEVEL=info
  set_data_paths "$@"
  create_directories

  if [ -f "${BOLT_PATH}" ]; then
    log info "found existing boltdb file, skipping setup wrapper" bolt_path "${BOLT_PATH}"
  elif [ -z "${DOCKER_INFLUXDB_INIT_MODE:-}" ]; then
    log warn "boltdb not found at configured path, but DOCKER_INFLUXDB_INIT_MODE not specified, skipping setup wrapper" bolt_path "${BOLT_PATH}"
  else
    init_influxd "$@"
    create_directories
  fi

  if [ "$(id -u)" = 0 ]; then
    exec setpriv --reuid=influxdb --regid=influxdb --init-groups influxd "$@"
  fi
  exec influxd "$@"
}

main "$@"
