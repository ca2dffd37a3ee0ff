#!/bin/bash
# tests/qemu/setup.sh - prepare the nested-SVM QEMU environment used by
# tests/qemu/run-in-vm.sh (see docs/QEMU.md).
#
# Installs qemu-system-x86 and busybox-static with apt-get, downloads (does
# NOT install) Debian's linux-image-amd64 kernel package, and builds into
# $FLUSHBENCH_QEMU_CACHE (default /var/cache/flushbench-qemu):
#   vmlinuz          the Debian kernel
#   vmlinux          the same, uncompressed (faster PVH boot under TCG)
#   initramfs.cpio   busybox + kvm/kvm_amd/virtio/9p modules + /init
#   kvm_smoke        tests/qemu/kvm_smoke.c, built for a quick self-check
#   modules/         only the modules the initramfs needs (+ load order)
#   kernel.version   the kernel package it came from
# Idempotent: rerunning with the same kernel only rebuilds the initramfs
# (a few seconds); the kernel is downloaded again only when
# linux-image-amd64 moves or the module list changes.
#
# usage: tests/qemu/setup.sh [--check] [--kernel-pkg linux-image-X-amd64]
#   --check   afterwards boot the VM once and run kvm_smoke inside it
set -euo pipefail

SELF_DIR=$(cd "$(dirname "$0")" && pwd)
CACHE=${FLUSHBENCH_QEMU_CACHE:-/var/cache/flushbench-qemu}
CHECK=0
KPKG=

while [ $# -gt 0 ]; do
	case "$1" in
	--check) CHECK=1 ;;
	--kernel-pkg) KPKG=$2; shift ;;
	-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
	*) echo "setup.sh: unknown option '$1'; see --help" >&2; exit 2 ;;
	esac
	shift
done

die() { echo "setup.sh: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "must run as root (apt-get, /var/cache); rerun with sudo"

# 1. host packages (Debian archive only).
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
# The initramfs needs the static busybox (the plain "busybox" package is dynamic).
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
	echo "setup.sh: apt-get install ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" \
		|| die "apt-get install ${need[*]} failed; try 'apt-get update' first"
fi

# 2. kernel package: the one linux-image-amd64 currently points at.
if [ -z "$KPKG" ]; then
	KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	[ -n "$KPKG" ] || die "cannot resolve linux-image-amd64; run 'apt-get update'"
fi
KVER=${KPKG#linux-image-}
mkdir -p "$CACHE"
WORK=$(mktemp -d "$CACHE/.work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# Modules the initramfs needs: virtio_pci + 9p for the shares, kvm_amd for
# /dev/kvm (kvm_intel is useless: TCG does not emulate VMX).  Only these and
# their dependencies are kept in $CACHE/modules (~2 MB, not the ~400 MB tree);
# changing this list downloads the kernel package again.
WANT="virtio_pci 9pnet_virtio 9p kvm_amd"

# resolve_modules DIR: fill ORDER with WANT and their dependencies, in load
# order (dependencies first), and MODPATH[name] with their .ko paths in DIR.
declare -A MODPATH=()
declare -A SEEN=()
ORDER=()
add_mod() {
	local n=${1//-/_} dep deps
	[ -n "${SEEN[$n]:-}" ] && return 0
	SEEN[$n]=1
	[ -n "${MODPATH[$n]:-}" ] || die "module $n not found in $KPKG"
	deps=$(grep -a -o 'depends=[A-Za-z0-9_,-]*' "${MODPATH[$n]}" | head -1 | cut -d= -f2)
	for dep in ${deps//,/ }; do add_mod "$dep"; done
	ORDER+=("$n")
}
resolve_modules() {
	local ko n m
	while IFS= read -r ko; do	# no subprocess per module: there are ~4000
		n=${ko##*/}; n=${n%.ko}; n=${n//-/_}
		MODPATH[$n]=$ko
	done < <(find "$1" -name '*.ko')
	for m in $WANT; do add_mod "$m"; done
}

if [ "$(cat "$CACHE/kernel.version" 2>/dev/null)" != "$KPKG" ] ||
   [ ! -f "$CACHE/vmlinuz" ] || [ ! -f "$CACHE/modules/order" ] ||
   [ "$(cat "$CACHE/modules/wanted" 2>/dev/null)" != "$WANT" ]; then
	rm -f "$CACHE/vmlinuz.new"
	if [ "$(cat "$CACHE/kernel.version" 2>/dev/null)" = "$KPKG" ] && [ -f "$CACHE/vmlinuz" ] &&
	   [ -d "$CACHE/modules/kernel" ]; then
		# an older setup.sh kept the whole module tree: trim it, no download
		KSRC="$CACHE/modules"
	else
		echo "setup.sh: downloading $KPKG (not installed on this machine)"
		# _apt cannot write into WORK (mode 700); download as root quietly.
		(cd "$WORK" && apt-get download -o APT::Sandbox::User=root "$KPKG") \
			|| die "apt-get download $KPKG failed; run 'apt-get update'"
		dpkg-deb -x "$WORK"/linux-image-*.deb "$WORK/kernel"
		KSRC="$WORK/kernel/lib/modules/$KVER"
		[ -d "$KSRC" ] || die "$KPKG has no lib/modules/$KVER"
		cp "$WORK/kernel/boot/vmlinuz-$KVER" "$CACHE/vmlinuz.new"
		cp "$WORK/kernel/boot/config-$KVER" "$CACHE/config"
	fi
	resolve_modules "$KSRC"
	rm -rf "$CACHE/modules.new"
	mkdir -p "$CACHE/modules.new"
	for n in "${ORDER[@]}"; do cp "${MODPATH[$n]}" "$CACHE/modules.new/$n.ko"; done
	printf '%s\n' "${ORDER[@]}" > "$CACHE/modules.new/order"
	echo "$WANT" > "$CACHE/modules.new/wanted"
	rm -rf "$CACHE/modules"
	mv "$CACHE/modules.new" "$CACHE/modules"
	if [ -f "$CACHE/vmlinuz.new" ]; then
		mv "$CACHE/vmlinuz.new" "$CACHE/vmlinuz"
		rm -f "$CACHE/vmlinux"
	fi
	echo "$KPKG" > "$CACHE/kernel.version"
	rm -rf "$WORK/kernel" "$WORK"/*.deb
fi

# 3. uncompressed vmlinux: QEMU boots it directly via PVH (CONFIG_PVH=y),
# which skips the in-guest xz decompression - several seconds under TCG.
if [ ! -s "$CACHE/vmlinux" ] || [ "$CACHE/vmlinuz" -nt "$CACHE/vmlinux" ]; then
	rm -f "$CACHE/vmlinux"
	off=$(LC_ALL=C grep -aboP -m1 '\xfd7zXZ\x00' "$CACHE/vmlinuz" | head -1 | cut -d: -f1 || true)
	if [ -n "$off" ] && grep -qx 'CONFIG_PVH=y' "$CACHE/config" &&
	   { tail -c +$((off + 1)) "$CACHE/vmlinuz" || true; } |	# SIGPIPE once xz is done
	   xz -dc --single-stream > "$WORK/vmlinux" 2>/dev/null &&
	   [ "$(head -c 4 "$WORK/vmlinux" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		mv "$WORK/vmlinux" "$CACHE/vmlinux"
	else
		echo "setup.sh: note: cannot extract vmlinux; booting the compressed vmlinuz (slower)"
	fi
fi

# 4. initramfs: the kept modules, in load order (dependencies first).
mapfile -t ORDER < "$CACHE/modules/order"

IR="$WORK/initramfs"
mkdir -p "$IR"/{bin,dev,proc,sys,newroot,mods,ctl}
cp /bin/busybox "$IR/bin/busybox"
for n in "${ORDER[@]}"; do cp "$CACHE/modules/$n.ko" "$IR/mods/$n.ko"; done
cp "$CACHE/modules/order" "$IR/mods/order"
cp "$SELF_DIR/guest-init.sh" "$IR/init"
chmod 755 "$IR/init" "$IR/bin/busybox"
# /dev/console must exist before devtmpfs is mounted, or init has no stdio.
(cd "$IR" && mknod -m 600 dev/console c 5 1 && mknod -m 666 dev/null c 1 3)
(cd "$IR" && find . | /bin/busybox cpio -o -H newc 2>/dev/null) > "$CACHE/initramfs.cpio.new"
mv "$CACHE/initramfs.cpio.new" "$CACHE/initramfs.cpio"
echo "setup.sh: kernel $KPKG, modules: ${ORDER[*]}"

# 5. smoke test binary (the host root is visible read-only in the guest).
if command -v gcc >/dev/null; then
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$CACHE/kvm_smoke.new" "$SELF_DIR/kvm_smoke.c"
	mv "$CACHE/kvm_smoke.new" "$CACHE/kvm_smoke"
fi
echo "setup.sh: ready in $CACHE"

if [ $CHECK = 1 ]; then
	[ -x "$CACHE/kvm_smoke" ] || die "--check needs gcc to build kvm_smoke"
	exec "$SELF_DIR/run-in-vm.sh" --timeout 300 -- "$CACHE/kvm_smoke"
fi
