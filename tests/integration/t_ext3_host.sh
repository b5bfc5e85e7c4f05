#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# The host's side of a disk with a file system (#16), which the guest does not mount yet:
# fs=ext3 makes the image with the host's mkfs.ext3 (its options reach it), an image the
# guest could not mount is refused by name, fsck runs e2fsck after the run; and log=
# records the run's write stream in dm-log-writes's format, whose replay rebuilds the
# disk and whose flushes are the ones the host served.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

FEATURES="has_journal ext_attr resize_inode dir_index filetype sparse_super large_file"

# dumpe2fs_field IMAGE FIELD: the value of one line of `dumpe2fs -h`.
dumpe2fs_field()
{
	dumpe2fs -h "$1" 2>/dev/null | sed -n "s/^$2:[[:space:]]*//p"
}

begin "ext3/fs=ext3 makes the image mkfs.ext3 -b 4096 makes, and e2fsck passes it"
vms --disk "$T/e.img,size=64M,fs=ext3" --json
expect_rc 0
expect_json '.disks[0].fs == "ext3" and .disks[0].mkfs == null and .disks[0].fsck == null and .disks[0].log == null' \
	'boot --json shows fs=ext3 (no mkfs options, no fsck, no log)'
check "dumpe2fs -h: the features are ($FEATURES)" \
	test "$(dumpe2fs_field "$T/e.img" 'Filesystem features')" = "$FEATURES"
check 'dumpe2fs -h: 4096-byte blocks' test "$(dumpe2fs_field "$T/e.img" 'Block size')" = 4096
check 'dumpe2fs -h: 16384 blocks, the whole 64 MiB' test "$(dumpe2fs_field "$T/e.img" 'Block count')" = 16384
check 'e2fsck -fn passes it' e2fsck -fn "$T/e.img"
end

begin "ext3/fsck: e2fsck -fn after the run, reported in boot --json; a file system it faults is said on stderr"
vms --disk "$T/c.img,size=32M,fs=ext3,fsck" --json
expect_rc 0
expect_json '.disks[0].fsck | .exit == 0 and .clean == true and (.output | test("Pass 5"))' 'e2fsck ran and found it clean'
expect_no_grep "$ERR" 'not clean' 'nothing said on stderr'
# lost+found's link count made wrong, as a guest's bug would leave it
debugfs -w -R 'sif <11> links_count 5' "$T/c.img" >/dev/null 2>&1
vms --disk "$T/c.img,fs=ext3,fsck" --json
expect_rc 0 'e2fsck finding faults does not fail the run (a test decides)'
expect_json '.disks[0].fsck | .exit == 4 and .clean == false and (.output | contains("Inode 11 ref count is 5, should be 2"))' \
	'e2fsck -n found it, fixed nothing, and its lines are there'
expect_grep "$ERR" "vda: e2fsck -fn .*c\\.img after the run: not clean \\(exit 4; its last lines are in disks\\[\\]\\.fsck\\)" \
	'stderr says it, once'
vms --disk "$T/c.img,fs=ext3,fsck"
expect_rc 0
expect_grep "$OUT" 'vda: fs=ext3; e2fsck -fn after the run: NOT clean' 'the text summary says it too'
end

begin "ext3/mkfs= options reach mkfs.ext3: a journal size, an inode size, a feature off"
vms --disk "$T/m.img,size=64M,fs=ext3,fsck,mkfs=-J size=8 -I 128 -O ^dir_index -L vmsweep" --json
expect_rc 0
expect_json '.disks[0].mkfs == "-J size=8 -I 128 -O ^dir_index -L vmsweep" and .disks[0].fsck.clean' \
	'boot --json has the options as given, and the result passes e2fsck'
check 'the journal is 8M' test "$(dumpe2fs_field "$T/m.img" 'Total journal size')" = 8M
check 'the inodes are 128 bytes' test "$(dumpe2fs_field "$T/m.img" 'Inode size')" = 128
check 'the label is vmsweep' test "$(dumpe2fs_field "$T/m.img" 'Filesystem volume name')" = vmsweep
check 'dir_index is off' test "$(dumpe2fs_field "$T/m.img" 'Filesystem features')" = \
	"has_journal ext_attr resize_inode filetype sparse_super large_file"
# the image exists now: mkfs= is refused, the file is left as it is
sum=$(md5sum <"$T/m.img")
vms --disk "$T/m.img,fs=ext3,mkfs=-J size=8"
expect_rc 2
expect_grep "$ERR" "m\\.img,mkfs=-J size=8: .*m\\.img exists: remove it to make a new file system" 'the error says why and what to do'
check 'the image is untouched' test "$(md5sum <"$T/m.img")" = "$sum"
# what mkfs.ext3 refuses: its own words, and no image left behind
vms --disk "$T/j.img,size=64M,fs=ext3,mkfs=-J size=1"
expect_rc 1
expect_grep "$ERR" 'j\.img,fs=ext3: mkfs\.ext3 -b 4096 -J size=1 failed \(exit 1\): The total requested journal size' \
	"mkfs's own message, with the disk"
check 'no image is left' test ! -e "$T/j.img"
vms --disk "$T/j.img,size=64M,fs=ext3,mkfs=-b 1024"
expect_rc 2
expect_grep "$ERR" "mkfs=-b 1024: '-b': the block size is 4096, the guest's page size \\(drop -b\\)" '-b is refused'
vms --disk "$T/j.img,size=64M,fs=ext3,mkfs=-J size=8,fsck"
expect_rc 2
expect_grep "$ERR" "mkfs= comes last: ',fsck' after it would go to mkfs\\.ext3 \\(put it before mkfs=\\)" \
	'a disk option after mkfs= is named'
end

begin "ext3/an existing image the guest cannot mount is refused by name: raw, ext4, 1 KiB blocks"
dd if=/dev/zero of="$T/raw.img" bs=1M count=8 2>/dev/null
vms --disk "$T/raw.img,fs=ext3"
expect_rc 2
expect_grep "$ERR" "raw\\.img,fs=ext3: not an ext2/ext3 file system \\(no superblock magic 0xEF53 at byte 1080\\)" \
	'a raw image: named, with the cause'
truncate -s 64M "$T/e4.img"
mkfs.ext4 -F -q -b 4096 "$T/e4.img" >/dev/null 2>&1
vms --disk "$T/e4.img,fs=ext3"
expect_rc 2
expect_grep "$ERR" "e4\\.img,fs=ext3: ext3 features the guest does not support: extent 64bit flex_bg huge_file dir_nlink extra_isize metadata_csum \\(" \
	"mkfs.ext4's image: each feature named as dumpe2fs names it"
truncate -s 64M "$T/k1.img"
mkfs.ext3 -F -q -b 1024 "$T/k1.img" >/dev/null 2>&1
vms --disk "$T/k1.img,fs=ext3"
expect_rc 2
expect_grep "$ERR" 'a block size of 1024 bytes: the guest mounts 4096-byte blocks' '1 KiB blocks are refused'
vms --disk "$T/k1.img,size=64M,fs=ext3,swap"
expect_rc 2
expect_grep "$ERR" 'fs=ext3 and swap: a swap disk holds no file system' 'fs= with swap is refused'
end

begin "ext3/a sweep: fs=ext3 made once, each run on a fresh copy of it; kept in the manifest and the run inputs; log= refused"
fs_sweep()
{
	cat >"$T/c.ini" <<EOF
[sweep]
name = t
repeat = 2
timeout = 20s
[guest]
memory = 64M
vcpus = 1
duration_ms = 20
disk = $T/s.img,size=32M,$1
[workload]
job = $T/files.fio
EOF
}
# several files per job, and a clone of each: the compiled workload is hashed into each
# run's inputs, so that a resume must compile it to the same bytes
printf '[w]\ndirectory=/mnt/vda/d\nnrfiles=3\nrw=write\nbs=64k\nsize=384k\nnumjobs=2\n' >"$T/files.fio"
fs_sweep fs=ext3
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0 'both runs done'
sed -i 's/^repeat = 2/repeat = 3/' "$T/c.ini"
vmsweep_cmd run --resume "$T/s" "$T/c.ini"
expect_rc 0 'a resume adds a repetition: the file jobs compile to the same workload, the template is the same'
# each run mounted a copy of the image mkfs made: the copy was mounted once, the template never
check "the template was never mounted (its mount count $(dumpe2fs_field "$T/s.img" 'Mount count'))" \
	test "$(dumpe2fs_field "$T/s.img" 'Mount count')" = 0
check "the last run's copy was mounted once, not once per run ($(dumpe2fs_field "$T/s.img.w0" 'Mount count'))" \
	test "$(dumpe2fs_field "$T/s.img.w0" 'Mount count')" = 1
check 'the manifest has disk.0.fs = ext3' \
	test "$(sqlite3 "$T/s/results.sqlite" "select value from manifest where key = 'disk.0.fs'")" = ext3
check 'each run input has disk.0.fs=ext3' \
	test "$(sqlite3 "$T/s/results.sqlite" "select count(*) from runs r join run_inputs i on i.id = r.inputs where i.text like '%'||char(10)||'disk.0.fs=ext3'||char(10)||'%'")" = 3
check "the image is mkfs.ext3's" test "$(dumpe2fs_field "$T/s.img" 'Filesystem features')" = "$FEATURES"
fs_sweep "fs=ext3,log=$T/s.log"
vmsweep_cmd plan "$T/c.ini"
expect_rc 2
expect_grep "$ERR" "c\\.ini:[0-9]+: disk = .*log=.*: log= records one run's writes, and every run of a sweep would write it again" \
	'log= in a sweep is refused, with file and line'
end

# A job of two writers at once, one per queue (each pinned to its own of two vCPUs),
# direct, at depth 8, each with its own pattern and an fsync every 8 writes.
log_job()
{
	cat >"$T/log.fio" <<'EOF'
[global]
filename=/dev/vda
cpus_allowed=0-1
cpus_allowed_policy=split
direct=1
ioengine=libaio
iodepth=8
rw=randwrite
bs=4k
size=1m
fsync=8
[a]
offset=1m
buffer_pattern=0x11223344
[b]
offset=2m
buffer_pattern=0x55667788
EOF
}

begin "ext3/log= on both engines: the replay rebuilds the disk, its base the disk before, its flushes the host's"
log_job
for engine in io_uring sync; do
	# the disk before the run: a known pattern in its first 256 KiB
	rm -f "$T/l.img"
	for _ in $(seq 1 16384); do printf 'before--run.%03d\n' 7; done >"$T/l.img"
	truncate -s 4M "$T/l.img"
	cp "$T/l.img" "$T/before.img"
	vms --vcpus 2 --disk "$T/l.img,engine=$engine,log=$T/l.log" --job "$T/log.fio" --json
	expect_rc 0 "engine=$engine"
	expect_json '.fio.jobs | length == 2 and all(.error == 0 and .write.io_bytes == 1048576)' "engine=$engine: both jobs wrote 1 MiB"
	expect_json '.disks[0].queue_requests | all(. > 0)' "engine=$engine: both queues took requests"
	expect_json '.disks[0] | .log.writes == .writes and .log.bytes == .bytes_written and .log.flushes == .flushes and .flushes >= 32' \
		"engine=$engine: the log took every write and flush the host served ($(jget '.disks[0] | "\(.writes) writes, \(.flushes) flushes; log: \(.log.writes), \(.log.flushes)"'))"
	flushes=$(jget '.disks[0].flushes')
	vmsweep_cmd replay-log --log "$T/l.log" --list
	expect_rc 0
	cp "$OUT" "$T/list"
	base=$(awk '$2 == "mark" && $3 == "vmsweep-base" { print $1; exit }' "$T/list")
	check "engine=$engine: the log has the base mark" test -n "$base"
	check "engine=$engine: its flush entries after the base are the host's $flushes flushes" \
		test "$(awk -v b="$base" '$1 > b && $2 == "flush"' "$T/list" | wc -l)" = "$flushes"
	check "engine=$engine: it ends with vmsweep-end" test "$(tail -n 1 "$T/list" | cut -d' ' -f2-)" = 'mark vmsweep-end'
	rm -f "$T/blank.img"
	truncate -s 4M "$T/blank.img"
	vmsweep_cmd replay-log --log "$T/l.log" --replay "$T/blank.img"
	expect_rc 0
	check "engine=$engine: the whole log onto a blank image is the disk after the run (cmp)" cmp "$T/blank.img" "$T/l.img"
	check "engine=$engine: which holds both jobs' patterns" \
		test "$(od -A n -v -t x1 -j 1048576 -N 2097152 "$T/l.img" | tr -d ' \n' | fold -w 8 | sort -u | tr '\n' ' ')" = '11223344 55667788 '
	rm -f "$T/blank.img"
	truncate -s 4M "$T/blank.img"
	vmsweep_cmd replay-log --log "$T/l.log" --replay "$T/blank.img" --end-mark vmsweep-base
	expect_rc 0
	check "engine=$engine: up to the base mark, the disk before the run (cmp)" cmp "$T/blank.img" "$T/before.img"
done
end

begin "ext3/log= with fs=ext3: the log's base is the file system mkfs made"
vms --disk "$T/f.img,size=32M,fs=ext3,log=$T/f.log"
expect_rc 0
expect_grep "$OUT" 'vda: write log .*f\.log: [0-9]+ entries: the image before the run \([1-9][0-9]* writes' 'the summary names the log'
truncate -s 32M "$T/fb.img"
vmsweep_cmd replay-log --log "$T/f.log" --replay "$T/fb.img"
expect_rc 0
check 'the replay is the image (cmp)' cmp "$T/fb.img" "$T/f.img"
check 'e2fsck -fn passes the replay' e2fsck -fn "$T/fb.img"
end

begin "ext3/a log that cannot be written ends the run, named; bad log options are named"
if [ "$(id -u)" = 0 ] && mkdir -p "$T/tiny" && mount -t tmpfs -o size=1m tmpfs "$T/tiny" 2>/dev/null; then
	cat >"$T/big.fio" <<'EOF'
[big]
filename=/dev/vda
direct=1
rw=write
bs=64k
size=4m
EOF
	vms --disk "$T/d.img,size=8M,log=$T/tiny/d.log" --job "$T/big.fio"
	expect_rc 1 'a host error'
	expect_grep "$ERR" "vda: log=.*tiny/d\\.log: writing entry [0-9]+ at byte [0-9]+: No space left on device" \
		'the log, the entry and the cause are named'
	umount "$T/tiny"
else
	fail_because "cannot mount a tmpfs here (needs root): the full-log path is not tested"
fi
vms --disk "$T/d.img,size=8M,log=$T/nodir/d.log"
expect_rc 1
expect_grep "$ERR" "d\\.img: log=.*nodir/d\\.log: No such file or directory" 'a log that cannot be created is named'
vms --disk "$T/d.img,ro,log=$T/d.log"
expect_rc 2
expect_grep "$ERR" 'log= and ro: a read-only disk is never written' 'log= with ro is refused'
vms --disk "$T/d.img,log=$T/d.log" --disk "$T/d2.img,size=1M,log=$T/d.log"
expect_rc 2
expect_grep "$ERR" "d2\\.img,log=.*d\\.log: that is also .*d\\.img's log" 'two disks cannot share a log'
end

begin "ext3/replay-log: bad use is named"
vmsweep_cmd replay-log --log "$T/none.log" --list
expect_rc 1
expect_grep "$ERR" 'none\.log: No such file or directory' 'a missing log'
printf 'not a log at all, just text, long enough for a super' >"$T/text.log"
vmsweep_cmd replay-log --log "$T/text.log" --list
expect_rc 1
expect_grep "$ERR" 'not a dm-log-writes log' 'a file that is no log'
vmsweep_cmd replay-log --log "$T/text.log"
expect_rc 2
expect_grep "$ERR" 'one of --list and --replay IMAGE is needed' 'what to do is said'
vms --disk "$T/s.img,size=1M,log=$T/s.log"
expect_rc 0
vmsweep_cmd replay-log --log "$T/s.log" --replay "$T/missing.img"
expect_rc 1
expect_grep "$ERR" 'missing\.img: No such file or directory \(make an all-zero image of the disk.s size' 'a missing image: how to make one'
truncate -s 4k "$T/small.img"
printf 'x%.0s' $(seq 1 4096) >"$T/s1"
dd if="$T/s1" of="$T/s.img" bs=4k seek=100 conv=notrunc 2>/dev/null
vms --disk "$T/s.img,log=$T/s.log"
vmsweep_cmd replay-log --log "$T/s.log" --replay "$T/small.img"
expect_rc 1
expect_grep "$ERR" 'entry 0 writes sectors 800\.\.807, past the end of .*small\.img \(4096 bytes\)' 'a log of a larger disk is refused'
vmsweep_cmd replay-log --log "$T/s.log" --replay "$T/small.img" --limit 1 --also 0
expect_rc 2
expect_grep "$ERR" '\-\-also: entry 0: expected entries after the first 1' 'a subset before the prefix'
end

finish
