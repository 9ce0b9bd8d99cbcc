#!/usr/bin/env bash
# Smoke test of walkstream-local/influxdb:$INFLUXDB_VERSION (run after stack/local-images/build/steps/influxd.sh):
# first-start setup from DOCKER_INFLUXDB_INIT_* (org/bucket/retention/admin token, an init script,
# the *_FILE variant), /health, a line-protocol write, a Flux query, an InfluxQL query through the
# virtual DBRP mapping, then a restart that must skip setup and keep the data (named volume).
# Everything it creates is removed on exit. Bounded waits only.
source "$(dirname "$0")/../../build/lib.sh"
source "$WS_INFRA_DIR/docker.sh"

image="walkstream-local/influxdb:$INFLUXDB_VERSION"
name="ws-influxdb-smoke-$$"
vol_data="$name-data"
vol_etc="$name-etc"
port="${WS_SMOKE_PORT:-18086}"
token="walkstream-smoke-token-$$"
url="http://127.0.0.1:$port"
tmp="$(mktemp -d)"

cleanup() {
  dk rm -f "$name" >/dev/null 2>&1 || true
  dk volume rm -f "$vol_data" "$vol_etc" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { dk logs "$name" 2>&1 | tail -n 40 >&2 || true; die "influxdb smoke: $*"; }

wait_healthy() {
  local _
  for _ in $(seq 1 60); do
    if dk exec "$name" curl -fsS http://localhost:8086/health >/dev/null 2>&1; then return 0; fi
    [ "$(dk inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" = true ] || fail "container exited"
    sleep 1
  done
  fail "/health not passing after 60s"
}

# A password file (the *_FILE variant) and an init script that proves scripts run during setup
# with the IDs and an authenticated URL in their environment.
printf 'smoke-password-1' >"$tmp/password"
cat >"$tmp/10-extra-bucket.sh" <<'EOF'
#!/bin/bash
set -euo pipefail
echo "init script: org_id=$DOCKER_INFLUXDB_INIT_ORG_ID bucket_id=$DOCKER_INFLUXDB_INIT_BUCKET_ID host=$INFLUX_HOST"
curl -fsS -X POST "$INFLUX_HOST/api/v2/buckets" -H "Authorization: Token $INFLUX_TOKEN" \
  -H 'Content-Type: application/json' \
  -d "{\"orgID\":\"$DOCKER_INFLUXDB_INIT_ORG_ID\",\"name\":\"from-init-script\",\"retentionRules\":[]}" >/dev/null
EOF
chmod 755 "$tmp/10-extra-bucket.sh"
chmod 644 "$tmp/password"

run() {
  dk run -d --name "$name" -p "127.0.0.1:$port:8086" \
    -v "$vol_data:/var/lib/influxdb2" -v "$vol_etc:/etc/influxdb2" \
    -v "$tmp/password:/run/secrets/influx-password:ro" \
    -v "$tmp/10-extra-bucket.sh:/docker-entrypoint-initdb.d/10-extra-bucket.sh:ro" \
    -e DOCKER_INFLUXDB_INIT_MODE=setup \
    -e DOCKER_INFLUXDB_INIT_USERNAME=admin \
    -e DOCKER_INFLUXDB_INIT_PASSWORD_FILE=/run/secrets/influx-password \
    -e DOCKER_INFLUXDB_INIT_ORG=walkstream \
    -e DOCKER_INFLUXDB_INIT_BUCKET=walks \
    -e DOCKER_INFLUXDB_INIT_RETENTION=7d \
    -e DOCKER_INFLUXDB_INIT_ADMIN_TOKEN="$token" \
    "$image" >/dev/null
}

log "influxdb smoke: starting $image"
t0=$SECONDS
run
wait_healthy
log "influxdb smoke: healthy after $((SECONDS - t0))s (first start, with setup)"
# (logs captured first: `docker logs | grep -q` fails under pipefail when grep exits early)
logs() { dk logs "$name" 2>&1; }
first_logs="$(logs)"
grep -q 'msg="setup complete"' <<<"$first_logs" || fail "setup did not run"
grep -q 'init script: org_id=' <<<"$first_logs" || fail "init script did not run"
[ "$(dk exec "$name" stat -c %U /proc/1)" = influxdb ] || fail "influxd (pid 1) is not running as user influxdb"

auth=(-H "Authorization: Token $token")
# The bucket exists with a 7d retention, and the init script's bucket too.
buckets="$(curl -fsS "${auth[@]}" "$url/api/v2/buckets?org=walkstream")"
retention="$(printf '%s' "$buckets" | jq -r '.buckets[] | select(.name=="walks") | .retentionRules[0].everySeconds')"
[ "$retention" = 604800 ] || fail "bucket walks retention is '$retention', expected 604800"
printf '%s' "$buckets" | jq -e '.buckets[] | select(.name=="from-init-script")' >/dev/null || fail "init script bucket missing"

ts="$(date +%s%N)"
curl -fsS "${auth[@]}" -X POST "$url/api/v2/write?org=walkstream&bucket=walks&precision=ns" \
  -H 'Content-Type: text/plain; charset=utf-8' \
  --data-binary "random_walk,walk=w1 value=1.5,seq=1i $ts" || fail "write failed"

flux() {
  curl -fsS "${auth[@]}" -X POST "$url/api/v2/query?org=walkstream" \
    -H 'Accept: application/csv' -H 'Content-Type: application/vnd.flux' \
    --data-binary 'from(bucket: "walks") |> range(start: -1h) |> filter(fn: (r) => r._measurement == "random_walk" and r.walk == "w1") |> keep(columns: ["_field", "_value"])'
}
out="$(flux)" || fail "flux query failed"
has_field() { printf '%s\n' "$1" | tr -d '\r' | grep -Eq ",($2,$3|$3,$2)(,|\$)"; }
has_field "$out" value 1.5 || fail "flux result lacks value=1.5: $out"
has_field "$out" seq 1 || fail "flux result lacks seq=1: $out"
log "influxdb smoke: write + Flux query ok"

influxql="$(curl -fsS "${auth[@]}" -G "$url/query" --data-urlencode db=walks \
  --data-urlencode 'q=SELECT value FROM random_walk')" || fail "InfluxQL query failed"
printf '%s' "$influxql" | jq -e '.results[0].series[0].values[0][1] == 1.5' >/dev/null || fail "InfluxQL result: $influxql"
log "influxdb smoke: InfluxQL via virtual DBRP ok"

dk exec "$name" grep -q "token = \"$token\"" /etc/influxdb2/influx-configs || fail "influx-configs lacks the token"

dk restart -t 20 "$name" >/dev/null
wait_healthy
all_logs="$(logs)"
n_setup="$(grep -c 'msg="setup complete"' <<<"$all_logs" || true)"
[ "$n_setup" = 1 ] || fail "setup ran $n_setup times"
grep -q 'found existing boltdb file, skipping setup wrapper' <<<"$all_logs" || fail "restart did not skip setup"
out="$(flux)" || fail "flux query after restart failed"
has_field "$out" value 1.5 || fail "data lost after restart: $out"
log "influxdb smoke: restart skipped setup and kept the data"
log "influxdb smoke: PASS"
