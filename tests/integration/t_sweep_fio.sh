#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq and awk use $ of their own
# fio options and job files as sweep parameters: each point runs its job with its
# values set (the direction of rw, iodepth by Little's law), export names rw by its
# words, and a list of job files is one axis. Each run keeps its fio JSON and console. The shipped writeback configs plan to their grids.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "sweep/fio.rw and fio.iodepth as parameters: each point does what its values say"
cat >"$T/w.fio" <<'EOF2'
[w]
filename=/dev/vda
direct=1
ioengine=libaio
rw=randwrite
iodepth=2
bs=4k
size=8m
runtime=1s
time_based
EOF2
cat >"$T/c.ini" <<EOF2
[sweep]
repeat = 1
order = sequential
[guest]
memory = 64M
disk = $T/d.img,size=16M,prefill
[workload]
job = w.fio
[params]
fio.rw = randread, randwrite
fio.iodepth = 1, 8
EOF2
vmsweep_cmd plan "$T/c.ini"
expect_rc 0
expect_grep "$OUT" ' randwrite +8$' 'plan prints rw by its word'
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0
check 'each run keeps its fio JSON' test "$(for i in 0 1 2 3; do zcat "$T/s/runs/$i.fio.json.gz" | jq -r '.jobs[0].jobname'; done | tr '\n' ' ')" = 'w w w w '
check 'the JSON is the run'"'"'s: run 3 wrote at iodepth 8' test "$(zcat "$T/s/runs/3.fio.json.gz" | jq '.jobs[0].write.total_ios > 0 and .jobs[0].read.total_ios == 0')" = true
check 'the JSON is json+ with the job options the point ran (fio.iodepth=8 after the file'"'"'s)' test \
	"$(zcat "$T/s/runs/3.fio.json.gz" | jq '(.jobs[0].write.clat_ns.bins | length > 0) and .jobs[0]."job options".iodepth == "8"')" = true
check 'each run keeps its console log' test "$(zcat "$T/s/runs/0.console.log.gz" | grep -c 'HZ=')" -ge 1
vmsweep_cmd export "$T/s" --metrics 'fio.w.read.iops,fio.w.write.iops,fio.w.read.clat_mean_ns,fio.w.write.clat_mean_ns'
expect_rc 0
expect_grep "$OUT" '^run,point,rep,status,fio\.rw,fio\.iodepth,' 'the header names the fio parameters'
check 'randread points read and do not write' test "$(grep -Ec '^[0-9]+,[0-9]+,0,done,randread,[0-9]+,[0-9.]+,,[0-9.]+,$' "$OUT")" = 2
check 'randwrite points write and do not read' test "$(grep -Ec '^[0-9]+,[0-9]+,0,done,randwrite,[0-9]+,,[0-9.]+,,[0-9.]+$' "$OUT")" = 2
# Little's law: IOPS x mean completion latency is the I/Os in flight, the iodepth asked for
# (a little less: submission is not in clat).
little=$(awk -F, 'NR > 1 { iops = $7 + $8; lat = $9 + $10; printf "%s:%.2f ", $6, iops * lat / 1e9 / $6 }' "$OUT")
check "IOPS x mean latency / iodepth within 0.7..1.1 at each point ($little)" \
	awk -F, 'NR > 1 { r = ($7 + $8) * ($9 + $10) / 1e9 / $6; if (r < 0.7 || r > 1.1) bad = 1 } END { exit bad }' "$OUT"
end

begin "sweep/a list of job files is one axis"
printf '[r]\nfilename=/dev/vda\ndirect=1\nrw=randread\nbs=4k\nsize=1m\n' >"$T/r.fio"
printf '[w]\nfilename=/dev/vda\ndirect=1\nrw=randwrite\nbs=4k\nsize=1m\n' >"$T/w.fio"
cat >"$T/c.ini" <<EOF2
[sweep]
repeat = 2
[guest]
memory = 64M
disk = $T/d.img,size=4M,prefill
[params]
job = r.fio, w.fio
EOF2
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0
vmsweep_cmd export "$T/s" --metrics 'fio.r.read.ios,fio.w.write.ios'
check 'r.fio runs read' test "$(grep -Ec '^[0-9]+,[0-9]+,[0-9],done,r\.fio,256,$' "$OUT")" = 2
check 'w.fio runs write' test "$(grep -Ec '^[0-9]+,[0-9]+,[0-9],done,w\.fio,,256$' "$OUT")" = 2
check 'the manifest keeps both job files' test "$(sqlite3 "$T/s/results.sqlite" "select count(*) from manifest where key in ('job.0', 'job.1')")" = 2
vmsweep_cmd report "$T/s"
expect_rc 0
expect_fixed "$T/s/report.md" 'w.fio' 'the report names the job files'
end

begin "sweep/the shipped writeback configs plan: their grids, eras and writer counts"
# configs/wu-2011.ini (make bench's writeback table) and configs/writeback.ini: planned
# as users run them, so that a knob or an option renamed under them fails here.
for want in wu-2011:18:54 writeback:36:108; do
	name=${want%%:*} counts=${want#*:}
	vmsweep_cmd plan "$ROOT/configs/$name.ini" --json
	expect_rc 0 "$name.ini plans"
	check "$name.ini: ${counts%:*} points, ${counts#*:} runs" \
		test "$(jq -r '.counts | "\(.points):\(.runs)"' "$OUT")" = "$counts"
	check "$name.ini: every point sets the era and the writer count" \
		test "$(jq '[.runs[].values | has("writeback_model") and has("fio.numjobs")] | all' "$OUT")" = true
done
end

finish
