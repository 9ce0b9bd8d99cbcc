#!/usr/bin/env bash
# Step: walkstream-local/kafka:$KAFKA_VERSION, a stand-in for apache/kafka:$KAFKA_VERSION.
#   1. stack/local-images/build/kafka/pom.xml resolves the broker + CLI tools jars from Maven Central into
#      $WS_CACHE/kafka-$KAFKA_VERSION/libs (normal ~/.m2 repository).
#   2. stack/local-images/images/kafka/Dockerfile builds the image from the Debian base image.
#   3. Once per image: a 3-node combined broker+controller KRaft cluster is started on a
#      user-defined network, its quorum checked, a topic with RF 3 created and written, and the
#      host-facing listeners reached from the host; then everything is removed.
source "$(dirname "$0")/../lib.sh"
source "$WS_INFRA_DIR/docker.sh"

start=$SECONDS
kafka_home="$WS_CACHE/kafka-$KAFKA_VERSION"
libs="$kafka_home/libs"
pom="$WS_INFRA_DIR/kafka/pom.xml"
img_dir="$WS_REPO_DIR/stack/local-images/images/kafka"
image="walkstream-local/kafka:$KAFKA_VERSION"
base_image="walkstream-local/debian:$DEBIAN_SUITE"

# --- 1. jars ----------------------------------------------------------------------------------
libs_key="$KAFKA_VERSION $SCALA_VERSION $(sha256sum "$pom" | cut -c1-16)"
if ! stamp_ok "kafka-libs-$KAFKA_VERSION" "$libs_key" || [ ! -f "$libs/kafka_$SCALA_VERSION-$KAFKA_VERSION.jar" ]; then
  command -v mvn >/dev/null 2>&1 || {
    run_logged apt-update apt-get update
    run_logged apt-install-maven env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends maven
  }
  rm -rf "$libs.tmp"
  run_logged "kafka-libs-$KAFKA_VERSION" mvn -B -ntp -f "$pom" \
    -Dkafka.version="$KAFKA_VERSION" -Dscala.binary.version="$SCALA_VERSION" \
    -Dlibs.dir="$libs.tmp" package
  [ -f "$libs.tmp/kafka_$SCALA_VERSION-$KAFKA_VERSION.jar" ] || die "maven did not produce kafka_$SCALA_VERSION-$KAFKA_VERSION.jar"
  rm -rf "$libs" "$kafka_home/mvn-target"
  mv "$libs.tmp" "$libs"
  stamp_set "kafka-libs-$KAFKA_VERSION" "$libs_key"
fi
log "kafka: $(ls "$libs" | wc -l) jars in $libs"

# --- 2. image ---------------------------------------------------------------------------------
dk_image_exists "$base_image" || die "$base_image missing: run steps/base-image.sh first"
image_key="$libs_key $( (cd "$img_dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16) $(dk image inspect --format '{{.Id}}' "$base_image")"
kafka_context() {
  cp -a "$img_dir/." "$1/"
  cp -al "$libs" "$1/libs" 2>/dev/null || cp -a "$libs" "$1/libs"
}
dk_build_keyed "$image" "$image_key" "build-kafka-image-$KAFKA_VERSION" kafka_context \
  --build-arg "BASE=$base_image" --build-arg "KAFKA_VERSION=$KAFKA_VERSION"
log "kafka: $image ready"

# --- 3. verify a 3-node KRaft cluster (once per image id) -------------------------------------
image_id="$(dk image inspect --format '{{.Id}}' "$image")"
if ! stamp_ok "kafka-verified-$KAFKA_VERSION" "$image_id"; then
  net=ws-kafka-probe
  port_base="${WS_KAFKA_PROBE_PORT_BASE:-39092}"   # host ports port_base+1..+3
  names=(ws-kafka-probe-1 ws-kafka-probe-2 ws-kafka-probe-3)
  cleanup_cluster() {
    local n
    for n in "${names[@]}"; do dk rm -f -v "$n" >/dev/null 2>&1 || true; done
    dk network rm "$net" >/dev/null 2>&1 || true
  }
  trap cleanup_cluster EXIT
  cleanup_cluster
  dk network create "$net" >/dev/null
  # --- parity with the official image, where a test could otherwise pass wrongly ---------------
  # /opt/kafka/bin is not on PATH there: scripts must be called by absolute path.
  if dk run --rm "$image" sh -c 'command -v kafka-topics.sh' >/dev/null 2>&1; then
    die "kafka-topics.sh is on PATH in $image (not in apache/kafka: call /opt/kafka/bin/... explicitly)"
  fi
  # Runs as appuser (uid/gid 1000, like Alpine's first adduser) in / (no WORKDIR upstream).
  got="$(dk run --rm "$image" sh -c 'echo "$(id -un) $(id -u):$(id -g) $(pwd)"')"
  [ "$got" = "appuser 1000:1000 /" ] || die "$image runs as/in '$got', expected 'appuser 1000:1000 /'"
  # The healthcheck's tools are BusyBox, as on Alpine.
  for t in timeout head od grep wget; do
    got="$(dk run --rm "$image" sh -c "readlink -f \"\$(command -v $t)\"")"
    case "$got" in */busybox) ;; *) die "$t in $image is $got, expected BusyBox like apache/kafka" ;; esac
  done
  # Class-data-sharing archives that this very JVM and classpath accept (-Xshare:on fails otherwise,
  # where the default would silently start without them).
  dk run --rm -e KAFKA_JVM_PERFORMANCE_OPTS="-XX:SharedArchiveFile=/opt/kafka/storage.jsa -Xshare:on" \
    --entrypoint /opt/kafka/bin/kafka-storage.sh "$image" random-uuid >/dev/null \
    || die "/opt/kafka/storage.jsa is not a usable class-data-sharing archive in $image"
  log "kafka: parity ok (no /opt/kafka/bin on PATH; appuser 1000:1000 in /; BusyBox timeout/head/od/grep/wget; CDS archive in use)"

  cluster_id="$(dk run --rm --entrypoint /opt/kafka/bin/kafka-storage.sh "$image" random-uuid 2>/dev/null | tail -n 1)"
  [ -n "$cluster_id" ] || die "kafka-storage.sh random-uuid failed"
  # An id starting with "-": upstream's wrapper passes --cluster-id=<id> as one argument, so it
  # works there; the stand-in must not fail on it either.
  cluster_id="-${cluster_id:1}"
  t0=$SECONDS
  for i in 1 2 3; do
    dk run -d --name "${names[$((i-1))]}" --hostname "kafka-$i" --network "$net" --network-alias "kafka-$i" \
      -p "127.0.0.1:$((port_base + i)):9092" \
      -e CLUSTER_ID="$cluster_id" \
      -e KAFKA_NODE_ID="$i" \
      -e KAFKA_PROCESS_ROLES=broker,controller \
      -e KAFKA_CONTROLLER_QUORUM_VOTERS=1@kafka-1:9093,2@kafka-2:9093,3@kafka-3:9093 \
      -e KAFKA_LISTENERS=INTERNAL://:19092,CONTROLLER://:9093,EXTERNAL://:9092 \
      -e KAFKA_ADVERTISED_LISTENERS="INTERNAL://kafka-$i:19092,EXTERNAL://localhost:$((port_base + i))" \
      -e KAFKA_LISTENER_SECURITY_PROTOCOL_MAP=INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT,EXTERNAL:PLAINTEXT \
      -e KAFKA_CONTROLLER_LISTENER_NAMES=CONTROLLER \
      -e KAFKA_INTER_BROKER_LISTENER_NAME=INTERNAL \
      -e KAFKA_LOG_DIRS=/var/lib/kafka/data \
      -e KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR=3 \
      -e KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR=3 \
      -e KAFKA_TRANSACTION_STATE_LOG_MIN_ISR=2 \
      -e KAFKA_DEFAULT_REPLICATION_FACTOR=3 \
      -e KAFKA_MIN_INSYNC_REPLICAS=2 \
      -e KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS=0 \
      -e KAFKA_HEAP_OPTS="-Xmx512m -Xms512m" \
      "$image" >/dev/null
  done
  kexec() { dk exec ws-kafka-probe-1 "$@"; }
  # Healthcheck-style readiness: every broker answers ApiVersions on its internal listener.
  ready=0
  for _ in $(seq 1 60); do
    if kexec /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server kafka-1:19092,kafka-2:19092,kafka-3:19092 2>/dev/null \
        | grep -c '^kafka-[123]:19092 (id: [123] rack' | grep -qx 3; then ready=1; break; fi
    for n in "${names[@]}"; do
      [ "$(dk inspect -f '{{.State.Running}}' "$n")" = true ] || { dk logs --tail 40 "$n" >&2; die "$n exited"; }
    done
    sleep 2
  done
  ready_s=$((SECONDS - t0))
  [ "$ready" = 1 ] || { dk logs --tail 40 ws-kafka-probe-1 >&2; die "3-node cluster not ready after ${ready_s}s"; }
  log "kafka: 3 brokers answer ApiVersions ${ready_s}s after 'docker run' (cold JVMs)"

  # The healthcheck exactly as stack/compose.yaml defines it (read through compose itself; its
  # output keeps the file's "$$" escapes, which compose turns into "$" for the container), run in
  # every broker: passes on a ready broker...
  hc="$(KAFKA_CLUSTER_ID=x INFLUXDB_ADMIN_PASSWORD=x INFLUXDB_ADMIN_TOKEN=x GRAFANA_ADMIN_PASSWORD=x \
    dk compose --env-file /dev/null -f "$WS_REPO_DIR/stack/compose.yaml" config --format json \
    | jq -r '.services["kafka-1"].healthcheck.test | if .[0:3] == ["CMD","bash","-c"] then .[3] else error("healthcheck is not CMD bash -c: \(.)") end')" \
    || die "could not read the kafka healthcheck from stack/compose.yaml"
  hc="${hc//\$\$/\$}"
  for n in "${names[@]}"; do
    dk exec "$n" bash -c "$hc" || die "the compose healthcheck fails in $n (a ready broker)"
  done
  # ...and fails when nothing answers (port 19093: no listener).
  if dk exec ws-kafka-probe-1 bash -c "${hc//19092/19093}" 2>/dev/null; then
    die "the compose healthcheck passes without a broker"
  fi
  log "kafka: compose healthcheck passes on the 3 brokers (BusyBox tools), fails with no listener"

  status="$(kexec /opt/kafka/bin/kafka-metadata-quorum.sh --bootstrap-server kafka-1:19092 describe --status)"
  echo "$status" | sed 's/^/    /' >&2
  voters="$(echo "$status" | sed -n 's/^CurrentVoters:[[:space:]]*//p' | grep -o '"id": *[0-9]*' | tr -d ' ' | sort -u | wc -l)"
  leader="$(echo "$status" | sed -n 's/^LeaderId:[[:space:]]*//p')"
  [ "$voters" = 3 ] || die "quorum shows $voters voters, expected 3"
  case "$leader" in 1|2|3) ;; *) die "quorum has no leader (LeaderId: '$leader')" ;; esac

  kexec /opt/kafka/bin/kafka-topics.sh --bootstrap-server kafka-1:19092 --create --topic ws-probe \
    --partitions 3 --replication-factor 3 >/dev/null
  desc="$(kexec /opt/kafka/bin/kafka-topics.sh --bootstrap-server kafka-2:19092 --describe --topic ws-probe)"
  echo "$desc" | grep -q 'ReplicationFactor: 3' || die "topic ws-probe is not RF 3: $desc"
  [ "$(echo "$desc" | grep -c 'Isr: [123],[123],[123]')" = 3 ] || die "topic ws-probe partitions not fully in sync: $desc"
  kexec /opt/kafka/bin/kafka-producer-perf-test.sh --topic ws-probe --num-records 1000 --record-size 100 --throughput -1 \
    --producer-props bootstrap.servers=kafka-1:19092 acks=all >/dev/null \
    || die "producing to ws-probe (acks=all, min.insync.replicas=2) failed"

  # Host clients go through the EXTERNAL listeners advertised as localhost:<published port>.
  for i in 1 2 3; do
    out="$(timeout 60 java -cp "$libs/*" -Dlog4j2.configurationFile="$img_dir/config/tools-log4j2.yaml" \
      org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "localhost:$((port_base + i))" 2>/dev/null)" \
      || die "host could not reach broker $i on 127.0.0.1:$((port_base + i))"
    [ "$(echo "$out" | grep -c "^localhost:$((port_base + 1))\|^localhost:$((port_base + 2))\|^localhost:$((port_base + 3))")" = 3 ] \
      || die "broker $i did not advertise the 3 EXTERNAL listeners: $out"
  done
  log "kafka: quorum 3 voters (leader $leader), topic RF 3 written with acks=all, host listeners ok"

  cleanup_cluster
  trap - EXIT
  stamp_set "kafka-verified-$KAFKA_VERSION" "$image_id"
  log "kafka: verified 3-node cluster (cold start to ready: ${ready_s}s); removed containers, volumes, network"
fi
log "kafka: done in $((SECONDS - start))s"
