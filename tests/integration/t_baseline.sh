#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# `vmsweep baseline`: the host's fio runs the compiled job on the same backing file and
# its JSON comes out unchanged, with the fields `boot --job` prints; the generated job
# keeps names, clones and groups as fio makes them of the original; errors name the
# option or file:line.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# bl ARGS...: runs `vmsweep baseline ARGS...` under `timeout 60` in $T; sets RC, OUT,
# ERR and the files end dumps, as vms does for boot.
bl()
{
	NRUN=$((NRUN + 1))
	OUT=$T/stdout.$NRUN
	ERR=$T/stderr.$NRUN
	LOG=$T/console.$NRUN.log # baseline has no guest: stays absent
	local cmd=(timeout "$HOST_TIMEOUT" "$VMSWEEP" baseline "$@")
	printf '%q ' "${cmd[@]}" >"$T/cmd.$NRUN"
	local t0 t1
	t0=$(date +%s%N)
	(cd "$T" && exec "${cmd[@]}" >"$OUT" 2>"$ERR" </dev/null)
	RC=$?
	t1=$(date +%s%N)
	WALL_MS=$(((t1 - t0) / 1000000))
	echo "$RC" >"$T/rc.$NRUN"
	echo "$WALL_MS" >"$T/wall.$NRUN"
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		fail_because "vmsweep baseline did not finish within ${HOST_TIMEOUT}s (killed by timeout)"
	fi
}

# job NAME OPTION...: a one-job file $T/NAME.fio on /dev/vda with direct=1; prints its path.
job()
{
	local f=$T/$1.fio
	shift
	printf '[%s]\nfilename=/dev/vda\ndirect=1\n' "$(basename "$f" .fio)" >"$f"
	printf '%s\n' "$@" >>"$f"
	echo "$f"
}

# json_paths FILE FILTER: every leaf path under FILTER, one per line, sorted.
json_paths()
{
	jq -r "$2 | [paths(scalars) | map(tostring) | join(\".\")] | .[]" "$1" 2>/dev/null | sort -u
}

if ! command -v fio >/dev/null 2>&1; then
	begin "baseline/the host has fio"
	fail_because "fio is not installed (apt-get install fio): vmsweep baseline runs the host's fio"
	end
	finish
fi

begin "baseline/workloads/randwrite-4k-qd32.fio on a new sparse 64M image: fio's JSON"
sed 's/^runtime=10s$/runtime=1s/' "$ROOT/workloads/randwrite-4k-qd32.fio" >"$T/rw32.fio"
check 'the runtime override took' grep -qx 'runtime=1s' "$T/rw32.fio"
bl --job "$T/rw32.fio" --disk "$T/d.img,size=64M"
expect_rc 0
expect_json '.jobs | length == 1' 'one job'
expect_json '.jobs[0].jobname == "randwrite-4k-qd32"' 'the jobname of the file'
expect_json '.jobs[0].error == 0 and .jobs[0].write.iops > 0 and .jobs[0].read.io_bytes == 0' 'it wrote, without error'
expect_json '.jobs[0].write.clat_ns.percentile["99.000000"] > 0' 'fio completion latency percentiles'
expect_json '.jobs[0]["job options"].iodepth == "32" and .jobs[0]["job options"].bs == "4096,4096"' \
	'fio ran iodepth=32 bs=4k'
check 'the image was created at 64M' test "$(stat -c %s "$T/d.img" 2>/dev/null)" = 67108864
end

begin "baseline/4k randwrite qd8 for 1s: --keep-job has the host path and direct=1"
f=$(job rw4k-qd8 ioengine=libaio rw=randwrite bs=4k iodepth=8 runtime=1s time_based)
truncate -s 64M "$T/img"
img=$(realpath "$T/img")
bl --job "$f" --disk "$T/img" --keep-job "$T/kept.fio"
expect_rc 0
expect_json '.jobs[0].jobname == "rw4k-qd8" and .jobs[0].write.iops > 0' 'jobname rw4k-qd8, write IOPS > 0'
expect_json '.jobs[0]["job options"].filename == $p' 'fio ran on the image' --arg p "$img"
expect_fixed "$T/kept.fio" "filename=$img" 'the job names the image'
expect_grep "$T/kept.fio" '^direct=1$' 'direct=1'
expect_grep "$T/kept.fio" '^ioengine=(io_uring|libaio)$' 'an async engine'
expect_grep "$T/kept.fio" '^iodepth=8$' 'iodepth=8'
expect_grep "$T/kept.fio" '^bs=4096,4096$' 'bs=4k for reads and writes'
expect_grep "$T/kept.fio" '^runtime=1s$' 'runtime=1s'
expect_grep "$T/kept.fio" '^time_based$' 'time_based'
expect_grep "$T/kept.fio" '^\[rw4k-qd8\]$' 'the section keeps the job name'
expect_no_grep "$T/kept.fio" '^[^;].*/dev/vd' 'no guest device left in its options'
check 'the image is still 64M' test "$(stat -c %s "$T/img" 2>/dev/null)" = 67108864
end

begin "baseline/a buffered job that syncs each write runs buffered on the host, and leaves no page of the image in its cache"
f=$(job log direct=0 ioengine=psync rw=write bs=8k fdatasync=1 size=4m)
truncate -s 64M "$T/img"
bl --job "$f" --disk "$T/img" --keep-job "$T/kept.fio"
expect_rc 0
expect_grep "$T/kept.fio" '^direct=0$' 'direct=0: its fdatasync covers the write-back, as in the guest'
expect_json '.jobs[0].sync.lat_ns.N >= 500' "every write synced ($(jget '.jobs[0].sync.lat_ns.N') syncs)"
# a guest's O_DIRECT writes over cached pages would pay to invalidate them
check "no page of the image cached ($(fincore --bytes --noheadings --output RES "$T/img" 2>&1))" \
	test "$(fincore --bytes --noheadings --output RES "$T/img" 2>&1 | tr -d ' ')" = 0
f=$(job log2 direct=0 ioengine=psync rw=write bs=8k fdatasync=2 size=4m)
bl --job "$f" --disk "$T/img" --keep-job "$T/kept.fio"
expect_rc 0
expect_grep "$T/kept.fio" '^direct=1$' 'fdatasync=2: direct=1, a write not yet durable would sit in the host cache'
end

begin "baseline/numjobs=2 with group_reporting: one report of both clones"
f=$(job pair rw=write bs=64k size=2m numjobs=2 group_reporting)
bl --job "$f" --disk "$T/p.img,size=8M" --keep-job "$T/kept.fio"
expect_rc 0
expect_json '.jobs | length == 1' 'one report for the group'
expect_json '.jobs[0].jobname == "pair" and .jobs[0].error == 0' 'named pair, no error'
expect_json '.jobs[0].write.io_bytes == 4194304' 'both clones wrote their 2 MiB'
check 'one section per clone' test "$(grep -c '^\[pair\]$' "$T/kept.fio")" = 2
check 'both with group_reporting' test "$(grep -c '^group_reporting$' "$T/kept.fio")" = 2
alloc=$(stat -c '%b * %B' "$T/p.img" 2>/dev/null)
check 'the new image is sparse: the clones wrote the same 2 MiB of its 8' test "$((${alloc:-99999999}))" -le 4194304
end

begin "baseline/names, clones and groups as fio makes them of the original file"
cat >"$T/groups.fio" <<'EOF'
[global]
filename=/dev/vda
direct=1
bs=64k
size=1m
[a]
rw=write
numjobs=2
[b]
stonewall
rw=randread
ioengine=io_uring
iodepth=4
numjobs=2
[c]
new_group
rw=read
offset=1m
[d]
rw=randrw
rwmixread=30
group_reporting
numjobs=2
stonewall
EOF
truncate -s 8M "$T/g.img"
bl --job "$T/groups.fio" --disk "$T/g.img"
expect_rc 0
sed "s#/dev/vda#$T/g.img#" "$T/groups.fio" >"$T/direct.fio"
(cd "$T" && timeout "$HOST_TIMEOUT" fio --output-format=json direct.fio >direct.json 2>direct.err) ||
	fail_because "fio itself failed on the original file: $(head -c 300 "$T/direct.err")"
want=$(jq -c '[.jobs[] | [.jobname, .groupid]]' "$T/direct.json" 2>/dev/null)
got=$(jget '[.jobs[] | [.jobname, .groupid]]' | jq -c . 2>/dev/null)
{ [ -n "$want" ] && [ "$want" = "$got" ]; } || fail_because "jobs and groups: baseline $got, fio on the original $want"
end

# The comparison rests on both sides reporting the same fields.
begin "baseline/every field boot --job prints is in baseline's JSON"
f=$(job cmp ioengine=libaio rw=randwrite bs=4k iodepth=8 runtime=1s time_based)
truncate -s 64M "$T/c.img"
vms --disk "$T/c.img" --job "$f"
expect_rc 0 'boot --job'
boot_json=$OUT
bl --job "$f" --disk "$T/c.img"
expect_rc 0 'baseline'
for part in '.jobs[0].read' '.jobs[0].write' '.jobs[0] | {jobname, groupid, error}'; do
	missing=$(comm -23 <(json_paths "$boot_json" "$part") <(json_paths "$OUT" "$part") | head -n 5 | tr '\n' ' ')
	[ -z "$missing" ] || fail_because "in boot's $part, not in baseline's: $missing"
	[ -n "$(json_paths "$boot_json" "$part")" ] || fail_because "boot printed nothing under $part"
done
end

begin "baseline/a bad job file: exit 2, file:line, fio never runs"
printf '[bad]\nfilename=/dev/vda\niodeph=8\ndirect=1\n' >"$T/bad.fio"
bl --job "$T/bad.fio" --disk "$T/b.img,size=1M" --keep-job "$T/kept.fio"
expect_rc 2
expect_grep "$ERR" '^vmsweep baseline: .*bad\.fio:3: .*iodeph' 'the message names file:line and the option'
expect_fixed "$ERR" "did you mean 'iodepth'" 'suggests iodepth'
check 'nothing on stdout' test ! -s "$OUT"
check 'no job file was written' test ! -e "$T/kept.fio"
check 'no image was created' test ! -e "$T/b.img"
end

begin "baseline/no --disk: exit 2, names --disk"
f=$(job nodisk rw=write size=1m)
bl --job "$f"
expect_rc 2
expect_grep "$ERR" '^vmsweep baseline: .*--disk' 'the message names --disk'
check 'the message is one line' test "$(wc -l <"$ERR")" -eq 1
check 'nothing on stdout' test ! -s "$OUT"
end

begin "baseline/a missing image without size=: exit 1, says to add size="
f=$(job noimg rw=write size=1m)
bl --job "$f" --disk "$T/none.img"
expect_rc 1
expect_grep "$ERR" '^vmsweep baseline: --disk .*none\.img.*size=' 'names the disk and size='
check 'nothing on stdout' test ! -s "$OUT"
end

begin "baseline/no --job: exit 2, names --job"
bl --disk "$T/x.img,size=1M"
expect_rc 2
expect_grep "$ERR" '^vmsweep baseline: .*--job' 'the message names --job'
end

begin "baseline/a write job on a ro disk: exit 2"
truncate -s 1M "$T/ro.img"
f=$(job rowrite rw=write size=1m)
bl --job "$f" --disk "$T/ro.img,ro"
expect_rc 2
expect_grep "$ERR" "--disk .*ro\.img,ro: job 'rowrite' writes" 'names the disk and the job'
end

begin "baseline/a file job (directory=, filename=/mnt/...): exit 2, says baseline runs raw disks only"
printf '[files]\ndirectory=/mnt/vda/d\nnrfiles=2\nrw=write\nsize=1m\n' >"$T/files.fio"
bl --job "$T/files.fio" --disk "$T/f.img,size=8M"
expect_rc 2
expect_fixed "$ERR" "job 'files' uses files on /mnt/vda" 'names the job and the mount'
expect_fixed "$ERR" 'raw disks (filename=/dev/vdX) only' 'and what baseline takes'
check 'no image was created' test ! -e "$T/f.img"
end

# A stand-in fio: no io_uring in --enghelp, and a failing run with a message.
begin "baseline/fio fails: its stderr is shown, exit 1; libaio when fio has no io_uring"
printf '#!/bin/sh\n[ "$1" = --enghelp ] && { printf "Available IO engines:\\n\\tlibaio\\n\\tpsync\\n"; exit 0; }\necho "fio: the disk is on fire" >&2\nexit 1\n' >"$T/fakefio"
chmod +x "$T/fakefio"
f=$(job fails ioengine=io_uring rw=randwrite iodepth=4 size=1m)
bl --job "$f" --disk "$T/f.img,size=1M" --fio "$T/fakefio" --keep-job "$T/kept.fio"
expect_rc 1
expect_fixed "$ERR" 'fio: the disk is on fire' "fio's stderr is shown"
expect_grep "$ERR" '^vmsweep baseline: --fio .*fakefio: exit status 1' 'names --fio and its status'
check 'nothing on stdout' test ! -s "$OUT"
expect_grep "$T/kept.fio" '^ioengine=libaio$' 'libaio for the async job'
expect_fixed "$ERR" 'libaio' 'says it falls back to libaio'
end

begin "baseline/--fio that does not exist: exit 1, names --fio"
f=$(job nofio rw=write size=1m)
bl --job "$f" --disk "$T/n.img,size=1M" --fio "$T/no-such-fio"
expect_rc 1
expect_grep "$ERR" '^vmsweep baseline: --fio .*no-such-fio' 'names --fio'
end

begin "baseline/--help"
bl --help
expect_rc 0
expect_fixed "$OUT" '--keep-job' 'lists --keep-job'
expect_fixed "$OUT" 'direct=1' 'says how the job is run'
end

finish
