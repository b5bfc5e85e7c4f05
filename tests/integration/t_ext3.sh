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

# file sizes of the regular files in directory DIR of image IMG, "NAME SIZE" a line, by name
file_sizes() { debugfs -R "ls -l $2" "$1" 2>/dev/null | awk '$2 ~ /^100/ { print $NF, $6 }' | sort; }

begin "ext3/directory= and nrfiles: fio's names (\$jobname.\$jobnum.\$filenum), size= split over the files, each written whole; filename= under directory=; unlink=1 takes them all"
cat >"$T/n.fio" <<'EOF'
[global]
directory=/mnt/vda/d
bs=4k
[w]
nrfiles=3
size=3m
rw=write
numjobs=2
[rel]
filename=sub/f
size=64k
rw=randwrite
[gone]
stonewall
directory=/mnt/vda/g
nrfiles=4
size=1m
rw=write
unlink=1
EOF
vms --memory 128M --disk "$T/n.img,size=128M,fs=ext3,fsck" --job "$T/n.fio" --json
expect_rc 0 'the jobs run'
expect_json '[.fio.jobs[] | .error] == [0, 0, 0, 0]' 'none failed'
expect_json '[.fio.jobs[] | .write.io_bytes] == [3145728, 3145728, 65536, 1048576]' 'each job wrote its size= over its files'
expect_json '.disks[0].fsck.clean' 'e2fsck -fn: clean'
file_sizes "$T/n.img" /d >"$T/n.sizes"
check 'd holds w.0.0..w.0.2 and w.1.0..w.1.2, 1 MiB each (3m / nrfiles=3)' \
	test "$(tr '\n' ' ' <"$T/n.sizes")" = "w.0.0 1048576 w.0.1 1048576 w.0.2 1048576 w.1.0 1048576 w.1.1 1048576 w.1.2 1048576 "
for f in w.0.0 w.1.2; do
	debugfs -R "stat /d/$f" "$T/n.img" >"$T/$f.stat" 2>/dev/null
	expect_grep "$T/$f.stat" 'TOTAL: 257$' "$f: all 256 blocks written (and an indirect block)"
done
debugfs -R 'stat /d/sub/f' "$T/n.img" >"$T/rel.stat" 2>/dev/null
expect_grep "$T/rel.stat" 'Size: 65536$' 'filename=sub/f is d/sub/f, fio'"'"'s directory/filename, 64 KiB'
check 'unlink=1 removed all four files of the job' test -z "$(file_sizes "$T/n.img" /g)"
end

begin "ext3/file_service_type: roundrobin spreads a job's I/Os over its files in turn, roundrobin:N N at a time, sequential fills one, random draws"
# create_on_open: no layout, so each file is as long as what was written to it; size= is
# half of the four files' 64 KiB each, so how the I/Os went shows in the sizes
for st in roundrobin roundrobin:3 sequential random; do
	n=${st/:/_}
	nr=4
	[ "$st" = roundrobin:3 ] && nr=2 && size=40k || size=128k
	printf '[j]\ndirectory=/mnt/vda\nnr_files=%s\nfilesize=64k\nsize=%s\ncreate_on_open=1\nrw=write\nbs=4k\nfile_service_type=%s\n' \
		"$nr" "$size" "$st" >"$T/$n.fio"
	vms --memory 128M --disk "$T/$n.img,size=64M,fs=ext3,fsck" --job "$T/$n.fio" --json
	expect_rc 0 "$st"
	expect_json '.fio.jobs[0].error == 0 and .disks[0].fsck.clean' "$st: no error, e2fsck clean"
	file_sizes "$T/$n.img" / | tr '\n' ' ' >"$T/$n.sizes"
done
check 'roundrobin: each of the 4 files got every 4th write, 32 KiB each' \
	test "$(cat "$T/roundrobin.sizes")" = "j.0.0 32768 j.0.1 32768 j.0.2 32768 j.0.3 32768 "
check 'roundrobin:3, 2 files, 10 writes: 3 to one, 3 to the other, in turn: 24 KiB and 16 KiB' \
	test "$(cat "$T/roundrobin_3.sizes")" = "j.0.0 24576 j.0.1 16384 "
check 'sequential: the first two filled, the others never opened (so never created)' \
	test "$(cat "$T/sequential.sizes")" = "j.0.0 65536 j.0.1 65536 "
read -r -a rs <"$T/random.sizes"
check "random: all 4 files written, 128 KiB in all, unevenly ($(cat "$T/random.sizes"))" \
	test "${#rs[@]}" = 8 -a "$((rs[1] + rs[3] + rs[5] + rs[7]))" = 131072 -a "$(cat "$T/random.sizes")" != "$(cat "$T/roundrobin.sizes")"
end

begin "ext3/several files per job: verify reads back each file's blocks, fsync=N goes to the file served next, end_fsync to each, a reader's files are laid out; create_on_open leaves a reader an empty file (EIO, as fio)"
cat >"$T/v.fio" <<'EOF'
[global]
directory=/mnt/vda/v
bs=4k
[rv]
nrfiles=3
size=768k
rw=randwrite
verify=crc32c
end_fsync=1
[sync]
nrfiles=2
size=16k
rw=write
fsync=1
[rd]
nrfiles=2
filesize=128k
rw=read
[coo]
stonewall
directory=/mnt/vda/c
create_on_open=1
size=64k
rw=read
EOF
vms --memory 128M --disk "$T/v.img,size=64M,fs=ext3,fsck" --job "$T/v.fio" --json
expect_json '[.fio.jobs[] | .error] == [0, 0, 0, 5]' 'the first three ran clean; the create_on_open reader failed with EIO'
expect_json '.fio.jobs[0] | .write.io_bytes == 786432 and .read.io_bytes == 786432' 'verify read back the 768 KiB written over 3 files'
# roundrobin: write f0, fsync f1 (the next file served), write f0, fsync f1, then f0 is done:
# write f1, fsync f1, write f1
expect_json '.fio.jobs[1] | .sync.total_ios == 3 and .write.io_bytes == 16384' 'fsync=1: 3 fsyncs for 4 writes over 2 files'
expect_json '.fio.jobs[2].read.io_bytes == 262144' 'the reader read its two 128 KiB files'
expect_json '.disks[0].fsck.clean' 'e2fsck -fn: clean'
expect_fixed "$LOG" 'laying out /mnt/vda/v/rd.0.0 (131072 bytes)' 'the reader'"'"'s first file laid out'
expect_fixed "$LOG" 'laying out /mnt/vda/v/rd.0.1 (131072 bytes)' 'and its second'
check 'no layout for the create_on_open job' bash -c "! grep -q 'laying out /mnt/vda/c' '$LOG'"
check 'rv wrote 256 KiB to each of its files, sync 8 KiB to each' \
	test "$(file_sizes "$T/v.img" /v | grep -E '^(rv|sync)' | tr '\n' ' ')" = "rv.0.0 262144 rv.0.1 262144 rv.0.2 262144 sync.0.0 8192 sync.0.1 8192 "
check 'the job'"'"'s open created its file, empty' test "$(file_sizes "$T/v.img" /c)" = "coo.0.0 0"
end

begin "ext3/reservation windows: two files growing at once each get long runs of blocks, not interleaved ones"
# Two writers (one per vCPU) append 16 MiB each, 4 KiB at a time, at the same time.
# Without windows their blocks interleave (about 180 runs each at 64 KiB writes); with
# windows that never grow, about 50-70; with ext3's (8 blocks, doubling while used, up
# to 1027) each file is 3-5 runs.
printf '[global]\ndirectory=/mnt/vda\nrw=write\nbs=4k\nsize=16m\ncpus_allowed=0-1\ncpus_allowed_policy=split\n[a]\n[b]\n' >"$T/two.fio"
vms --vcpus 2 --memory 128M --disk "$T/r.img,size=256M,fs=ext3,fsck" --job "$T/two.fio" --json
expect_rc 0
expect_json '.disks[0].fsck.clean' 'e2fsck: clean'
runs() { debugfs -R "blocks $2" "$1" 2>/dev/null | tr ' ' '\n' | awk 'NF { if (n && $1 != prev + 1) r++; prev = $1; n++ } END { print n + 0, r + 1 }'; }
for f in /a.0.0 /b.0.0; do
	read -r n r < <(runs "$T/r.img" "$f")
	check "$f: 4096 data blocks and 5 indirect ones ($n)" test "$n" = 4101
	check "$f: in at most 12 runs of blocks ($r)" test "$r" -le 12
done
end
