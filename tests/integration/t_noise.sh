#!/usr/bin/env bash
# Noise sentinels ([sweep] noise_*): runs made while other processes keep the host's CPUs
# busy are seen as noisy, run again noise_retries times, recorded as noisy and reported;
# every run records its sentinels; a bad bound is refused by name.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$T/$1/results.sqlite" "$2"; }

begin "noise/a busy host makes runs noisy: run again, recorded and reported as such"
cat >"$T/w.fio" <<'FIO'
[w]
filename=/dev/vda
rw=write
bs=1M
size=4M
direct=1
FIO
cat >"$T/n.ini" <<INI
[sweep]
name = n
repeat = 2
seed = 5
timeout = 30s
noise_others_cpu = 30%
noise_retries = 1
[guest]
disk = $T/d.img,size=64M,rate=24M
[workload]
job = w.fio
[params]
vcpus = 1
INI
# two busy loops for as long as the sweep runs: the host's 2 CPUs mostly another's
hogs=()
for _ in $(seq "$(nproc)"); do
	sh -c 'while :; do :; done' &
	hogs+=($!)
done
vmsweep_cmd run "$T/n.ini" --out "$T/busy"
kill "${hogs[@]}" 2>/dev/null
wait "${hogs[@]}" 2>/dev/null
expect_rc 0
expect_grep "$ERR" 'run [0-9]+ is noisy \(other processes took [0-9]+ % of the host.s CPU time \(noise_others_cpu 30 %\)\): running it again' 'stderr says why a run is run again'
check 'every run retried once and recorded noisy' test "$(sql busy "select count(*) from metrics where (name = 'noise.retries' and value = 1) or (name = 'noise.noisy' and value = 1)")" = 4
check 'other processes took most of the CPU time' test "$(sql busy "select min(value) > 50 from metrics where name = 'noise.others_cpu_pct'")" = 1
vmsweep_cmd report "$T/busy"
expect_rc 0
expect_grep "$T/busy/report.md" '^The noise sentinels .* ran 2 runs again for being noisy; 2 stayed noisy' 'the report says so'
vmsweep_cmd run "$T/n.ini" --out "$T/quiet"
expect_rc 0
check 'a quiet sweep records its sentinels too' test "$(sql quiet "select count(*) from metrics where name in ('noise.others_cpu_pct', 'noise.steal_pct', 'noise.calibration_pct')")" = 6
if grep -q '^cpu MHz' /proc/cpuinfo || [ -r /sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq ]; then
	check 'and the CPUs'"'"' clock, where the host shows it' test "$(sql quiet "select count(*) from metrics where name = 'noise.cpu_mhz' and value > 100")" = 2
fi
sed -i 's/noise_others_cpu = 30%/noise_steal = 150%/' "$T/n.ini"
vmsweep_cmd plan "$T/n.ini"
expect_rc 2 'a bound above 100 % is refused'
expect_grep "$ERR" 'n.ini:[0-9]+: noise_steal = 150%: expected a percentage \(10%\) or a fraction \(0.1\)' 'naming the file, line and key'
end
