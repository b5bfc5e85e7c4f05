#!/usr/bin/env bash
# Crash consistency of the guest's ext3 (#16), as dm-log-writes tests do: a run on a
# disk whose writes and flushes are logged (--disk ...,log=), then disk images at crash
# points rebuilt from the log (`vmsweep replay-log`): everything up to a flush the disk
# completed, plus a random subset of the writes after it (a disk may reorder between
# flushes). A guest mounts each image (the journal is replayed), unmounts it, and then
#  - the host's e2fsck -fn must find it clean (every mode), and
#  - every 4 KiB block of every file inside its size must be a hole (zeros) or a block
#    the workload wrote for that file at that offset (fio's verify header names the
#    offset); a block of the image's old contents ("STALE!", written over the whole
#    image before mkfs) inside a file is stale data, which data=ordered must never show
#    and data=writeback may, and
#  - every fsync that had returned before the crash keeps its promise (every mode): the
#    guest's fio marks the log when an fsync returns (docs/WRITE_LOG.md), and each file
#    whose last such mark comes before the point must hold every write the job made
#    before that fsync (or a later one of the same block), and at least the size it had
#    (scripts/ext3_crash_fsync.pl).
# With --host-fsck N, the first N points are also recovered by the host's e2fsck -fy
# instead of the guest: the journal must replay there too, leave a file system that
# e2fsck -fn then passes, and the files must hold what the guest's recovery gave them.
#
# The points are independent of each other once the log is made: --jobs J checks J of them
# at a time (each in a directory of its own; the same points, counts and output, in order).
#
#   usage: scripts/ext3_crash.sh [--mode journal|ordered|writeback] [--points N] [--seed S]
#                               [--barrier 0|1] [--host-fsck N] [--keep DIR] [--jobs J]
# Prints one line per failing point and a summary:
#   crash points N (M with the journal replayed): e2fsck clean C, stale data S, bad blocks B,
#   fsyncs checked F, fsyncs broken V[, host e2fsck -fy H (R with the journal replayed):
#   clean HC, same files HS]
# (fsyncs checked: each point's files with a returned fsync, summed; broken: those not
# kept.) Exit status 0 (the counts say what held), 1 when a run could not be made, 2 usage.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VMS=${VMSWEEP:-$ROOT/harness/vmsweep}
export PATH="/usr/sbin:/sbin:$PATH"
MODE=ordered POINTS=30 SEED=1 BARRIER=1 KEEP="" HOST_FSCK=0 JOBS=1
while [ $# -gt 0 ]; do
	case $1 in
	--mode) MODE=$2; shift 2 ;;
	--points) POINTS=$2; shift 2 ;;
	--seed) SEED=$2; shift 2 ;;
	--barrier) BARRIER=$2; shift 2 ;;
	--host-fsck) HOST_FSCK=$2; shift 2 ;;
	--keep) KEEP=$2; shift 2 ;;
	--jobs) JOBS=$2; shift 2 ;;
	*) sed -n '/^#   usage:/,/^# Exit status/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
	esac
done
case $MODE in journal | ordered | writeback) ;; *) echo "ext3_crash: --mode $MODE: journal, ordered or writeback" >&2; exit 2 ;; esac
case $JOBS in '' | *[!0-9]* | 0) echo "ext3_crash: --jobs $JOBS: a number from 1" >&2; exit 2 ;; esac
D=${KEEP:-$(mktemp -d "${TMPDIR:-/tmp}/vmsweep-crash.XXXXXX")}
mkdir -p "$D"
[ -n "$KEEP" ] || trap 'rm -rf "$D"' EXIT
SIZE=$((64 << 20))

# The image: old contents everywhere, then mkfs.ext3 (which leaves data blocks alone).
awk 'BEGIN { s = ""; while (length(s) < 4096) s = s "STALE!"; printf "%s", substr(s, 1, 4096) }' >"$D/stale.blk"
: >"$D/base.img"
for _ in $(seq 1 64); do cat "$D/stale.blk"; done >"$D/stale256k"
for _ in $(seq 1 256); do cat "$D/stale256k"; done >"$D/base.img"
mkfs.ext3 -F -q -b 4096 -J size=4 -E nodiscard "$D/base.img" || exit 1
cp "$D/base.img" "$D/run.img"

# The workload: appends, random overwrites of a laid-out file and a growing sparse
# file, 4 KiB blocks each with fio's verify header, an fsync every 8 writes; a writer
# that never fsyncs, for 2 s, whose blocks only kjournald's commits map; and a file in
# a directory deleted when written, whose blocks the last job takes again.
cat >"$D/job.fio" <<'EOF'
[global]
bs=4k
size=1m
fsync=8
verify=crc32c
do_verify=0
[append]
filename=/mnt/vda/append
rw=write
[overwrite]
filename=/mnt/vda/overwrite
rw=randrw
rwmixread=20
[sparse]
filename=/mnt/vda/sparse
rw=randwrite
[nofsync]
; no fsync, slower than the commit interval: kjournald's own commits map its blocks
filename=/mnt/vda/nofsync
rw=write
size=4m
fsync=0
rate=2m
[victim]
; deleted when done: its blocks (and its indirect block, a logged one) are freed
filename=/mnt/vda/dir/victim
rw=write
size=2m
unlink=1
[reuser]
; after the others: takes the blocks the victim gave back
stonewall
filename=/mnt/vda/dir/reuser
rw=write
size=2m
EOF
"$VMS" boot --memory 96M --disk "$D/run.img,fs=ext3,log=$D/run.log" --job "$D/job.fio" --json \
	--set "journal_mode=$MODE,barrier=$BARRIER,commit=1" --log "$D/run.console" >"$D/run.json" 2>"$D/run.err" ||
	{ echo "ext3_crash: the logged run failed: $(tail -1 "$D/run.err")" >&2; exit 1; }
"$VMS" replay-log --log "$D/run.log" --list >"$D/list" || exit 1
mapfile -t FLUSHES < <(awk '$2 == "flush" { print $1 }' "$D/list")
[ "${#FLUSHES[@]}" -gt 0 ] || { echo "ext3_crash: the run flushed nothing" >&2; exit 1; }
# What the returned fsyncs promised: their marks, and where each write of each job went.
perl "$ROOT/scripts/ext3_crash_fsync.pl" scan "$D/run.log" >"$D/promises" || exit 1
grep -q '^M ' "$D/promises" || { echo "ext3_crash: the log has no fsync marks" >&2; exit 1; }
FILES="append:1 overwrite:2 sparse:3 nofsync:4 dir/victim:5 dir/reuser:6"

# W: the directory of the point being checked (images, dumps, the guest's output).
W=$D

# Every file of the image into DIR (its '/' as '%'); debugfs dumps nothing for a file it
# does not find.
dump_files()
{
	local img=$1 dir=$2 spec name
	rm -rf "$dir" && mkdir "$dir"
	for spec in $FILES; do
		name=${spec%%:*}
		echo "dump /$name $dir/${name//\//%}"
	done >"$W/dump.cmd"
	debugfs -f "$W/dump.cmd" "$img" >/dev/null 2>&1
}

# The host's recovery of the crash image (host.img): e2fsck -fy replays the journal and
# fixes what it finds; then e2fsck -fn must pass it, and each file must be as the guest's
# recovery left it (in $W/dump). Prints "CLEAN SAME" (1 or 0 each) and, on stderr, why not.
host_recover()
{
	local rc name spec clean=1 same=1
	e2fsck -fy "$W/host.img" >"$W/host.fsck" 2>&1
	rc=$?
	# 0, or 1 when it only replayed the journal: anything else it fixed, our recovery would not have
	if [ "$rc" -gt 1 ] || grep -v -e '^Pass [1-5]' -e ': recovering journal$' -e ' files (.*, .* blocks$' -e '^e2fsck [0-9]' "$W/host.fsck" | grep -q .; then
		clean=0
		echo "e2fsck -fy exit $rc: $(grep -v '^Pass' "$W/host.fsck" | tail -6 | tr '\n' ' ')" >&2
	fi
	if ! e2fsck -fn "$W/host.img" >"$W/host.fsck2" 2>&1; then
		clean=0
		echo "e2fsck -fn after it: $(grep -v '^Pass' "$W/host.fsck2" | tail -6 | tr '\n' ' ')" >&2
	fi
	dump_files "$W/host.img" "$W/hdump"
	for spec in $FILES; do
		name=${spec%%:*}
		name=${name//\//%}
		if [ -e "$W/dump/$name" ] && [ -e "$W/hdump/$name" ]; then
			cmp -s "$W/dump/$name" "$W/hdump/$name" && continue
			echo "${spec%%:*}: differs ($(cmp "$W/dump/$name" "$W/hdump/$name" 2>&1 | head -1))" >&2
		elif [ ! -e "$W/dump/$name" ] && [ ! -e "$W/hdump/$name" ]; then
			continue
		else
			echo "${spec%%:*}: in one recovery only" >&2
		fi
		same=0
	done
	echo "$clean $same"
}

# A file's blocks inside its size, counted: a verify header naming its offset and the
# job that writes this file (fio's thread: the job's number from 1), a hole (zeros),
# stale data (the image's old contents, or another file's blocks: a deleted file's),
# anything else. (perl-base is in every Debian.)
check_file()
{
	local data=$1 thread=$2
	[ -e "$data" ] || { echo missing; return; }
	[ -s "$data" ] || { echo 0 0 0 0; return; }
	perl -e '
		open(my $f, "<:raw", $ARGV[0]) or die; my ($ok, $hole, $stale, $bad, $n) = (0, 0, 0, 0, 0);
		while (read($f, my $b, 4096)) {
			my ($magic) = unpack("v", $b); my ($lo, $hi) = unpack("x16 V V", $b); my ($thr) = unpack("x32 v", $b);
			if ($magic == 0xacca && $lo + $hi * 4294967296 == $n * 4096 && $thr == $ARGV[1]) { $ok++ }
			elsif (substr($b, 0, 6) eq "STALE!" || $magic == 0xacca) { $stale++ }
			elsif ($b =~ /^\0*$/) { $hole++ }
			else { $bad++ }
			$n++;
		}
		print "$ok $hole $stale $bad\n";' "$data" "$thread"
}

# The points' flushes, drawn from the seed before any is checked, as one loop drew them.
# (The subset of the writes after each is drawn where the point is checked, in a
# subshell, whose RANDOM bash seeds afresh: as the loop's $(awk ... $RANDOM) always did.)
RANDOM=$SEED
PK=()
for ((p = 0; p < POINTS; p++)); do
	k=$((RANDOM % ${#FLUSHES[@]}))
	# the first point: the run's first flush (FLUSHES[0] is the base's), the mount's window
	[ "$p" = 0 ] && [ "${#FLUSHES[@]}" -gt 1 ] && k=1
	PK[p]=$k
done

# check_point P: point P in its directory $D/point.P; its counts into result ("replayed
# clean stale bad promises broken host host_replayed host_clean host_same", 0 or 1 each
# but promises), what failed at it into out; exit 1 (and fatal says why) when it could
# not be checked.
check_point()
{
	local p=$1 k f next also rc ok s b spec name fo fh fs fb n v hc hs
	local replayed=0 clean=0 stale=0 bad=0 host=0 host_replayed=0 host_clean=0 host_same=0
	W=$D/point.$p
	rm -rf "$W" && mkdir -p "$W"
	k=${PK[p]}
	f=${FLUSHES[$k]} next=${FLUSHES[$((k + 1))]:-999999999}
	also=$(awk -v a="$f" -v b="$next" -v r="$RANDOM" 'BEGIN { srand(r) }
		$2 == "write" && $1 > a && $1 < b { if (rand() < 0.5) printf "%s%s", (n++ ? "," : ""), $1 }' "$D/list")
	truncate -s $SIZE "$W/cp.img"
	"$VMS" replay-log --log "$D/run.log" --replay "$W/cp.img" --limit $((f + 1)) ${also:+--also "$also"} >/dev/null ||
		{ echo "ext3_crash: replay to entry $f failed" >"$W/fatal"; return 1; }
	[ "$p" -lt "$HOST_FSCK" ] && cp "$W/cp.img" "$W/host.img"
	"$VMS" boot --memory 64M --disk "$W/cp.img,fs=ext3,fsck" --set "journal_mode=$MODE,duration_ms=0" --json \
		--log "$W/cp.console" >"$W/cp.json" 2>/dev/null
	rc=$?
	grep -q 'recovery complete' "$W/cp.console" && replayed=1
	ok=$(jq -r '.disks[0].fsck.clean' "$W/cp.json" 2>/dev/null)
	if [ "$rc" = 0 ] && [ "$ok" = true ]; then
		clean=1
	else
		echo "point $p (flush entry $f + ${also:-nothing}): guest exit $rc, e2fsck $(jq -r '.disks[0].fsck.output' "$W/cp.json" 2>/dev/null | grep -v '^Pass' | tail -8 | tr '\n' ' ')"
	fi
	s=0 b=0
	dump_files "$W/cp.img" "$W/dump"
	for spec in $FILES; do
		name=${spec%%:*}
		read -r fo fh fs fb <<<"$(check_file "$W/dump/${name//\//%}" "${spec##*:}")"
		[ "$fo" = missing ] && continue
		s=$((s + fs)) b=$((b + fb))
	done
	[ "$s" -gt 0 ] && stale=1
	[ "$b" -gt 0 ] && { bad=1; echo "point $p (flush entry $f): $b blocks that no write gave their file"; }
	[ "$s" -gt 0 ] && [ "$MODE" != writeback ] && echo "point $p (flush entry $f): $s blocks of stale data"
	# the fsyncs that had returned before the flush: their data and size must be there
	perl "$ROOT/scripts/ext3_crash_fsync.pl" check "$D/promises" "$f" "$W/dump" dir/victim >"$W/fsync.out" ||
		{ echo "ext3_crash: the fsync check failed" >"$W/fatal"; return 1; }
	read -r _ n v <"$W/fsync.out"
	[ "$v" -gt 0 ] && echo "point $p (flush entry $f): $v fsyncs broken: $(tail -n +2 "$W/fsync.out" | head -4 | tr '\n' ';')"
	if [ "$p" -lt "$HOST_FSCK" ]; then
		read -r hc hs < <(host_recover 2>"$W/host.why")
		host=1 host_clean=$hc host_same=$hs
		grep -q ': recovering journal$' "$W/host.fsck" && host_replayed=1
		[ "$hc$hs" = 11 ] || echo "point $p (flush entry $f): the host's e2fsck -fy: $(tr '\n' ' ' <"$W/host.why")"
	fi
	echo "$replayed $clean $stale $bad $n $v $host $host_replayed $host_clean $host_same" >"$W/result"
	# the images are 64 MiB each: the last point's are kept (--keep), as one loop left them
	[ "$p" = $((POINTS - 1)) ] || rm -f "$W/cp.img" "$W/host.img"
}

running=0
for ((p = 0; p < POINTS; p++)); do
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
	check_point "$p" >"$D/point.$p.out" 2>&1 &
	running=$((running + 1))
done
wait

points=0 replayed=0 clean=0 stale_points=0 bad_points=0 promises=0 broken=0 hosts=0 host_replayed=0 host_clean=0 host_same=0
for ((p = 0; p < POINTS; p++)); do
	cat "$D/point.$p.out"
	if [ ! -s "$D/point.$p/result" ]; then
		cat "$D/point.$p/fatal" >&2 2>/dev/null || echo "ext3_crash: point $p was not checked" >&2
		exit 1
	fi
	read -r pr pc ps pb pn pv ph phr phc phs <"$D/point.$p/result"
	points=$((points + 1)) replayed=$((replayed + pr)) clean=$((clean + pc))
	stale_points=$((stale_points + ps)) bad_points=$((bad_points + pb)) promises=$((promises + pn)) broken=$((broken + pv))
	hosts=$((hosts + ph)) host_replayed=$((host_replayed + phr)) host_clean=$((host_clean + phc)) host_same=$((host_same + phs))
done
host=""
[ "$hosts" -gt 0 ] && host=", host e2fsck -fy $hosts ($host_replayed with the journal replayed): clean $host_clean, same files $host_same"
echo "crash points $points ($replayed with the journal replayed): e2fsck clean $clean, stale data $stale_points, bad blocks $bad_points, fsyncs checked $promises, fsyncs broken $broken$host"
