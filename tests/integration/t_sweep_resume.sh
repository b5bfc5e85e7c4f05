#!/usr/bin/env bash
# shellcheck disable=SC2016 # SQL uses quotes of its own
# A sweep directory holds one experiment: a resume after a job edit, a [guest] edit or
# a guest rebuild is refused and names what changed (--force goes on and records it);
# a sweep grows when values or repetitions are added; one process at a time runs in a
# directory; a full disk stops the sweep at the first run it cannot store; failed runs
# make the exit status non-zero; --resume without a config uses the stored one.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

sql() { sqlite3 "$T/s/results.sqlite" "$1"; }

# job_sweep BS: a sweep over one 4-run point set writing BS blocks to a small disk.
job_sweep()
{
	cat >"$T/j.fio" <<EOF2
[w]
filename=/dev/vda
rw=randwrite
bs=$1
size=1m
direct=1
EOF2
	cat >"$T/c.ini" <<EOF2
[sweep]
name = t
repeat = 2
seed = 7
timeout = 20s
[guest]
memory = ${2:-64M}
disk = $T/d.img,size=4M
[workload]
job = j.fio
[params]
blk_queue_depth = 1, 4
EOF2
}

begin "sweep/a resume after a job file edit is refused, naming the line; --force records it"
job_sweep 4k
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0
job_sweep 64k
vmsweep_cmd run "$T/c.ini" --resume "$T/s"
expect_rc 2 'refused'
expect_grep "$ERR" 'was made with other inputs' 'says the inputs changed'
expect_grep "$ERR" "j\.fio:4: 'bs=4k' there, 'bs=64k' here" 'names the job line that changed'
expect_grep "$ERR" -- '--force' 'says how to go on'
check 'the store is unchanged' test "$(sql "select count(*) from manifest where key like 'forced.%'")" = 0
vmsweep_cmd run "$T/c.ini" --resume "$T/s" --force
expect_rc 0 '--force goes on'
check 'the manifest records the forced change' test "$(sql "select count(*) from manifest where key like 'forced.%' and value like '%bs=64k%'")" = 1
end

begin "sweep/a resume after a [guest] edit or a guest rebuild is refused, naming what changed"
job_sweep 4k
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0
job_sweep 4k 96M
vmsweep_cmd run "$T/c.ini" --resume "$T/s"
expect_rc 2 'memory changed'
expect_grep "$ERR" 'memory: 64M there, 96M here' 'names the memory'
# A rebuilt guest: the same harness next to a guest whose build id differs.
job_sweep 4k
mkdir -p "$T/h/harness" "$T/h/guest"
cp "$VMSWEEP" "$T/h/harness/vmsweep"
cp "$ROOT/guest/guest.elf" "$T/h/guest/guest.elf"
id=$(readelf -n "$T/h/guest/guest.elf" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
# its byte offset, found in hex (grep would miss an id with a newline byte in it)
off=$(od -An -v -tx1 "$T/h/guest/guest.elf" | tr -d ' \n' | awk -v p="${id:0:16}" '{
	s = $0; base = 0
	while ((i = index(s, p)) > 0) {
		if ((base + i - 1) % 2 == 0) { print (base + i - 1) / 2; exit }
		base += i; s = substr(s, i + 1)
	}
}')
if [ -n "$off" ]; then
	patch_bytes "$T/h/guest/guest.elf" "$off" '\x00\x11'
	VMSWEEP=$T/h/harness/vmsweep vmsweep_cmd run "$T/c.ini" --resume "$T/s"
	expect_rc 2 'guest rebuilt'
	expect_grep "$ERR" "guest_build_id: $id there, 0011" 'names the guest build'
else
	fail_because "build id $id not found in guest.elf"
fi
end

begin "sweep/a relative disk path resumed from another directory is another image: refused"
job_sweep 4k
sed -i "s|^disk = .*|disk = d.img,size=4M|" "$T/c.ini"
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0
mkdir -p "$T/elsewhere"
(cd "$T/elsewhere" && "$VMSWEEP" run --resume "$T/s" >"$T/o" 2>"$T/e")
check 'refused (exit 2)' test "$?" = 2
expect_grep "$T/e" "disk\.0: $T/d\.img size=4194304 .* there, $T/elsewhere/d\.img" 'names the two images'
end

begin "sweep/a sweep grows: values and repetitions added run, the old runs stay"
sweep_config '[params]
tasks_per_cpu = 1, 3'
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0
before=$(sql "select group_concat(id || ':' || seed || ':' || started) from runs order by id")
sed -i -e 's/^repeat = 2/repeat = 3/' -e 's/^tasks_per_cpu = 1, 3/tasks_per_cpu = 1, 2, 3/' "$T/c.ini"
vmsweep_cmd run "$T/c.ini" --resume "$T/s"
expect_rc 0
expect_grep "$ERR" 'the sweep grew: 5 new runs added to the 4' 'says it grew'
check '9 runs, all done' test "$(sql "select count(*) from runs where status = 'done'")" = 9
check 'the first 4 runs are untouched' test "$(sql "select group_concat(id || ':' || seed || ':' || started) from runs where id < 4 order by id")" = "$before"
check '3 points' test "$(sql "select count(*) from points")" = 3
vmsweep_cmd report "$T/s"
expect_rc 0
# The points table: id then tasks_per_cpu; the new point (id 2) shown between its neighbours.
check 'the report lists the points by value' test "$(grep -E '^\| [0-9]+ \| [0-9]+ \| 3 \|' "$T/s/report.md" | head -3 | cut -d'|' -f2,3 | tr -d ' ' | tr '\n' ' ')" = '0|1 2|2 1|3 '
end

begin "sweep/--resume without the config uses the stored one; the hint has the real paths"
sweep_config '[params]
tasks_per_cpu = 1, 2, 3, 4, 5, 6'
(cd "$T" && exec env --default-signal=INT "$VMSWEEP" run "$T/c.ini" --out "$T/s" >"$T/o" 2>"$T/e") &
pid=$!
sleep 0.6
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" = 130 ]; then
	expect_grep "$T/e" "finish with: vmsweep run --resume $T/s $T/c.ini" 'the hint names the directory and config'
fi
vmsweep_cmd run --resume "$T/s"
expect_rc 0
expect_grep "$ERR" "with the config it was made with, $T/c.ini" 'says which config'
check 'all 12 runs done' test "$(sql "select count(*) from runs where status = 'done'")" = 12
end

begin "sweep/one run at a time in a directory: a second one says who holds it"
sweep_config '[params]
tasks_per_cpu = 1, 2, 3, 4, 5, 6'
sed -i 's/^duration_ms = 20/duration_ms = 300/' "$T/c.ini"
(cd "$T" && exec "$VMSWEEP" run "$T/c.ini" --out "$T/s" >"$T/o" 2>"$T/e") &
pid=$!
for _ in $(seq 50); do [ -s "$T/s/run.lock" ] && break; sleep 0.1; done
vmsweep_cmd run "$T/c.ini" --resume "$T/s"
expect_rc 1
expect_grep "$ERR" "is in use by vmsweep run $T/c.ini \(pid $pid" 'names the holder'
wait "$pid"
check 'the first one finishes' test "$?" = 0
check 'every run recorded once' test "$(sql "select count(*) from runs where status = 'done'")" = 12
end

begin "sweep/failed runs make the exit status 3; --allow-failed makes it 0"
sweep_config '[params]
panic_test = 0, 1'
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 3
expect_grep "$ERR" '2 runs failed' 'says how many'
rm -rf "$T/s"
vmsweep_cmd run "$T/c.ini" --out "$T/s" --allow-failed
expect_rc 0
end

begin "sweep/a full disk stops the sweep at the first run it cannot store"
sweep_config '[params]
tasks_per_cpu = 1..20 step 1'
mkdir -p "$T/m"
if mount -t tmpfs -o size=320k tmpfs "$T/m" 2>/dev/null; then
	vmsweep_cmd run "$T/c.ini" --out "$T/m/s"
	expect_rc 1
	expect_grep "$ERR" 'stopped: run [0-9]+: .*(full|space)' 'names the store error'
	expect_grep "$ERR" "finish with: vmsweep run --resume $T/m/s $T/c.ini" 'says how to resume'
	stored=$(sqlite3 "$T/m/s/results.sqlite" "select count(*) from runs where status != 'planned'")
	check "some runs stored ($stored), not all 40" test "$stored" -gt 0 -a "$stored" -lt 40
	check 'at most one run in flight was run after the error' test "$(grep -c 'runs recorded' "$ERR")" = 1
	check 'integrity_check ok' test "$(sqlite3 "$T/m/s/results.sqlite" 'pragma integrity_check')" = ok
	umount "$T/m"
else
	fail_because "cannot mount a tmpfs (not root?)"
fi
end

begin "sweep/--version and the manifest name the commit, --jobs and the images' host disk"
vmsweep_cmd --version
expect_rc 0
expect_grep "$OUT" '^vmsweep [0-9a-f]{7,}(-dirty)? \(build id [0-9a-f]{40}\)$|^vmsweep unknown' 'commit and build id'
version=$(cut -d' ' -f2 "$OUT")
job_sweep 4k
vmsweep_cmd run "$T/c.ini" --out "$T/s" --jobs 1
expect_rc 0
check 'vmsweep_version' test "$(sql "select value from manifest where key = 'vmsweep_version'")" = "$version"
check 'jobs = 1' test "$(sql "select value from manifest where key = 'jobs'")" = 1
expect_grep <(sql "select value from manifest where key = 'disk.0.host'") '^fs=[a-z0-9]+ device=' 'disk.0.host'
check 'each run stores its inputs' test "$(sql "select count(*) from runs where inputs is null")" = 0
end

finish
