#!/usr/bin/env bash
# vmsweep integration tests: boots the real guest (guest/guest.elf) on /dev/kvm with
# the real harness (harness/vmsweep) and checks what a user relies on.
#
#   usage: tests/integration/run.sh [NAME...]    (NAME: e.g. boot, or t_boot; default all)
#
# Runs tests/integration/t_*.sh one after the other (timing checks must not compete
# for the CPUs), passes their "PASS name" / "FAIL name: why" lines through, and
# prints a summary. Exit status: 0 all passed, 1 a test failed or the suite could
# not run, 77 skipped because /dev/kvm is missing or unusable (0 instead if
# VMSWEEP_ALLOW_SKIP=1). A skip is always announced loudly: CI machines have KVM,
# and a silent pass without it must be impossible.
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1

skip()
{
	local banner
	banner=$(printf '%s\n' \
		"************************************************************************" \
		"*** SKIPPED: integration tests need /dev/kvm ($1) — NOT RUN ***" \
		"************************************************************************")
	echo "$banner"
	echo "$banner" >&2
	if [ "${VMSWEEP_ALLOW_SKIP:-0}" = 1 ]; then
		echo "(VMSWEEP_ALLOW_SKIP=1: exiting 0 although nothing was tested)" >&2
		exit 0
	fi
	exit 77
}

# ---- /dev/kvm: present, a character device, opens read-write ----
# (the -c test comes first: bash's <> would create a missing /dev/kvm as a file)
if [ ! -e /dev/kvm ]; then
	skip "/dev/kvm does not exist: no KVM on this machine, or the kvm module is not loaded"
elif [ ! -c /dev/kvm ]; then
	skip "/dev/kvm is not a character device"
elif ! (exec 3<>/dev/kvm) 2>/dev/null; then
	skip "/dev/kvm ($(stat -c '%A %U:%G' /dev/kvm 2>/dev/null)) cannot be opened read-write by uid $(id -u): give this user access, e.g. through group kvm"
fi

# ---- what the tests need; missing pieces are failures, not skips ----
missing=()
for tool in jq timeout od dd grep; do
	command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -gt 0 ]; then
	echo "FAIL integration: missing tools: ${missing[*]} (make deps installs them)"
	exit 1
fi
VMSWEEP=${VMSWEEP:-$ROOT/harness/vmsweep}
GUEST_ELF=${GUEST_ELF:-$ROOT/guest/guest.elf}
if [ ! -x "$VMSWEEP" ] || [ ! -f "$GUEST_ELF" ]; then
	echo "FAIL integration: $VMSWEEP or $GUEST_ELF is missing: run make first"
	exit 1
fi
export VMSWEEP GUEST_ELF

# ---- the tests ----
tests=()
if [ "$#" -eq 0 ]; then
	for t in "$HERE"/t_*.sh; do
		[ -e "$t" ] && tests+=("$t")
	done
else
	for n in "$@"; do
		n=${n%.sh}
		n=${n#t_}
		if [ ! -f "$HERE/t_$n.sh" ]; then
			echo "FAIL integration: no test script $HERE/t_$n.sh"
			exit 1
		fi
		tests+=("$HERE/t_$n.sh")
	done
fi
if [ "${#tests[@]}" -eq 0 ]; then
	echo "FAIL integration: no tests found in $HERE"
	exit 1
fi

out=$(mktemp "${TMPDIR:-/tmp}/vmsweep-it-run.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "vmsweep integration tests: $VMSWEEP, guest $GUEST_ELF"
start=$(date +%s%N)
passed=0
failed=0
failed_names=()
for t in "${tests[@]}"; do
	script=$(basename "$t" .sh)
	t0=$(date +%s%N)
	bash "$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	ms=$((($(date +%s%N) - t0) / 1000000))
	printf '  (%s: %d.%03d s)\n' "$script" $((ms / 1000)) $((ms % 1000))
	p=$(grep -c '^PASS ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	passed=$((passed + p))
	failed=$((failed + f))
	while IFS= read -r line; do
		failed_names+=("${line#FAIL }")
	done < <(grep '^FAIL ' "$out")
	# A script that dies without saying why, or says nothing, is a failure too.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $script: the script exited with status $rc without reporting a failure"
		failed=$((failed + 1))
		failed_names+=("$script: see above")
	elif [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL $script: the script ran no test"
		failed=$((failed + 1))
		failed_names+=("$script: see above")
	fi
done
elapsed_ms=$((($(date +%s%N) - start) / 1000000))

echo
echo "integration: $passed passed, $failed failed, $(printf '%d.%03d' $((elapsed_ms / 1000)) $((elapsed_ms % 1000))) s"
if [ "$failed" -gt 0 ]; then
	for n in "${failed_names[@]}"; do
		echo "  FAIL $n"
	done
	exit 1
fi
exit 0
