#!/usr/bin/env bash
# Same main class as the Kafka distribution's bin/kafka-storage.sh.
exec "$(dirname "$0")/kafka-run-class.sh" kafka.tools.StorageTool "$@"
