#!/bin/sh
# Writes build/gen/version.h with the git commit of the tree ("-dirty" when it has
# uncommitted changes), only when that changes, so that make rebuilds what includes it
# exactly then.
set -eu
out=build/gen/version.h
v=$(git describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
new="#define VMSWEEP_GIT_VERSION \"$v\""
mkdir -p build/gen
if [ ! -f "$out" ] || [ "$(cat "$out")" != "$new" ]; then
	printf '%s\n' "$new" >"$out"
fi
