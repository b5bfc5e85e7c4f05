#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# The journal's statistics end to end (#16 "What it reports"): the guest's jbd2 record
# at unmount reaches `vmsweep boot --json` as "journal" (what /proc/fs/jbd2/DEV/info
# shows, the commit times' histogram, the disk's bytes by kind), the text summary
# prints /proc's lines, and a sweep stores the metrics and the commit histogram for
# `export` and `report`. What each mode does to the bytes: data=journal writes the
# data twice (write amplification about 2), ordered and writeback log metadata only.
# Each fsync's time is split into its data, the wait for the commit and the commit's
# I/O (journal_fsync): in data=ordered the wait holds another writer's data.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
export PATH="/usr/sbin:/sbin:$PATH" # e2fsprogs

MIB16=16777216

begin "ext3_journal_stats/each data= mode: transactions, the commit histogram, the bytes as data, metadata and journal"
printf '[w]\nfilename=/mnt/vda/data\nrw=write\nbs=64k\nsize=16m\nend_fsync=1\n' >"$T/w.fio"
for m in journal ordered writeback; do
	rm -f "$T/$m.img"
	vms --memory 128M --disk "$T/$m.img,size=256M,fs=ext3,fsck" --job "$T/w.fio" --set "journal_mode=$m" --json
	expect_rc 0 "data=$m: the job runs"
	cp "$OUT" "$T/$m.json"
	expect_json '.journal | length == 1 and .[0].disk == "vda" and .[0].data_mode == $m' \
		"data=$m: one journal object, vda's, in its mode" --arg m "$m"
	expect_json '.journal[0] | .transactions > 0 and .commit_ns.N == .transactions and .commit_ns.max > 0' \
		"data=$m: transactions committed, each in the commit histogram ($(jget '.journal[0] | [.transactions, .commit_ns.N]' | tr -d ' \n'))"
	expect_json '.journal[0].bytes.workload == $b and .fio.jobs[0].write.io_bytes == $b' \
		"data=$m: the bytes written into the file are the job's ($(jget '.journal[0].bytes.workload'))" --argjson b "$MIB16"
	# the guest's split adds up to what the host's disk received, but for the clean
	# superblock the unmount writes after the record (one block)
	expect_json '(.journal[0].bytes | .data + .metadata + .journal) as $s | .disks[0].bytes_written - $s == 4096' \
		"data=$m: data + metadata + journal is what reached the disk ($(jget '[.disks[0].bytes_written, (.journal[0].bytes | .data + .metadata + .journal)]' | tr -d ' \n'))"
	expect_json '.journal[0] | (.handles_per_transaction * .transactions - .handles | fabs) < 0.5 and .logged_blocks_per_transaction >= .blocks_per_transaction' \
		"data=$m: the per-transaction figures are the sums' ($(jget '.journal[0] | [.handles_per_transaction, .blocks_per_transaction, .logged_blocks_per_transaction]' | tr -d ' \n'))"
	expect_json '.disks[0].fsck.clean' "data=$m: e2fsck -fn: clean"
done
OUT=$T/journal.json
expect_json '.journal[0] | .bytes.journal > .bytes.workload and .bytes.data == .bytes.workload and .write_amplification > 1.9' \
	"data=journal: the data went through the log too ($(jget '.journal[0] | [.bytes.journal, .write_amplification]' | tr -d ' \n'))"
# 16 MiB is four times a quarter of the 16 MiB log: full transactions, each requested
expect_json '.journal[0] | .transactions >= 4 and .commits_forced == .transactions and .blocks_per_transaction > 512' \
	"data=journal: the data pages fill transactions, each committed when full ($(jget '.journal[0] | [.transactions, .commits_forced, .blocks_per_transaction]' | tr -d ' \n'))"
for m in ordered writeback; do
	OUT=$T/$m.json
	expect_json '.journal[0] | .bytes.journal * 20 < .bytes.workload and .bytes.data == .bytes.workload and .write_amplification < 1.1' \
		"data=$m: the log holds metadata only ($(jget '.journal[0] | [.bytes.journal, .write_amplification]' | tr -d ' \n'))"
	# end_fsync's commit; the unmount's last commit is not a request
	expect_json '.journal[0].commits_forced == 1' "data=$m: one requested commit, end_fsync's ($(jget '.journal[0].commits_forced'))"
done
for m in journal ordered writeback; do
	jq -r '.journal[0].bytes.journal' "$T/$m.json"
done >"$T/jbytes"
check "data=journal logs over 50 times the bytes ordered and writeback log ($(tr '\n' ' ' <"$T/jbytes"))" \
	awk 'NR == 1 { j = $1 } NR > 1 && $1 * 50 >= j { bad = 1 } END { exit bad || NR != 3 }' "$T/jbytes"
end

begin "ext3_journal_stats/fsync=1: each fsync a requested commit, its time split"
printf '[log]\nfilename=/mnt/vda/log\nrw=write\nbs=8k\nsize=256k\nfsync=1\n' >"$T/f.fio"
for m in journal ordered writeback; do
	rm -f "$T/f.img"
	vms --memory 128M --disk "$T/f.img,size=256M,fs=ext3" --job "$T/f.fio" --set "journal_mode=$m" --json
	expect_rc 0 "data=$m"
	# fio fsyncs before each write after the first: 31; each commits the transaction of
	# the write before it (its new block), the last one's commits at unmount
	expect_json '.fio.jobs[0].sync.total_ios == 31 and .journal[0].commits_forced == 31 and .journal[0].transactions >= 32' \
		"data=$m: commits_forced counts the fsyncs ($(jget '[.fio.jobs[0].sync.total_ios, .journal[0].commits_forced, .journal[0].transactions]' | tr -d ' \n'))"
	expect_json '.journal_fsync | length == 1 and .[0].jobname == "log" and .[0].fsyncs == 31' \
		"data=$m: the job's fsync record counts them too"
	# fio's sync latency runs from the fsync to the device's cache flush after it
	expect_json '(.journal_fsync[0] | .data_ns + .commit_wait_ns + .commit_io_ns) as $s | .journal_fsync[0].commit_io_ns > 0 and $s <= .fio.jobs[0].sync.lat_ns.mean * 31 * 1.0001' \
		"data=$m: the split is within fio's sync latency ($(jget '[(.journal_fsync[0] | .data_ns, .commit_wait_ns, .commit_io_ns), (.fio.jobs[0].sync.lat_ns.mean * 31)]' | tr -d ' \n'))"
done
rm -f "$T/f.img"
vms --memory 128M --disk "$T/f.img,size=256M,fs=ext3" --job "$T/f.fio" --set journal_mode=ordered
expect_rc 0
for line in '^journal vda \(data=ordered, barrier=1, commit=5 s, [0-9]+ blocks\):$' \
	'^  [0-9]+ transactions \(31 requested\), each up to [0-9]+ blocks$' '^  average: $' \
	'^    [0-9]+ms waiting for transaction$' '^    [0-9]+ms request delay$' '^    [0-9]+ms running transaction$' \
	'^    [0-9]+ms transaction was being locked$' '^    [0-9]+ms flushing data \(in ordered mode\)$' \
	'^    [0-9]+ms logging transaction$' '^    [0-9]+us average transaction commit time$' \
	'^    [0-9]+ handles per transaction$' '^    [0-9]+ blocks per transaction$' \
	'^    [0-9]+ logged blocks per transaction$' \
	"^  'log' \\(job 0\\): 31 fsyncs, each [0-9.]+ ms writing its data, [0-9.]+ ms waiting for the commit, [0-9.]+ ms in the commit's I/O$"; do
	expect_grep "$ERR" "$line" 'the text summary (stderr with --job) has /proc/fs/jbd2/DEV/info'"'"'s line'
done
end

# The ordered-mode fsync stall (workloads/fsync-stall.fio, shortened): a log writer's
# fsync commits the running transaction, whose commit in data=ordered first writes the
# large writer's data (its first fsync waits for all 48 MiB of it, about 1.2 s at 40
# MB/s, hence a runtime past that): its time is the fsync's wait for the commit, not
# the commit's own I/O; in data=writeback the commit writes no data.
begin "ext3_journal_stats/the fsync stall is in the wait for the commit in data=ordered, not in data=writeback"
cat >"$T/s.fio" <<'EOF'
[big]
filename=/mnt/vda/big
rw=write
bs=1m
size=48m
[log]
filename=/mnt/vda/log
rw=write
bs=4k
size=1m
fsync=1
rate_iops=20
runtime=3s
time_based
EOF
for m in ordered writeback; do
	rm -f "$T/s.img"
	vms --memory 512M --vcpus 2 --disk "$T/s.img,size=512M,fs=ext3,rate=40M" --job "$T/s.fio" \
		--set "journal_mode=$m,dirty_ratio=40,dirty_background_ratio=20" --json
	expect_rc 0 "data=$m"
	cp "$OUT" "$T/s-$m.json"
	expect_json '.journal_fsync | map(select(.jobname == "log")) | length == 1 and .[0].fsyncs > 10' \
		"data=$m: the log writer's fsyncs ($(jget '.journal_fsync[] | select(.jobname == "log") | .fsyncs'))"
done
jq -r '(.journal_fsync[] | select(.jobname == "log") | .commit_wait_ms_avg), .journal[0].flush_ms_avg' \
	"$T/s-ordered.json" "$T/s-writeback.json" | tr '\n' ' ' >"$T/stall"
# ordered: wait, flush; writeback: wait, flush
check "ordered's fsyncs wait 5 times longer for the commit, which flushes data; writeback's commits flush none ($(cat "$T/stall"))" \
	awk '{ exit !($1 > 5 * $3 && $2 > 5 && $4 < 0.1) }' "$T/stall"
end

begin "ext3_journal_stats/run, export, report: the journal metrics and the commit histogram per point"
printf '[w]\nfilename=/mnt/vda/data\nrw=write\nbs=64k\nsize=8m\nend_fsync=1\n' >"$T/w.fio"
cat >"$T/c.ini" <<EOF2
[sweep]
repeat = 1
order = sequential
[guest]
memory = 128M
disk = $T/c.img,size=256M,fs=ext3
[workload]
job = w.fio
[params]
; writeback first: its run makes the file (metadata to log); data=journal's then logs
; the data of every write, the file's blocks already there
journal_mode = writeback, journal
EOF2
vmsweep_cmd run "$T/c.ini" --out "$T/s"
expect_rc 0 'the sweep runs'
vmsweep_cmd export "$T/s" --metrics 'journal.vda.transactions,journal.vda.commit_p99_ms,journal.vda.write_amplification,journal.vda.bytes_journal,journal.vda.handles_per_transaction'
expect_rc 0
expect_fixed "$OUT" 'journal_mode,journal.vda.transactions,journal.vda.commit_p99_ms,journal.vda.write_amplification' 'the header names the journal metrics'
check "writeback amplifies about 1, data=journal about 2, both committed ($(tail -n +2 "$OUT" | tr '\n' ' '))" \
	awk -F, 'NR == 2 { if ($5 != "writeback" || $6 < 1 || $7 <= 0 || $8 > 1.1) bad = 1 } NR == 3 { if ($5 != "journal" || $6 < 1 || $7 <= 0 || $8 < 1.9) bad = 1 } END { exit bad || NR != 3 }' "$OUT"
vmsweep_cmd export --list-metrics
expect_rc 0
expect_grep "$OUT" '^journal\.\*\.commit_p\[0-9\]\*_ms +commit time percentiles' 'the list documents the commit percentiles'
expect_grep "$OUT" '^journal\.\*\.write_amplification ' 'and the write amplification'
check 'each run stored its commit histogram' test \
	"$(sqlite3 "$T/s/results.sqlite" "select count(*) from histograms where name = 'journal.vda.commit_ns'")" = 2
vmsweep_cmd report "$T/s"
expect_rc 0
expect_fixed "$T/s/report.md" '### journal.vda.commit_ns' 'report.md has the commit times per point'
check 'and draws their CDF' grep -q . "$T/s/plots/cdf-journal.vda.commit_ns.dat"
end

finish
