#!/usr/bin/env bash
# Exhaustive check of models/flush.pml with spin (Debian package `spin`).
#   spin.sh clean   - srcu, srcu-private, targeted: no lost wakeup, no early
#                     resume, flush semantics hold (and targeted without its
#                     smp_mb() pair, which the lock makes redundant)
#   spin.sh broken  - every broken variant must give a counterexample
# Exit 4 (SKIP) without spin or a C compiler.
set -u
mode=${1:-clean}
SRC=${SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v spin >/dev/null || { echo "SKIP: spin not installed (apt-get install spin)"; exit 4; }
command -v gcc >/dev/null || { echo "SKIP: no gcc to build the verifier"; exit 4; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
names=([1]=srcu [2]=srcu-private [3]=targeted)
bugs=([0]="correct" [1]="no grace period" [2]="no full fence in the SRCU read lock"
      [3]="state published after the inhibit" [4]="waiter list taken before the clear"
      [5]="wake before clear" [6]="no smp_mb() pair (lock orders)")

# errors found by pan for (design, bug); prints "errors states"
check() {
	spin -DDESIGN="$1" -DBUG="$2" -a "$SRC/models/flush.pml" > spin.log 2>&1 || { cat spin.log; echo "FAIL: spin -a"; exit 1; }
	gcc -O0 -DSAFETY -o pan pan.c 2> gcc.log || { cat gcc.log; echo "FAIL: building pan"; exit 1; }
	./pan -m200000 > pan.log 2>&1
	grep -q "search depth too small" pan.log && { cat pan.log; echo "FAIL: -m too small"; exit 1; }
	local e s
	e=$(sed -n 's/.*errors: \([0-9]*\).*/\1/p' pan.log | head -1)
	s=$(sed -n 's/^ *\([0-9.e+]*\) states, stored.*/\1/p' pan.log | head -1)
	echo "${e:-?} ${s:-?}"
}

fail=0
if [ "$mode" = clean ]; then
	cases=("1 0" "2 0" "3 0" "3 6")
	for c in "${cases[@]}"; do
		set -- $c
		read -r e s < <(check "$1" "$2")
		printf '%-13s %-40s errors=%s states=%s\n' "${names[$1]}" "${bugs[$2]}" "$e" "$s"
		[ "$e" = 0 ] || { fail=1; grep -m3 "assertion\|invalid end" pan.log; }
	done
else
	cases=("1 1" "1 2" "1 5" "2 1" "2 2" "2 3" "2 5" "3 4" "3 5")
	for c in "${cases[@]}"; do
		set -- $c
		read -r e s < <(check "$1" "$2")
		what=$(grep -m1 -o "assertion violated[^(]*([^)]*)\|invalid end state" pan.log)
		printf '%-13s %-40s errors=%s (%s)\n' "${names[$1]}" "${bugs[$2]}" "$e" "${what:-none}"
		[ "${e:-0}" != 0 ] && [ "$e" != "?" ] || fail=1
	done
fi
[ $fail = 0 ] && echo "PASS: model $mode" || echo "FAIL: model $mode"
exit $fail
