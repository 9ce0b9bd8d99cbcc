#!/usr/bin/env bash
# The installed-app test (tests/installed/installed-app.test.ts): needs Docker, the locally built
# images and Chromium (provisioned idempotently, as for the stack suite) and root, to make the
# test's user, install folder and engine socket. It brings no stack up itself: the app does.
source "$(dirname "$0")/../../stack/local-images/build/lib.sh"
[ "$(id -u)" = 0 ] || die "the installed-app test needs root (it creates a user and a read-only install folder)"

note_dockerd
bash "$WS_INFRA_DIR/provision.sh"
source "$WS_INFRA_DIR/docker.sh"
trap stop_dockerd_if_ours EXIT
export WS_DOCKER WS_BIN
cd "$WS_REPO_DIR"
[ -f out/web/index.html ] || npm run -s build:web
npx vitest run --project installed
