#!/usr/bin/env bash
# Same main class as the Kafka distribution's bin/kafka-log-dirs.sh.
exec "$(dirname "$0")/kafka-run-class.sh" org.apache.kafka.tools.LogDirsCommand "$@"
