# SPDX-License-Identifier: MIT
# Sourced by the tests/cli/*.sh scripts (not a test itself; tests/CMakeLists.txt
# leaves it out):   . "$(dirname "$0")/lib.sh"
#   skip WHY   "SKIP: WHY", exit 4 (ctest SKIP_RETURN_CODE)
#   fail WHAT  "FAIL: WHAT", counted in $fails; with fail_fast=1 set before
#              sourcing, the script ends there with exit 1
fails=0
skip() { echo "SKIP: $*"; exit 4; }
fail() {
	echo "FAIL: $*"
	fails=$((fails + 1))
	if [ "${fail_fast:-0}" = 1 ]; then
		exit 1
	fi
}
