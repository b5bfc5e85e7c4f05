#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# The guest's ext3 (guest/fs/ext3): it mounts what the host's mkfs.ext3 made
# (--disk ...,fs=ext3) at /mnt/vdX, fio jobs create, write, lay out and verify files
# there (filename=/mnt/vdX/PATH), and what it leaves is what the host's e2fsprogs read:
# e2fsck -fn clean, debugfs sees the files with their sizes and block maps, and the
# superblock says clean after the run.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
export PATH="/usr/sbin:/sbin:$PATH" # e2fsprogs

begin "ext3/a file job creates, writes and verifies a file; e2fsck finds the image clean; debugfs sees it"
printf '[w]\nfilename=/mnt/vda/data\nrw=write\nbs=64k\nsize=8m\nverify=crc32c\nend_fsync=1\n' >"$T/w.fio"
vms --memory 128M --disk "$T/a.img,size=256M,fs=ext3,fsck" --job "$T/w.fio" --json
expect_rc 0 'the job runs'
expect_json '.fio.jobs[0] | .error == 0 and .write.io_bytes == 8388608 and .read.io_bytes == 8388608' \
	'8 MiB written and read back by verify'
expect_json '.disks[0].fsck.clean' 'e2fsck -fn: clean'
expect_fixed "$LOG" 'EXT3-fs (vda): mounted filesystem at /mnt/vda' 'the console says where it mounted'
expect_fixed "$LOG" 'EXT3-fs (vda): unmounted filesystem' 'and that it unmounted at the end'
debugfs -R 'stat data' "$T/a.img" >"$T/stat" 2>/dev/null
expect_grep "$T/stat" 'Type: regular +Mode: +0644' 'debugfs: a regular file, mode 0644'
expect_grep "$T/stat" 'Size: 8388608$' 'of 8 MiB'
# 2048 data blocks and the indirect (1), double indirect (1) and its first indirect (1)
expect_grep "$T/stat" 'TOTAL: 2051$' 'in 2048 data blocks and 3 of the block map'
check 'its blocks are contiguous, the indirect blocks in line as ext3 puts them' \
	grep -qE '^\(0-11\):([0-9]+)-[0-9]+, \(IND\):[0-9]+, \(12-1035\):[0-9]+-[0-9]+, \(DIND\):[0-9]+, \(IND\):[0-9]+, \(1036-2047\):' "$T/stat"
dumpe2fs -h "$T/a.img" >"$T/sb" 2>/dev/null
expect_grep "$T/sb" '^Filesystem state: +clean$' 'the superblock says clean after the run'
expect_grep "$T/sb" '^Mount count: +1$' 'and counts the mount'
expect_grep "$T/sb" '^Last mounted on: +/mnt/vda$' 'and where'
# a second boot reads the file from the disk, the cache cold (fio's verify_only)
printf '[w]\nfilename=/mnt/vda/data\nrw=write\nbs=64k\nsize=8m\nverify=crc32c\nverify_only=1\n' >"$T/v.fio"
vms --memory 128M --disk "$T/a.img,fs=ext3,fsck" --job "$T/v.fio" --json
expect_rc 0 'verify_only in a second boot'
expect_json '.fio.jobs[0].error == 0 and .disks[0].bytes_read >= 8388608 and .disks[0].fsck.clean' \
	'the blocks read from the disk are what the first boot wrote'
end

begin "ext3/several files: a reader's file is laid out, a writer's sparse file filled at random"
cat >"$T/m.fio" <<'EOF'
[global]
bs=4k
size=2m
[seq]
filename=/mnt/vda/seq
rw=write
bs=128k
[rand]
filename=/mnt/vda/rand
rw=randwrite
verify=md5
[reader]
filename=/mnt/vda/reader
rw=read
EOF
vms --memory 128M --disk "$T/m.img,size=128M,fs=ext3,fsck" --job "$T/m.fio" --json
expect_rc 0 'three file jobs at once'
expect_json '[.fio.jobs[] | .error] == [0, 0, 0]' 'none failed'
expect_json '.disks[0].fsck.clean' 'e2fsck -fn: clean'
expect_fixed "$LOG" 'laying out /mnt/vda/reader (2097152 bytes)' 'the reader'"'"'s file was laid out first, as fio does'
for f in seq rand reader; do
	debugfs -R "stat $f" "$T/m.img" >"$T/$f.stat" 2>/dev/null
	expect_grep "$T/$f.stat" 'Size: 2097152$' "$f: 2 MiB"
	expect_grep "$T/$f.stat" 'TOTAL: 513$' "$f: all 512 blocks written (and an indirect block)"
done
debugfs -R 'ls -l /' "$T/m.img" >"$T/ls" 2>/dev/null
check 'the root directory lists the three files beside lost+found' \
	test "$(grep -cE ' (seq|rand|reader|lost\+found) *$' "$T/ls")" = 4
end

begin "ext3/directories made on the way (fio's create_work_dirs); unlink=1 frees a file's blocks and inode for the next"
cat >"$T/d.fio" <<'EOF'
[first]
filename=/mnt/vda/a/b/first
rw=write
bs=64k
size=4m
unlink=1
[second]
stonewall
filename=/mnt/vda/a/second
rw=write
bs=64k
size=4m
verify=crc32c
EOF
vms --memory 128M --disk "$T/d.img,size=64M,fs=ext3,fsck" --job "$T/d.fio" --json
expect_rc 0 'both jobs run'
expect_json '[.fio.jobs[] | .error] == [0, 0]' 'none failed'
expect_json '.disks[0].fsck.clean' 'e2fsck -fn: clean (directories, links, bitmaps, counts)'
debugfs -R 'ls -l /a' "$T/d.img" >"$T/ls" 2>/dev/null
check 'the directory a holds b and second' test "$(grep -cE ' (b|second) *$' "$T/ls")" = 2
debugfs -R 'ls -l /a/b' "$T/d.img" >"$T/lsb" 2>/dev/null
check 'first is gone from a/b' test "$(grep -c ' first *$' "$T/lsb")" = 0
debugfs -R 'stat /a/b' "$T/d.img" >"$T/sb" 2>/dev/null
expect_grep "$T/sb" 'Type: directory' '/a/b is a directory'
expect_grep "$T/sb" 'Links: 2' 'with two links (its entry and its own .)'
debugfs -R 'stat /a' "$T/d.img" >"$T/sa" 2>/dev/null
expect_grep "$T/sa" 'Links: 3' '/a has three (its entry, ., and b'"'"'s ..)'
# with first freed, the blocks in use are mkfs's, second's 1024 and its indirect block,
# and a block each for the directories a and b
used_blocks() { dumpe2fs -h "$1" 2>/dev/null | awk '/^Block count:/ { n = $3 } /^Free blocks:/ { f = $3 } END { print n - f }'; }
truncate -s 64M "$T/fresh.img" && mkfs.ext3 -F -q -b 4096 "$T/fresh.img" >/dev/null 2>&1
fresh=$(used_blocks "$T/fresh.img") used=$(used_blocks "$T/d.img")
check "blocks in use: $used = a fresh file system's $fresh + 1025 + 2 (first's 1025 given back)" \
	test "$used" = "$((fresh + 1027))"
end

begin "ext3/fsync=N on a file: each fsync reaches the host as a flush after the data and metadata"
printf '[log]\nfilename=/mnt/vda/log\nrw=write\nbs=8k\nsize=256k\nfsync=1\n' >"$T/f.fio"
vms --memory 128M --disk "$T/f.img,size=64M,fs=ext3,fsck" --job "$T/f.fio" --json
expect_rc 0
# as fio: an fsync before each write after the first
expect_json '.fio.jobs[0].sync.total_ios == 31' '31 fsyncs for 32 writes'
expect_json '.disks[0].flushes >= 31' "the host saw a flush for each ($(jget '.disks[0].flushes') flushes)"
expect_json '.disks[0].fsck.clean' 'e2fsck -fn: clean'
end

begin "ext3/commit=: kjournald commits the running transaction every commit seconds"
# 16 appending writes of 4 KiB over 4 s, no fsync: each allocates a block, so each
# second's transaction has metadata to log; the journal's writes are counted in the log
printf '[t]\nfilename=/mnt/vda/t\nrw=write\nbs=4k\nsize=64k\nrate_iops=4\n' >"$T/t.fio"
for c in 1 5; do
	vms --memory 128M --disk "$T/c$c.img,size=64M,fs=ext3,fsck,log=$T/c$c.log" --job "$T/t.fio" --json --set "commit=$c"
	expect_rc 0 "commit=$c"
	# the journal's blocks (inode 8, contiguous as mkfs makes it: from its first block to
	# the last of its map), in 512-byte sectors
	read -r first last < <(debugfs -R 'stat <8>' "$T/c$c.img" 2>/dev/null | awk '/^\(0-/ { n = split($0, a, /[-:, ]+/); print a[3], a[n] }')
	"$VMSWEEP" replay-log --log "$T/c$c.log" --list >"$T/c$c.list"
	n=$(awk -v a=$((first * 8)) -v b=$(((last + 1) * 8)) '$2 == "write" && $4 >= a && $4 < b { n++ } END { print n + 0 }' "$T/c$c.list")
	eval "journal_writes_$c=$n"
done
# commit=1: a transaction about every second (4 or 5, each a descriptor, its blocks and a
# commit block, and the journal superblock's updates); commit=5: the run is over first
check "commit=1 wrote the journal $journal_writes_1 times, commit=5 $journal_writes_5 times (its one commit at unmount)" \
	test "$journal_writes_1" -ge $((journal_writes_5 + 6))
end

begin "ext3/fdatasync waits only for the transactions its file's data needs: an overwrite in place commits nothing"
# the file laid out first (a read job makes it), then 64 overwrites of 4 KiB, each fdatasync'd
# (no mtime is kept per write: Linux's fsync would commit for it once a second, fdatasync not)
printf '[lay]\nfilename=/mnt/vda/f\nrw=read\nbs=4k\nsize=256k\n[ow]\nstonewall\nfilename=/mnt/vda/f\nrw=randwrite\nbs=4k\nsize=256k\nfdatasync=1\n' >"$T/ow.fio"
vms --memory 128M --disk "$T/ow.img,size=64M,fs=ext3,fsck" --job "$T/ow.fio" --json
expect_rc 0
expect_json '.fio.jobs[1].sync.total_ios == 63' '63 fdatasyncs (one before each write after the first)'
expect_json '.journal[0].commits_forced <= 1' "at most the first asked for a commit (the layout's allocations); the rest found the blocks mapped and the size unchanged ($(jget '.journal[0].commits_forced') requested)"
expect_json '.disks[0].flushes >= 63' 'each still flushed the disk'
expect_json '.disks[0].fsck.clean' 'e2fsck -fn: clean'
# an append grows the file: each fdatasync then needs its transaction
printf '[ap]\nfilename=/mnt/vda/g\nrw=write\nbs=4k\nsize=64k\nfdatasync=1\n' >"$T/ap.fio"
vms --memory 128M --disk "$T/ap.img,size=64M,fs=ext3,fsck" --job "$T/ap.fio" --json
expect_rc 0
expect_json '.journal[0].commits_forced >= 15' "appends: the fdatasyncs asked for commits ($(jget '.journal[0].commits_forced') of 15)"
end
