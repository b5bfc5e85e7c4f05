#!/usr/bin/env bash
# The planted-bug check: applies each one-line mutation of tests/mutants/*.txt, one at
# a time, to a scratch copy of the tree, builds it, runs the tests the mutation names,
# and reports which mutations survived, with a score: killed / (killed + survived).
# The format of the lists is in tests/mutants/README.md.
#
#   usage: [MUTANTS_TESTS="TEST..."] scripts/mutants.sh [-l] [-k] [ID...]
#     -l   list the mutations and check that each still applies; build nothing
#     -k   keep the scratch copy (and each mutation's test output) afterwards
#     ID   only these mutations (default: all)
#     MUTANTS_TESTS  run every mutation against these tests instead of its own list
#
# The user's tree is only read: the copy is made under ${TMPDIR:-/tmp} (without .git;
# build/ comes along so that each mutation rebuilds one file). First the tests that any
# selected mutation names run on the unmutated copy: a test that fails there (twice)
# would "kill" every mutation, so the run stops. A test that fails under a mutation is
# run again, and kills it only when the same test (an integration script's same
# begin "..." block) fails again: the integration tests measure a shared host, and a
# flake must not pass for a catch. Exit status: 0 every mutation
# killed, 1 some survived or no longer apply (stale), 2 a usage error or a failing
# baseline.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LIST_ONLY=0 KEEP=0
while getopts lk opt; do
	case $opt in
	l) LIST_ONLY=1 ;;
	k) KEEP=1 ;;
	*)
		sed -n '7,12p' "$0" | sed 's/^# \{0,1\}//' >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
WANT=("$@")

# ---- the lists: one record per mutation, fields in parallel arrays ----
IDS=() FILES=() FROMS=() TOS=() TESTS=() WHYS=() WHERE=()
parse_lists()
{
	local f line n id="" key val
	for f in "$ROOT"/tests/mutants/*.txt; do
		n=0
		while IFS= read -r line || [ -n "$line" ]; do
			n=$((n + 1))
			case $line in
			'#'* | '') continue ;;
			'['*']')
				id=${line#[}
				id=${id%]}
				IDS+=("$id") FILES+=("") FROMS+=("") TOS+=("") TESTS+=("") WHYS+=("")
				WHERE+=("${f#"$ROOT"/}:$n")
				continue
				;;
			esac
			if [ -z "$id" ]; then
				echo "mutants: ${f#"$ROOT"/}:$n: '$line' outside a [mutation]" >&2
				exit 2
			fi
			key=${line%%:*} val=${line#*: }
			local i=$((${#IDS[@]} - 1))
			case $key in
			file) FILES[i]=$val ;;
			from) FROMS[i]=$val ;;
			to) TOS[i]=$val ;;
			tests) TESTS[i]=$val ;;
			why) WHYS[i]=$val ;;
			*)
				echo "mutants: ${f#"$ROOT"/}:$n: unknown key '$key' (file, from, to, tests, why)" >&2
				exit 2
				;;
			esac
		done <"$f"
	done
	local i j
	for i in "${!IDS[@]}"; do
		for key in FILES FROMS TOS TESTS; do
			local -n arr=$key
			if [ -z "${arr[i]}" ]; then
				echo "mutants: ${WHERE[i]}: [${IDS[i]}] has no '$(echo "$key" | tr '[:upper:]' '[:lower:]' | sed 's/s$//')'" >&2
				exit 2
			fi
		done
		for ((j = 0; j < i; j++)); do
			if [ "${IDS[j]}" = "${IDS[i]}" ]; then
				echo "mutants: ${WHERE[i]}: [${IDS[i]}] again (first at ${WHERE[j]})" >&2
				exit 2
			fi
		done
	done
}

# matches DIR FILE FROM: how many lines of DIR/FILE are FROM, leading and trailing blanks aside
matches()
{
	awk -v want="$3" '{ sub(/^[ \t]+/, ""); sub(/[ \t\r]+$/, ""); if ($0 == want) n++ } END { print n + 0 }' "$1/$2" 2>/dev/null ||
		echo 0
}

# mutate DIR FILE FROM TO: replaces the line in place, keeping its indentation
mutate()
{
	local tmp=$1/$2.mutant
	awk -v want="$3" -v to="$4" '{
		line = $0; t = $0; sub(/^[ \t]+/, "", t); sub(/[ \t\r]+$/, "", t)
		if (t == want) { match(line, /^[ \t]*/); print substr(line, 1, RLENGTH) to } else print line
	}' "$1/$2" >"$tmp" && mv "$tmp" "$1/$2"
}

parse_lists
# MUTANTS_TESTS="test_a knobs ...": every mutation against these tests instead of its own
if [ -n "${MUTANTS_TESTS:-}" ]; then
	for i in "${!IDS[@]}"; do
		TESTS[i]=$MUTANTS_TESTS
	done
fi
SEL=()
if [ "${#WANT[@]}" -eq 0 ]; then
	SEL=("${!IDS[@]}")
else
	for w in "${WANT[@]}"; do
		found=""
		for i in "${!IDS[@]}"; do
			[ "${IDS[i]}" = "$w" ] && found=$i
		done
		if [ -z "$found" ]; then
			echo "mutants: no mutation [$w] in tests/mutants/*.txt" >&2
			exit 2
		fi
		SEL+=("$found")
	done
fi

if [ "$LIST_ONLY" = 1 ]; then
	stale=0
	for i in "${SEL[@]}"; do
		m=$(matches "$ROOT" "${FILES[i]}" "${FROMS[i]}")
		state=ok
		[ "$m" = 1 ] || { state="STALE ($m matching lines in ${FILES[i]})"; stale=$((stale + 1)); }
		printf '%-32s %-40s %s\n' "${IDS[i]}" "${FILES[i]}" "$state"
	done
	echo "${#SEL[@]} mutations, $stale stale"
	[ "$stale" -eq 0 ]
	exit $?
fi

# ---- the scratch copy ----
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/vmsweep-mutants.XXXXXX") || exit 2
cleanup()
{
	if [ "$KEEP" = 1 ]; then
		echo "mutants: scratch copy kept in $SCRATCH"
	else
		rm -rf "$SCRATCH"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
TREE=$SCRATCH/tree LOGS=$SCRATCH/logs
mkdir -p "$TREE" "$LOGS"
echo "mutants: copying $ROOT to $TREE"
tar -C "$ROOT" --exclude=./.git -cf - . | tar -C "$TREE" -xf - || exit 2

# every test any selected mutation names, once, in first-named order
ALL_TESTS=()
for i in "${SEL[@]}"; do
	for t in ${TESTS[i]}; do
		case " ${ALL_TESTS[*]:-} " in *" $t "*) ;; *) ALL_TESTS+=("$t") ;; esac
	done
done
UNIT_BINS=()
for t in "${ALL_TESTS[@]}"; do
	case $t in
	test_*) UNIT_BINS+=("build/tests/$t") ;;
	*)
		if [ ! -f "$TREE/tests/integration/t_$t.sh" ]; then
			echo "mutants: no test '$t' (neither build/tests/$t nor tests/integration/t_$t.sh)" >&2
			exit 2
		fi
		;;
	esac
done

build()
{
	(cd "$TREE" && make --no-print-directory -j2 all "${UNIT_BINS[@]}") >"$1" 2>&1
}

# run_test NAME LOG: runs one unit test binary or integration script in the copy
run_test()
{
	case $1 in
	test_*) (cd "$TREE" && UNIT_TIMEOUT=300 sh ./tests/run-unit.sh "build/tests/$1") >"$2" 2>&1 ;;
	*) (cd "$TREE" && bash ./tests/integration/run.sh "$1") >"$2" 2>&1 ;;
	esac
}

# why_failed LOG: the first failure a test printed
why_failed()
{
	grep -m1 -E '^(FAIL|\[  FAILED  \]|\[  ERROR   \])' "$1" | cut -c1-160
}

# failed NAME LOG: the tests of NAME that failed in LOG, one per line, sorted: an
# integration script's begin names (matched against its FAIL lines), or NAME itself
failed()
{
	case $1 in
	test_*) echo "$1" ;;
	*)
		sed -n 's/^begin "\(.*\)"$/\1/p' "$TREE/tests/integration/t_$1.sh" | while IFS= read -r name; do
			grep -qF -- "FAIL $name:" "$2" && echo "$name"
		done | sort -u
		# a script that died without a FAIL line of a test
		grep -qE "^FAIL t_$1: " "$2" && echo "t_$1"
		;;
	esac
}

echo "mutants: building the copy"
if ! build "$LOGS/build.baseline"; then
	echo "mutants: the unmutated copy does not build:" >&2
	tail -20 "$LOGS/build.baseline" >&2
	exit 2
fi
echo "mutants: baseline: ${ALL_TESTS[*]} on the unmutated copy"
for t in "${ALL_TESTS[@]}"; do
	if ! run_test "$t" "$LOGS/baseline.$t"; then
		echo "mutants: baseline: $t failed without any mutation, running it again: $(why_failed "$LOGS/baseline.$t")"
		if ! run_test "$t" "$LOGS/baseline.$t.again"; then
			echo "mutants: baseline: $t fails without any mutation, so it would kill every one: $(why_failed "$LOGS/baseline.$t.again")" >&2
			KEEP=1
			exit 2
		fi
	fi
done

killed=0 survived=0 stale=0 stillborn=0
SURVIVORS=() STALE=() STILLBORN=()
start=$(date +%s)
for i in "${SEL[@]}"; do
	id=${IDS[i]} file=${FILES[i]}
	m=$(matches "$TREE" "$file" "${FROMS[i]}")
	if [ "$m" != 1 ]; then
		printf 'STALE     %-32s %s: %s lines match\n' "$id" "$file" "$m"
		stale=$((stale + 1)) STALE+=("$id")
		continue
	fi
	cp -p "$TREE/$file" "$SCRATCH/original"
	mutate "$TREE" "$file" "${FROMS[i]}" "${TOS[i]}"
	t0=$(date +%s)
	verdict="" by=""
	if ! build "$LOGS/build.$id"; then
		verdict=STILLBORN by="does not build: $(grep -m1 -E 'error' "$LOGS/build.$id" | cut -c1-120)"
		stillborn=$((stillborn + 1)) STILLBORN+=("$id")
	else
		flaky=""
		for t in ${TESTS[i]}; do
			if ! run_test "$t" "$LOGS/$id.$t"; then
				if ! run_test "$t" "$LOGS/$id.$t.again"; then
					both=$(comm -12 <(failed "$t" "$LOGS/$id.$t") <(failed "$t" "$LOGS/$id.$t.again") | head -1)
					if [ -n "$both" ]; then
						verdict=KILLED by="$t: FAIL $both (twice)"
						break
					fi
				fi
				flaky="$flaky $t (failed once: $(why_failed "$LOGS/$id.$t"))"
			fi
		done
		[ -z "$flaky" ] || echo "mutants: [$id]: passed when run again:$flaky"
		if [ -z "$verdict" ]; then
			verdict=SURVIVED by="${TESTS[i]} all pass; ${WHYS[i]}"
			survived=$((survived + 1)) SURVIVORS+=("$id")
		else
			killed=$((killed + 1))
		fi
	fi
	# the original back, newer than its object, so that the next build undoes the mutation
	cp "$SCRATCH/original" "$TREE/$file"
	touch "$TREE/$file"
	printf '%-9s %-32s (%3ds) %s\n' "$verdict" "$id" $(($(date +%s) - t0)) "$by"
done

total=$((killed + survived))
echo
echo "mutants: ${#SEL[@]} mutations in $(($(date +%s) - start)) s: $killed killed, $survived survived, $stale stale, $stillborn did not build"
if [ "$total" -gt 0 ]; then
	echo "mutants: score $killed/$total ($((100 * killed / total)) %)"
fi
[ "$survived" -eq 0 ] || echo "mutants: survived: ${SURVIVORS[*]}"
[ "$stale" -eq 0 ] || echo "mutants: stale (update tests/mutants/*.txt): ${STALE[*]}"
[ "$stillborn" -eq 0 ] || echo "mutants: did not build (fix the 'to' line): ${STILLBORN[*]}"
[ "$KEEP" = 1 ] && echo "mutants: each mutation's test output: $LOGS"
[ "$survived" -eq 0 ] && [ "$stale" -eq 0 ]
