#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# Reclaim as Linux 5.9+ balances it (reclaim_model 5.9, Linux 6.1's get_scan_count):
# swappiness 0..200 decides what a cold-anon, hot-file workload loses; and workingset
# detection (mm/workingset.c): file pages read back soon after eviction refault, and
# those whose refault distance fits in the workingset start active.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "reclaim/swappiness 0 against 200 (reclaim_model 5.9): file cache or cold anon is reclaimed"
# 36 MiB of anonymous memory touched once, then only its first page (cold anon),
# and from 0.5 s a reader that keeps re-reading a 24 MiB file (hot file), in a
# 64 MiB guest: both do not fit. 6.1's cost model: swappiness 0 gives anon no share of
# the scan (ap = 0): the hot file is reclaimed and read back again and again (its
# refaults activate it: the workingset competes with anon while swap has room);
# 200 gives file none (fp = 0): the cold anon goes to swap and the file stays. Under
# 4.8's formula (recent_rotated) 0 and 100 looked alike for this workload (#19).
# 2 s in all: at 200 the anon goes to swap once, when the file first comes in (~1000
# pages out, the same in 3 s runs); at 0 the file is reclaimed ~70000 times a second
# (the bound is 10000 in all).
f=$T/mix.fio
printf '%s\n' '[anon]' 'ioengine=mem' 'size=36m' 'mem_access=random' 'mem_working_set=4k' 'runtime=2s' 'time_based' \
	'[hot]' 'filename=/dev/vda' 'direct=0' 'rw=read' 'bs=64k' 'size=24m' 'startdelay=500ms' 'runtime=1500ms' 'time_based' >"$f"
for s in 0 200; do
	vms --memory 64M --vcpus 2 --disk "$T/f.img,size=24M" --disk "$T/swap.img,size=256M,swap" --job "$f" --json --set "swappiness=$s,reclaim_model=5.9"
	expect_rc 0 "swappiness=$s"
	expect_json '.vmstat.reclaim_model == "5.9" and .vmstat.swappiness == ($s | tonumber)' "swappiness=$s: the era and the knob reached the guest" --arg s "$s"
	c=$(jget '.vmstat.counters | "pgscan_anon \(.pgscan_anon), pgscan_file \(.pgscan_file), pgsteal_anon \(.pgsteal_anon), pgsteal_file \(.pgsteal_file), pswpout \(.pswpout)"')
	expect_json '.vmstat.counters | .pgsteal_anon + .pgsteal_file > 300' "swappiness=$s: reclaim ran ($c)"
	expect_json '.vmstat.counters | .pgscan_anon + .pgscan_file == .pgscan_kswapd + .pgscan_direct and .pgsteal_anon + .pgsteal_file == .pgsteal_kswapd + .pgsteal_direct' \
		"swappiness=$s: scanned and reclaimed by type add up to by whom ($c)"
	if [ "$s" = 0 ]; then
		expect_json '.vmstat.counters | .pgscan_anon == 0 and .pswpout == 0' "swappiness=0: no anonymous page scanned or swapped ($c)"
		expect_json '.vmstat.counters | .pgsteal_file > 10000 and .workingset_refault_file > 0.5 * .pgsteal_file' \
			"swappiness=0: the hot file was reclaimed and read back, again and again ($c, refaults $(jget .vmstat.counters.workingset_refault_file))"
	else
		expect_json '.vmstat.counters | .pswpout > 0 and .pgsteal_anon > 0 and .pgscan_anon > 2 * .pgscan_file' "swappiness=200: the cold anon went to swap; file barely scanned ($c)"
		expect_json '.vmstat.counters | .pgsteal_file < 2048' "swappiness=200: the 24 MiB file stayed cached (at most 8 MiB of it reclaimed: $c)"
	fi
done
end

begin "reclaim/refaults activate pages: a file bigger than the cache, read at random"
# An 80 MiB file read at random (with replacement: norandommap), 4 KiB at a time, by
# 3 readers of 80 MiB each (a fixed amount of work, not of time), in a 64 MiB guest
# without swap: pages are evicted and read again. A page read again while resident is
# activated (mark_page_accessed), so the active file list is the workingset; a
# refault whose distance (evictions and activations since its eviction) is within it
# starts active (workingset_activate_file), one evicted too long ago does not. The
# same readers over a 16 MiB file that fits are the control: nothing evicted, nothing
# refaults. Both reclaim eras (4.8: active file only; 5.9: plus anon while swap has room).
f=$T/rand.fio
printf '%s\n' '[rand]' 'filename=/dev/vda' 'direct=0' 'rw=randread' 'bs=4k' 'norandommap' 'numjobs=3' >"$f"
for rm in 4.8 5.9; do
	vms --memory 64M --vcpus 2 --disk "$T/big.img,size=80M" --job "$f" --json --set "reclaim_model=$rm"
	expect_rc 0 "reclaim_model=$rm, 80 MiB"
	c=$(jget '.vmstat.counters | "pgsteal_file \(.pgsteal_file), refault \(.workingset_refault_file), activate \(.workingset_activate_file), restore \(.workingset_restore_file)"')
	expect_json '.vmstat.counters | .pgsteal_file > 1000 and .workingset_refault_file > 1000' "reclaim_model=$rm: evicted file pages refaulted ($c)"
	expect_json '.vmstat.counters | .workingset_refault_file <= .pgsteal_file' "reclaim_model=$rm: no more refaults than evictions ($c)"
	expect_json '.vmstat.counters | .workingset_activate_file > 0.1 * .workingset_refault_file and .workingset_activate_file < .workingset_refault_file' \
		"reclaim_model=$rm: refaults within the workingset were activated, the distant ones not ($c)"
	expect_json '.vmstat.counters | .workingset_restore_file > 0 and .workingset_restore_file <= .workingset_activate_file' \
		"reclaim_model=$rm: some had been active before eviction (restores, 4.20+) ($c)"
	expect_json '.vmstat.counters | .workingset_refault_anon == 0 and .workingset_activate_anon == 0' "reclaim_model=$rm: anonymous refaults are not modelled (0)"
	vms --memory 64M --vcpus 2 --disk "$T/small.img,size=16M" --job "$f" --json --set "reclaim_model=$rm"
	expect_rc 0 "reclaim_model=$rm, 16 MiB"
	expect_json '.vmstat.counters | .pgsteal_file == 0 and .workingset_refault_file == 0 and .workingset_activate_file == 0' \
		"reclaim_model=$rm: a file that fits is never evicted, so never refaults ($(jget '.vmstat.counters | "pgsteal_file \(.pgsteal_file), refault \(.workingset_refault_file)"'))"
done
end

finish
