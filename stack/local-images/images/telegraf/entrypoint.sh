#!/bin/bash
# Reproduces the official telegraf image's /entrypoint.sh (influxdata-docker telegraf/1.x), which
# runs under tini (see the Dockerfile):
# - arguments starting with "-" are options for telegraf (`docker run telegraf --test`);
# - started as another user than root, the command runs as is;
# - started as root: file capabilities cap_net_raw,cap_net_bind_service are set on
#   /usr/bin/telegraf (a failure is only reported), HOME becomes the telegraf user's home, and the
#   command runs as user telegraf with its own groups plus any given with --group-add, minus root.
set -e

if [ "${1:0:1}" = '-' ]; then
    set -- telegraf "$@"
fi

if [ "$EUID" -ne 0 ]; then
    exec "$@"
fi

setcap cap_net_raw,cap_net_bind_service+ep /usr/bin/telegraf \
    || echo "Failed to set additional capabilities on /usr/bin/telegraf"
HOME="$(getent passwd telegraf | cut -d: -f6)"
export HOME
groups="$( (id -Gn telegraf; id -Gn || true) | tr ' ' '\n' | grep -vx root | sort -u | paste -sd, -)"
exec setpriv --reuid telegraf --regid telegraf --groups "$groups" "$@"
