# Shared helpers of the vmsweep integration tests; sourced by tests/integration/t_*.sh.
#
# A test is a block:
#
#	begin "name"
#	vms --vcpus 2 --json          # runs vmsweep boot; sets RC, OUT, ERR, LOG, WALL_MS
#	expect_rc 0
#	expect_json '.status == "done"' 'the run is done'
#	expect_grep "$ERR" 'timed out' 'stderr says it timed out'
#	end
#
# end prints "PASS name", or "FAIL name: why" followed by every command the test
# ran with its exit status, stdout, stderr and console log, so that a failure can
# be understood from the CI log alone. Every guest run gets a --timeout (20s) and is
# wrapped in `timeout 60`, so a hung guest or a hung vmsweep cannot stall the suite.
#
# Environment: VMSWEEP (the binary), GUEST_ELF (the guest), VMSWEEP_KEEP=1 keeps the
# temporary directories of failed tests.

set -u

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$LIB_DIR/../.." && pwd)
VMSWEEP=${VMSWEEP:-$ROOT/harness/vmsweep}
GUEST_ELF=${GUEST_ELF:-$ROOT/guest/guest.elf}
GUEST_TIMEOUT=20s # vmsweep's own --timeout for every run (a test may pass a later --timeout)
HOST_TIMEOUT=60   # seconds; the outer guard, should vmsweep itself hang

TMPROOT=$(mktemp -d "${TMPDIR:-/tmp}/vmsweep-it.XXXXXX") || {
	echo "FAIL $(basename "$0"): cannot create a temporary directory"
	exit 1
}
KEEP_DIRS=()
_lib_cleanup()
{
	local d
	if [ "${#KEEP_DIRS[@]}" -gt 0 ]; then
		for d in "${KEEP_DIRS[@]}"; do
			echo "    (kept $d)"
		done
		return
	fi
	rm -rf "$TMPROOT"
}
trap _lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

TEST=""
T=""
REASONS=()
NRUN=0
NR_FAILED=0

# begin NAME: starts a test; T is its own temporary directory.
begin()
{
	TEST=$1
	REASONS=()
	NRUN=0
	T=$TMPROOT/$(printf '%s' "$TEST" | tr -c 'A-Za-z0-9_.=-' '_')
	rm -rf "$T"
	mkdir -p "$T"
	RC="" OUT="" ERR="" LOG="" WALL_MS=0
}

# fail_because WHY: records a failed expectation of the current test.
fail_because()
{
	REASONS+=("$1")
}

# vms ARGS...: runs `vmsweep boot --log $T/console.N.log --timeout 20s ARGS...` under
# `timeout 60`. Later options win, so ARGS may override --log or --timeout.
# Sets RC, OUT (stdout file), ERR (stderr file), LOG (console log file), WALL_MS.
vms()
{
	_vms_run "timeout $HOST_TIMEOUT" "$@"
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		fail_because "vmsweep did not finish within ${HOST_TIMEOUT}s (killed by timeout)"
	fi
}

# vms_signal SIG SECONDS ARGS...: as vms, but sends SIG to vmsweep after SECONDS
# (the way a user's Ctrl-C or a CI job's kill would); RC is then vmsweep's own status.
vms_signal()
{
	local sig=$1 secs=$2
	shift 2
	# A job started in the background by a non-interactive shell inherits SIGINT
	# ignored; env --default-signal (coreutils >= 8.31) gives vmsweep the default back.
	local reset=""
	env --default-signal=INT true 2>/dev/null && reset="env --default-signal=INT,TERM"
	_vms_run "timeout --preserve-status -k $HOST_TIMEOUT -s $sig $secs $reset" "$@"
}

_vms_run()
{
	local guard=$1
	shift
	NRUN=$((NRUN + 1))
	OUT=$T/stdout.$NRUN
	ERR=$T/stderr.$NRUN
	LOG=$T/console.$NRUN.log
	local cmd=("$VMSWEEP" boot --log "$LOG" --timeout "$GUEST_TIMEOUT" "$@")
	# shellcheck disable=SC2086
	{ printf '%s ' $guard; printf '%q ' "${cmd[@]}"; } >"$T/cmd.$NRUN"
	local t0 t1
	t0=$(date +%s%N)
	# shellcheck disable=SC2086
	(cd "$T" && exec $guard "${cmd[@]}" >"$OUT" 2>"$ERR" </dev/null)
	RC=$?
	t1=$(date +%s%N)
	WALL_MS=$(((t1 - t0) / 1000000))
	echo "$RC" >"$T/rc.$NRUN"
	echo "$WALL_MS" >"$T/wall.$NRUN"
}

# vmsweep_cmd ARGS...: runs `vmsweep ARGS...` (any command) in $T under the host
# timeout; sets RC, OUT and ERR as vms does.
vmsweep_cmd()
{
	NRUN=$((NRUN + 1))
	OUT=$T/stdout.$NRUN ERR=$T/stderr.$NRUN
	printf '%q ' "$VMSWEEP" "$@" >"$T/cmd.$NRUN"
	(cd "$T" && timeout "$HOST_TIMEOUT" "$VMSWEEP" "$@" >"$OUT" 2>"$ERR" </dev/null)
	RC=$?
	echo "$RC" >"$T/rc.$NRUN"
	echo 0 >"$T/wall.$NRUN"
}

# sweep_config SECTIONS: a tiny sweep (64 MiB, 20 ms runs, 2 repetitions) into $T/c.ini,
# with SECTIONS ([params], [constraints], ...) appended.
sweep_config()
{
	cat >"$T/c.ini" <<EOF_SWEEP
[sweep]
name = t
repeat = 2
seed = 7
timeout = 20s
[guest]
memory = 64M
duration_ms = 20
$1
EOF_SWEEP
}

expect_rc()
{
	[ "$RC" = "$1" ] || fail_because "exit status $RC, expected $1${2:+ ($2)}"
}

# expect_json FILTER [WHAT]: jq -e FILTER on stdout is true. FILTER may use $n
# through extra "--argjson n V" pairs placed after WHAT.
expect_json()
{
	local filter=$1 what=${2:-$1}
	shift 2 2>/dev/null || shift $#
	# jq 1.6 -e exits 0 on empty input and on a filter with no output: insist on
	# exactly one document, and on a filter whose every output is true. Both in one jq
	# when it holds (the suite checks some thousand of these, ~15 ms a jq here); which
	# of the two failed is sorted out after.
	jq -e -s "$@" "length == 1 and (.[0] | [$filter] | length > 0 and all)" "$OUT" >/dev/null 2>&1 && return 0
	if [ "$(jq -s length "$OUT" 2>/dev/null)" != 1 ]; then
		fail_because "$what: stdout is not exactly one JSON document"
	else
		fail_because "$what (jq: $filter)"
	fi
}

# jget FILTER: prints jq -r FILTER of stdout (empty on error).
jget()
{
	jq -r "$1" "$OUT" 2>/dev/null
}

# expect_grep FILE ERE WHAT / expect_no_grep FILE ERE WHAT
expect_grep()
{
	grep -Eq -- "$2" "$1" 2>/dev/null || fail_because "$3: no match for /$2/ in $(basename "$1")"
}
expect_no_grep()
{
	! grep -Eq -- "$2" "$1" 2>/dev/null || fail_because "$3: unexpected match for /$2/ in $(basename "$1")"
}
expect_fixed()
{
	grep -Fq -- "$2" "$1" 2>/dev/null || fail_because "$3: '$2' not found in $(basename "$1")"
}

# memjob NAME OPTION...: a one-job memory job file $T/NAME.fio (ioengine=mem); prints its path.
memjob()
{
	local f=$T/$1.fio
	shift
	printf '[%s]\nioengine=mem\n' "$(basename "$f" .fio)" >"$f"
	printf '%s\n' "$@" >>"$f"
	echo "$f"
}

# check WHAT COMMAND...: the command succeeds.
check()
{
	local what=$1
	shift
	"$@" >/dev/null 2>&1 || fail_because "$what"
}

# _dump FILE LABEL: prints a file indented, control characters made visible, capped.
_dump()
{
	local f=$1 label=$2 n
	[ -e "$f" ] || return 0
	n=$(wc -l <"$f")
	if [ ! -s "$f" ]; then
		echo "    --- $label: (empty)"
		return
	fi
	echo "    --- $label:"
	head -n 80 "$f" | cat -v | sed 's/^/    | /'
	[ "$n" -le 80 ] || echo "    | ... ($((n - 80)) more lines)"
}

# _sanitizer_check: a sanitizer's report in any command's stderr fails the test (make asan
# builds harness/vmsweep-asan; UBSan writes to stderr whatever log_path says). With
# VMSWEEP_SANITIZER_LOGS set, the stderr is kept there too.
_sanitizer_check()
{
	local f
	for f in "$T"/stderr.*; do
		[ -e "$f" ] || continue
		if grep -Eq 'runtime error: |(Address|Leak|UndefinedBehavior|Thread)Sanitizer' "$f"; then
			fail_because "a sanitizer report in $(basename "$f")"
			if [ -n "${VMSWEEP_SANITIZER_LOGS:-}" ]; then
				cp "$f" "$VMSWEEP_SANITIZER_LOGS/$(basename "$0" .sh).$(printf '%s' "$TEST" | tr -c 'A-Za-z0-9_.=-' '_').$(basename "$f")"
			fi
		fi
	done
}

# end: prints PASS or FAIL for the current test.
end()
{
	local r i
	_sanitizer_check
	if [ "${#REASONS[@]}" -eq 0 ]; then
		echo "PASS $TEST"
		rm -rf "$T"
		return 0
	fi
	NR_FAILED=$((NR_FAILED + 1))
	echo "FAIL $TEST: ${REASONS[0]}"
	for r in "${REASONS[@]:1}"; do
		echo "    also: $r"
	done
	for ((i = 1; i <= NRUN; i++)); do
		echo "    \$ $(cat "$T/cmd.$i")"
		echo "    exit status $(cat "$T/rc.$i"), $(cat "$T/wall.$i") ms"
		_dump "$T/stdout.$i" stdout
		_dump "$T/stderr.$i" stderr
		_dump "$T/console.$i.log" "console log"
	done
	if [ "${VMSWEEP_KEEP:-0}" = 1 ]; then
		KEEP_DIRS+=("$T")
	else
		rm -rf "$T"
	fi
	return 1
}

# finish: the exit status of a test script.
finish()
{
	[ "$NR_FAILED" -eq 0 ]
	exit $?
}

# ---- ELF helpers, bash + grep -b + od + dd only (no python, no readelf needed) ----

# note_name_offset FILE: the byte offset of the name "vmsweep\0" of the vmsweep ELF
# note (namesz 8, type 0x564d5301), checked against the note header before it.
# The note is namesz(4) descsz(4) type(4) name(8) desc, desc starting with the
# 32-bit ABI version.
note_name_offset()
{
	local f=$1 off rest hdr
	while IFS=: read -r off rest; do
		[ "$off" -ge 12 ] || continue
		hdr=$(od -An -v -tx1 -j $((off - 12)) -N 20 "$f" | tr -d ' \n')
		# shellcheck disable=SC2053
		if [[ $hdr == 08000000????????01534d56766d737765657000 ]]; then
			echo "$off"
			return 0
		fi
	done < <(LC_ALL=C grep -obUa 'vmsweep' "$f")
	return 1
}

# patch_bytes FILE OFFSET PRINTF_FORMAT: overwrites bytes in place.
patch_bytes()
{
	# shellcheck disable=SC2059
	printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

# read_u32le FILE OFFSET: prints the little-endian 32-bit word at OFFSET.
read_u32le()
{
	local b
	b=$(od -An -v -tx1 -j "$2" -N 4 "$1" | tr -d ' \n')
	[ "${#b}" -eq 8 ] || return 1
	echo $((16#${b:6:2}${b:4:2}${b:2:2}${b:0:2}))
}
