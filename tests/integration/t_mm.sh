#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# The guest's memory manager: a working set larger than RAM swaps and
# finishes with kswapd and direct reclaim at work; the page accounting balances;
# free memory stays above min except while someone reclaims directly; the
# watermarks follow min_free_kbytes and the era's rule; without swap the OOM killer
# ends the job with a report.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "mm/a 96 MiB working set in a 64 MiB guest swaps and finishes"
f=$(memjob hog size=96m mem_access=random mem_working_set=96m)
vms --memory 64M --vcpus 2 --disk "$T/swap.img,size=256M,swap" --job "$f" --json --set sample_ms=20
expect_rc 0
expect_json '.mem_jobs[0].error == 0 and .mem_jobs[0].pages_allocated == 24576' 'every page of the region was allocated, no error'
expect_json '.vmstat.counters.pswpout > 0 and .vmstat.counters.pswpin > 0' 'pages went to swap and came back'
expect_json '.vmstat.counters | .pswpin == .pgmajfault + .swap_ra' 'every page read from swap was a major fault or swap readahead'
expect_json '.mem_jobs[0].swapins >= .vmstat.counters.pgmajfault + .vmstat.counters.swap_ra_hit and .mem_jobs[0].lat_ns.swapin.N == .mem_jobs[0].swapins' 'every fault on a swapped-out page (major, or a swap-cache hit) is timed as a swap-in'
expect_json '.vmstat.counters.pgscan_kswapd > 0 and .vmstat.counters.pgsteal_kswapd > 0' 'kswapd scanned and reclaimed'
expect_json '.vmstat.counters.pageoutrun > 0' 'allocations woke kswapd and it ran'
expect_json '.vmstat.counters.allocstall > 0 and .vmstat.counters.pgscan_direct > 0' 'the allocator outran kswapd: direct reclaim (allocstall)'
expect_json '.vmstat.counters.oom_kill == 0 and (has("oom") | not)' 'no OOM while swap has room'
expect_json '.vmstat.counters.pgalloc - .vmstat.counters.pgfree == .vmstat.pages_in_use' 'pgalloc - pgfree = pages in use (counted from the zones)'
expect_json '(.vmstat_series | length) >= 10' 'a time series was sampled'
# Below min is the reserve of reclaimers (PF_MEMALLOC: direct reclaimers and kswapd, whose
# swap-out bios come from it, as in Linux); nobody else may take it.
expect_json '[.vmstat_series[] | select(.nr_free_pages < .wmark_min and .in_direct_reclaim == 0 and .kswapd_running == 0)] | length == 0' \
	'free pages below min only while reclaim runs (direct, or kswapd on its reserve)'
expect_grep "$T/console.$NRUN.log" 'Adding 262140k swap on /dev/vda' 'the guest announced its swap'
expect_json 'all(.vmstat.zones[]; .deferred_pages == 0)' 'the job outgrew the deferred struct pages: every frame was handed over'
end

begin "mm/deferred struct page init hands frames over as needed, and changes nothing else"
f=$(memjob small size=4m)
for d in 1 0; do
	vms --memory 64M --vcpus 2 --job "$f" --json --set deferred_struct_page_init=$d
	expect_rc 0
	expect_json '.vmstat.counters.pgalloc - .vmstat.counters.pgfree == .vmstat.pages_in_use' "pgalloc - pgfree = pages in use (deferred_struct_page_init=$d)"
	jget '[.vmstat.zones[] | {name, managed_pages, wmark_min, wmark_low, wmark_high}]' >"$T/zones.$d"
	jget '[.vmstat.zones[].deferred_pages] | add' >"$T/deferred.$d"
	jget '.vmstat.counters.nr_free_pages' >"$T/free.$d"
done
check "a 4 MiB job leaves most frames deferred ($(cat "$T/deferred.1") pages)" test "$(cat "$T/deferred.1")" -gt 8192
check "nothing is deferred with deferred_struct_page_init=0" test "$(cat "$T/deferred.0")" -eq 0
check 'the same managed pages and watermarks either way' cmp -s "$T/zones.1" "$T/zones.0"
check "deferred frames count as free ($(cat "$T/free.1") vs $(cat "$T/free.0") pages)" \
	test "$(( $(cat "$T/free.1") - $(cat "$T/free.0") ))" -lt 64 -a "$(( $(cat "$T/free.0") - $(cat "$T/free.1") ))" -lt 64
end

begin "mm/several memory jobs on 2 vCPUs swap through a shallow queue, interrupts and polled"
# Reclaim needs memory to free memory: a bio per page swapped out, a request per
# batch. Requests are the queue's tags and bios come from a mempool, so a shallow
# queue throttles reclaim instead of draining the reserves (a guest panic, once).
f=$T/stress.fio
printf '[hog]\nioengine=mem\nsize=48m\nmem_access=random\nmem_working_set=48m\nnumjobs=2\n[churn]\nioengine=mem\nsize=16m\nmem_access=churn\nruntime=2s\ntime_based\n' >"$f"
for mode in irq poll hybrid; do
	vms --memory 64M --vcpus 2 --disk "$T/swap.img,size=256M,swap" --job "$f" --json --set "sample_ms=20,blk_queue_depth=2,blk_completion=$mode"
	expect_rc 0 "blk_completion=$mode: the run finishes"
	expect_json '[.mem_jobs[].error] == [0, 0, 0]' "blk_completion=$mode: every job finished"
	expect_json '.vmstat.counters.pswpout > 1000 and .vmstat.counters.oom_kill == 0' "blk_completion=$mode: they swapped, nobody was killed"
	expect_json '.vmstat.counters.pgalloc - .vmstat.counters.pgfree == .vmstat.pages_in_use' "blk_completion=$mode: the page accounting balances"
done
end

begin "mm/frees racing reclaim: churners let go of pages reclaim has isolated"
# Three churners free (zap_page) while kswapd and direct reclaim hold their pages
# isolated; swap slots are freed and reused under them. A page freed while back on
# an LRU list was a guest panic ("Bad page state") about one boot in 18.
f=$T/race.fio
printf '[global]\nioengine=mem\nruntime=3s\n[churn]\nmem_access=churn\nsize=12m\nnumjobs=3\n[rand]\nmem_access=random\nsize=24m\nmem_working_set=24m\n[seq]\nmem_access=seq\nsize=16m\n' >"$f"
for run in 1 2 3; do
	vms --memory 48M --vcpus 2 --disk "$T/swap.img,size=256M,swap" --job "$f" --json
	expect_rc 0 "run $run: the guest survives"
	expect_json '[.mem_jobs[].error] | all(. == 0)' "run $run: every job finished"
	expect_json '.vmstat.counters.pgalloc - .vmstat.counters.pgfree == .vmstat.pages_in_use' "run $run: the page accounting balances"
done
end

begin "mm/raising min_free_kbytes raises the line kswapd defends"
f=$(memjob hog size=96m mem_access=seq runtime=2s time_based)
for kb in 1024 4096; do
	vms --memory 64M --vcpus 2 --disk "$T/swap.img,size=256M,swap" --job "$f" --json --set sample_ms=10,min_free_kbytes=$kb
	expect_rc 0
	expect_json '.vmstat.min_free_kbytes == $kb' "min_free_kbytes $kb reached the guest" --argjson kb "$kb"
	# Linux splits pages_min over the zones by managed pages.
	expect_json '([.vmstat.zones[].wmark_min] | add) as $m | $m >= ($kb / 4 - 2) and $m <= ($kb / 4)' \
		"the zones' min watermarks add up to $kb KiB" --argjson kb "$kb"
	jget '[.vmstat_series[] | select(.pgscan_kswapd > 0) | .nr_free_pages] | sort | .[length / 2 | floor]' >"$T/median.$kb"
done
lo=$(cat "$T/median.1024") hi=$(cat "$T/median.4096")
check "median free pages under pressure: $lo at 1024 KiB, $hi at 4096 KiB (expected higher)" test "$hi" -gt "$((lo + 256))"
end

begin "mm/the watermark eras: 2.4, 2.6 and modern rules"
f=$(memjob small size=4m)
vms --memory 64M --vcpus 1 --job "$f" --json --set watermark_model=2.4
expect_rc 0
expect_json '.vmstat.watermark_model == "2.4" and .vmstat.kswapd_model == "2.4"' 'the era is reported (kswapd follows it: auto)'
expect_json 'all(.vmstat.zones[]; .wmark_low == 2 * .wmark_min and .wmark_high == 3 * .wmark_min)' '2.4: low = 2 min, high = 3 min'
vms --memory 64M --vcpus 1 --job "$f" --json --set watermark_model=2.6,kswapd_model=modern
expect_rc 0
expect_json '.vmstat.kswapd_model == "4.8"' 'kswapd_model can differ from the watermark era'
expect_json 'all(.vmstat.zones[]; .wmark_low == .wmark_min + (.wmark_min / 4 | floor) and .wmark_high == .wmark_min + (.wmark_min / 2 | floor))' \
	'2.6: low = min + min/4, high = min + min/2'
vms --memory 64M --vcpus 1 --job "$f" --json --set watermark_scale_factor=100
expect_rc 0
expect_json 'all(.vmstat.zones[]; (.wmark_low - .wmark_min) == ([(.wmark_min / 4 | floor), (.managed_pages * 100 / 10000 | floor)] | max))' \
	'modern: the gap is max(min/4, managed * watermark_scale_factor / 10000)'
vms --memory 64M --job "$f" --set watermark_model=2.5
expect_rc 2 'an unknown era is a usage error'
expect_grep "$ERR" 'watermark_model=2\.5: expected one of 2\.4, 2\.6\.10, 4\.6, 2\.6\.0' 'the error names the knob and the eras'
end

begin "mm/without swap, the OOM killer ends the job with a report"
f=$(memjob hog size=96m)
vms --memory 64M --vcpus 2 --job "$f" --json
expect_rc 9 'an OOM-killed memory job fails the run'
expect_json '.mem_jobs[0].error == 12' 'the job ended with ENOMEM'
expect_json '.oom_kills == 1 and .oom[0].victim.comm == "mem/hog" and .oom[0].swap_total == 0' 'one OOM report naming the victim'
expect_json '.oom[0].tasks[0].rss_pages > 10000' 'the report lists what the victim held'
expect_grep "$T/console.$NRUN.log" 'Out of memory: Killed process [0-9]+ \(mem/hog\)' 'the console has the OOM report'
expect_grep "$ERR" "memory job 'hog' failed: error 12" 'stderr names the failed job'
end

begin "mm/bad memory job options and swap disks get clear errors"
f=$(memjob bad size=8m mem_access=randomly)
vms --memory 64M --job "$f"
expect_rc 2
expect_grep "$ERR" "bad\.fio:4: .*mem_access" 'the error names file, line and option'
vms --memory 64M --disk "$T/a.img,size=8M,swap" --disk "$T/b.img,size=8M,swap" --job "$(memjob ok size=4m)"
expect_rc 2 'two swap disks are refused'
expect_grep "$ERR" 'swap' 'the error says why'
end

finish
