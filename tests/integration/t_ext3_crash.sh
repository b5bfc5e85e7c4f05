#!/usr/bin/env bash
# Crash consistency of the guest's ext3 and its journal (scripts/ext3_crash.sh: a
# logged run, disk images at random crash points rebuilt from the log with a random
# subset of the writes after the last flush, each mounted by a guest, then e2fsck and a
# check of every file block). A modest number of points here; `make crash` runs 1000
# per mode.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

crash()
{
	VMSWEEP=$VMSWEEP bash "$ROOT/scripts/ext3_crash.sh" "$@" >"$T/crash.out" 2>&1
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
end

begin "ext3_crash/data=journal: data goes through the log too; after any crash the file system is clean and no file shows stale data"
crash --mode journal --points 20 --seed 14
check "the points were made ($SUMMARY)" test "$RC" = 0
check "e2fsck -fn clean at every point" test "$(count 'e2fsck clean')" = 20
check 'no stale data in any file' test "$(count 'stale data')" = 0
check 'no block holds what no write gave it' test "$(count 'bad blocks')" = 0
end

begin "ext3_crash/data=writeback: metadata stays consistent, but a file may show stale data, and the check sees it"
crash --mode writeback --points 12 --seed 12
check "the points were made ($SUMMARY)" test "$RC" = 0
check 'e2fsck -fn clean at every point' test "$(count 'e2fsck clean')" = 12
check 'stale data shows at some points (data=writeback does not order data before the commit)' test "$(count 'stale data')" -gt 0
check 'but nothing that is neither stale nor written' test "$(count 'bad blocks')" = 0
end

begin "ext3_crash/barrier=0: a commit block may reach the disk before its log blocks, and the check sees the damage"
crash --mode ordered --barrier 0 --points 30 --seed 13
check "the points were made ($SUMMARY)" test "$RC" = 0
check 'e2fsck finds errors at some points' test "$(count 'e2fsck clean')" -lt 30
end
