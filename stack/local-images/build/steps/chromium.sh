#!/usr/bin/env bash
# Step: Debian's Chromium, driven by playwright-core in the end-to-end UI tests (Playwright's own
# browser download cannot work here).
source "$(dirname "$0")/../lib.sh"
if ! [ -x /usr/bin/chromium ]; then
  run_logged apt-update-chromium apt-get update
  run_logged apt-install-chromium env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
log "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
