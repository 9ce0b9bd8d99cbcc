#!/usr/bin/env bash
# The one test command (`npm test`): installs what the tests need, then runs every suite.
#   1. install npm dependencies (Electron's binary is not downloaded: it cannot be here)
#   2. static checks: TypeScript strict, Biome lint/format, generated dashboards up to date
#   3. unit tests (Vitest), and the README's browser-mode install (`npm install && npm run web`)
#      in a fresh copy, with Electron's binary host out of reach
#   4. the stack suite: provisions Docker, Compose, locally built images (cached under
#      ~/.cache/walkstream) and Chromium, brings the real stack/ up, runs tests/stack, the UI
#      end-to-end tests (tests/e2e) and the lifecycle tests, and tears everything down.
#   5. the installed-app test (tests/installed): the app as a package installs it, run by a normal
#      user through a docker context of its own, starting its own stack.
# WALKSTREAM_SKIP_STACK=1 stops after step 3 (for a quick local loop); CI never sets it.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS=0
step() { printf '\n=== %s (%ss) ===\n' "$*" "$SECONDS"; }

step "npm dependencies"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
else
  echo "node_modules is up to date"
fi

step "static checks"
npm run -s typecheck
npm run -s lint
npm run -s dashboards:check
bash tests/electronegativity.sh

step "builds: browser-mode renderer, Electron main/preload/renderer (the binary itself cannot run here)"
npm run -s build:web
npm run -s build:app

step "unit tests"
npm run -s test:unit

step "browser mode from a fresh install, without Electron's binary host"
bash tests/install/web-install.test.sh

if [ "${WALKSTREAM_SKIP_STACK:-0}" = "1" ]; then
  echo "WALKSTREAM_SKIP_STACK=1: stack suite not run"
  exit 0
fi

step "stack suite"
# One stack for all of them, in this order: the fault suite (tests/faults) restores every service
# it breaks; the UI tests end with the stack stopped from the app; the lifecycle suite takes the
# stack down and up again by itself.
npm run -s test:stack

step "installed app: a read-only install, a normal user, a non-default docker context"
npm run -s test:installed
step "all suites passed"
