#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# fio's verify=: a write job reads back what it wrote and checks it (fio's verify phase,
# its reads in the job's read statistics); verify_only checks, in a second boot, what an
# earlier one wrote, so a byte the host changes in between fails the job with fio's
# error 84 at that block's offset, and a block copied elsewhere fails on its header;
# the blocks are fio's own, so host fio verifies the guest's and the other way round.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# job NAME OPTION...: a one-job file $T/NAME.fio on /dev/vda; prints its path.
job()
{
	local f=$T/$1.fio
	shift
	printf '[%s]\nfilename=/dev/vda\n' "$(basename "$f" .fio)" >"$f"
	printf '%s\n' "$@" >>"$f"
	echo "$f"
}

# verified WHAT: the job wrote 1 MiB, read it all back, without error.
verified()
{
	expect_rc 0 "$1"
	expect_json '.jobs[0].error == 0 and .jobs[0].write.io_bytes == 1048576' "$1: wrote 1 MiB without error"
	expect_json '.jobs[0].read.io_bytes == 1048576 and .jobs[0].read.total_ios > 0 and .jobs[0].read.runtime >= 0' \
		"$1: the verify phase read the 1 MiB back, in the read statistics as fio counts them"
}

begin "fio_verify/write jobs read back and check: crc32c, md5, verify_pattern, pattern, null"
for v in "verify=crc32c" "verify=md5" "verify_pattern=0xfeedf00d" "verify=pattern verify_pattern=0x5a" "verify=null"; do
	# shellcheck disable=SC2086 # $v is a list of options
	f=$(job w direct=1 ioengine=libaio iodepth=8 rw=randwrite bs=4k size=1m $v)
	rm -f "$T/d.img"
	vms --disk "$T/d.img,size=8M" --job "$f"
	verified "$v"
done
end

begin "fio_verify/polled, buffered, sequential 64k, and do_verify=0 (no read-back)"
f=$(job w direct=1 ioengine=libaio iodepth=8 rw=randwrite bs=4k size=1m verify=crc32c)
vms --vcpus 1 --set blk_completion=poll --disk "$T/p.img,size=8M" --job "$f"
verified "polled"
f=$(job w direct=0 rw=randwrite bs=4k size=1m verify=md5)
vms --disk "$T/b.img,size=8M" --job "$f"
verified "buffered (direct=0)"
f=$(job w direct=1 ioengine=libaio iodepth=4 rw=write bs=64k size=1m verify=crc32c)
vms --disk "$T/s.img,size=8M" --job "$f"
verified "sequential 64k"
f=$(job w direct=1 rw=write bs=4k size=1m verify=crc32c do_verify=0)
vms --disk "$T/n.img,size=8M" --job "$f"
expect_rc 0 'do_verify=0'
expect_json '.jobs[0].write.io_bytes == 1048576 and .jobs[0].read.io_bytes == 0' 'do_verify=0: written, not read back'
end

begin "fio_verify/time_based: write and verify in turn until the runtime is over"
f=$(job w direct=1 ioengine=libaio iodepth=8 rw=randwrite bs=4k size=256k verify=crc32c runtime=1s time_based)
vms --disk "$T/t.img,size=8M" --job "$f"
expect_rc 0
expect_json '.jobs[0].error == 0 and .jobs[0].write.io_bytes > 2 * 262144 and .jobs[0].read.io_bytes >= 262144' \
	'more than one round of writes, each read back'
# the runtime ends a round's writes or its verify phase wherever it falls, as in fio
expect_json '.jobs[0].read.io_bytes <= .jobs[0].write.io_bytes and .jobs[0].write.io_bytes - .jobs[0].read.io_bytes <= 262144' \
	'every round read back what it wrote, but the one the runtime ended'
end

begin "fio_verify/verify_only: a later boot checks the image, and finds the byte the host changed"
base=(direct=1 ioengine=libaio iodepth=4 rw=randwrite bs=4k size=1m verify=crc32c)
w=$(job w "${base[@]}" do_verify=0)
vms --disk "$T/v.img,size=8M" --job "$w"
expect_rc 0 'the write boot'
expect_json '.jobs[0].write.io_bytes == 1048576 and .jobs[0].read.io_bytes == 0' 'written, not read back'
cp "$T/v.img" "$T/moved.img"
w=$(job w "${base[@]}" verify_only)
vms --disk "$T/v.img" --job "$w"
expect_rc 0 'the unchanged image verifies clean'
expect_json '.jobs[0].error == 0 and .jobs[0].read.io_bytes == 1048576' 'verify_only read the 1 MiB back'
expect_json '.jobs[0].write.io_bytes == 1048576 and .jobs[0].write.runtime == 0' \
	'the writes it replayed are counted as fio counts them, in no time'
expect_grep "$ERR" 'vda: .* [0-9]+ reads \(1 MiB\), 0 writes' 'the device read 1 MiB and wrote nothing'
# one byte in the middle of the block at 12 KiB
printf '\xff' | dd of="$T/v.img" bs=1 seek=$((12288 + 1000)) conv=notrunc status=none
vms --disk "$T/v.img" --job "$w"
expect_rc 9 'a changed byte fails the job'
expect_json '.jobs[0].error == 84' 'fio error 84 (EILSEQ)'
expect_grep "$ERR" "fio job 'w' failed: error 84 \(verify: crc32c mismatch: .* at /dev/vda offset 12288, length 4096\)" \
	'stderr names the checksum and the block offset'
expect_grep "$LOG" 'verify: data mismatch .* at vda offset 12288' 'the guest console says so too'
# the block at 12 KiB copied over the one at 20 KiB: right bytes, wrong place
dd if="$T/moved.img" of="$T/moved.img" bs=4096 skip=3 seek=5 count=1 conv=notrunc status=none
vms --disk "$T/moved.img" --job "$w"
expect_rc 9 'a misplaced block fails the job'
expect_grep "$ERR" 'bad header offset 12288, wanted 20480 .* at /dev/vda offset 20480' \
	'stderr says the block at 20480 holds the one written for 12288'
end

begin "fio_verify/boot --json keeps the reads the verify phase did on the device"
f=$(job w direct=1 rw=write bs=64k size=1m verify=md5)
vms --disk "$T/j.img,size=8M" --job "$f" --json
expect_rc 0
expect_json '.fio.jobs[0].read.io_bytes == 1048576' "fio's JSON counts the verify reads"
expect_json '.disks[0].bytes_read == 1048576 and .disks[0].bytes_written == 1048576' 'the device served them'
end

begin "fio_verify/refused: other verify types and verify_* options name file, line and option"
f=$(job bad direct=1 rw=write verify=sha256)
vms --disk "$T/r.img,size=8M" --job "$f"
expect_rc 2
expect_grep "$ERR" 'bad\.fio:5: verify=sha256: not supported by vmsweep \(verify=md5, crc32c, crc32c-intel, pattern, null or 0\)' \
	'verify=sha256 refused'
f=$(job bad direct=1 rw=write verify=crc32c verify_backlog=16)
vms --disk "$T/r.img,size=8M" --job "$f"
expect_rc 2
expect_grep "$ERR" "bad\\.fio:6: option 'verify_backlog': not supported by vmsweep" 'verify_backlog refused'
end

fio_in_t()
{
	(cd "$T" && fio --output-format=terse "$@")
}

if command -v fio >/dev/null 2>&1; then
	begin "fio_verify/host fio verifies what the guest wrote, and the guest what host fio wrote"
	for v in crc32c md5; do
		rm -f "$T/g.img"
		f=$(job w direct=1 rw=randwrite bs=4k size=1m verify=$v do_verify=0)
		vms --disk "$T/g.img,size=8M" --job "$f"
		expect_rc 0 "$v: the guest wrote"
		printf '[r]\nfilename=%s\ndirect=1\nrw=read\nbs=4k\nsize=1m\nverify=%s\n' "$T/g.img" $v >"$T/hr.fio"
		# in $T: fio leaves its verify state files (*-verify.state) in the working directory
		check "$v: host fio verifies the guest's blocks" fio_in_t "$T/hr.fio"
		rm -f "$T/h.img"
		truncate -s 8M "$T/h.img"
		printf '[w]\nfilename=%s\ndirect=1\nrw=randwrite\nbs=4k\nsize=1m\nverify=%s\ndo_verify=0\n' "$T/h.img" $v >"$T/hw.fio"
		check "$v: host fio wrote" fio_in_t "$T/hw.fio"
		f=$(job r direct=1 rw=randread bs=4k size=1m verify=$v)
		vms --disk "$T/h.img" --job "$f"
		expect_rc 0 "$v: the guest verifies host fio's blocks"
		expect_json '.jobs[0].error == 0 and .jobs[0].read.io_bytes == 1048576' "$v: all of them"
	done
	end

	begin "fio_verify/baseline: host fio verifies as the guest does"
	f=$(job w direct=1 ioengine=libaio iodepth=4 rw=randwrite bs=4k size=1m verify=md5)
	vmsweep_cmd baseline --job "$f" --disk "$T/bl.img,size=8M" --keep-job "$T/kept.fio"
	expect_rc 0
	expect_json '.jobs[0].error == 0 and .jobs[0].write.io_bytes == 1048576 and .jobs[0].read.io_bytes == 1048576' \
		'host fio wrote 1 MiB and read it back'
	expect_grep "$T/kept.fio" '^verify=md5$' 'the generated job verifies with md5'
	expect_no_grep "$T/kept.fio" '^do_verify=0$' 'and reads back'
	vms --disk "$T/bl.img" --job "$f"
	verified 'the guest, on the same image'
	end
fi

finish
