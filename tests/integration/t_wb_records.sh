#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq filters use $ of their own
# The writeback records on the host: one buffered dd-like writer past the dirty
# thresholds gives `vmsweep boot --json` a "writeback" object (the end record, the
# writer's pauses and write time split, the samples in columns) that agrees with
# itself and with the job; a sweep of it stores the writeback metrics, series and pause
# histogram, `export` lists and exports them, and `report` draws dirty pages against
# the thresholds and tabulates the pauses per point. What the guest's writeback does
# (thresholds, pauses by era) is tested with its knobs.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# 64 MiB of 1 MiB buffered writes into 64 MiB of RAM: far past the dirty thresholds, on a
# disk slow enough (2 ms a request) that the writer sleeps in balance_dirty_pages.
# Most of a writer's pauses can be 0 ns (Linux traces a pause it skips as 0), so its
# p99 may be 0: that it paused is its longest pause.
PAGES=16384
job()
{
	printf '[dd]\nfilename=/dev/vda\nioengine=psync\nrw=write\nbs=1m\nsize=64m\n' >"$T/dd.fio"
}

begin "wb_records/boot --json: the writeback object of a buffered writer"
job
vms --memory 64M --disk "$T/d.img,size=128M,lat=2ms" --job "$T/dd.fio" --set sample_ms=50 --json
expect_rc 0
expect_json '.status == "done"' 'the run is done'
expect_json '.writeback.model == "ioless" and .writeback.thresh_at_end > .writeback.bg_thresh_at_end' \
	'the era and its thresholds at the end'
expect_json '.writeback.disks[0].disk == "vda" and .writeback.disks[0].dirtied == $p' \
	"vda: every page of the job dirtied once ($(jget '.writeback.disks[0].dirtied') of $PAGES)" --argjson p "$PAGES"
expect_json '.writeback.disks[0] | (.written_by | add) as $s | .written > 0 and $s >= .written and $s <= .dirtied + .written' \
	"vda: writeback started for what was written, and for no page that was not dirtied ($(jget '.writeback.disks[0] | [.dirtied, .written, (.written_by | add)]' | tr -d ' \n'))"
expect_json '.writeback.writers | length == 1' 'one writer record, the one buffered writer'
expect_json '.writeback.writers[0] | .jobname == "dd" and .writes == 64 and .pages_dirtied == $p' \
	'the writer is the job: its writes and pages' --argjson p "$PAGES"
expect_json '.writeback.writers[0] | .pauses > 0 and .pause_ns.N == .pauses and .pause_ns.max > 0 and .pause_ns.percentile["99.990000"] > 0 and ([.pause_ns.percentile[]] | . == sort)' \
	"the writer paused in balance_dirty_pages ($(jget '.writeback.writers[0].pauses') pauses, max $(jget '.writeback.writers[0].pause_ns.max') ns)"
expect_json '.writeback.writers[0] | (.time_fraction | add) > 0.999 and (.time_fraction | add) < 1.001 and .time_fraction.throttle > 0' \
	'the write time split adds up to the whole'
expect_json '.writeback.samples as $s | $s.n >= 3 and ([$s.t_us, $s.nr_dirty, $s.limit, $s.disks.vda.write_bw] | all(length == $s.n))' \
	"samples in columns, one value per sample ($(jget '.writeback.samples.n') samples)"
expect_json '.writeback.samples | .t_us == (.t_us | sort) and (.nr_dirty | max) > 0' 'the samples are in time order and saw dirty pages'
vms --memory 64M --disk "$T/d.img,size=128M,lat=2ms" --job "$T/dd.fio" --set sample_ms=50
expect_rc 0
expect_grep "$ERR" '^writeback: ioless, thresholds [0-9]+ / [0-9]+ pages' 'the text summary (stderr with --job) names the era and thresholds'
expect_grep "$ERR" "^  'dd' \\(job 0\\): 64 writes, $PAGES pages dirtied, [1-9][0-9]* pauses \\(p50 " 'and the writer with its pauses'
end

begin "wb_records/run, export, report: the writeback metrics, series and pauses per point"
job
cat >"$T/c.ini" <<EOF2
[sweep]
repeat = 1
order = sequential
[guest]
memory = 64M
disk = $T/d.img,size=128M,lat=2ms
sample_ms = 50
[workload]
job = dd.fio
[params]
dirty_ratio = 10, 20
writeback_model = ioless
EOF2
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0 'the sweep runs'
vmsweep_cmd export "$T/s" --metrics 'dirty_ratio,writeback.dirty_ratio,writeback.thresh_pages,disk.vda.writeback.dirtied,writeback.dd.pauses,writeback.dd.pause_p99_ns,writeback.dd.pause_max_ns,writeback.dd.throttle_fraction'
expect_rc 0
expect_fixed "$OUT" 'dirty_ratio,writeback_model,writeback.dirty_ratio,writeback.thresh_pages,disk.vda.writeback.dirtied,writeback.dd.pauses' 'the header names the writeback metrics'
check "each run's dirty_ratio reached the guest, and a writer that paused ($(tail -n +2 "$OUT" | tr '\n' ' '))" \
	awk -F, -v p="$PAGES" 'NR > 1 { n++; if ($5 != $7 || $9 != p || $10 <= 0 || $12 <= 0 || $11 > $12 * 65 / 64 || $13 <= 0) bad = 1 } END { exit bad || n != 2 }' "$OUT"
check 'the thresholds follow dirty_ratio' awk -F, 'NR == 2 { t10 = $8 } NR == 3 { t20 = $8 } END { exit !(t20 > 1.8 * t10 && t20 < 2.2 * t10) }' "$OUT"
vmsweep_cmd export --list-metrics
expect_rc 0
expect_grep "$OUT" '^writeback\.\*\.pause_p\[0-9\]\*_ns +pause length percentiles' 'the list documents the pause percentiles'
expect_grep "$OUT" '^disk\.\*\.writeback\.written_by_fsync ' 'and who wrote the pages'
check 'each run stored the dirty pages and the thresholds as time series' test \
	"$(sqlite3 "$T/s/results.sqlite" "select count(distinct run) from timeseries where series in ('writeback.dirty', 'writeback.setpoint', 'writeback.vda.write_bw')")" = 2
check 'and the pause histogram' test \
	"$(sqlite3 "$T/s/results.sqlite" "select count(*) from histograms where name = 'writeback.dd.pause_ns'")" = 2
vmsweep_cmd report "$T/s"
expect_rc 0
check 'report draws dirty pages against the thresholds' test -s "$T/s/plots/series-dirty.svg"
expect_fixed "$T/s/plots/series-dirty.svg" 'setpoint' 'the figure has the setpoint line'
check 'with one line, the dirty pages are drawn once' test ! -e "$T/s/plots/series-dirty-dirty_ratio_10.svg"
vmsweep_cmd report "$T/s" --x writeback_model --lines dirty_ratio --out "$T/lines"
expect_rc 0
check 'a line each: the dirty pages of one run per line (dirty_ratio=10, =20)' \
	test -s "$T/lines/plots/series-dirty-dirty_ratio_10.svg" -a -s "$T/lines/plots/series-dirty-dirty_ratio_20.svg"
expect_fixed "$T/lines/plots/series-dirty-dirty_ratio_20.svg" 'dirty_ratio=20' 'each figure names its run and line'
expect_fixed "$T/lines/report.md" 'series-dirty-dirty_ratio_20' 'and report.md shows both'
expect_fixed "$T/s/report.md" '### writeback.dd.pause_ns' 'report.md has the pauses per point'
expect_fixed "$T/s/report.md" '| writeback.dd.pause_p99_ns |' 'and the p99 pause among the metrics of the points'
# A writer whose pauses were all 0 ns (skipped: Linux traces them as 0) has no point on a
# log axis; its curve is left out rather than failing gnuplot and the report.
{ printf '\005'; head -c $((8 * 1856 - 1)) /dev/zero; } >"$T/zero.bin" # 5 pauses of 0 ns, fio's 1856 buckets
check 'run 0'"'"'s pauses made all 0 ns' sqlite3 "$T/s/results.sqlite" \
	"update histograms set counts = readfile('$T/zero.bin') where name = 'writeback.dd.pause_ns' and run = 0"
vmsweep_cmd report "$T/s"
expect_rc 0 'a point whose pauses were all 0 ns is reported'
check 'the other point still has its pause CDF' grep -q . "$T/s/plots/cdf-writeback.dd.pause_ns.dat"
end

finish
