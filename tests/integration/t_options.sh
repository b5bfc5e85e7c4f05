#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 7. Bad options: exit 2, one message on stderr that names the option, and no run.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

# bad NAME_ERE ARGS...: vmsweep boot ARGS exits 2 and its message matches NAME_ERE.
bad()
{
	local want=$1
	shift
	begin "options/refuses $*"
	vms "$@"
	expect_rc 2 'bad option'
	expect_grep "$ERR" "$want" 'the message names the option'
	expect_grep "$ERR" '^vmsweep boot: ' 'the message starts with "vmsweep boot: "'
	check 'the message is one line' test "$(wc -l <"$ERR")" -eq 1
	if LC_ALL=C grep -q '[[:cntrl:]]' "$ERR" || [ "$(tr -d '\n' <"$ERR" | LC_ALL=C tr -d '[:print:]' | wc -c)" -ne 0 ]; then
		fail_because 'the message contains control characters'
	fi
	check 'nothing on stdout' test ! -s "$OUT"
	check 'the guest never ran (no console log)' test ! -s "$LOG"
}

bad '--memory 15M.*(range|16M)' --memory 15M
end
bad '--memory 12X.*(unit|X)' --memory 12X
end
bad '--memory 17M.*multiple of 2M' --memory 17M
end
bad '--memory 65G.*(range|64G)' --memory 65G
end
bad '--vcpus.*\b0\b.*(range|1\.\.64)' --vcpus 0
end
bad '--vcpus.*\b65\b.*(range|1\.\.64)' --vcpus 65
end
bad "--vcpus.*'?x'?" --vcpus x
end
bad '--hz.*9999.*(range|0\.\.5000)' --hz 9999
end
bad '--set spin_ms=-1.*(range|negative)' --set spin_ms=-1
end
bad '--timeout.*abc' --timeout abc
end
bad "(unknown|unrecognized) option.*--bogus" --bogus
end
bad "unexpected argument.*'?extra'?" extra
end
bad 'spin_ms.*(key=value|=)' --set spin_ms
end
bad '--hz 0.*sleep' --hz 0
end

# an unknown knob: named, and no made-up suggestion
bad "unknown knob.*'?nosuch'?" --set nosuch=1
expect_no_grep "$ERR" 'did you mean' 'no suggestion for a name close to no knob'
end
# a misspelt knob: the suggestion is the right knob
bad "pingpon" --set pingpon=1
expect_grep "$ERR" "did you mean '?pingpong'?" 'suggests pingpong'
end

# a value-taking option given no value (last on the command line)
bad '--vcpus' --vcpus
expect_no_grep "$ERR" 'unknown option' 'does not call a known option unknown'
end
bad '--set' --set
expect_no_grep "$ERR" 'unknown option' 'does not call a known option unknown'
end
bad '--memory' --memory
expect_no_grep "$ERR" 'unknown option' 'does not call a known option unknown'
end
# a flag given a value
bad '--json' --json=1
expect_no_grep "$ERR" "unknown option '-.?'" 'does not report a mangled option name'
end

# The command table: --help lists every command, each answers its own --help, and an
# unknown command is refused with exit 2.
begin "options/vmsweep --help lists every command, and each has its own --help"
vmsweep_cmd --help
expect_rc 0 'help'
for c in boot plan run export report baseline; do
	expect_grep "$OUT" "^  $c " "lists $c"
done
for c in boot plan run export report baseline; do
	vmsweep_cmd "$c" --help
	expect_rc 0 "$c --help"
	expect_grep "$OUT" "usage: vmsweep $c" "$c --help prints its usage"
done
vmsweep_cmd bogus
expect_rc 2 'unknown command'
expect_grep "$ERR" "unknown command 'bogus'" 'names the command'
end

# The metric tables: what a user may ask a report for, each with its meaning.
begin "options/export --list-metrics lists the metric names a run can carry"
vmsweep_cmd export --list-metrics
expect_rc 0 'export --list-metrics'
expect_grep "$OUT" '^fio\.\*\.clat_p\[0-9\]\*_ns +completion latency' 'fio latency percentiles'
expect_grep "$OUT" '^vmstat\.\* ' 'the vmstat counters'
expect_grep "$OUT" '^boot_us\.done ' 'boot timings'
end

finish
