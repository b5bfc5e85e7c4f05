#!/usr/bin/env bash
# shellcheck disable=SC2016 # grep patterns with $ and quotes of their own
# vmsweep report: a real sweep's report.html (tables, embedded figures), report.md, and
# every figure a non-empty SVG and PNG of the intended size; failed runs listed with
# their cause; clear errors for a missing store, an unknown metric or parameter.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$T/s/results.sqlite" "$1"; }

# png_size FILE: "WIDTHxHEIGHT" from the IHDR chunk, or nothing when FILE is no PNG.
png_size()
{
	local b
	b=$(od -An -v -tx1 -N 24 "$1" 2>/dev/null | tr -d ' \n')
	[[ $b == 89504e470d0a1a0a0000000d49484452* ]] || return 1
	echo "$((16#${b:32:8}))x$((16#${b:40:8}))"
}

# check_figures DIR: every plots/*.svg and *.png non-empty and 800x500.
check_figures()
{
	local f n=0
	for f in "$1"/plots/*.svg; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		[ -s "$f" ] || fail_because "$(basename "$f") is empty"
		grep -q 'width="800" height="500"' "$f" || fail_because "$(basename "$f") is not 800x500"
		grep -Eq '<(path|polyline|rect|image)' "$f" || fail_because "$(basename "$f") draws nothing"
		[ -s "${f%.svg}.png" ] || fail_because "$(basename "${f%.svg}").png is missing or empty"
	done
	for f in "$1"/plots/*.png; do
		[ -e "$f" ] || continue
		local size
		size=$(png_size "$f") || fail_because "$(basename "$f") is not a PNG"
		[ "$size" = 800x500 ] || fail_because "$(basename "$f") is $size, expected 800x500"
	done
	[ "$n" -gt 0 ] || fail_because "no figure in $1/plots"
	NR_SVG=$n
}

begin "report/a sweep's report: table, embedded figures of the intended size, report.md"
sweep_config 'sample_ms = 5
[params]
vcpus = 1, 2
tasks_per_cpu = 1, 2
[report]
metrics = wakeup_ns.p99, work_loops
x = tasks_per_cpu
lines = vcpus'
# 3 repetitions: the least for an interval the tables print.
sed -i 's/^repeat = 2$/repeat = 3/' "$T/c.ini"
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0 'the sweep runs'
# A count that is 0 in two runs of point 0 and large in the third: its t interval
# reaches below zero, which a count cannot.
sql "update metrics set value = case when run = (select min(id) from runs where point = 0) then 3000 else 0 end where name = 'cpu.work_loops' and run in (select id from runs where point = 0)"
vmsweep_cmd report "$T/s"
expect_rc 0
check 'stdout is the path of report.html' test "$(cat "$OUT")" = "$T/s/report.html"
H=$T/s/report.html
check 'report.html exists' test -s "$H"
expect_fixed "$H" '</html>' 'report.html is complete'
expect_grep "$H" '<th>vcpus</th><th>tasks_per_cpu</th><th>n</th>' 'the table of points names the parameters'
expect_grep "$H" '<th>work_loops<br><small>cpu\.work_loops</small>' 'work_loops is cpu.work_loops'
expect_grep "$H" '<td>[0-9.]+ &plusmn; [0-9.]+</td><td>[0-9.]+ %</td>' 'cells are mean ± CI and CV'
expect_grep "$H" '<td>1000 \(0&dagger; \.\. [0-9.]+\)</td><td>173\.2 %</td>' 'an interval below zero is clipped at 0 and marked'
expect_grep "$H" '<td>0&dagger; \.\. [0-9.]+</td>' 'and so in the statistics by metric'
expect_fixed "$H" 'it is shown clipped at 0' 'the legend says what the mark means'
expect_no_grep "$H" '(&plusmn;|<td>|\.\. )-[0-9]' 'no interval below zero'
expect_grep "$H" '<h3>wakeup_ns</h3>' 'latency percentiles of the merged histograms'
expect_fixed "$H" 'host_kernel' 'the manifest'
expect_fixed "$H" 'lines = vcpus' 'the config text'
check_figures "$T/s"
embedded=$(grep -o 'src="data:image/png;base64,[A-Za-z0-9+/=]\{100,\}"' "$H" | wc -l)
check "every figure is embedded ($embedded of ${NR_SVG:-0})" test "$embedded" = "${NR_SVG:-x}"
for f in metric-wakeup_ns.p99 metric-work_loops heat-wakeup_ns.p99 cdf-wakeup_ns tail-wakeup_ns series-nr_running; do
	check "figure $f" test -s "$T/s/plots/$f.png"
done
check 'a metric figure has an error bar per point' test "$(grep -c . "$T/s/plots/metric-work_loops.dat")" = 4
# For papers: a PDF of each figure, and the script that draws it again from its data file
# in plots/ alone (restyled: another terminal, other labels).
check 'every figure has its PDF and its gnuplot script' \
	test "$(ls "$T/s"/plots/*.pdf | wc -l)" = "${NR_SVG:-x}" -a "$(ls "$T/s"/plots/*.gp | wc -l)" = "${NR_SVG:-x}"
cp -r "$T/s/plots" "$T/moved"
rm "$T/moved/metric-work_loops.pdf"
check 'the script redraws its PDF where the plots were moved to' \
	sh -c "cd '$T/moved' && gnuplot -d metric-work_loops.gp && test -s metric-work_loops.pdf && head -c 5 metric-work_loops.pdf | grep -q '%PDF'"
M=$T/s/report.md
check 'report.md exists' test -s "$M"
expect_grep "$M" '^\| point \| vcpus \| tasks_per_cpu \| n \|' 'report.md has the table'
expect_grep "$M" '^\| 0 \| 1 \| 1 \| 3 \| 0 \| .* \| 1000 \(0† \.\. [0-9.]+\) \| 173\.2 % \|$' 'report.md marks the clipped interval'
expect_fixed "$M" '](plots/metric-work_loops.png)' 'report.md links the figures'
vmsweep_cmd report "$T/s" --metric boot_done_ms --x vcpus --lines none --out "$T/o"
expect_rc 0 'options and --out'
check '--out holds the report' test -s "$T/o/report.html"
expect_fixed "$T/o/report.html" 'boot_us.done / 1000' 'boot_done_ms is boot_us.done in ms'
check_figures "$T/o"
end

begin "report/failed runs are listed with their cause and console; n<3; knob words"
sweep_config '[params]
panic_test = 0, 1
watermark_model = 2.4, 4.6'
vmsweep_cmd run "$T/c.ini" --out "$T/s" --allow-failed
expect_rc 0 'the sweep completes'
vmsweep_cmd report "$T/s" --metric boot_us.done
expect_rc 0
H=$T/s/report.html
check 'four failed runs in the table' test "$(grep -c '<td class="bad">panic: .*panic_test: requested by the host</td>' "$H")" = 4
expect_fixed "$H" 'Kernel panic - not syncing' 'their console'
expect_grep "$H" '4 done, 4 failed' 'the summary counts them'
check 'report.md lists them, watermark_model by its words' test "$(grep -c '^| [0-9]* | [0-9]* | panic_test=1 watermark_model=\(2\.4\|4\.6\) | .*panic_test: requested by the host' "$T/s/report.md")" = 4
# 2 done runs a point: a mean, but no interval worth printing.
check 'points of 2 runs say n<3' test "$(grep -c '<td>[0-9.]\+ (n&lt;3)</td>' "$H")" = 2
expect_grep "$H" '<tr><td>[0-9]+</td><td>0</td><td>4.6</td><td>2</td><td>0</td><td>[0-9.]+ \(n&lt;3\)</td>' 'the points table shows the knob word'
expect_grep "$T/s/report.md" '^\| [0-9]+ \| 0 \| 2\.4 \| 2 \| 0 \| [0-9.]+ \(n<3\) \|' 'report.md too'
expect_grep "$T/s/report.md" '\| n<3 \|' 'the statistics by metric say n<3 for the interval'
expect_fixed "$H" 'n&lt;3: fewer than 3 runs' 'the legend explains n<3'
expect_fixed "$T/s/plots/metric-boot_us.done.svg" 'watermark_model=4.6' 'the figure names its lines by the knob words'
check_figures "$T/s"
end

# dashed_curves SVG: how many curves are dashed (the grid's dots, '2,4', are not counted).
dashed_curves()
{
	grep -o "stroke-dasharray='[^']*'" "$1" | grep -vc "'2,4'"
}

begin "report/a sweep of both backends: libvirt dashed beside kvm, the model / Linux table (Linux faked in the store)"
sweep_config 'sample_ms = 5
[params]
vcpus = 1, 2
tasks_per_cpu = 1, 2
hz = 100, 250
[report]
metrics = work_loops, wakeup_ns.p99'
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0 'the sweep runs'
# No Linux guest here: vcpus 1 stands for kvm and 2 for libvirt, as a sweep of
# backend = kvm, libvirt stores them (the backend first, as [sweep] backend puts it).
# Linux has no wake-up latency of ours: its runs lose wakeup_ns.p99.
sql "update params set name = 'backend' where name = 'vcpus';
update point_values set param = 'backend', value = value - 1 where param = 'vcpus';
delete from metrics where name = 'wakeup_ns.p99' and run in
	(select r.id from runs r join point_values v on v.point = r.point where v.param = 'backend' and v.value = 1);
insert into manifest values ('libvirt.domain_type', 'qemu (TCG: no usable /dev/kvm with VMX or SVM)')"
vmsweep_cmd report "$T/s"
expect_rc 0
H=$T/s/report.html M=$T/s/report.md
expect_fixed "$H" 'Figures: x = tasks_per_cpu, one line per hz, libvirt dashed.' 'the backend is neither x nor lines by default'
expect_fixed "$H" '<h2 id="backends">Model / Linux</h2>' 'report.html has the model / Linux section'
expect_fixed "$H" '<b>The Linux guest ran under QEMU'"'"'s TCG</b>' 'it says TCG, as the manifest does'
expect_grep "$H" '<tr><td>work_loops</td><td>4 of 4</td><td>[0-9.]+</td><td>[0-4]</td></tr>' 'work_loops compared at 4 points'
expect_fixed "$H" '<tr><td>wakeup_ns.p99</td><td>0 of 4</td><td>&mdash;</td><td>0</td></tr>' 'wakeup_ns.p99 is kvm'"'"'s only'
expect_grep "$H" '<tr><td>[0-9]+ / [0-9]+</td><td>1</td><td>100</td><td>[0-9.]+</td><td>[0-9.]+</td><td>[0-9.]+( &ne;)?</td></tr>' 'a pair per point'
expect_fixed "$M" '## Model / Linux' 'report.md has it'
expect_grep "$M" '^\| work_loops \| 4 of 4 \| [0-9.]+ \| [0-4] \|$' 'report.md: the geometric mean of work_loops'
expect_grep "$M" '^\| geometric mean \|  \|  \|  \|  \| [0-9.]+ \|$' 'report.md: the table of pairs ends with it'
S=$T/s/plots/metric-work_loops.svg
for t in 'hz=100 / kvm' 'hz=100 / libvirt' 'hz=250 / kvm' 'hz=250 / libvirt'; do
	expect_fixed "$S" "$t" "a line '$t'"
done
check 'libvirt'"'"'s two lines are dashed' test "$(dashed_curves "$S")" = 2
check 'four curves of two points' test "$(grep -c . "$T/s/plots/metric-work_loops.dat")" = 8
check_figures "$T/s"
# lines = backend, given: the same lines (hz's colours, libvirt dashed).
vmsweep_cmd report "$T/s" --lines backend --out "$T/o"
expect_rc 0 '--lines backend'
expect_fixed "$T/o/report.html" 'Figures: x = tasks_per_cpu, one line per backend, libvirt dashed.' 'says so'
expect_fixed "$T/o/plots/metric-work_loops.svg" 'hz=250 / libvirt' 'the other parameter still names its lines'
check 'libvirt dashed' test "$(dashed_curves "$T/o/plots/metric-work_loops.svg")" = 2
check 'the same data' cmp -s "$T/s/plots/metric-work_loops.dat" "$T/o/plots/metric-work_loops.dat"
expect_fixed "$T/o/report.md" '## Model / Linux' 'and the table'
check_figures "$T/o"
# x = backend: two x values, a line per other point, nothing dashed.
vmsweep_cmd report "$T/s" --x backend --lines hz --out "$T/x"
expect_rc 0 '--x backend'
check 'no dashes when the backends are the x axis' test "$(dashed_curves "$T/x/plots/metric-work_loops.svg")" = 0
expect_fixed "$T/x/plots/metric-work_loops.svg" '>libvirt</text>' 'the x axis names the backends'
check_figures "$T/x"
end

begin "report/errors: no store, unknown metric or parameter, bad usage"
sweep_config '[params]
vcpus = 1, 2'
vmsweep_cmd report "$T/nope"
expect_rc 1
expect_grep "$ERR" 'nope: no results store' 'names the directory'
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0
vmsweep_cmd report "$T/s" --metric wakeup_ns.p98
expect_rc 2
expect_grep "$ERR" "metric 'wakeup_ns.p98' is not in the store \(did you mean 'wakeup_ns.p90'\?\); present: .*boot_us" 'names it and lists present ones'
check 'no report after an error' test ! -e "$T/s/report.html"
vmsweep_cmd report "$T/s" --x vcpu
expect_rc 2
expect_grep "$ERR" "--x vcpu: not a parameter of this sweep \(did you mean 'vcpus'\?\); swept: vcpus" 'names the parameter'
vmsweep_cmd report "$T/s" --bogus
expect_rc 2
vmsweep_cmd report
expect_rc 2
expect_grep "$ERR" 'which sweep directory' 'asks for the directory'
end

finish
