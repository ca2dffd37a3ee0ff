#!/bin/bash
# tests/qemu/run-in-vm.sh - run a command as root inside a QEMU (TCG) Linux
# guest that has a working nested /dev/kvm (emulated AMD SVM), with the host
# repo and build directory visible at the same absolute paths.  For testing
# the kvm backend on machines without /dev/kvm; see docs/QEMU.md.
#
# usage: tests/qemu/run-in-vm.sh [options] -- COMMAND [ARG...]
#   --timeout SECS   hard limit for the whole VM run, boot included (default 900)
#   --mem MB         guest memory (default 1024)
#   --cpus N         guest vCPUs (default 2)
#   --build DIR      build directory to share read-write (default <repo>/build)
#   --share DIR      also share DIR read-write at the same path (repeatable)
#   --env NAME=VAL   set an environment variable for COMMAND (repeatable)
#   --cpu MODEL      QEMU -cpu model (default EPYC; must include svm)
#   --kvm-amd PARAMS guest kvm_amd module parameters (default: none, i.e. the kernel defaults)
#   --verbose        also show the guest boot log
#   --keep           keep the per-run control directory (boot log, dmesg)
#
# The whole host root is visible read-only; the repo (where this script lives),
# the build directory and --share directories are read-write; /tmp, /run,
# /var/tmp and /dev/shm are private tmpfs.  COMMAND runs with bash in the
# host's current directory if that is visible, else in /.  Its stdout and
# stderr arrive on this script's stdout and stderr (separate serial ports);
# guest kernel warnings printed meanwhile go to stderr, prefixed.
#
# exit: COMMAND's exit status; 4 = something needed is missing (qemu, kernel
# image, /dev/kvm in the guest) with a one-line reason; 124 = timeout (qemu
# killed); 125 = the VM failed before reporting a status; 2 = usage error.
set -uo pipefail

ME="run-in-vm"
SELF_DIR=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$SELF_DIR/../.." && pwd)
CACHE=${FLUSHBENCH_QEMU_CACHE:-/var/cache/flushbench-qemu}
TIMEOUT=900
MEM=1024
CPUS=2
BUILD=
BUILD_DEFAULT="$REPO/build"
CPU_MODEL=EPYC
KVM_AMD_PARAMS=""
VERBOSE=0
KEEP=0
SHARE_ARGS=()
ENV_ARGS=()

usage() { echo "$ME: $*; see $0 --help" >&2; exit 2; }
skip() { echo "$ME: $*" >&2; exit 4; }
is_uint() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -gt 0 ]; }

while [ $# -gt 0 ]; do
	case "$1" in
	--timeout) is_uint "${2:-}" || usage "--timeout needs seconds > 0"; TIMEOUT=$2; shift ;;
	--mem) is_uint "${2:-}" || usage "--mem needs megabytes > 0"; MEM=$2; shift ;;
	--cpus) is_uint "${2:-}" || usage "--cpus needs a count > 0"; CPUS=$2; shift ;;
	--build) [ -n "${2:-}" ] || usage "--build needs a directory"; BUILD=$2; shift ;;
	--share) [ -n "${2:-}" ] || usage "--share needs a directory"; SHARE_ARGS+=("$2"); shift ;;
	--env) [[ "${2:-}" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || usage "--env needs NAME=VALUE"
		ENV_ARGS+=("$2"); shift ;;
	--cpu) [ -n "${2:-}" ] || usage "--cpu needs a model"; CPU_MODEL=$2; shift ;;
	--kvm-amd) [ $# -ge 2 ] || usage "--kvm-amd needs parameters"; KVM_AMD_PARAMS=$2; shift ;;
	--verbose) VERBOSE=1 ;;
	--keep) KEEP=1 ;;
	-h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
	--) shift; break ;;
	*) usage "unknown option '$1' (put the command after --)" ;;
	esac
	shift
done
[ $# -gt 0 ] || usage "no command given"
[[ "$KVM_AMD_PARAMS" =~ ^[A-Za-z0-9_=,\ .-]*$ ]] || usage "--kvm-amd: only 'name=value' words allowed"

# Prerequisites: exit 4 so callers (ctest) can SKIP.
QEMU=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 not installed; run tests/qemu/setup.sh"
command -v timeout >/dev/null || skip "timeout(1) not found; install coreutils"
KERNEL="$CACHE/vmlinux"	# uncompressed: PVH boot, no slow in-guest decompression
[ -r "$KERNEL" ] || KERNEL="$CACHE/vmlinuz"
[ -r "$KERNEL" ] || skip "no guest kernel in $CACHE; run tests/qemu/setup.sh"
[ -r "$CACHE/initramfs.cpio" ] || skip "no initramfs in $CACHE; run tests/qemu/setup.sh"
[ "$(id -u)" = 0 ] || skip "must run as root (9p shares keep host ownership only for root)"

# Read-write shares: repo, build dir, --share dirs; skip dirs already covered.
if [ -n "$BUILD" ]; then
	[ -d "$BUILD" ] || usage "--build $BUILD: no such directory"
	SHARE_ARGS=("$BUILD" "${SHARE_ARGS[@]}")
elif [ -d "$BUILD_DEFAULT" ]; then
	SHARE_ARGS=("$BUILD_DEFAULT" "${SHARE_ARGS[@]}")
fi
SHARES=()
for d in "$REPO" "${SHARE_ARGS[@]}"; do
	[ -d "$d" ] || usage "--share $d: no such directory"
	p=$(realpath -e "$d")
	[[ "$p" =~ ^/[A-Za-z0-9_.+/@-]*$ ]] || usage "cannot share '$p': only [A-Za-z0-9_.+/@-] allowed in paths"
	[ "$p" != / ] || usage "cannot share / read-write"
	case "$p" in /tmp|/tmp/*|/run|/run/*|/proc*|/sys*|/dev*)
		usage "cannot share $p: that path is private to the guest";;
	esac
	covered=0
	for q in "${SHARES[@]}"; do
		case "$p/" in "$q"/*) covered=1 ;; esac
	done
	[ $covered = 1 ] || SHARES+=("$p")
done

CTL=$(mktemp -d /tmp/fbqemu.XXXXXX) || skip "cannot create a directory in /tmp"
QPID=
cleanup() {
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	if [ $KEEP = 1 ]; then echo "$ME: kept $CTL" >&2; else rm -rf "$CTL"; fi
}
trap cleanup EXIT
trap 'echo "$ME: interrupted; stopping qemu" >&2; exit 130' INT TERM HUP

# Control share: what the guest /init (tests/qemu/guest-init.sh) reads.
VIRTFS=(-virtfs "local,path=/,mount_tag=fbroot,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$CTL,mount_tag=fbctl,security_model=none")
guest_shares=
i=0
for p in "${SHARES[@]}"; do
	VIRTFS+=(-virtfs "local,path=$p,mount_tag=fbsh$i,security_model=none,multidevs=remap")
	guest_shares+="fbsh$i:$p "
	i=$((i + 1))
done
{
	echo "KVM_AMD_PARAMS='$KVM_AMD_PARAMS'"
	echo "SHARES='$guest_shares'"
	[ $VERBOSE = 1 ] && echo "GUEST_LOGLEVEL=7" || echo "GUEST_LOGLEVEL=5"	# warnings too: a KVM WARN_ON in the guest shows up
} > "$CTL/vm.env"
{
	echo 'export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
	echo 'export HOME=/root TERM=dumb LANG=C.UTF-8 FLUSHBENCH_IN_QEMU=1'
	for e in "${ENV_ARGS[@]}"; do printf 'export %s=%q\n' "${e%%=*}" "${e#*=}"; done
	printf 'cd %q 2>/dev/null || { echo "%s: %s not visible in the guest; running in /" >&2; cd /; }\n' \
		"$PWD" "$ME" "$PWD"
	printf '%q ' "$@"; echo
} > "$CTL/cmd.sh"

# edd=off: skip BIOS disk probing (no disks).  No oops=panic: a KVM WARN in
# the guest should be reported by the command, not kill the run.
APPEND="console=ttyS0 quiet loglevel=4 panic=-1 edd=off"
[ $VERBOSE = 1 ] && APPEND="console=ttyS0 loglevel=7 panic=-1 edd=off"
ACCEL=tcg
[ "$CPUS" -gt 1 ] && ACCEL="tcg,thread=multi"

# Three serial ports: ttyS0 = guest console (boot log, markers, kernel
# messages), ttyS1 = COMMAND's stdout, ttyS2 = its stderr.  Keeping them apart
# means a kernel message can never corrupt output a caller parses.  The
# console filter hides the boot log (kept in $CTL/boot.log) and the markers,
# and passes kernel messages printed while COMMAND runs to stderr.
mkfifo "$CTL/console" "$CTL/out" "$CTL/err"
awk -v verbose=$VERBOSE -v ctl="$CTL" -v me="$ME" '
	# Markers may follow terminal escapes from the firmware on the same line.
	function after(key,   s) { s = substr($0, index($0, key) + length(key)); sub(/ .*/, "", s); return s }
	{ sub(/\r$/, "") }
	/FLUSHBENCH-QEMU-BEGIN/ { began = 1; print after("uptime=") > (ctl "/t_begin"); next }
	/FLUSHBENCH-QEMU-EXIT=/ { print after("EXIT=") > (ctl "/marker_rc")
				  print after("uptime=") > (ctl "/t_end"); done = 1; next }
	/FLUSHBENCH-QEMU-(NOKVM|ERROR):/ { print substr($0, index($0, "FLUSHBENCH-QEMU-")) > (ctl "/reason") }
	{ print > (ctl "/boot.log") }
	verbose || (began && !done && $0 != "") { print me ": guest kernel: " $0 > "/dev/stderr"; fflush("/dev/stderr") }
' < "$CTL/console" &
FPID=$!
cat < "$CTL/out" &
OPID=$!
cat < "$CTL/err" >&2 &
EPID=$!

T0=$(date +%s.%N)
# The shell opens the out/err fifos (fds 7, 8) so the readers above are never
# left blocked in open() even if qemu fails before opening its chardevs.
timeout -k 10 "$TIMEOUT" "$QEMU" -nodefaults -no-user-config -nographic -no-reboot \
	-machine q35 -accel "$ACCEL" -cpu "$CPU_MODEL" -smp "$CPUS" -m "$MEM" \
	-kernel "$KERNEL" -initrd "$CACHE/initramfs.cpio" -append "$APPEND" \
	-serial stdio -serial file:/dev/fd/7 -serial file:/dev/fd/8 "${VIRTFS[@]}" \
	< /dev/null > "$CTL/console" 2> "$CTL/qemu.err" 7> "$CTL/out" 8> "$CTL/err" &
QPID=$!
wait $QPID
QRC=$?
QPID=
wait $FPID $OPID $EPID
T1=$(date +%s.%N)
[ $VERBOSE = 1 ] && sed "s/^/$ME: qemu: /" "$CTL/qemu.err" >&2

show_tail() {
	# The CPU-model warnings ("TCG doesn't support requested feature") are
	# expected and harmless; show them only with --verbose.
	grep -s -v -e "TCG doesn't support requested feature" "$CTL/qemu.err" | sed "s/^/$ME: qemu: /" >&2
	[ $VERBOSE = 1 ] || tail -n 25 "$CTL/boot.log" 2>/dev/null | sed "s/^/$ME: guest: /" >&2
}
if [ $QRC = 124 ] || [ $QRC = 137 ]; then
	echo "$ME: timed out after $TIMEOUT s; qemu killed (raise --timeout?)" >&2
	show_tail
	exit 124
fi
if [ -s "$CTL/reason" ] && grep -q NOKVM "$CTL/reason"; then
	skip "$(sed -n 's/^FLUSHBENCH-QEMU-NOKVM: //p' "$CTL/reason" | head -1)"
fi
RC=$(cat "$CTL/rc" 2>/dev/null || cat "$CTL/marker_rc" 2>/dev/null)
if ! [[ "$RC" =~ ^[0-9]+$ ]] || [ -s "$CTL/reason" ]; then
	echo "$ME: the VM stopped without reporting a status (qemu exit $QRC)$(
		[ -s "$CTL/reason" ] && echo ": $(sed 's/^FLUSHBENCH-QEMU-ERROR: //' "$CTL/reason" | head -1)")" >&2
	show_tail
	exit 125
fi
tb=$(cat "$CTL/t_begin" 2>/dev/null); te=$(cat "$CTL/t_end" 2>/dev/null)
awk -v me="$ME" -v t0="$T0" -v t1="$T1" -v tb="${tb:-0}" -v te="${te:-0}" -v rc="$RC" 'BEGIN {
	printf "%s: exit %d; wall %.1f s (guest boot %.1f s, command %.1f s)\n",
	       me, rc, t1 - t0, tb, te - tb }' >&2
exit "$RC"
