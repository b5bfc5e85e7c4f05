#!/bin/sh
# Runs each unit test binary named on the command line, one after the other, and
# prints one line per binary: "PASS name" or "FAIL name (why)". A failing binary's
# own output follows its FAIL line, indented, so the failed assertion is on screen.
# Every binary runs even when an earlier one fails; the exit status is 1 if any
# failed, 2 on a usage error, 0 otherwise. A binary that runs longer than
# UNIT_TIMEOUT seconds (default 300; 0 = no limit) is killed and counts as failed,
# so one hang does not stop the others from running.
#   usage: tests/run-unit.sh build/tests/test_a build/tests/test_b ...
set -u

limit=${UNIT_TIMEOUT:-300}
case "$limit" in
'' | *[!0-9]*)
	echo "$0: UNIT_TIMEOUT must be a whole number of seconds, not '$limit'" >&2
	exit 2
	;;
esac
if [ "$limit" -gt 0 ] && command -v timeout >/dev/null 2>&1; then
	with_limit="timeout -k 10 $limit"
else
	with_limit=""
fi

if [ "$#" -eq 0 ]; then
	echo "usage: $0 TEST_BINARY..." >&2
	exit 2
fi

out=$(mktemp "${TMPDIR:-/tmp}/run-unit.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT
trap 'rm -f "$out"; exit 130' INT
trap 'rm -f "$out"; exit 143' TERM

failed=0
total=0
for t in "$@"; do
	total=$((total + 1))
	name=$(basename -- "$t")
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then
		echo "FAIL $name (not found or not executable: $t)"
		failed=$((failed + 1))
		continue
	fi
	# A path without a slash would be looked up in PATH: run the file named.
	case "$t" in
	*/*) run=$t ;;
	*) run=./$t ;;
	esac
	$with_limit "$run" >"$out" 2>&1 </dev/null
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "PASS $name"
	else
		if [ -n "$with_limit" ] && [ "$rc" -eq 124 ]; then
			why="no result after ${limit}s: killed"
		elif [ "$rc" -gt 128 ]; then
			why="killed by signal $((rc - 128))"
		else
			why="exit status $rc"
		fi
		echo "FAIL $name ($why)"
		sed 's/^/    /' "$out"
		failed=$((failed + 1))
	fi
done

if [ "$failed" -ne 0 ]; then
	echo "$failed of $total unit test binaries failed"
	exit 1
fi
exit 0
