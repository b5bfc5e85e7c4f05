#!/usr/bin/env bash
# Crash consistency of the guest's ext3 and its journal (scripts/ext3_crash.sh: a
# logged run, disk images at random crash points rebuilt from the log with a random
# subset of the writes after the last flush, each mounted by a guest, then e2fsck, a
# check of every file block, and of what each fsync that had returned promised: the
# guest's fio marks the write log when one returns). A modest number of points here;
# `make crash` runs 1000 per mode. Then the host's e2fsck recovers a few crash images
# itself, and must agree with the guest's recovery.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# Two points at a time (--jobs 2): a point is a mount, a recovery and checks, with nothing
# timed, so the two need not keep out of each other's way as timed tests do.
crash()
{
	VMSWEEP=$VMSWEEP bash "$ROOT/scripts/ext3_crash.sh" --jobs 2 "$@" >"$T/crash.out" 2>&1
	RC=$?
	SUMMARY=$(tail -1 "$T/crash.out")
}

count()
{
	sed -n "s/.*$1 \([0-9][0-9]*\).*/\1/p" <<<"$SUMMARY"
}

begin "ext3_crash/data=ordered: after any crash, recovery leaves a clean file system and no stale data in files"
crash --mode ordered --points 30 --seed 11
check "the points were made ($SUMMARY)" test "$RC" = 0
check "e2fsck -fn clean at every point" test "$(count 'e2fsck clean')" = 30
replayed=$(sed -n 's/.*(\([0-9][0-9]*\) with the journal replayed).*/\1/p' <<<"$SUMMARY")
check 'the journal was replayed at most points' test "${replayed:-0}" -ge 20
check 'no stale data in any file' test "$(count 'stale data')" = 0
check 'no block holds what no write gave it' test "$(count 'bad blocks')" = 0
check 'the log marks returned fsyncs, and points came after some' test "$(count 'fsyncs checked')" -ge 30
check 'every returned fsync kept its data and size' test "$(count 'fsyncs broken')" = 0
end

begin "ext3_crash/data=journal: data goes through the log too; after any crash the file system is clean and no file shows stale data"
crash --mode journal --points 20 --seed 14
check "the points were made ($SUMMARY)" test "$RC" = 0
check "e2fsck -fn clean at every point" test "$(count 'e2fsck clean')" = 20
check 'no stale data in any file' test "$(count 'stale data')" = 0
check 'no block holds what no write gave it' test "$(count 'bad blocks')" = 0
check 'fsyncs were checked' test "$(count 'fsyncs checked')" -ge 20
check 'every returned fsync kept its data and size' test "$(count 'fsyncs broken')" = 0
end

begin "ext3_crash/data=writeback: metadata stays consistent, but a file may show stale data, and the check sees it"
crash --mode writeback --points 12 --seed 12
check "the points were made ($SUMMARY)" test "$RC" = 0
check 'e2fsck -fn clean at every point' test "$(count 'e2fsck clean')" = 12
check 'stale data shows at some points (data=writeback does not order data before the commit)' test "$(count 'stale data')" -gt 0
check 'but nothing that is neither stale nor written' test "$(count 'bad blocks')" = 0
check 'and every returned fsync kept its data and size (fsync writes the data in every mode)' \
	test "$(count 'fsyncs broken')" = 0
end

begin "ext3_crash/barrier=0: a commit block may reach the disk before its log blocks, and the check sees the damage"
crash --mode ordered --barrier 0 --points 30 --seed 13
check "the points were made ($SUMMARY)" test "$RC" = 0
check 'e2fsck finds errors at some points' test "$(count 'e2fsck clean')" -lt 30
end

begin "ext3_crash/host e2fsck: the host's e2fsck -fy replays our journal, leaves a clean file system, and the files the guest's recovery gave"
for run in "journal 5 15" "ordered 4 16"; do
	read -r mode n seed <<<"$run"
	crash --mode "$mode" --points "$n" --host-fsck "$n" --seed "$seed" --keep "$T/$mode"
	check "data=$mode: the points were made ($SUMMARY)" test "$RC" = 0
	# "host e2fsck -fy H (R with the journal replayed): clean C, same files S" as "H R C S"
	host=$(sed -n 's/.*host e2fsck -fy \([0-9]*\) (\([0-9]*\) with .*: clean \([0-9]*\), same files \([0-9]*\)$/\1 \2 \3 \4/p' <<<"$SUMMARY")
	read -r hn hr hc hs <<<"${host:-0 0 0 0}"
	check "data=$mode: e2fsck -fy replayed the journal at most points" test "$hr" -ge $((n - 1))
	check "data=$mode: at each of $n points, e2fsck -fy fixed nothing but the journal and e2fsck -fn then passed" \
		test "$hn $hc" = "$n $n"
	check "data=$mode: and the files hold what the guest's recovery gave them (debugfs dumps, cmp)" test "$hs" = "$n"
done
check "replay-log --list shows the guest's fsync marks" grep -q '^[0-9]* mark fsync thread=[1-6] writes=[0-9]* size=[0-9]* file=' "$T/ordered/list"
end
