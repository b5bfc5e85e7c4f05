#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq and SQL use $ and quotes of their own
# The libvirt backend (#18): the same fio job on a real Debian Linux guest under libvirt
# (QEMU TCG on these machines), through a libvirtd vmsweep starts for itself and stops;
# a sweep with backend = kvm, libvirt stores both under the same metric names; a knob
# Linux has no equivalent for is refused before anything boots; the domain XML passes
# libvirt's schema; a vmsweep killed mid-run leaves no domain and no daemon behind.
# Needs `make linux-guest` (build/linux/), which make check runs first.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

HOST_TIMEOUT=240 # a Linux boot under TCG takes seconds, more on a loaded machine

if [ ! -f "$ROOT/build/linux/vmlinux" ] || [ ! -f "$ROOT/build/linux/tools.img" ]; then
	echo "FAIL libvirt: build/linux/ is missing: run make linux-guest (make check does)"
	exit 1
fi

cat >"$TMPROOT/w.fio" <<'EOF'
[w]
filename=/mnt/vda/f
rw=randwrite
bs=4k
size=8m
fsync=8
runtime=1s
time_based
EOF

# qemu processes of domains a given vmsweep pid made
domains_of() { pgrep -f "guest=vmsweep-$1-" || true; }
private_daemons() { pgrep -f "libvirtd --config /var/tmp/vmsweep-libvirtd" || true; }

begin "libvirt/boot: a job on Linux through our own libvirtd, fio's JSON on stdout, nothing left behind"
before_dirs=$(ls -d /var/tmp/vmsweep-libvirt* 2>/dev/null | wc -l)
# knobs that become a debugfs file and a queue file: init fails the run on a line it cannot apply
vms --backend libvirt --job "$TMPROOT/w.fio" --disk "$T/d.img,size=128M,fs=ext3" --memory 256M --timeout 60s \
	--set sched_migration_cost_ns=250000,blk_queue_depth=64
expect_rc 0
expect_json '.jobs[0].jobname == "w" and .jobs[0].error == 0' 'the guest fio JSON: job w, no error'
expect_json '.jobs[0].write.iops > 0 and .jobs[0].sync.lat_ns.N > 0' 'writes and fsyncs were measured'
expect_json '."fio version" | startswith("fio-3")' "real fio's JSON"
expect_grep "$ERR" "vmsweep's own libvirtd" 'stderr: a libvirtd of our own was started'
expect_grep "$ERR" 'linux.boot_s' 'stderr: the summary'
expect_grep "$LOG" 'Linux version 6\.' 'the console log is the Linux kernel'
[ -z "$(private_daemons)" ] || fail_because "our libvirtd still runs after the run"
after_dirs=$(ls -d /var/tmp/vmsweep-libvirt* 2>/dev/null | wc -l)
[ "$after_dirs" -le "$before_dirs" ] || fail_because "a /var/tmp/vmsweep-libvirt* directory was left behind"
end

begin "libvirt/refused: a knob Linux has no equivalent for fails before anything boots"
vms --backend libvirt --job "$TMPROOT/w.fio" --disk "$T/d.img,size=128M,fs=ext3" --set writeback_model=pdflush
expect_rc 2
expect_grep "$ERR" 'writeback_model=pdflush: Linux 6.1 has no equivalent' 'the knob and why are named'
expect_grep "$ERR" 'backend libvirt' 'the backend is named'
[ "$WALL_MS" -lt 3000 ] || fail_because "the refusal took ${WALL_MS} ms: did something boot?"
vms --backend libvirt --job "$TMPROOT/w.fio" --disk "$T/d.img,fs=ext3,profile=hdd"
expect_rc 2
expect_grep "$ERR" 'profile=' "a device model QEMU has no equivalent for is refused"
vms --backend libvirt --disk "$T/d.img,fs=ext3"
expect_rc 2
expect_grep "$ERR" 'runs fio jobs' 'the built-in workload is refused'
end

begin "libvirt/xml: --dry-run's domain passes libvirt's schema and has the run's shape"
vms --backend libvirt --job "$TMPROOT/w.fio" --disk "$T/d.img,size=128M,fs=ext3,rate=20M" --topology 2x1x1 \
	--pin compact --memory 192M --set dirty_ratio=15,journal_mode=writeback --dry-run
expect_rc 0
sed -n '/^<domain/,/^<\/domain>/p' "$OUT" >"$T/dom.xml"
if ! virt-xml-validate "$T/dom.xml" domain >"$T/validate.out" 2>&1; then
	fail_because "virt-xml-validate: $(cat "$T/validate.out")"
fi
expect_grep "$T/dom.xml" "<topology sockets='2' dies='1' cores='1' threads='1'/>" '2x1x1 as <topology>'
expect_grep "$T/dom.xml" "<vcpupin vcpu='1'" '--pin as <vcpupin>'
expect_grep "$T/dom.xml" '<memory unit=.KiB.>196608</memory>' '192M of memory'
expect_grep "$T/dom.xml" '<total_bytes_sec>20971520</total_bytes_sec>' 'rate= as <iotune>'
expect_grep "$OUT" '^sysctl vm.dirty_ratio=15$' 'dirty_ratio as a sysctl'
expect_grep "$OUT" '^mount /dev/vda /mnt/vda ext3 data=writeback,commit=5,barrier=1$' 'journal_mode as data='
expect_grep "$OUT" '^filename=/mnt/vda/f$' "the job on the guest's own path"
end

begin "libvirt/uri: a libvirtd that runs already (--libvirt-uri) is used, and none of ours started"
# a libvirtd as a user would run one: its own socket, QEMU as root (this machine's
# /dev/kvm is root's), in a mount namespace of its own so that /etc/libvirt stays as it is
# (a short directory: a unix socket's path has at most 107 bytes)
D=$(mktemp -d /tmp/vmsweep-lv.XXXXXX)
mkdir -p "$D/etc"
printf 'unix_sock_dir = "%s"\nauth_unix_rw = "none"\nauth_unix_ro = "none"\nlog_outputs = "3:file:%s/log"\n' \
	"$D" "$D" >"$D/libvirtd.conf"
printf 'user = "root"\ngroup = "root"\ndynamic_ownership = 0\nsecurity_driver = "none"\nstdio_handler = "file"\nnamespaces = [ ]\ncgroup_controllers = [ ]\n' \
	>"$D/etc/qemu.conf"
unshare -m sh -c "mount --make-rprivate / && mount --bind '$D/etc' /etc/libvirt && exec libvirtd --config '$D/libvirtd.conf' --pid-file '$D/pid'" \
	>"$T/daemon.out" 2>&1 &
daemon=$!
for _ in $(seq 1 200); do
	[ -S "$D/libvirt-sock" ] && break
	sleep 0.05
done
vms --backend libvirt --libvirt-uri "qemu:///system?socket=$D/libvirt-sock" --job "$TMPROOT/w.fio" \
	--disk "$T/u.img,size=128M,fs=ext3" --memory 256M --timeout 60s
expect_rc 0
expect_json '.jobs[0].jobname == "w" and .jobs[0].error == 0' 'the job ran'
expect_fixed "$ERR" "libvirt: qemu:///system?socket=$D/libvirt-sock; a domain" 'the given libvirtd was used'
expect_no_grep "$ERR" "vmsweep's own libvirtd" 'none of ours was started'
kill "$daemon" 2>/dev/null
wait "$daemon" 2>/dev/null
rm -rf "$D"
vms --backend libvirt --libvirt-uri "qemu:///system?socket=$D/nothing-here" --job "$TMPROOT/w.fio" \
	--disk "$T/u.img,fs=ext3"
expect_rc 1
expect_fixed "$ERR" "cannot connect to qemu:///system?socket=$D/nothing-here" 'a URI that answers not is named'
end

begin "libvirt/killed: a vmsweep killed mid-run (SIGKILL) leaves no domain and no libvirtd"
cat >"$T/long.fio" <<'EOF'
[long]
filename=/mnt/vda/f
rw=write
bs=64k
size=32m
runtime=60s
time_based
EOF
NRUN=$((NRUN + 1))
OUT=$T/stdout.$NRUN ERR=$T/stderr.$NRUN
"$VMSWEEP" boot --backend libvirt --job "$T/long.fio" --disk "$T/k.img,size=128M,fs=ext3" --timeout 120s \
	>"$OUT" 2>"$ERR" </dev/null &
pid=$!
for _ in $(seq 1 600); do
	[ -n "$(domains_of "$pid")" ] && break
	sleep 0.1
done
if [ -z "$(domains_of "$pid")" ]; then
	fail_because "no domain of vmsweep $pid appeared in 60 s"
fi
sleep 2
kill -9 "$pid"
killed_pid=$pid
wait "$pid" 2>/dev/null
for _ in $(seq 1 300); do
	[ -z "$(domains_of "$pid")" ] && [ -z "$(private_daemons)" ] && break
	sleep 0.1
done
[ -z "$(domains_of "$pid")" ] || fail_because "the domain's QEMU still runs 30 s after vmsweep was killed"
[ -z "$(private_daemons)" ] || fail_because "our libvirtd still runs 30 s after vmsweep was killed"
end

begin "libvirt/sweep: backend = kvm, libvirt in one store, under the same metric names; a killed one's leftovers reaped"
cat >"$T/c.ini" <<EOF
[sweep]
name = lv
repeat = 1
seed = 3
timeout = 60s
backend = kvm, libvirt
[guest]
memory = 256M
disk = $T/s.img,size=128M,fs=ext3
[workload]
job = $TMPROOT/w.fio
[params]
dirty_ratio = 10
EOF
NRUN=$((NRUN + 1))
OUT=$T/stdout.$NRUN ERR=$T/stderr.$NRUN
(cd "$T" && timeout "$HOST_TIMEOUT" "$VMSWEEP" run "$T/c.ini" --out "$T/s" >"$OUT" 2>"$ERR" </dev/null)
RC=$?
expect_rc 0
db=$T/s/results.sqlite
q() { sqlite3 "$db" "$1" 2>&1; }
[ "$(q "select count(*) from runs where status = 'done'")" = 2 ] || fail_because "not 2 runs done: $(q 'select id, status, cause from runs')"
# a metric both backends measured, by the same name
both=$(q "select count(distinct run) from metrics where name = 'fio.w.write.iops' and value > 0")
[ "$both" = 2 ] || fail_because "fio.w.write.iops is not in both runs ($both)"
common=$(q "select count(*) from (select name from metrics group by name having count(distinct run) = 2)")
[ "$common" -ge 20 ] || fail_because "only $common metric names are shared by the two runs"
q "select value from manifest where key = 'libvirt.domain_type'" | grep -Eq '^(qemu \(TCG|kvm)' ||
	fail_because "manifest libvirt.domain_type: $(q "select value from manifest where key = 'libvirt.domain_type'")"
vmsweep_cmd export "$T/s" --format csv
expect_rc 0
head -1 "$OUT" | tr ',' '\n' | grep -qx backend || fail_because "export has no backend column"
grep -q ',libvirt,' "$OUT" && grep -q ',kvm,' "$OUT" || fail_because "export does not name both backends"
[ "$(ls "$T"/s/runs/*.fio.json.gz | wc -l)" = 2 ] || fail_because "not a fio JSON file per run: $(ls "$T/s/runs")"
# the scratch directories of the vmsweep killed above: removed by this one
[ -z "$(ls -d /var/tmp/vmsweep-libvirt*-"$killed_pid".* 2>/dev/null)" ] ||
	fail_because "the killed vmsweep's scratch directories are still there"
[ -z "$(private_daemons)" ] || fail_because "our libvirtd still runs after the sweep"
end

begin "libvirt/mem-samples-wa: a memory job, vmstat samples, swap and data=journal's write amplification on Linux"
cat >"$T/mw.fio" <<'EOF'
[w]
filename=/mnt/vda/w
rw=write
bs=64k
size=8m
end_fsync=1

[hog]
ioengine=mem
size=16m
mem_access=random
mem_working_set=8m
runtime=1s
EOF
cat >"$T/mw.ini" <<EOF
[sweep]
name = lvmw
repeat = 1
seed = 5
timeout = 60s
backend = libvirt
[guest]
memory = 256M
sample_ms = 100
journal_mode = journal
disk = $T/mw.img,size=128M,fs=ext3
disk = $T/mw-swap.img,size=64M,swap
[workload]
job = $T/mw.fio
EOF
NRUN=$((NRUN + 1))
OUT=$T/stdout.$NRUN ERR=$T/stderr.$NRUN
(cd "$T" && timeout "$HOST_TIMEOUT" "$VMSWEEP" run "$T/mw.ini" --out "$T/mw" >"$OUT" 2>"$ERR" </dev/null)
RC=$?
expect_rc 0
db=$T/mw/results.sqlite
[ "$(q "select count(*) from runs where status = 'done'")" = 1 ] || fail_because "the run is not done: $(q 'select id, status, cause from runs')"
mval() { q "select value from metrics where name = '$1'"; }
# the memory job under our names: each of its 4096 pages allocated once (a fault of the
# program's own outside an access, its stack's, would count as one more), accesses in classes
pa=$(mval mem.hog.pages_allocated)
awk -v n="$pa" 'BEGIN { exit !(n >= 4096 && n <= 4100) }' || fail_because "mem.hog.pages_allocated $pa (want 4096)"
[ "$(q "select count(*) from metrics where name = 'mem.hog.hit_ns.p50' and value > 0")" = 1 ] || fail_because "no mem.hog.hit_ns.p50"
[ "$(q "select count(*) from metrics where name = 'mem.hog.runtime_ns' and value between 0.9e9 and 1.3e9")" = 1 ] ||
	fail_because "mem.hog.runtime_ns $(mval mem.hog.runtime_ns) (want about 1 s)"
[ "$(q "select count(*) from histograms where name = 'mem.hog.fast_ns'")" -ge 1 ] || fail_because "no mem.hog.fast_ns histogram"
[ "$(q "select count(*) from metrics where name like 'fio.hog.%'")" = 0 ] || fail_because "the memory job's exec job is in fio.*"
# sample_ms=100: a series of free pages over the job, from t = 0
n=$(q "select count(*) from timeseries where series = 'nr_free_pages'")
[ "$n" -ge 5 ] || fail_because "nr_free_pages: $n samples"
[ "$(q "select min(t_ns) from timeseries where series = 'nr_free_pages'")" = 0 ] || fail_because "the first sample is not at t = 0"
# the swap disk is Linux's swap (mkswap, swapon): its pages are free swap
sw=$(mval vmstat.nr_swap_free)
awk -v n="$sw" 'BEGIN { exit !(n >= 15000 && n <= 16384) }' || fail_because "vmstat.nr_swap_free $sw (want the 64 MiB swap disk's pages)"
# data=journal writes each block twice
wa=$(mval journal.vda.write_amplification)
awk -v w="$wa" 'BEGIN { exit !(w >= 1.7 && w <= 2.3) }' || fail_because "journal.vda.write_amplification $wa (want 1.7-2.3)"
end

finish
