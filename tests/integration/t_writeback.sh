#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# Writeback (guest mm/page-writeback.c, fs-writeback.c, pdflush.c): the dirty
# thresholds and their two forms, kupdate-style writeback of old data, laptop mode's
# deferral, the IO-less throttle's control band and pauses, and the pdflush pool.
# Times come from the writeback samples' clock (t_us), not their count: a vCPU the host
# did not run for a while takes one sample late, not several.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# A lone 4 KiB buffered write to vda, while a job on vdb keeps the guest up for MS ms.
lone_job()
{
	local ms=$1
	printf '[lone]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=4k\nsize=4k\n'
	printf '[idle]\nfilename=/dev/vdb\nioengine=psync\ndirect=1\nrw=read\nbs=4k\nrate_iops=20\nruntime=%sms\ntime_based\n' "$ms"
}

# The time in ms of the first writeback sample where FILTER holds ($s the samples, $i
# the index: e.g. '$s.nr_dirty[$i] > 0'), or -1. A write's clean sample is looked for
# after the sample that saw it dirty: a late write (325 ms in, on a loaded host) has clean
# samples before it too.
first_ms()
{
	jget ".writeback.samples as \$s | ([range(0; \$s.n) as \$i | select($1) | \$s.t_us[\$i]][0] // -1000) / 1000 | floor"
}

begin "writeback/a lone write reaches the disk within dirty_expire + dirty_writeback, in every era"
# 2.5 s up: past the latest clean the check allows (dirty, ~0.1 s in, + 1.85 s), with room
# for a late start (written ~1.5 s in here; a run that ends first fails as clean -1)
lone_job 2500 >"$T/lone.fio"
for m in ioless bdi pdflush; do
	vms --memory 128M --disk "$T/a.img,size=64M" --disk "$T/b.img,size=64M" --job "$T/lone.fio" --json \
		--set "sample_ms=50,dirty_expire_centisecs=100,dirty_writeback_centisecs=50,writeback_model=$m"
	expect_rc 0 "$m: the run finishes"
	dirty=$(first_ms '$s.nr_dirty[$i] > 0')
	clean=$(first_ms "\$s.nr_dirty[\$i] == 0 and \$s.nr_writeback[\$i] == 0 and \$s.t_us[\$i] > $((dirty + 1)) * 1000")
	# expired 1 s after it was dirtied; the next periodic pass is at most 0.5 s later
	# (samples every 50 ms, and 300 ms for a loaded host's late wake-ups)
	check "$m: written between 0.95 and 1.85 s after it was dirtied (dirty at $dirty ms, clean at $clean ms)" \
		test "$dirty" -ge 0 -a "$clean" -ge "$((dirty + 950))" -a "$clean" -le "$((dirty + 1850))"
	expect_json '.vmstat.counters.nr_dirty == 0 and .vmstat.counters.nr_written == 1' "$m: clean at the end, one page written"
done
end

begin "writeback/laptop_mode defers old data until the disk does I/O anyway, then flushes it laptop_mode s later"
{
	lone_job 4000
	printf '[poke]\nfilename=/dev/vda\nioengine=psync\ndirect=1\nrw=read\noffset=1m\nbs=4k\nsize=4k\nstartdelay=1500ms\n'
} >"$T/laptop.fio"
# laptop-mode-tools' settings: old data may wait a minute
slow=sample_ms=50,dirty_expire_centisecs=6000,dirty_writeback_centisecs=6000
for m in ioless pdflush; do
	vms --memory 128M --disk "$T/a.img,size=64M" --disk "$T/b.img,size=64M" --job "$T/laptop.fio" --json \
		--set "$slow,laptop_mode=1,writeback_model=$m"
	expect_rc 0 "$m: the run finishes"
	dirty=$(first_ms '$s.nr_dirty[$i] > 0')
	clean=$(first_ms "\$s.nr_dirty[\$i] == 0 and \$s.nr_writeback[\$i] == 0 and \$s.t_us[\$i] > $((dirty + 1)) * 1000")
	# the read on vda 1.5 s after the jobs start arms the 1 s timer: flushed 2.5 s in
	check "$m: flushed 1 s after the disk's read 1.5 s in (dirty at $dirty ms, clean at $clean ms)" \
		test "$dirty" -ge 0 -a "$clean" -ge "$((dirty + 2400))" -a "$clean" -le "$((dirty + 3300))"
done
lone_job 3000 >"$T/lone.fio"
vms --memory 128M --disk "$T/a.img,size=64M" --disk "$T/b.img,size=64M" --job "$T/lone.fio" --json --set "$slow,laptop_mode=1"
expect_json '.vmstat.counters.nr_dirty == 1 and .vmstat.counters.nr_written == 0' 'without I/O on the disk the write stays in memory'
end

begin "writeback/dirty_bytes and dirty_ratio: the one set last applies, as Linux's sysctls"
printf '[w]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=4k\nsize=64k\n' >"$T/w.fio"
vms --memory 128M --disk "$T/a.img,size=64M" --job "$T/w.fio" --json --set dirty_ratio=30,dirty_bytes=4m,dirty_background_bytes=1m
expect_rc 0
expect_json '.vmstat.counters.nr_dirty_threshold == 1024 and .vmstat.counters.nr_dirty_background_threshold == 256' \
	'dirty_bytes=4m: 1024 pages; dirty_background_bytes=1m: 256'
expect_json '.knobs.dirty_ratio == 0 and .knobs.dirty_bytes == 4194304' 'dirty_bytes cleared dirty_ratio'
vms --memory 128M --disk "$T/a.img,size=64M" --job "$T/w.fio" --json --set dirty_bytes=4m,dirty_ratio=30,dirty_background_ratio=5
t=$(jget '.vmstat.counters.nr_dirty_threshold')
bg=$(jget '.vmstat.counters.nr_dirty_background_threshold')
check "dirty_ratio=30 set last: threshold $t pages, about 30 % of a 128 MiB guest's dirtyable memory, background $bg about 5 %" \
	test "$t" -gt 8000 -a "$t" -lt 10000 -a "$((bg * 6 - t))" -ge -12 -a "$((bg * 6 - t))" -le 12
vms --memory 128M --disk "$T/a.img,size=64M" --job "$T/w.fio" --json --set dirty_ratio=10,dirty_background_ratio=20
expect_json '.vmstat.counters.nr_dirty_background_threshold * 2 - .vmstat.counters.nr_dirty_threshold | fabs <= 1' \
	'a background ratio at or over the ratio is halved from the threshold (bg >= thresh -> thresh / 2)'
vms --memory 128M --disk "$T/a.img,size=64M" --job "$T/w.fio" --set dirty_bytes=4k
expect_rc 2 'dirty_bytes under two pages is refused'
expect_grep "$ERR" 'dirty_bytes=4k: at least 8192 bytes' 'and the error says the minimum'
end

begin "writeback/pdflush and bdi: the era's thresholds, the dirtier writes and blocks for long; ioless: it only sleeps"
printf '[dd]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=1m\nsize=256m\n' >"$T/dd.fio"
# one run for the threshold and the dirtier's share (the threshold is computed at the end,
# whatever the sampling: a run of its own for it was the same 256 MiB again)
vms --memory 160M --disk "$T/p.img,size=512M,rate=64M" --job "$T/dd.fio" --json --set writeback_model=pdflush
expect_rc 0
# 2.6.9: 40 % of every page-cache page, and no more than half the unmapped memory
expect_json '.vmstat.counters.nr_dirty_threshold * 100 / (.memory_bytes / 4096) | (. > 35 and . < 41)' 'the threshold is about 40 % of memory'
expect_json '.writeback.disks[0].written_by | .dirtier > .background' "pdflush: the dirtier wrote most of its pages itself (2.6.9 writes whenever pages are dirty)"
expect_json '.writeback.writers[0].pause_ns.max >= 80000000' "pdflush: and was held for 80 ms or more at a time (writing, then congestion_wait)"
# 2.6.32 writes only when the disk's dirty pages not under writeback are over its share;
# a lone dd's flusher keeps them under it, so the dirtier waits for the disk instead
vms --memory 160M --disk "$T/p.img,size=512M,rate=64M" --job "$T/dd.fio" --json --set writeback_model=bdi
expect_json '.writeback.disks[0].written_by | .dirtier == 0 and .background > 0' "bdi: a lone dirtier left the writing to the flusher"
expect_json '.writeback.writers[0].pause_ns.max >= 80000000' "bdi: and was held for 80 ms or more at a time (congestion_wait until under its share)"
vms --memory 160M --disk "$T/p.img,size=512M,rate=64M" --job "$T/dd.fio" --json --set writeback_model=ioless
expect_json '.writeback.disks[0].written_by.dirtier == 0 and .writeback.writers[0].pause_ns.max <= 200000000' \
	'ioless: the flusher wrote everything, the dirtier only slept (pauses at most MAX_PAUSE)'
end

begin "writeback/O_SYNC through the page cache: each write reaches the host disk with a flush before it completes"
printf '[osync]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=4k\nsize=64k\nsync=1\n' >"$T/osync.fio"
printf '[fsync]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=4k\nsize=64k\nfsync=4\n' >"$T/fsync.fio"
vms --memory 128M --disk "$T/o.img,size=64M" --job "$T/osync.fio" --json
expect_rc 0
expect_json '.disks[0].writes == 16 and .disks[0].flushes == 16' 'the host saw 16 writes and 16 flushes'
expect_json '.vmstat.counters.nr_dirty == 0 and .fio.jobs[0].error == 0' 'nothing left dirty in the guest'
vms --memory 128M --disk "$T/f.img,size=64M" --job "$T/fsync.fio" --json
# as fio: an fsync before the 5th, 9th and 13th writes; the last four stay in the cache
expect_json '.disks[0].flushes == 3 and .disks[0].writes == 3 and .vmstat.counters.nr_dirty == 4 and .fio.jobs[0].sync.total_ios == 3' \
	'fsync=4: three flushes, each after the four dirty pages before it went out (one merged write each)'
printf '[c]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=4k\nsize=64k\nfsync_on_close=1\n' >"$T/close.fio"
vms --memory 128M --disk "$T/c.img,size=64M" --job "$T/close.fio" --json
expect_json '.disks[0].flushes == 1 and .disks[0].writes >= 1 and .vmstat.counters.nr_dirty == 0' \
	'fsync_on_close=1: the pages of the job go out and one flush follows when it closes the disk'
end

begin "writeback/pdflush: several writers on two disks grow the pool past 2, and it shrinks back when idle"
{
	printf '[global]\nioengine=psync\nrw=write\nbs=1m\nsize=48m\n'
	printf '[a1]\nfilename=/dev/vda\n[a2]\nfilename=/dev/vda\noffset=64m\n'
	printf '[b1]\nfilename=/dev/vdb\n[b2]\nfilename=/dev/vdb\noffset=64m\n'
	printf '[idle]\nstonewall\nfilename=/dev/vdc\ndirect=1\nrw=read\nbs=4k\nsize=4k\nrate_iops=10\nruntime=6s\ntime_based\n'
} >"$T/pool.fio"
vms --memory 512M --disk "$T/a.img,size=128M,lat=50ms" --disk "$T/b.img,size=128M,lat=20ms" --disk "$T/c.img,size=16M" \
	--job "$T/pool.fio" --json --timeout 40s \
	--set sample_ms=100,writeback_model=pdflush,dirty_background_ratio=1,dirty_ratio=10,blk_queue_depth=16,dirty_writeback_centisecs=50,dirty_expire_centisecs=100
expect_rc 0
expect_json '.writeback.pdflush.threads_max > 2 and ([.writeback.samples.nr_pdflush_threads[] ] | max) > 2' \
	'busy pdflush threads for over a second made more of them'
# one exit per finished work at most, when the longest-idle thread has slept over 1 s:
# under load the pool may not be all the way back to 2 when the run ends
expect_json '.writeback.pdflush.exited >= 1 and (.writeback.samples.nr_pdflush_threads | .[-1] < max and .[-1] >= 2)' \
	'idle ones exited (one at a time, never under MIN_PDFLUSH_THREADS)'
expect_json '[.writeback.disks[] | select(.disk == "vda" or .disk == "vdb") | .written == .dirtied] | all' 'every dirty page was written'
end

begin "writeback/pdflush: congestion avoidance keeps a fast disk writing while a slow one is congested"
{
	printf '[global]\nioengine=psync\nrw=write\nbs=1m\nsize=96m\n'
	printf '[slow]\nfilename=/dev/vda\n'
	printf '[fast]\nfilename=/dev/vdb\nstartdelay=300ms\n'
	printf '[idle]\nfilename=/dev/vdc\ndirect=1\nrw=read\nbs=4k\nsize=4k\nrate_iops=10\nruntime=4s\ntime_based\n'
} >"$T/cong.fio"
for avoid in 1 0; do
	rm -f "$T"/s.img "$T"/f.img
	vms --memory 512M --disk "$T/s.img,size=128M,lat=100ms" --disk "$T/f.img,size=128M" --disk "$T/i.img,size=16M" \
		--job "$T/cong.fio" --json \
		--set "sample_ms=100,writeback_model=pdflush,dirty_background_ratio=1,dirty_ratio=40,blk_queue_depth=16,writeback_congestion_avoid=$avoid"
	expect_rc 0 "writeback_congestion_avoid=$avoid: the run finishes"
	expect_json '.writeback.disks[0].congested_ns > 1000000000' "writeback_congestion_avoid=$avoid: the slow disk's queue was congested for over a second"
	if [ "$avoid" = 1 ]; then
		expect_json '.writeback.disks[1].written == .writeback.disks[1].dirtied' 'with it, the fast disk was written in full meanwhile'
	else
		expect_json '.writeback.disks[1].written < .writeback.disks[1].dirtied / 10' 'without it, pdflush waits in the slow queue and the fast disk starves'
	fi
done
end

begin "writeback/a writer slower than the disk meets background writeback at the background threshold (ioless, bdi)"
printf '[slowdd]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=64k\nsize=40m\nrate=16m\n' >"$T/slow.fio"
for m in ioless bdi; do
	vms --memory 160M --disk "$T/d.img,size=512M,rate=64M" --job "$T/slow.fio" --json --set "sample_ms=50,writeback_model=$m"
	expect_rc 0 "$m: the run finishes"
	expect_json '.writeback.samples as $s | ([range(0; $s.n) | select($s.nr_writeback[.] > 0)][0]) as $k
		| $k != null and ([$s.nr_dirty[0:$k + 1][]] | max) >= $s.bg_thresh[$k] * 0.9' \
		"$m: nothing was written before the dirty pages reached the background threshold"
	# the older eras look every ratelimit_pages dirtied (640 here), the IO-less one more often
	expect_json '(if .writeback.model == "ioless" then 0 else .writeback.ratelimit_pages end) as $r | .writeback.samples as $s
		| [range(0; $s.n) | $s.nr_dirty[.] - $s.bg_thresh[.]] | max <= 512 + $r' \
		"$m: from then on the flusher kept them at it (never 2 MiB, and a look's worth of pages, over)"
	expect_json '.writeback.writers[0].pauses == 0 and .writeback.disks[0].written_by.background > 0' \
		"$m: the writer was never throttled; the flusher wrote in the background"
done
end

begin "writeback/ioless: a dd-like writer at 10/20 is held between freerun and limit, pauses under 200 ms, at the disk's rate"
printf '[dd]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=1m\nsize=256m\n' >"$T/dd.fio"
vms --memory 160M --disk "$T/d.img,size=512M,rate=64M" --job "$T/dd.fio" --json --set sample_ms=100,dirty_ratio=20,dirty_background_ratio=10
expect_rc 0
# dirty is nr_dirty + nr_writeback, what the thresholds are compared with; from the first
# sample over freerun to the end
expect_json '.writeback.samples as $s | [range(0; $s.n) | ($s.nr_dirty[.] + $s.nr_writeback[.]) as $d
	| select($d > $s.freerun[.]) | .] as $over | ($over | length) > 20
	and ([range($over[0]; $s.n) | ($s.nr_dirty[.] + $s.nr_writeback[.]) as $d | $d <= $s.limit[.]] | all)
	and ([range($over[0]; $s.n) | ($s.nr_dirty[.] + $s.nr_writeback[.]) as $d | select($d < $s.freerun[.] * 0.95)] | length)
	    <= ($s.n - $over[0]) / 10' \
	'after it first passed freerun, dirty never passed the limit and stayed over freerun (but for a loaded host: 1 sample in 10 may dip)'
expect_json '.writeback.writers[0].pauses > 50 and .writeback.writers[0].pause_ns.max <= 200000000' 'paused often, never over 200 ms'
# the throttle never leaves the disk idle: I/O under way in (nearly) every sample while
# the writer is held, and so the writer gets the disk's rate (0.9 of it, 0.75 on a host
# too loaded to run the guest's flusher on time)
expect_json '.writeback.samples as $s | [range(0; $s.n) | select($s.nr_dirty[.] + $s.nr_writeback[.] > $s.freerun[.])] as $held
	| ($held | length) > 20 and ([$held[] | select($s.nr_writeback[.] == 0)] | length) <= ($held | length) / 10' \
	'the disk always had writeback under way while the writer was held'
bw=$(jget '.fio.jobs[0].write.bw')
check "the writer's throughput $bw KiB/s is at least 0.75 of the disk's 64 MiB/s (0.9 on an idle host)" test "$bw" -ge $((65536 * 3 / 4))
end

begin "writeback/bdi: ten writers share their CPU's ratelimit_pages (3.1's bdp_ratelimits), so dirty stays near the threshold"
# Before 3.2 balance_dirty_pages_ratelimited counts the pages dirtied on the CPU, not by
# the task: ten dd's on two CPUs look at the limits every 32 pages a CPU (8 over the
# limit), not every 32 pages each. Counted per task, their dirty + writeback on ext3 at
# dirty_bytes 8M (2048 pages) reached 5513-6953 (4 runs); per CPU 2704-3316 (3 runs).
sed 's/^numjobs=1$/numjobs=10/; s/^runtime=5s$/runtime=2s/' "$ROOT/workloads/dd-wu2011.fio" >"$T/dd10.fio"
vms --memory 1280M --vcpus 2 --disk "$T/e.img,size=4G,profile=hdd,queues=1,fs=ext3" --job "$T/dd10.fio" --json \
	--set writeback_model=bdi,dirty_bytes=8388608,sample_ms=100
expect_rc 0
most=$(jget '.writeback.samples as $s | [range(10; $s.n) | $s.nr_dirty[.] + $s.nr_writeback[.]] | max')
check "dirty + writeback after the first second peaked at $most pages, under twice the 2048-page threshold" \
	test "${most:-99999}" -lt 4096
end

begin "writeback/a buffered writer with ramp_time is measured after the ramp (its writes complete as they are issued)"
printf '[dd]\nfilename=/dev/vda\nrw=write\nbs=1m\nsize=256m\nruntime=1s\ntime_based\nramp_time=500ms\n' >"$T/ramp.fio"
vms --memory 256M --disk "$T/r.img,size=512M,rate=64M" --job "$T/ramp.fio" --json --set dirty_bytes=8m
expect_rc 0
expect_json '.fio.jobs[0].write.io_bytes > 0 and .fio.jobs[0].write.io_bytes < 4096 * .vmstat.counters.nr_dirtied' \
	'the writes after the ramp are counted, those during it are not'
end

begin "writeback/reclaim and dirty pages by era: since 3.2 reclaim leaves file pages to the flushers, before it wrote them"
# 24 MiB dirtied on a 4 MB/s disk, then 28 MiB of anonymous memory in a 48 MiB guest:
# reclaim meets the dirty pages at the tail of the file LRU before the disk has them.
# Both runs use reclaim_model 4.8 (bdi's era resolves to it), so that only the writeback
# era differs: 5.9's reclaim (new anon pages inactive, 6.1's throttling) has kswapd meet,
# and write, more of the dirty pages, whatever the writeback era.
printf '[w]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=64k\nsize=24m\n[hog]\nstonewall\nioengine=mem\nsize=28m\n' >"$T/rc.fio"
vms --memory 48M --disk "$T/rc.img,size=64M,rate=4M" --job "$T/rc.fio" --json --set writeback_model=ioless,dirty_ratio=90,dirty_background_ratio=80,reclaim_model=4.8
expect_rc 0 'ioless: the memory job got its memory (no OOM: reclaim waited for the disk)'
ioless_write=$(jget '.vmstat.counters.nr_vmscan_write') ioless_immediate=$(jget '.vmstat.counters.nr_vmscan_immediate_reclaim')
# how many dirty pages reclaim meets depends on how far the flushers got: when it met
# them, it marked them for immediate reclaim rather than write them (kswapd may write a
# few, once the node is flagged dirty)
# (here 84-618 written against 5717-21931 marked, 1-9 %, in 9 runs)
check "ioless: reclaim left the dirty pages it met to the flushers: it wrote at most a tenth of them ($ioless_immediate marked, $ioless_write written)" \
	test $((10 * ioless_write)) -le $((ioless_write + ioless_immediate))
expect_json '.writeback.disks[0].written_by | .sync > .reclaim' 'ioless: reclaim woke the flushers, which wrote the pages'
vms --memory 48M --disk "$T/rc.img,size=64M,rate=4M" --job "$T/rc.fio" --json --set writeback_model=bdi,watermark_model=2.6,dirty_ratio=90,dirty_background_ratio=80
expect_rc 0 'bdi: the memory job got its memory'
# every dirty page bdi's reclaim met it wrote: none marked (899-3108 written in 7 runs;
# their count against ioless's is no measure: both move with how far the flusher got)
expect_json '.vmstat.counters | .nr_vmscan_write > 500 and .nr_vmscan_immediate_reclaim == 0' \
	"bdi (2.6.32): reclaim wrote the dirty file pages it met itself, all of them ($(jget '.vmstat.counters.nr_vmscan_write') written, none left to the flushers)"
expect_json '.writeback.disks[0].written_by.reclaim == .vmstat.counters.nr_vmscan_write' 'and they are counted as written by reclaim'
end
