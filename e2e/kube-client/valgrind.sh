#!/bin/sh
# Runs kube/ client integration scenarios under valgrind memcheck and fails on any memory error
# or on memory definitely/indirectly lost once the client has shut down (close drains every
# request and watch; the harness asserts uv_loop_close() == 0 after each scenario).
#   valgrind.sh BINARY FILTER [BINARY FILTER]...   (one criterion run per pair)
# Criterion forks one process per test, so every process writes its own log (-q: only problems);
# a non-empty log is a failure. The Python test server and shells are not traced.
# Exit 77 (skipped) when valgrind is not installed (scripts/deps.sh installs it).
set -eu
[ $# -ge 2 ] || { echo "usage: valgrind.sh BINARY FILTER [BINARY FILTER]..." >&2; exit 2; }
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind not installed (scripts/deps.sh installs it): skipped"
	exit 77
fi
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
rc=0
while [ $# -ge 2 ]; do
	valgrind -q --trace-children=yes --trace-children-skip='*python*,*/sh,*bash*,*openssl*' \
		--leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
		--log-file="$logs/vg.%p.log" "$1" --jobs 1 --filter "$2" || rc=1
	shift 2
done
for l in "$logs"/vg.*.log; do
	[ -s "$l" ] || continue
	echo "valgrind findings ($l):" >&2
	cat "$l" >&2
	rc=1
done
[ "$rc" -ne 0 ] || echo "valgrind: no errors, no leaks"
exit "$rc"
