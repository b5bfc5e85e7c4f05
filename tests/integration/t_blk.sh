#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# virtio-blk end to end: data reaches the backing file byte for byte and back, flushes
# reach the host, errors of the host's file reach the guest as I/O errors, fio job
# files give fio's JSON, and bad job files their errors.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

job()
{
	local f=$T/$1.fio
	shift
	printf '[%s]\nfilename=/dev/vda\ndirect=1\n' "$(basename "$f" .fio)" >"$f"
	printf '%s\n' "$@" >>"$f"
	echo "$f"
}

begin "blk/a pattern the guest writes is on the host file byte for byte"
f=$(job pat rw=write bs=64k size=1m buffer_pattern=0xdeadbeef)
vms --disk "$T/d.img,size=4M" --job "$f"
expect_rc 0
expect_json '.jobs[0].error == 0 and .jobs[0].write.io_bytes == 1048576' 'the job wrote 1 MiB without error'
check 'the first MiB of the image is 0xdeadbeef repeated' \
	test "$(od -A n -v -t x1 -N 1048576 "$T/d.img" | tr -d ' \n' | fold -w 8 | sort -u)" = deadbeef
check 'the rest of the image is untouched (zero)' \
	test "$(od -A n -v -t x1 -j 1048576 "$T/d.img" | tr -d ' \n' | tr -d 0 | wc -c)" = 0
end

begin "blk/a pattern the host writes is read back by the guest (verify)"
: >"$T/h.img"
for _ in $(seq 1 256); do printf '\xca\xfe\xf0\x0d%.0s' $(seq 1 1024); done >>"$T/h.img"
f=$(job ver rw=randread bs=4k verify=pattern verify_pattern=0xcafef00d)
vms --disk "$T/h.img" --job "$f"
expect_rc 0
expect_json '.jobs[0].error == 0 and .jobs[0].read.io_bytes == 1048576' 'read the whole 1 MiB image, all matching'
printf 'XXXX' | dd of="$T/h.img" bs=1 seek=8192 conv=notrunc 2>/dev/null
vms --disk "$T/h.img" --job "$f"
expect_rc 9 'a verify mismatch fails the job'
expect_json '.jobs[0].error == 84' 'fio error 84 (EILSEQ) for the mismatch'
expect_grep "$ERR" "fio job 'ver' failed" 'stderr names the failed job'
end

begin "blk/requests at the last sectors of the disk, and a job past its end is refused"
f=$(job tail rw=write bs=4k offset=4190208 size=4k buffer_pattern=0x5a)
vms --disk "$T/t.img,size=4M" --job "$f"
expect_rc 0
check 'the last 4 KiB of the image hold the pattern' \
	test "$(od -A n -v -t x1 -j 4190208 "$T/t.img" | tr -d ' \n' | fold -w 2 | sort -u)" = 5a
f=$(job past rw=write bs=4k offset=4190208 size=8k)
vms --disk "$T/t.img" --job "$f"
expect_rc 2 'a region beyond the disk is a usage error'
expect_grep "$ERR" 'past\.fio:[0-9]+:.*beyond the end of /dev/vda' 'the error names file, line and the disk end'
end

begin "blk/fsync reaches the host as a flush"
f=$(job sync rw=write bs=4k size=64k fsync=4)
vms --disk "$T/s.img,size=1M,engine=sync" --job "$f" --json
expect_rc 0
expect_json '.fio.jobs[0].sync.total_ios >= 3' 'fio reports the syncs'
expect_json '.disks[0].flushes >= 3' 'the host device served the flushes'
end

begin "blk/ENOSPC of the host's file reaches the guest as an I/O error and is reported"
if [ "$(id -u)" = 0 ] && mkdir -p "$T/tiny" && mount -t tmpfs -o size=1m tmpfs "$T/tiny" 2>/dev/null; then
	f=$(job fill ioengine=libaio iodepth=4 rw=write bs=64k size=8m)
	# blk_completion=poll also runs the host's deferred-completion io_uring ring (DEFER_TASKRUN)
	for mode in "--vcpus 2" "--vcpus 2 --set blk_completion=irq" "--vcpus 1 --set blk_completion=poll"; do
		rm -f "$T/tiny/d.img"
		# shellcheck disable=SC2086 # $mode is a list of options
		vms $mode --disk "$T/tiny/d.img,size=64M,cache=writeback" --job "$f" --json
		expect_rc 9 "$mode: the job failed"
		expect_json '.fio.jobs[0].error == 5' "$mode: fio error 5 (EIO)"
		expect_json '.disks[0].io_errors > 0' "$mode: the device counted the host I/O error"
		expect_json '.disks[0].first_error | contains("No space left on device")' "$mode: the cause is named"
	done
	umount "$T/tiny"
else
	fail_because "cannot mount a tmpfs here (needs root): the ENOSPC path is not tested"
fi
end

begin "blk/fio job files: randwrite qd32 and seqwrite 1M give fio's JSON"
for w in randwrite-4k-qd32 seqwrite-1m-qd4; do
	sed 's/^runtime=.*/runtime=1s/' "$ROOT/workloads/$w.fio" >"$T/$w.fio"
	vms --disk "$T/$w.img,size=64M" --job "$T/$w.fio"
	expect_rc 0 "$w"
	expect_json '.jobs | length == 1' "$w: one job in jobs[]"
	expect_json '.jobs[0].jobname == $n' "$w: jobname" --arg n "$w"
	expect_json '.jobs[0].write.iops > 0 and .jobs[0].write.bw > 0 and .jobs[0].write.io_bytes > 0' "$w: iops, bw, io_bytes"
	expect_json '.jobs[0].write.clat_ns.percentile["50.000000"] <= .jobs[0].write.clat_ns.percentile["99.000000"]' "$w: clat percentiles"
	expect_json '.jobs[0].write.clat_ns.N == .jobs[0].write.total_ios' "$w: clat N = total_ios"
done
end

begin "blk/bad disks and job files get clear errors"
vms --disk "$T/nope/d.img,size=1M" --job "$(job x rw=read)"
expect_rc 1 'a missing directory'
expect_grep "$ERR" 'nope' 'names the path'
vms --disk "$T/absent.img" --set duration_ms=0
expect_rc 1 'a missing image without size='
expect_grep "$ERR" 'add size=' 'says how to create it'
vms --disk "$T/d.img,size=12X"
expect_rc 2 'a size that does not parse'
expect_grep "$ERR" 'size=12X' 'names the part'
printf 'x' >"$T/ro.img" && truncate -s 1M "$T/ro.img" && chmod 0444 "$T/ro.img"
if [ "$(id -u)" != 0 ]; then
	vms --disk "$T/ro.img" --set duration_ms=0
	expect_rc 1 'a read-only file opened read-write'
	expect_grep "$ERR" ',ro' 'suggests ,ro'
fi
vms --disk "$T/ro.img,ro" --job "$(job w rw=write bs=4k size=4k)"
expect_rc 9 'writes to a read-only disk fail in the guest'
# the disks of the corpus's unit test: 1 GiB and 256 MiB (sparse)
for bad in "$ROOT"/tests/fio-corpus/bad/*.fio; do
	want=$(sed -n 's/^# expect: \(.*\)/\1/p' "$bad" | head -1)
	vms --disk "$T/c.img,size=1G" --disk "$T/c2.img,size=256M" --job "$bad"
	expect_rc 2 "$(basename "$bad")"
	phrase=${want#*: }
	sed "s|$ROOT/||g" "$ERR" >"$ERR.rel" # the corpus names its files relative to the repository
	expect_fixed "$ERR.rel" "$phrase" "$(basename "$bad"): '$phrase'"
done
end

begin "blk/--hugepages: guest RAM from the host's huge pages, or a clear error when the pool is short"
f=$(job big direct=1 ioengine=libaio iodepth=4 rw=write bs=1m size=8m verify=crc32c)
free=$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)
if [ "${free:-0}" -lt 32 ]; then
	vms --hugepages --memory 64M --disk "$T/d.img,size=16M" --job "$f"
	expect_rc 1 "a short pool"
	expect_grep "$ERR" 'needs 32 huge pages of 2 MiB, the host has [0-9]+ free \(sysctl vm.nr_hugepages\)|has no huge pages' \
		"the error says what it takes"
fi
# With a pool (as root: reserved for the test, given back after).
if [ -w /proc/sys/vm/nr_hugepages ]; then
	old=$(cat /proc/sys/vm/nr_hugepages)
	echo $((old + 40)) >/proc/sys/vm/nr_hugepages
	vms --hugepages --memory 64M --disk "$T/d.img,size=16M" --job "$f"
	echo "$old" >/proc/sys/vm/nr_hugepages
	expect_rc 0 "a pool of 40 more pages"
	expect_json '.jobs[0].error == 0 and .jobs[0].read.io_bytes == 8388608' "1 MiB writes verified"
fi
end

begin "blk/wbt_lat_usec: writeback throttling keeps background writeback shallow, so a reader behind it waits less"
# 64 MiB buffered, over the background threshold (5 %), written back by the flusher on
# a 20 MB/s disk, while a direct reader reads 4k at 20 IOPS. Without wbt the flusher
# may fill the queue (128 requests of up to 1 MiB: seconds of writes ahead of a read);
# with it (auto: Linux 4.10+'s 75 ms on a rotational disk) background writeback has at
# most a quarter of 3/4 of the queue, 24 requests (1.2 s at 20 MB/s). The era before
# 4.10 (bdi) has none.
printf '[w]\nfilename=/dev/vda\nrw=write\nbs=1m\nsize=64m\n' >"$T/wbt.fio"
printf '[r]\nfilename=/dev/vda\ndirect=1\nrw=randread\nbs=4k\noffset=512m\nsize=64m\nrate_iops=20\nruntime=4s\ntime_based\n' >>"$T/wbt.fio"
max_0=0 max_auto=0
for w in 0 auto; do
	vms --memory 256M --vcpus 2 --disk "$T/wbt.img,size=1G,rate=20M" --job "$T/wbt.fio" --json \
		--set "wbt_lat_usec=$w,dirty_ratio=60,dirty_background_ratio=5"
	expect_rc 0 "wbt_lat_usec=$w"
	v=$(jget '.fio.jobs[] | select(.jobname == "r") | .read.clat_ns.max')
	[ "$w" = 0 ] && max_0=${v:-0} || max_auto=${v:-0}
done
expect_json '.block[0].wbt | .lat_ns == 75000000 and .throttled > 0 and .windows > 0 and .max_depth <= 96' \
	"auto: on at 75 ms, writes throttled ($(jget '.block[0].wbt | tojson'))"
check "auto: the reader's longest wait ($max_auto ns) is within 24 background requests' time, 1.25 s" \
	test "$max_auto" -le 1250000000
check "off: the reader waited longer behind the flusher's queue ($max_0 ns against $max_auto)" test "$max_0" -gt "$max_auto"
vms --memory 64M --disk "$T/wbt.img,size=1G" --set writeback_model=bdi --json
expect_json '.block == null or (.block | all(.wbt == null))' 'the bdi era (2.6.32-3.1): no writeback throttling'
# a setting, not an effect: a few reads are enough to report it (not the 4 s reader)
printf '[r]\nfilename=/dev/vda\ndirect=1\nrw=randread\nbs=4k\noffset=512m\nsize=64k\n' >"$T/short.fio"
vms --memory 64M --disk "$T/wbt.img,size=1G" --set wbt_lat_usec=2000 --job "$T/short.fio" --json
expect_json '.block[0].wbt.lat_ns == 2000000' 'wbt_lat_usec=2000: the target set'
end

begin "blk/iosched=cfq: sync requests first, async writeback held while they are in flight, so a reader behind it waits little"
# The same job in the bdi era (2.6.32-3.1, no wbt). With none the reader's 4k reads
# queue behind whatever writeback put in the queue; with cfq each read goes before the
# async writes that wait, and behind at most cfq_quantum (4) of them in flight: 4 MiB,
# 0.2 s at 20 MB/s.
printf '[w]\nfilename=/dev/vda\nrw=write\nbs=1m\nsize=64m\n' >"$T/wbt.fio"
printf '[r]\nfilename=/dev/vda\ndirect=1\nrw=randread\nbs=4k\noffset=512m\nsize=64m\nrate_iops=20\nruntime=4s\ntime_based\n' >>"$T/wbt.fio"
max_none=0 max_cfq=0
for s in none cfq; do
	vms --memory 256M --vcpus 2 --disk "$T/cfq.img,size=1G,rate=20M" --job "$T/wbt.fio" --json \
		--set "iosched=$s,writeback_model=bdi,dirty_ratio=60,dirty_background_ratio=5"
	expect_rc 0 "iosched=$s"
	expect_json '.block[0].iosched == $s' "iosched=$s reported" --arg s "$s"
	v=$(jget '.fio.jobs[] | select(.jobname == "r") | .read.clat_ns.max')
	[ "$s" = none ] && max_none=${v:-0} || max_cfq=${v:-0}
done
expect_json '.block[0].cfq | .sync_dispatched >= 80 and .async_dispatched > 0 and .async_held > 0' \
	"cfq: the reads went as sync, writeback as async, some of it held ($(jget '.block[0].cfq | tojson'))"
check "cfq: the reader's longest wait ($max_cfq ns) is within 4 async requests' time and its own, 0.3 s" \
	test "$max_cfq" -le 300000000
check "none: the reader waited longer behind writeback ($max_none ns against $max_cfq)" test "$max_none" -gt "$max_cfq"
# the era's default scheduler is a setting: a few reads report it (not the 4 s reader)
printf '[r]\nfilename=/dev/vda\ndirect=1\nrw=randread\nbs=4k\noffset=512m\nsize=64k\n' >"$T/short.fio"
for era in pdflush:cfq bdi:cfq ioless:none; do
	vms --memory 64M --disk "$T/cfq.img,size=1G" --set "writeback_model=${era%%:*}" --job "$T/short.fio" --json
	expect_json '.block[0].iosched == $s' "iosched=auto in the ${era%%:*} era: ${era#*:}" --arg s "${era#*:}"
done
end

finish
