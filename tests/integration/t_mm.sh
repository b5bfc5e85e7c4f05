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
expect_json '.vmstat.counters.pgalloc_dma + .vmstat.counters.pgalloc_dma32 == .vmstat.counters.pgalloc and .vmstat.counters.pgalloc_dma > 0 and .vmstat.counters.pgalloc_dma32 > .vmstat.counters.pgalloc_dma' \
	'pgalloc_<zone>: every allocation counted in the zone that served it, DMA32 the most'
expect_json '.vmstat.counters.allocstall_dma + .vmstat.counters.allocstall_dma32 == .vmstat.counters.allocstall and .vmstat.counters.allocstall_dma32 > 0' \
	'allocstall_<zone> by the allocation'"'"'s highest zone: the job'"'"'s (DMA32)'
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
# 1 s: kswapd scans in nearly every 10 ms sample after the first pass (~70 samples; the
# medians were ~360 and ~1380 pages in 2 s runs, the bound is 256 apart)
f=$(memjob hog size=96m mem_access=seq runtime=1s time_based)
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

begin "mm/the watermark eras: 2.4, 2.6.0, 2.6.10 and 4.6, each its kernel's numbers"
# 64 MiB: DMA spans 4096 pages, DMA32 12288 (2.4 and 2.6 count these present pages);
# the numbers are worked in tests/unit/test_watermark.c from each kernel's source.
f=$(memjob small size=4m)
wm() { jq -c '[.vmstat.min_free_kbytes] + [.vmstat.zones[] | .name, .wmark_min, .wmark_low, .wmark_high]' "$OUT"; }
vms --memory 64M --vcpus 1 --job "$f" --json --set watermark_model=2.4
expect_rc 0
expect_json '.vmstat.watermark_model == "2.4" and .vmstat.kswapd_model == "2.4"' 'the era is reported (kswapd follows it: auto)'
check "2.4.17: no min_free_kbytes; DMA 32/64/96, DMA32 96/192/288 (zone / 128 in 20..255, 2x, 3x): $(wm)" \
	test "$(wm)" = '[0,"DMA",32,64,96,"DMA32",96,192,288]'
expect_grep "$LOG" 'zone DMA32 .* pcp high 1 batch 1' '2.4 had no per-CPU page lists (a list of one page)'
vms --memory 64M --vcpus 1 --job "$f" --json --set watermark_model=2.6.0,kswapd_model=modern
expect_rc 0
expect_json '.vmstat.kswapd_model == "4.8"' 'kswapd_model can differ from the watermark era'
check "2.6.0: sqrt(65536 KiB) = 256; DMA 16/32/48, DMA32 48/96/144: $(wm)" \
	test "$(wm)" = '[256,"DMA",16,32,48,"DMA32",48,96,144]'
expect_grep "$LOG" 'zone DMA32 .* pcp high 18 batch 3' "2.6.0's per-CPU lists: batch 12288 / 1024 / 4 = 3, high 6 batches"
vms --memory 64M --vcpus 1 --job "$f" --json --set watermark_model=2.6.10
expect_rc 0
check "2.6.10: sqrt(16 * 65536) = 1024; DMA 64/80/96, DMA32 192/240/288: $(wm)" \
	test "$(wm)" = '[1024,"DMA",64,80,96,"DMA32",192,240,288]'
vms --memory 64M --vcpus 1 --job "$f" --json --set watermark_scale_factor=100
expect_rc 0
expect_json '.vmstat.watermark_model == "4.6" and .vmstat.min_free_kbytes == ((([.vmstat.zones[].managed_pages] | add) * 64) | sqrt | floor)' \
	'4.6: min_free_kbytes = int_sqrt(16 * managed KiB)'
expect_json 'all(.vmstat.zones[]; (.wmark_low - .wmark_min) == ([(.wmark_min / 4 | floor), (.managed_pages * 100 / 10000 | floor)] | max))' \
	'4.6: the gap is max(min/4, managed * watermark_scale_factor / 10000)'
vms --memory 64M --vcpus 1 --job "$f" --json --set watermark_model=2.4,min_free_kbytes=2048
expect_rc 0
expect_json '.vmstat.min_free_kbytes == 0' '2.4 with a min_free_kbytes knob: reported as not used (0)'
expect_grep "$LOG" 'min_free_kbytes=2048: watermark_model 2\.4 has no min_free_kbytes' 'the console says why'
vms --memory 64M --job "$f" --set watermark_model=2.5
expect_rc 2 'an unknown era is a usage error'
expect_grep "$ERR" 'watermark_model=2\.5: expected one of 2\.4, 2\.6\.10, 4\.6, 2\.6\.0' 'the error names the knob and the eras'
end

begin "mm/thp: khugepaged's min_free_kbytes at 1G, always against never"
# 6.1's set_recommended_min_free_kbytes: 512 pages * 2 zones * (2 + 3 * 3) = 11264 pages,
# what Debian 6.1 shows at 1 GiB with THP on (45056); auto is always at 1 GiB.
f=$(memjob small size=4m)
for thp in never always auto; do
	vms --memory 1G --vcpus 1 --job "$f" --json --set thp=$thp
	expect_rc 0
	jget '.vmstat.min_free_kbytes' >"$T/mfk.$thp"
	jget '.vmstat.thp' >"$T/thp.$thp"
done
never=$(cat "$T/mfk.never") always=$(cat "$T/mfk.always")
check "thp=never: min_free_kbytes $never, int_sqrt(16 * managed KiB) (about 4000)" test "$never" -gt 3500 -a "$never" -lt 4200
check "thp=always: min_free_kbytes $always = 45056" test "$always" -eq 45056
# 6.1's per-CPU lists (1 vCPU here): DMA32 batch 63 (as Debian's at 1 GiB), high = its low watermark
expect_grep "$LOG" 'zone DMA32 .* low ([0-9]+) high [0-9]+ pcp high \1 batch 63' "6.1's pcp: batch 63, high = low / 1 CPU"
check "thp=auto at 1 GiB is always: $(cat "$T/thp.auto"), $(cat "$T/mfk.auto")" test "$(cat "$T/mfk.auto")" -eq 45056
vms --memory 1G --vcpus 1 --job "$f" --json --set thp=always,min_free_kbytes=8192
expect_rc 0
expect_json '.vmstat.min_free_kbytes == 8192' "a min_free_kbytes knob is kept (as sysctl.conf's, applied after the kernel's THP)"
vms --memory 128M --vcpus 1 --job "$f" --json --set thp=auto
expect_rc 0
expect_json '.vmstat.thp == "never"' 'auto under 512 MiB is never (hugepage_init)'
vms --memory 128M --vcpus 1 --job "$f" --json --set thp=madvise
expect_rc 0
expect_json '.vmstat.thp == "madvise" and .vmstat.min_free_kbytes > 4000 and .vmstat.min_free_kbytes <= (([.vmstat.zones[].managed_pages] | add) / 20 | floor) * 4' \
	'thp=madvise at 128M: raised, but to no more than 5 % of lowmem (11264 pages would be 44 MiB)'
vms --memory 128M --vcpus 1 --job "$f" --json --set thp=always,watermark_model=2.6.10
expect_rc 0
expect_json '.vmstat.thp == "never"' 'an era before THP has none (reported never)'
expect_grep "$LOG" 'predates transparent hugepages' 'the console says why'
end

begin "mm/kernel_reserved_kbytes: a distribution kernel's footprint, out of DMA32"
# Debian 6.1's guest keeps about 46 MiB more than ours: with that reserved, the 256M
# guest's DMA32 has Linux's managed pages within a few, and its marks follow.
f=$(memjob small size=4m)
vms --memory 256M --vcpus 1 --job "$f" --json --set thp=never
expect_rc 0
jget '.vmstat.zones[1].managed_pages' >"$T/managed0"
jget '.vmstat.min_free_kbytes' >"$T/mfk0"
vms --memory 256M --vcpus 1 --job "$f" --json --set thp=never,kernel_reserved_kbytes=46400
expect_rc 0
expect_json '.vmstat.zones[1].managed_pages == $m0 - 11600' 'DMA32 smaller by exactly 46400 KiB' --argjson m0 "$(cat "$T/managed0")"
expect_json '.vmstat.zones[0].managed_pages > 3700' 'DMA untouched'
expect_json "(.vmstat.min_free_kbytes | . < $(cat "$T/mfk0")) and .vmstat.min_free_kbytes > 1700 and .vmstat.min_free_kbytes < 1900" \
	"min_free_kbytes follows the smaller lowmem (Linux 6.1 at 256M: 1790)"
jget '.vmstat.zones[1].managed_pages' >"$T/managed1"
jget '.vmstat.min_free_kbytes' >"$T/mfk1"
# kernel_init_kbytes: held while the watermarks are set, freed after (Linux's initramfs
# image and __init sections): the zones end as large, min_free_kbytes is lower
vms --memory 256M --vcpus 1 --job "$f" --json --set thp=never,kernel_reserved_kbytes=46400,kernel_init_kbytes=9600
expect_rc 0
expect_json '.vmstat.zones[1].managed_pages == $m1' 'init memory freed: DMA32 as large at the end' --argjson m1 "$(cat "$T/managed1")"
expect_json ".vmstat.min_free_kbytes < $(cat "$T/mfk1") and .vmstat.min_free_kbytes > 1750 and .vmstat.min_free_kbytes < 1830" \
	"min_free_kbytes from the smaller boot-time lowmem (Linux 6.1 at 256M: 1790)"
vms --memory 64M --vcpus 1 --job "$f" --set kernel_reserved_kbytes=65536
expect_rc 3 'a reservation larger than RAM is a guest panic, named'
expect_grep "$LOG" 'kernel_reserved_kbytes 65536 leaves less than 4 MiB' 'the console says which knob'
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
