#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq and awk programs use $variables of their own
# boot --schedstat FILE: the guest scheduler's counters in Linux's /proc/schedstat,
# version 15 (kernel/sched/stats.c show_schedstat), checked line type by line type
# against a real file: the host's /proc/schedstat when it is version 15, else the
# lines of a real version 15 file kept below (the host's, of another version or
# absent without CONFIG_SCHEDSTATS, can only be compared for its cpu lines). Then the
# numbers against boot --json's "schedstat", and the relations the guest's counting
# (guest/kernel/sched/core.c, fair.c, fair_lb.c) makes hold.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# A real version 15 file's cpu and domain lines (Linux 6.8, 80 CPUs; LKML, 2024-03-04,
# "sched/balancing: Fix a couple of outdated function names"): what tools have parsed.
REFERENCE_V15='version 15
timestamp 4295061020
cpu0 0 0 4400 1485 1624 1229 301472313236 120382198 7714
domain0 00000000,00000000,00000055 1661 1661 0 0 0 0 0 1661 2495 2495 0 0 0 0 0 2495 67 66 1 2 0 0 0 66 0 0 0 0 0 0 0 0 0 133 38 0'

# shape FILE: each line type (version, timestamp, cpu, domain) with its number of
# space-separated fields, once; and "bad mask" for a span that is not %*pb's.
shape()
{
	awk '{ t = $1; sub(/[0-9]+$/, "", t)
	       if (t == "cpu" || t == "domain" || t == "version" || t == "timestamp") print t, NF
	       else print "unknown line type", t
	       if (t == "domain") { n = split($2, chunk, ",")
		   for (i = 1; i <= n; i++) if (chunk[i] !~ /^[0-9a-f]+$/ || length(chunk[i]) > 8 || (i > 1 && length(chunk[i]) != 8)) print "bad mask", $2 } }' "$1" | sort -u
}

begin "schedstat/3 tasks on 2 vCPUs: the file is Linux's /proc/schedstat version 15"
ours=$T/schedstat
# the file's form (its numbers are the next test's): a short run writes the same lines
vms --vcpus 2 --set duration_ms=200,tasks=3,sleep_ms=0,spin_ms=1 --json --schedstat "$ours"
expect_rc 0
expect_json '.status == "done"' 'status "done"'
if [ ! -s "$ours" ]; then
	fail_because "--schedstat wrote no file"
else
	[ "$(head -n 1 "$ours")" = "version 15" ] || fail_because "first line is not 'version 15'"
	sed -n 2p "$ours" | grep -Eq '^timestamp [0-9]+$' || fail_because "second line is not 'timestamp <jiffies>'"
	grep -Eq '^cpu[0-9]+( [0-9]+){9}$' "$ours" || fail_because "no cpu line of 9 numbers"
	[ "$(grep -c '^cpu' "$ours")" = 2 ] || fail_because "not one cpu line per vCPU"
	[ "$(awk '/^cpu/ { print $3 }' "$ours" | sort -u)" = 0 ] || fail_because "the legacy field after yld_count is not 0"
	# nr_cpu_ids = 2: a one-digit mask; the one domain (MC) spans both CPUs
	[ "$(awk '/^domain/ { print $2 }' "$ours" | sort -u)" = 3 ] || fail_because "domain spans are not '3'"
	# the line types and their field counts, against a real version 15 file
	printf '%s\n' "$REFERENCE_V15" >"$T/reference"
	ref=$T/reference
	if [ -r /proc/schedstat ] && [ "$(head -n 1 /proc/schedstat)" = "version 15" ]; then
		ref=/proc/schedstat
	elif [ -r /proc/schedstat ]; then
		# another version: its cpu lines are version 15's (16 reordered, 17 renamed domain fields)
		[ "$(shape /proc/schedstat | grep '^cpu ')" = "$(shape "$ours" | grep '^cpu ')" ] ||
			fail_because "cpu lines: $(shape "$ours" | grep '^cpu ') here, $(shape /proc/schedstat | grep '^cpu ') in the host's /proc/schedstat"
	fi
	shape "$ours" >"$T/shape.ours"
	shape "$ref" >"$T/shape.ref"
	diff "$T/shape.ref" "$T/shape.ours" >"$T/shape.diff" ||
		fail_because "line types and field counts differ from $ref's: $(tr '\n' ' ' <"$T/shape.diff")"
fi
end

begin "schedstat/the file's numbers are boot --json's, and they hold together"
vms --vcpus 2 --set duration_ms=2000,tasks=3,sleep_ms=0,spin_ms=1 --json --schedstat "$T/schedstat"
ours=$T/schedstat
expect_rc 0
# field k (0: lb_count .. 4: lb_gained) of idle type t (0 idle, 1 busy, 2 newly idle)
# is field 3 + 8t + k of a domain line; alb_count 27, alb_failed 28, alb_pushed 29,
# ttwu_wake_remote 36, ttwu_move_affine 37
jq -r '.schedstat[] | "cpu\(.cpu) \(.yld_count) 0 \(.sched_count) \(.sched_goidle) \(.ttwu_count) \(.ttwu_local) \(.rq_cpu_time_ns) \(.run_delay_ns) \(.pcount)",
	(.domains | to_entries[] | .key as $m | .value | "domain\($m) MASK \(.balance | [.lb_count, .lb_balanced, .lb_failed, .lb_imbalance, .lb_gained, .lb_hot_gained, .lb_nobusyq, .lb_nobusyg] as $f
		| [("idle", "busy", "newly_idle") as $t | $f[][$t]] | map(tostring) | join(" ")) \(.alb_count) \(.alb_failed) \(.alb_pushed) 0 0 0 0 0 0 \(.ttwu_wake_remote) \(.ttwu_move_affine) \(.ttwu_move_balance)")' \
	"$OUT" >"$T/expected" 2>"$T/jq.err" || fail_because "jq: $(cat "$T/jq.err")"
grep -v '^version\|^timestamp' "$ours" | sed -E 's/^(domain[0-9]+) [0-9a-f,]+/\1 MASK/' >"$T/got"
diff "$T/expected" "$T/got" >"$T/values.diff" || fail_because "the file's numbers are not the JSON's: $(head -c 400 "$T/values.diff" | tr '\n' ' ')"
# The relations. The guest copies its counters while its CPUs still run, so those
# between two counters that one code path bumps one after the other hold to within a
# path in flight per vCPU (2); the per-CPU migration bound holds exactly (a move is
# counted on the CPU it goes to before the task can run there, and the guest copies a
# CPU's queue counters before its domains').
awk -v slack=2 '
function fail(msg) { print msg; bad = 1 }
/^cpu/ { cpu = $1; count = $6; local_ = $7; remote = 0; ttwu[cpu] = count - local_
	 if (local_ > count + slack) fail(cpu ": ttwu_local " local_ " > ttwu_count " count) }
/^domain/ { for (t = 0; t < 3; t++) { b = 3 + 8 * t
		if ($(b + 1) + $(b + 2) > $b + slack) fail(cpu " " $1 " idle type " t ": lb_balanced + lb_failed > lb_count")
		if ($(b + 6) + $(b + 7) > $(b + 1) + slack) fail(cpu " " $1 " idle type " t ": lb_nobusyq + lb_nobusyg > lb_balanced")
		moves[cpu] += $(b + 4); gained += $(b + 4) }
	    if ($28 + $29 > $27 + slack) fail(cpu " " $1 ": alb_failed + alb_pushed > alb_count")
	    moves[cpu] += $29; pushed += $29; wake_remote[cpu] += $36 }
END { for (c in ttwu) { d = wake_remote[c] - ttwu[c]; if (d < -slack || d > slack)
		fail(c ": remote wake-ups " ttwu[c] " (ttwu_count - ttwu_local), " wake_remote[c] " in its domains (the one spanning both CPUs counts each)") }
      if (gained + pushed == 0) fail("no task moved: 3 CPU-bound tasks on 2 CPUs are balanced by moving them")
      exit bad }' "$ours" >"$T/relations" || fail_because "$(tr '\n' ';' <"$T/relations")"
# moved_in (the JSON only) <= tasks moved to that CPU by load_balance and active balance
expect_json '[.schedstat[] | .moved_in <= ([.domains[] | .balance.lb_gained[], .alb_pushed] | add // 0)] | all' \
	'a CPU ran no more moved tasks (moved_in) than were moved to it (lb_gained + alb_pushed of its domains)'
expect_json '([.schedstat[].domains[].alb_pushed] | add // 0) - ([.schedstat[].alb_pushed] | add) | fabs <= 2' \
	'active-balance pushes counted in the domains and by the pushing CPUs agree'
end

begin "schedstat/the text summary has a row per CPU"
vms --vcpus 2 --set duration_ms=200,tasks=3,sleep_ms=0,spin_ms=1
expect_rc 0
expect_grep "$OUT" '^sched: load_balance pulled [0-9]+ tasks' 'a line of totals'
expect_grep "$OUT" '^ CPU pkg/core/thr +domains' 'the table header'
expect_grep "$OUT" '^   1 [0-9]+/[0-9]+/[0-9]+ +MC:0-1 ' 'CPU 1 with its MC domain over CPUs 0-1'
end

begin "schedstat/1x4x1 against 4x1x1 and 2x2x1: the domains and their spans follow the topology"
for shape in 1x4x1 4x1x1 2x2x1; do
	vms --topology "$shape" --set duration_ms=200,tasks=6,sleep_ms=0,spin_ms=1 --json --schedstat "$T/$shape"
	expect_rc 0 "$shape"
	jq -r '.schedstat[] | [.domains[].name] | join(" ")' "$OUT" | sort -u >"$T/$shape.levels"
	awk '/^domain/ { print $1, $2 }' "$T/$shape" | sort -u | tr '\n' ' ' >"$T/$shape.spans"
done
# one package of 4 cores: MC over all; 4 packages of one core: MC is degenerate, PKG over
# all; 2 packages of 2 cores: MC over each package's pair, PKG over all (masks of 4 bits)
[ "$(cat "$T/1x4x1.levels")" = "MC" ] || fail_because "1x4x1: levels $(cat "$T/1x4x1.levels"), expected MC"
[ "$(cat "$T/4x1x1.levels")" = "PKG" ] || fail_because "4x1x1: levels $(cat "$T/4x1x1.levels"), expected PKG"
[ "$(cat "$T/2x2x1.levels")" = "MC PKG" ] || fail_because "2x2x1: levels $(cat "$T/2x2x1.levels"), expected MC PKG"
[ "$(cat "$T/1x4x1.spans")" = "domain0 f " ] || fail_because "1x4x1: domain lines $(cat "$T/1x4x1.spans")"
[ "$(cat "$T/2x2x1.spans")" = "domain0 3 domain0 c domain1 f " ] || fail_because "2x2x1: domain lines $(cat "$T/2x2x1.spans")"
end

begin "schedstat/1 vCPU: a cpu line and no domain"
vms --vcpus 1 --set duration_ms=50 --schedstat "$T/one"
expect_rc 0
[ "$(grep -c '^cpu0 ' "$T/one")" = 1 ] || fail_because "no cpu0 line"
! grep -q '^domain' "$T/one" || fail_because "a domain line with one CPU (Linux has no domains then)"
end

begin "schedstat/a file that cannot be written fails the command, naming the option"
vms --vcpus 1 --set duration_ms=20 --schedstat "$T/no/such/dir/schedstat"
expect_rc 1
expect_grep "$ERR" '--schedstat .*no/such/dir/schedstat: No such file or directory' 'stderr names --schedstat and why'
end

begin "schedstat/boot --help documents --schedstat"
vmsweep_cmd boot --help
expect_rc 0
expect_grep "$OUT" '--schedstat FILE' '--help lists --schedstat FILE'
expect_fixed "$OUT" "/proc/schedstat format, version 15" '--help says which format'
end

finish
