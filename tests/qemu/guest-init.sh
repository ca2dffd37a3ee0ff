#!/bin/busybox sh
# /init of the flushbench QEMU initramfs (built by tests/qemu/setup.sh).
#
# Loads virtio/9p/kvm modules, mounts the host root read-only (9p tag fbroot)
# and the host's read-write shares at the same paths, chroots into it, runs
# the command run-in-vm.sh wrote to the control share (tag fbctl), and
# reports its exit status both in /ctl/rc and as a marker line on the console.
# Marker lines (parsed by run-in-vm.sh, so keep them stable):
#   FLUSHBENCH-QEMU-BEGIN uptime=<s>   command starts (its stdout/stderr: ttyS1/ttyS2)
#   FLUSHBENCH-QEMU-NOKVM: <reason>  /dev/kvm missing (run-in-vm.sh exits 4)
#   FLUSHBENCH-QEMU-ERROR: <reason>  environment failure (run-in-vm.sh exits 125)
#   FLUSHBENCH-QEMU-EXIT=<n> uptime=<s>  command finished with status n
/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

finish() {	# finish <rc>: report and power off; never returns
	echo "$1" > /ctl/rc 2>/dev/null
	dmesg > /ctl/dmesg 2>/dev/null
	sync
	echo "FLUSHBENCH-QEMU-EXIT=$1 uptime=$(cut -d' ' -f1 /proc/uptime)"
	poweroff -f
	sleep 5
}
fail() {
	echo "FLUSHBENCH-QEMU-ERROR: $*"
	dmesg | tail -n 30
	finish 125
}

for m in $(cat /mods/order); do
	[ "$m" = kvm_amd ] && continue	# needs parameters from the control share
	insmod /mods/$m.ko || fail "insmod $m failed"
done

P9="trans=virtio,version=9p2000.L,msize=512000"
mount -t 9p -o "$P9" fbctl /ctl || fail "cannot mount control share fbctl"
# vm.env: KVM_AMD_PARAMS, SHARES ("tag:/path" words), GUEST_LOGLEVEL.
. /ctl/vm.env

insmod /mods/kvm_amd.ko $KVM_AMD_PARAMS
[ -n "$GUEST_LOGLEVEL" ] && dmesg -n "$GUEST_LOGLEVEL"

# The host root is read-only and cached: only the explicit shares below are
# expected to change while the guest runs.
mount -t 9p -o "$P9,ro,cache=loose" fbroot /newroot || fail "cannot mount host root (tag fbroot)"
R=/newroot
mount -t proc proc $R/proc || fail "mount $R/proc"
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev || fail "mount $R/dev"
mkdir -p $R/dev/pts $R/dev/shm 2>/dev/null
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
mount -t tmpfs tmpfs $R/tmp
mount -t tmpfs tmpfs $R/run
mount -t tmpfs tmpfs $R/var/tmp
mkdir -p $R/run/fbctl
mount --bind /ctl $R/run/fbctl || fail "bind control share"
for s in $SHARES; do
	tag=${s%%:*}; path=${s#*:}
	mount -t 9p -o "$P9" "$tag" "$R$path" || fail "cannot mount $path (tag $tag) in the guest"
done

if [ ! -c /dev/kvm ]; then
	why=$(dmesg | grep -iE 'kvm|svm' | tail -n 3 | tr '\n' ' ')
	echo "FLUSHBENCH-QEMU-NOKVM: no /dev/kvm in the guest (kvm_amd params: ${KVM_AMD_PARAMS:-none}): ${why:-no kernel message}"
	dmesg | grep -iE 'kvm|svm' | tail -n 20
	finish 4
fi

echo "FLUSHBENCH-QEMU-BEGIN uptime=$(cut -d' ' -f1 /proc/uptime)"
# ttyS1/ttyS2 carry the command's stdout/stderr: raw, so bytes pass unchanged
# (no \n -> \r\n); clocal, so open() does not wait for a carrier.
stty -F /dev/ttyS1 raw -echo clocal
stty -F /dev/ttyS2 raw -echo clocal
# Closing the ttys when the command ends waits for their output to drain.
chroot $R /bin/bash /run/fbctl/cmd.sh < /dev/null > /dev/ttyS1 2> /dev/ttyS2
finish $?
