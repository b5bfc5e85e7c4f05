#!/usr/bin/env bash
# shellcheck disable=SC2016 # jq programs use $variables of their own
# 6. Malformed or foreign kernels are refused: exit 1, and the message names the
# file and the problem. Nothing boots, so these runs are fast.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

C=$TMPROOT/corpus
mkdir -p "$C"

# refused NAME FILE PROBLEM_ERE: vmsweep boot --kernel FILE exits 1 and says FILE and PROBLEM.
refused()
{
	local name=$1 file=$2 problem=$3
	begin "elf/refuses $name"
	vms --kernel "$file" --json
	expect_rc 1 'host error'
	expect_fixed "$ERR" "$file" 'the message names the file'
	expect_grep "$ERR" "$problem" 'the message names the problem'
	check 'nothing on stdout' test ! -s "$OUT"
	check 'one line on stderr' test "$(wc -l <"$ERR")" -eq 1
	check 'the guest never ran (no console output)' test ! -s "$LOG"
	end
}

# empty file
: >"$C/empty.elf"
refused "an empty file" "$C/empty.elf" '0 bytes|empty|shorter than|too short|truncated'

# the first 100 bytes of the real guest
head -c 100 "$GUEST_ELF" >"$C/truncated.elf"
refused "a truncated guest.elf (100 bytes)" "$C/truncated.elf" 'outside the file|truncated|too short|shorter than|past the end'

# a shell script, longer than an ELF header
printf '#!/bin/sh\n# vmsweep integration test: a shell script is not a guest kernel.\nexec echo hello\n' >"$C/script.sh"
refused "a shell script (not an ELF)" "$C/script.sh" 'not an ELF|bad magic'

# a real ELF that is not a vmsweep guest
if [ -f /bin/true ]; then
	refused "/bin/true (an ELF, not a vmsweep guest)" /bin/true \
		'no vmsweep note|not a vmsweep guest|not an executable|ET_EXEC|-static -no-pie'
fi

# the guest with its note renamed ("vmsweep" -> "xmsweep"): a static executable without the note
begin "elf/locate the vmsweep note in guest.elf"
off=$(note_name_offset "$GUEST_ELF")
if [ -z "$off" ]; then
	fail_because "no vmsweep note (namesz 8, type 0x564d5301, name vmsweep) found in $GUEST_ELF"
else
	abi=$(read_u32le "$GUEST_ELF" $((off + 8)))
	want=$(sed -n 's/^#define VMS_ABI_VERSION \([0-9]*\).*/\1/p' "$ROOT/include/vmsweep/abi.h")
	[ "$abi" = "$want" ] || fail_because "the note's ABI version is '$abi', expected $want (include/vmsweep/abi.h)"
fi
end

if [ -n "$off" ]; then
	cp "$GUEST_ELF" "$C/no-note.elf"
	patch_bytes "$C/no-note.elf" "$off" 'x'
	refused "guest.elf without a vmsweep note (note renamed)" "$C/no-note.elf" 'no vmsweep note|not a vmsweep guest'

	cp "$GUEST_ELF" "$C/abi99.elf"
	patch_bytes "$C/abi99.elf" $((off + 8)) '\143\000\000\000' # 99, little-endian
	begin "elf/patched ABI version reads back as 99"
	[ "$(read_u32le "$C/abi99.elf" $((off + 8)))" = 99 ] || fail_because "the patch did not take"
	cmp -s "$GUEST_ELF" "$C/abi99.elf" && fail_because "the patched copy is identical to guest.elf"
	end
	refused "guest.elf with ABI version 99 in its note" "$C/abi99.elf" 'ABI.*\b99\b'
fi

# a file that does not exist, and a directory
refused "a missing file" "$C/does-not-exist.elf" 'No such file|does not exist|not found'
refused "a directory" "$C" 'not a regular file|directory'

# and the unpatched guest still boots: the corpus files above differ from it only as described
begin "elf/an unmodified copy of guest.elf boots"
cp "$GUEST_ELF" "$C/copy.elf"
vms --kernel "$C/copy.elf" --json --set duration_ms=0
expect_rc 0
expect_json '.status == "done"' 'status "done"'
expect_json '.kernel == $k' 'kernel is the --kernel path' --arg k "$C/copy.elf"
end

# an unwritable --log is a host error that names the path
begin "host/an unwritable --log is refused before booting"
vms --log "$C/no-such-dir/console.log" --set duration_ms=0
expect_rc 1 'host error'
expect_fixed "$ERR" "$C/no-such-dir/console.log" 'the message names the --log path'
expect_grep "$ERR" 'No such file|does not exist' 'the message names the problem'
end

finish
