#!/usr/bin/env bash
# Reproduces the Kafka distribution's bin/kafka-server-start.sh: kafka.Kafka with the server
# log4j2 config and a 1G heap unless KAFKA_HEAP_OPTS is set.
set -euo pipefail
[ $# -ge 1 ] || { echo "USAGE: $0 [-daemon] server.properties [--override property=value]*" >&2; exit 1; }
base_dir="$(cd "$(dirname "$0")/.." && pwd)"
export KAFKA_LOG4J_OPTS="${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$base_dir/config/log4j2.yaml}"
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
extra=(-name kafkaServer -loggc)
if [ "${1:-}" = "-daemon" ]; then extra=(-daemon "${extra[@]}"); shift; fi
exec "$base_dir/bin/kafka-run-class.sh" "${extra[@]}" kafka.Kafka "$@"
