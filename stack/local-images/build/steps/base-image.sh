#!/usr/bin/env bash
# Step: local base images.
#   walkstream-local/debian:$DEBIAN_SUITE  debootstrap --variant=minbase, imported with `docker import`
#                                          (stand-in for the official debian:bookworm image)
#   walkstream-local/node:<major>          stack/local-images/images/node/Dockerfile: the Debian base plus the Node.js
#                                          $NODE_VERSION release binary and npm $NODE_NPM_VERSION from the npm
#                                          registry (stand-in for the official node:$NODE_VERSION-bookworm-slim)
# The rootfs tarball and the node/npm tarballs are cached in $WS_CACHE so a lost image is rebuilt in seconds.
source "$(dirname "$0")/../lib.sh"
source "$WS_INFRA_DIR/docker.sh"

start=$SECONDS
mirror="${WS_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
security_mirror="${WS_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
debian_img="walkstream-local/debian:$DEBIAN_SUITE"
rootfs_tar="$WS_CACHE/debian-$DEBIAN_SUITE-minbase-rootfs.tar"

# --- Debian rootfs --------------------------------------------------------------------------
if [ ! -s "$rootfs_tar" ]; then
  command -v debootstrap >/dev/null 2>&1 || {
    run_logged apt-update apt-get update
    run_logged apt-install-debootstrap env DEBIAN_FRONTEND=noninteractive apt-get install -y debootstrap
  }
  make_rootfs() {
    set -euo pipefail
    local root
    root="$(mktemp -d "$WS_CACHE/rootfs.XXXXXX")"
    debootstrap --variant=minbase "$DEBIAN_SUITE" "$root" "$mirror"
    # Same apt sources as the official debian image (incl. updates and security).
    rm -f "$root/etc/apt/sources.list"
    cat > "$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $DEBIAN_SUITE $DEBIAN_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security_mirror
Suites: $DEBIAN_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    # Like the official image: apt caches are not kept in layers.
    cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
    echo 'Acquire::Languages "none";' > "$root/etc/apt/apt.conf.d/docker-no-languages"
    rm -rf "${root:?}"/var/lib/apt/lists/* "${root:?}"/var/cache/apt/archives/*.deb "${root:?}"/var/log/*.log \
           "${root:?}"/dev/* "${root:?}"/proc/* "${root:?}"/sys/* "${root:?}"/tmp/* "${root:?}"/run/*
    tar --numeric-owner --xattrs -C "$root" -cf "$rootfs_tar.tmp" .
    rm -rf "$root"
    mv "$rootfs_tar.tmp" "$rootfs_tar"
  }
  run_logged "debootstrap-$DEBIAN_SUITE" make_rootfs
fi

if ! dk_image_exists "$debian_img"; then
  log "base-image: docker import $debian_img"
  dk import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    -c 'CMD ["bash"]' \
    -m "debootstrap --variant=minbase $DEBIAN_SUITE" \
    "$rootfs_tar" "$debian_img" >/dev/null
fi
log "base-image: $debian_img ready"

# --- node:$NODE_MAJOR ------------------------------------------------------------------------
# The official node:<version>-bookworm-slim image unpacks nodejs.org's release tarball (node, and the
# npm and corepack it bundles) into /usr/local. nodejs.org is not reachable here, the npm registry
# is: it carries the same release binary as package node-linux-<arch>@<version> (bin/node) and npm
# as package npm@<version>. Both tarballs are kept in $WS_CACHE/node and unpacked once into
# $node_dir, so a rerun downloads nothing.
case "$(uname -m)" in
  x86_64) node_arch=x64 ;;
  aarch64|arm64) node_arch=arm64 ;;
  *) die "base-image: no node-linux-* package for $(uname -m)" ;;
esac
node_major="${NODE_VERSION%%.*}"
node_img="walkstream-local/node:$node_major"
node_dir="$WS_CACHE/node/node-v$NODE_VERSION-npm-$NODE_NPM_VERSION-linux-$node_arch"
if [ ! -x "$node_dir/bin/node" ] || [ ! -f "$node_dir/npm/package.json" ]; then
  command -v npm >/dev/null 2>&1 || die "base-image: npm is required on the host (npm pack fetches node and npm)"
  fetch_node() {
    set -euo pipefail
    local dl="$WS_CACHE/node" tmp
    mkdir -p "$dl"
    local node_tgz="$dl/node-linux-$node_arch-$NODE_VERSION.tgz" npm_tgz="$dl/npm-$NODE_NPM_VERSION.tgz"
    # npm pack checks each tarball against the registry's integrity hash before writing it.
    [ -s "$node_tgz" ] || npm pack --pack-destination "$dl" "node-linux-$node_arch@$NODE_VERSION"
    [ -s "$npm_tgz" ] || npm pack --pack-destination "$dl" "npm@$NODE_NPM_VERSION"
    tmp="$(mktemp -d "$dl/unpack.XXXXXX")"
    mkdir -p "$tmp/out/bin" "$tmp/node" "$tmp/out/npm"
    tar -xzf "$node_tgz" -C "$tmp/node" package/bin/node
    mv "$tmp/node/package/bin/node" "$tmp/out/bin/node"
    # npm's registry tarball holds its bundled dependencies (node_modules/), like the copy in the
    # nodejs.org tarball's lib/node_modules/npm.
    tar -xzf "$npm_tgz" -C "$tmp/out/npm" --strip-components=1
    chmod 755 "$tmp/out/bin/node" "$tmp/out/npm/bin/npm-cli.js" "$tmp/out/npm/bin/npx-cli.js"
    "$tmp/out/bin/node" --version
    rm -rf "$node_dir"
    mv "$tmp/out" "$node_dir"
    rm -rf "$tmp"
  }
  run_logged "node-$NODE_VERSION-fetch" fetch_node
fi
node_bin="$node_dir/bin/node"
got="$("$node_bin" --version)"
[ "$got" = "v$NODE_VERSION" ] || die "base-image: $node_bin is $got, expected v$NODE_VERSION"

node_key="$NODE_VERSION npm-$NODE_NPM_VERSION $(sha256sum "$node_bin" | cut -c1-16) $(sha256sum "$WS_REPO_DIR/stack/local-images/images/node/Dockerfile" /etc/ssl/certs/ca-certificates.crt | sha256sum | cut -c1-16) $(dk image inspect --format '{{.Id}}' "$debian_img")"
if [ "$(dk image inspect --format '{{index .Config.Labels "walkstream.key"}}' "$node_img" 2>/dev/null || true)" != "$node_key" ]; then
  old_id="$(dk_image_id "$node_img")"
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  cp "$WS_REPO_DIR/stack/local-images/images/node/Dockerfile" "$ctx/"
  cp "$node_bin" "$ctx/node"
  cp -a "$node_dir/npm" "$ctx/npm"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/host-ca.crt"
  run_logged build-node-image dk build --label "walkstream.key=$node_key" \
    --build-arg "BASE=$debian_img" --build-arg "NODE_VERSION=$NODE_VERSION" -t "$node_img" "$ctx"
  rm -rf "$ctx"; trap - EXIT
  dk_drop_replaced "$old_id" "$node_img"
fi

# --- verify node image (once per image id): what the producer Dockerfile and compose rely on ----
node_img_id="$(dk_image_id "$node_img")"
if ! stamp_ok "node-verified-$node_major" "$node_img_id"; then
  got="$(dk run --rm "$node_img" node -e 'process.stdout.write(process.version)')"
  [ "$got" = "v$NODE_VERSION" ] || die "$node_img runs node '$got', expected v$NODE_VERSION"
  got="$(dk run --rm "$node_img" npm --version)"
  [ "$got" = "$NODE_NPM_VERSION" ] || die "$node_img has npm '$got', expected $NODE_NPM_VERSION"
  # Official image: user node is uid/gid 1000 (the producer image runs as USER 1000:1000).
  got="$(dk run --rm --user node "$node_img" id)"
  case "$got" in "uid=1000(node) gid=1000(node)"*) ;; *) die "$node_img: user node is '$got', expected uid/gid 1000" ;; esac
  stamp_set "node-verified-$node_major" "$node_img_id"
  log "base-image: verified $node_img (node v$NODE_VERSION, npm $NODE_NPM_VERSION, user node 1000:1000)"
fi
log "base-image: $node_img ready"
log "base-image: done in $((SECONDS - start))s"
