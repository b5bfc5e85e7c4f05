#!/usr/bin/env bash
# The nightly loop (scripts/nightly.sh, vmsweep compare) end to end on real runs: a
# first night is good; a second night of the same build is compared with it and is not
# flagged; a night whose disk is a third slower (an injected regression) is flagged
# worse, exits 1 and leaves last-good where it was. The disk is a model of a fixed rate,
# so the throughput of repetitions agrees to a fraction of a percent, but for an outlier
# when the host is busy: Mann-Whitney (5 runs a side, 2 comparisons) is not swayed by one.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

nightly_config()
{
	cat >"$T/w.fio" <<'FIO'
[w]
filename=/dev/vda
rw=write
bs=1M
size=6M
direct=1
FIO
	cat >"$T/$1.ini" <<INI
[sweep]
name = $1
repeat = 5
seed = 7
timeout = 30s
[guest]
disk = $T/d.img,size=64M,rate=$2
[workload]
job = w.fio
[params]
vcpus = 1, 2
[report]
metrics = fio.w.write.bw_bytes
INI
}

begin "nightly/a rerun of the same build is not flagged; a slower disk is, and last-good stays"
nightly_config night 24M
nightly_config slow 16M
run_nightly() { # CONFIG: RC and OUT/ERR of scripts/nightly.sh
	NRUN=$((NRUN + 1))
	OUT=$T/stdout.$NRUN ERR=$T/stderr.$NRUN
	echo "scripts/nightly.sh $1 --results $T/r" >"$T/cmd.$NRUN"
	VMSWEEP=$VMSWEEP timeout 300 sh "$ROOT/scripts/nightly.sh" "$1" --results "$T/r" >"$OUT" 2>"$ERR"
	RC=$?
	echo "$RC" >"$T/rc.$NRUN"
	echo 0 >"$T/wall.$NRUN"
}
# new_second: waits while a night's directory has the name this second would give (they
# are named to the second); a night takes seconds, so this seldom waits at all
new_second() { while [ -n "$(ls -d "$T"/r/*-"$(date +%Y%m%d-%H%M%S)" 2>/dev/null)" ]; do sleep 0.1; done; }
run_nightly "$T/night.ini"
expect_rc 0 'the first night is good'
expect_grep "$OUT" 'this one is the first' 'nothing to compare the first night with'
first=$(readlink "$T/r/last-good")
check 'last-good points at the first night' test -d "$first"
new_second # a new directory name (DATE-TIME to the second)
run_nightly "$T/night.ini"
expect_rc 0 'the same build again is not a regression'
second=$(readlink "$T/r/last-good")
check 'last-good moved to the second night' test "$second" != "$first"
check 'the comparison is kept beside the sweep' test -s "$second/compare.txt" -a -s "$second/compare.html" -a -s "$second/compare.md"
# An outlier run on a busy host may leave a point inconclusive; never worse.
check 'JSON: both points compared, neither worse' \
	test "$(jq '[.cells[] | select(.metric == "fio.w.write.bw_bytes" and (.verdict == "no change" or .verdict == "inconclusive"))] | length' "$second/compare.json")" = 2
check 'JSON: no worse cell at all' test "$(jq '.summary.worse' "$second/compare.json")" = 0
new_second
run_nightly "$T/slow.ini"
expect_rc 1 'a disk a third slower is a regression: exit 1'
expect_grep "$OUT" 'WORSE than' 'the script says so'
third=$(ls -d "$T"/r/slow-* | tail -n 1)
check 'both points are worse by about a third' \
	test "$(jq '[.cells[] | select(.metric == "fio.w.write.bw_bytes" and .verdict == "worse" and .change < -0.25 and .change > -0.40)] | length' "$third/compare.json")" = 2
expect_grep "$third/compare.txt" '^config ' 'the manifests differ in their config, listed first'
check 'last-good stays at the good night' test "$(readlink "$T/r/last-good")" = "$second"
end
