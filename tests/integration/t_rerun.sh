#!/usr/bin/env bash
# vmsweep rerun: a stored sweep runs again from its manifest alone (its config and job
# file deleted first, a relative job path climbing out of the config's directory) and its
# figure reproduces on a disk of a fixed rate; another build is refused unless --force.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

begin "rerun/a sweep runs again from its manifest alone and its figure reproduces; another build is refused"
mkdir -p "$T/cfg/sub" "$T/jobs"
cat >"$T/jobs/w.fio" <<'FIO'
[w]
filename=/dev/vda
rw=write
bs=1M
size=6M
direct=1
FIO
cat >"$T/cfg/sub/r.ini" <<INI
[sweep]
name = r
repeat = 5
seed = 3
timeout = 30s
[guest]
disk = $T/d.img,size=64M,rate=24M
[workload]
job = ../../jobs/w.fio
[params]
vcpus = 1, 2
[report]
metrics = fio.w.write.bw_bytes
INI
vmsweep_cmd run "$T/cfg/sub/r.ini" --out "$T/orig"
expect_rc 0
rm -r "$T/cfg" "$T/jobs"
vmsweep_cmd rerun "$T/orig" --out "$T/again"
expect_rc 0 'reproduced: exit 0'
expect_grep "$OUT" '^Figure fio.w.write.bw_bytes: reproduced at 2 of 2 points\.$' 'both points reproduced'
check 'the job file written back where the config looks for it' test -s "$T/again/inputs/jobs/w.fio"
check 'the same plan: 10 runs, the seeds of the original' \
	test "$(sqlite3 "$T/again/results.sqlite" 'select group_concat(seed) from (select seed from runs order by id)')" = \
	"$(sqlite3 "$T/orig/results.sqlite" 'select group_concat(seed) from (select seed from runs order by id)')"
check 'compare.md beside it' test -s "$T/again/compare.md"
vmsweep_cmd rerun "$T/orig" --out "$T/again"
expect_rc 2 'an existing directory is refused'
expect_grep "$ERR" 'exists: a rerun goes into a new directory' 'and says why'
sqlite3 "$T/orig/results.sqlite" "update manifest set value = '0000000000000000000000000000000000000000' where key = 'harness_build_id'"
vmsweep_cmd rerun "$T/orig" --out "$T/other"
expect_rc 2 'another harness build is refused'
expect_grep "$ERR" 'made by another harness build .*--force runs it anyway' 'naming the builds and the way out'
check 'nothing was run' test ! -e "$T/other"
end
