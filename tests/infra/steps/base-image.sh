#!/usr/bin/env bash
# Step: local base images.
#   walkstream-local/debian:$DEBIAN_SUITE  debootstrap --variant=minbase, imported with `docker import`
#                                          (stand-in for the official debian:bookworm image)
#   walkstream-local/node:20               tests/images/node/Dockerfile: the Debian base plus the host's
#                                          node binary (stand-in for the official node:20 image)
# The rootfs tarball is cached in $WS_CACHE so a lost image is re-imported in seconds.
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

# --- node:20 --------------------------------------------------------------------------------
node_bin="$(command -v node || true)"
[ -n "$node_bin" ] || die "node is required on the host (its binary is copied into walkstream-local/node)"
node_bin="$(readlink -f "$node_bin")"
node_ver="$("$node_bin" --version)"
node_major="${node_ver#v}"; node_major="${node_major%%.*}"
node_img="walkstream-local/node:20"
[ "$node_major" = 20 ] || log "base-image: WARNING host node is $node_ver, image is still tagged $node_img"
node_key="$node_ver $(sha256sum "$node_bin" | cut -c1-16) $(sha256sum "$WS_REPO_DIR/tests/images/node/Dockerfile" /etc/ssl/certs/ca-certificates.crt | sha256sum | cut -c1-16) $(dk image inspect --format '{{.Id}}' "$debian_img")"
if [ "$(dk image inspect --format '{{index .Config.Labels "walkstream.key"}}' "$node_img" 2>/dev/null || true)" != "$node_key" ]; then
  old_id="$(dk_image_id "$node_img")"
  ctx="$(mktemp -d)"
  trap 'rm -rf "$ctx"' EXIT
  cp "$WS_REPO_DIR/tests/images/node/Dockerfile" "$ctx/"
  cp "$node_bin" "$ctx/node"
  cp /etc/ssl/certs/ca-certificates.crt "$ctx/host-ca.crt"
  mkdir -p "$ctx/node_modules"
  global_modules="$(dirname "$(dirname "$node_bin")")/lib/node_modules"
  for pkg in npm corepack; do
    [ -d "$global_modules/$pkg" ] && cp -a "$global_modules/$pkg" "$ctx/node_modules/"
  done
  run_logged build-node-image dk build --label "walkstream.key=$node_key" \
    --build-arg "BASE=$debian_img" -t "$node_img" "$ctx"
  rm -rf "$ctx"; trap - EXIT
  dk_drop_replaced "$old_id" "$node_img"
  got="$(dk run --rm "$node_img" node -e 'process.stdout.write(process.version)')"
  [ "$got" = "$node_ver" ] || die "$node_img runs node '$got', expected $node_ver"
  log "base-image: built $node_img (node $got, npm $(dk run --rm "$node_img" npm --version 2>/dev/null || echo none))"
fi
log "base-image: $node_img ready"
log "base-image: done in $((SECONDS - start))s"
