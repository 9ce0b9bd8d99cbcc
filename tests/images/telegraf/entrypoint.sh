#!/bin/bash
# Reproduces the official telegraf image's /entrypoint.sh:
# - arguments starting with "-" are options for telegraf (`docker run telegraf --test`);
# - started as root, the command runs as user telegraf (setpriv), keeping groups given with
#   --group-add (except root); started as another user, the command runs as is.
# (The official one also setcaps cap_net_raw/cap_net_bind_service for ping and low ports; no
# plugin of this build needs them.)
set -e

if [ "${1:0:1}" = '-' ]; then
    set -- telegraf "$@"
fi

if [ "$(id -u)" -ne 0 ]; then
    exec "$@"
else
    extra_groups=$(id -Gn | sed -e 's/root//g' | xargs | tr ' ' ',')
    if [ -n "$extra_groups" ]; then
        exec setpriv --reuid telegraf --regid telegraf --groups "$extra_groups" "$@"
    else
        exec setpriv --reuid telegraf --regid telegraf --init-groups "$@"
    fi
fi
