#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# The page cache of the disks: buffered jobs (direct=0) read and write
# through pages on the file LRU lists; a disk bigger than RAM is read with clean
# pages dropped by reclaim (no swap needed), written with dirty pages written back
# (by the flushers over the dirty thresholds, t_writeback.sh), and the data survives
# both ways.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# section NAME OPTIONS...: a job section on /dev/vda
section()
{
	printf '[%s]\nfilename=/dev/vda\n' "$1"
	shift
	printf '%s\n' "$@"
}

begin "pagecache/a 96 MiB disk read buffered in a 64 MiB guest: clean pages are dropped, the data is right"
f=$T/read.fio
{
	section fill direct=1 rw=write bs=1m size=96m buffer_pattern=0xdeadbeef
	section read stonewall direct=0 rw=read bs=4k size=96m verify=pattern verify_pattern=0xdeadbeef
	section reread stonewall buffered=1 rw=randread bs=4k size=4m runtime=1s time_based
} >"$f"
vms --memory 64M --vcpus 2 --disk "$T/d.img,size=128M" --job "$f" --json --set sample_ms=20
expect_rc 0
expect_json '[.fio.jobs[].error] == [0, 0, 0] and .fio.jobs[1].read.io_bytes == 100663296' 'every job ran clean; the buffered read verified 96 MiB'
expect_json '.vmstat.counters.pgpgin >= 98304' 'the reads went to the disk (pgpgin, KiB)'
expect_json '.disks[0].reads < 4096' 'readahead: 96 MiB read sequentially (and 4 MiB at random) in fewer than 4096 requests'
expect_json '.vmstat.counters.pgsteal_kswapd + .vmstat.counters.pgsteal_direct > 8192' 'reclaim dropped page cache'
expect_json '.vmstat.counters.pswpout == 0 and .vmstat.counters.oom_kill == 0' 'no swap, no OOM: clean file pages are simply dropped'
expect_json '.vmstat.counters.nr_file_pages > 4096 and .vmstat.counters.nr_file_pages == .vmstat.counters.nr_inactive_file + .vmstat.counters.nr_active_file' \
	'the cache is on the file LRU lists'
expect_json '.vmstat.counters.pgactivate > 0 and .vmstat.counters.nr_active_file > 0' 'pages read twice were activated (mark_page_accessed)'
expect_json '[.vmstat_series[] | .nr_file_pages] | max > 8192' 'the time series shows the cache'
expect_json '.vmstat.counters.pgalloc - .vmstat.counters.pgfree == .vmstat.pages_in_use' 'the page accounting balances'
end

begin "pagecache/a 96 MiB buffered write in a 64 MiB guest: dirty pages are written back, reading it back verifies"
f=$T/write.fio
{
	section write direct=0 rw=write bs=4k size=96m buffer_pattern=0xc0ffee11
	section readback stonewall direct=0 rw=read bs=4k size=96m verify=pattern verify_pattern=0xc0ffee11
} >"$f"
for mode in irq poll hybrid; do
	rm -f "$T/w.img"
	vms --memory 64M --vcpus 2 --disk "$T/w.img,size=128M" --job "$f" --json --set "blk_completion=$mode"
	expect_rc 0 "blk_completion=$mode: the run finishes"
	expect_json '[.fio.jobs[].error] == [0, 0]' "blk_completion=$mode: written and read back through the cache, verified"
	expect_json '.vmstat.counters.pgpgout > 16384 and .vmstat.counters.nr_writeback == 0' "blk_completion=$mode: dirty pages were written (pgpgout) and waited for"
	expect_json '.vmstat.counters.pgpgout + 4 * .vmstat.counters.nr_dirty >= 98304 and .vmstat.counters.nr_dirty <= .vmstat.counters.nr_file_pages' \
		"blk_completion=$mode: every page written is on the disk or still dirty in the cache"
	out=$(jget '.vmstat.counters.pgpgout // 0')
	nonzero=$(tr -d '\000' <"$T/w.img" | wc -c)
	check "blk_completion=$mode: the host file holds what was written back ($nonzero bytes, pgpgout $out KiB)" \
		test "$nonzero" -gt 0 -a "$((nonzero % 4096))" -eq 0 -a "$nonzero" -le "$((out * 1024))"
done
end

begin "pagecache/fsync writes the dirty pages before the device flush"
f=$T/sync.fio
section sync direct=0 rw=write bs=4k size=8m fsync=512 buffer_pattern=0x5a5a5a5a >"$f"
vms --memory 64M --disk "$T/s.img,size=16M" --job "$f" --json
expect_rc 0
expect_json '.fio.jobs[0].error == 0 and .fio.jobs[0].sync.total_ios >= 3' 'the job synced'
# the writes up to the last fsync are on the disk: 8 MiB less the 512 writes after it
nonzero=$(tr -d '\000' <"$T/s.img" | wc -c)
check "the synced part is on the host ($nonzero bytes)" test "$nonzero" -ge $((8388608 - 512 * 4096))
end

begin "pagecache/readahead follows sequential readers only, and read_ahead_kb=0 turns it off"
f=$T/ra.fio
section seq direct=0 rw=read bs=4k size=8m >"$f"
vms --memory 64M --disk "$T/r.img,size=16M" --job "$f" --json --set read_ahead_kb=0
expect_rc 0
expect_json '.disks[0].reads == 2048 and .disks[0].bytes_read == 8388608' 'read_ahead_kb=0: one 4 KiB request per page'
section rand direct=0 rw=randread bs=4k size=8m norandommap >"$f"
vms --memory 64M --disk "$T/r.img,size=16M" --job "$f" --json
expect_rc 0
expect_json '.disks[0].bytes_read / .disks[0].reads < 8192' 'random reads are not read ahead'
end

begin "pagecache/a reader and a writer of the same pages at once: the reader never sees a page before its data"
# The writer overwrites whole pages with what the disk already holds, in a cache
# smaller than the disk, so new pages keep being made for it; a page it creates
# must not look uptodate to the reader before the data is copied in. The writer makes
# one whole pass (96 MiB of pages in 64 MiB: reclaim runs however slow the host is)
# while the reader reads at random for 2 s.
f=$T/same.fio
{
	section fill direct=1 rw=write bs=1m size=96m buffer_pattern=0x600dcafe
	section writer stonewall direct=0 rw=write bs=4k size=96m buffer_pattern=0x600dcafe
	section reader direct=0 rw=randread bs=4k size=96m verify=pattern verify_pattern=0x600dcafe runtime=2s time_based
} >"$f"
vms --memory 64M --vcpus 2 --disk "$T/same.img,size=96M" --job "$f" --json
expect_rc 0
expect_json '[.fio.jobs[].error] == [0, 0, 0]' 'every page the reader got held the data (verify), the writer ran clean'
expect_json '.fio.jobs[1].write.io_bytes > 0 and .fio.jobs[2].read.io_bytes > 0' 'both ran at once'
expect_json '.vmstat.counters.pgsteal_kswapd + .vmstat.counters.pgsteal_direct > 0' 'reclaim made room, so new pages were made all along'
end

begin "pagecache/a failed write-back reaches fsync as EIO"
if [ "$(id -u)" = 0 ] && mkdir -p "$T/tiny" && mount -t tmpfs -o size=1m tmpfs "$T/tiny" 2>/dev/null; then
	section sync direct=0 rw=write bs=4k size=4m fsync=256 >"$T/eio.fio"
	vms --memory 64M --disk "$T/tiny/e.img,size=16M,cache=writeback" --job "$T/eio.fio" --json
	umount "$T/tiny"
	expect_rc 9 'the job failed'
	expect_json '.fio.jobs[0].error == 5' 'fio error 5 (EIO) from the fsync'
	expect_json '.disks[0].io_errors > 0 and .vmstat.counters.nr_dirty > 0' 'the device failed writes; their pages stay dirty in the cache'
else
	fail_because "cannot mount a tmpfs here (needs root): the write-back error path is not tested"
fi
end

finish
