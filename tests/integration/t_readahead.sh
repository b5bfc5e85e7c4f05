#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# Readahead as Linux 6.1 does it. Swap: page_cluster sets the most swap readahead
# reads around a fault (cluster readahead, 2.6 on, since a virtio swap disk is
# rotational to Linux); a sequential memory job then finds most pages in the swap
# cache (swap_ra_hit, minor faults) instead of faulting each in (pgmajfault). Memory
# jobs that read (rwmixread) leave clean pages in the swap cache that reclaim drops
# without writing. Page cache: a sequential buffered read ramps its window 4, 8, 16,
# 32 pages (read_ahead_kb 128) from the PG_readahead marker; random reads read only
# what they ask. pgpgin/pgpgout count every bio, swap I/O included.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "readahead/page_cluster 3 against 0: a sequential memory job swaps in with fewer major faults"
f=$(memjob seq size=96m mem_access=seq runtime=4s)
for pc in 3 0; do
	vms --memory 64M --vcpus 2 --disk "$T/swap.img,size=256M,swap" --job "$f" --json --set page_cluster=$pc
	expect_rc 0
	# a timed job: a loaded host does fewer passes, but any pass past the first swaps in
	expect_json '.mem_jobs[0].error == 0 and .vmstat.counters.pswpin > 1024' "page_cluster=$pc: the job swapped in ($(jget '.vmstat.counters.pswpin') pages)"
	expect_json '.vmstat.counters | .pswpin == .pgmajfault + .swap_ra' \
		"page_cluster=$pc: every page read from swap was a fault's or readahead's ($(jget '.vmstat.counters | "pswpin \(.pswpin), pgmajfault \(.pgmajfault), swap_ra \(.swap_ra)"'))"
	expect_json '.mem_jobs[0].swapins >= .vmstat.counters.pgmajfault + .vmstat.counters.swap_ra_hit and .mem_jobs[0].lat_ns.swapin.N == .mem_jobs[0].swapins' \
		"page_cluster=$pc: every fault on a swapped-out page is timed as a swap-in"
	expect_json '.vmstat.counters | .pgpgin == 4 * .pswpin and .pgpgout == 4 * .pswpout' \
		"page_cluster=$pc: pgpgin/pgpgout count the swap bios' KiB ($(jget '.vmstat.counters | "pgpgin \(.pgpgin), pgpgout \(.pgpgout)"'))"
	jget '.vmstat.counters | "\(.pgmajfault) \(.swap_ra) \(.swap_ra_hit) \(.pswpin)"' >"$T/c.$pc"
	jget '.mem_jobs[0].swapins' >"$T/s.$pc"
done
read -r maj3 ra3 hit3 _ <"$T/c.3"
read -r maj0 ra0 hit0 _ <"$T/c.0"
s3=$(cat "$T/s.3") s0=$(cat "$T/s.0")
{ [ "$ra3" -gt 0 ] && [ "$hit3" -gt 0 ]; } || fail_because "page_cluster=3: swap_ra $ra3, swap_ra_hit $hit3: readahead read nothing, or nothing it read was used"
[ $((maj3 * 3)) -lt "$s3" ] || fail_because "page_cluster=3: $maj3 major faults in $s3 swap-ins: readahead should serve most (< 1/3 major)"
{ [ "$ra0" -eq 0 ] && [ "$hit0" -eq 0 ]; } || fail_because "page_cluster=0: swap_ra $ra0, swap_ra_hit $hit0: no readahead expected"
# Without readahead nearly every swap-in reads from swap; the few that do not found their
# page still in the swap cache, written out but not yet freed by reclaim (minor, as Linux
# counts them): how many depends on the timing, so a bound, not equality.
[ "$maj0" -le "$s0" ] && [ $((maj0 * 100)) -ge $((s0 * 95)) ] ||
	fail_because "page_cluster=0: $maj0 major faults in $s0 swap-ins: nearly each should be major"
end

begin "readahead/a read-mostly memory job reuses clean swap-cache pages"
# 4 s: the write-only job rewrites ~25000 pages (the bound is 4096); the comparison is of rates
for r in 0 90; do
	f=$(memjob rw$r size=96m mem_access=seq rwmixread=$r runtime=4s)
	vms --memory 64M --vcpus 2 --disk "$T/swap.img,size=256M,swap" --job "$f" --json
	expect_rc 0
	expect_json '.mem_jobs[0].error == 0 and .vmstat.counters.pswpin > 1024' "rwmixread=$r: the job swapped in ($(jget '.vmstat.counters.pswpin') pages)"
	jget '"\(.vmstat.counters.pswpout) \(.vmstat.counters.pswpin)"' >"$T/w.$r"
done
read -r out0 in0 <"$T/w.0"
read -r out90 in90 <"$T/w.90"
# Each of the job's 24576 pages is written to swap once when first evicted, reads or not;
# what is written beyond that is pages written again after a swap-in: the write-only job
# rewrites each page it swapped in, the read-mostly one only the tenth it dirtied, the
# other pages dropped clean from the swap cache (6.1 keeps the slot: swap is not half full).
re0=$((out0 - 24576)) re90=$((out90 - 24576))
[ "$re0" -gt 4096 ] || fail_because "write-only: pswpout $out0 is not well past the 24576 first write-outs: too few passes to judge"
[ $((re90 * in0 * 2)) -lt $((re0 * in90)) ] ||
	fail_because "rwmixread=90: $re90 rewrites for $in90 swap-ins, write-only $re0 for $in0: clean swap-cache pages should not be written again (less than half the write-only job's rate)"
end

begin "readahead/a sequential buffered read ramps its window; random reads do not read ahead"
disk="$T/d.img,size=64M,prefill"
# 1-page reads of pages 0..4: window [0,4) at the first miss, [4,12) at the marker on page 1,
# [12,28) at the marker on page 4: 28 pages (6.1: get_init_ra_size(1, 32) = 4, then x2, x2)
printf '[r]\nfilename=/dev/vda\nrw=read\nbs=4k\nsize=20k\nioengine=psync\n' >"$T/short.fio"
vms --memory 128M --disk "$disk" --job "$T/short.fio" --json
expect_rc 0
expect_json '.disks[0].bytes_read == 28 * 4096' "5 pages read sequentially bring in 28 pages, windows of 4, 8 and 16 ($(jget '.disks[0].bytes_read / 4096') pages)"
# 8 MiB: windows 4, 8, 16, then 32 (read_ahead_kb 128) until the one the last marker starts:
# pages up to 2108, in few large requests
printf '[r]\nfilename=/dev/vda\nrw=read\nbs=4k\nsize=8m\nioengine=psync\n' >"$T/seq.fio"
vms --memory 128M --disk "$disk" --job "$T/seq.fio" --json
expect_rc 0
expect_json '.disks[0].bytes_read == 2108 * 4096' "8 MiB read sequentially: 2108 pages read, the last window 32 pages past page 2047 ($(jget '.disks[0].bytes_read / 4096'))"
expect_json '.disks[0].reads <= 2108 / 32 + 4' "in requests of a window or more ($(jget '.disks[0].reads') requests)"
vms --memory 128M --disk "$disk" --job "$T/seq.fio" --json --set read_ahead_kb=0
expect_rc 0
expect_json '.disks[0].bytes_read == 8 * 1048576 and .disks[0].reads >= 2048 * 0.9' "read_ahead_kb=0: every page read alone ($(jget '.disks[0].reads') requests)"
printf '[r]\nfilename=/dev/vda\nrw=randread\nbs=4k\nsize=8m\nioengine=psync\n' >"$T/rand.fio"
vms --memory 128M --disk "$disk" --job "$T/rand.fio" --json
expect_rc 0
expect_json '.disks[0].bytes_read <= 8 * 1048576 + 12 * 4096 and .disks[0].reads >= 2048 * 0.9' \
	"random 4 KiB reads read what they ask, a request each (the first page's window aside: $(jget '.disks[0].bytes_read / 4096') pages in $(jget '.disks[0].reads') requests)"
end

finish
