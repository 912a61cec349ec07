#!/usr/bin/env bash
# Integration tests: each tests/integration/t_*.sh is run with the router
# binary's path in $ROUTER and a private scratch directory in $T.  A test
# starts what it needs on 127.0.0.1 (the router, amtool, prometheus, fake
# peers), stops what it started, and exits 0 (pass), 1 (fail).
# Prints one line per test (plus its "NOTE:" lines) and a closing
# "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
export ROUTER="$1"
export REPO=$(cd "$here/../.." && pwd)
export LIB="$here/lib.sh"
pass=0; fail=0; failed=()
only="${ONLY:-}"
for t in "$here"/t_*.sh; do
    name=$(basename "$t" .sh)
    [ -n "$only" ] && [[ "$name" != *"$only"* ]] && continue
    export T=$(mktemp -d "/tmp/ar-it-$name.XXXXXX")
    start=$(date +%s.%N)
    if timeout 300 bash "$t" >"$T/out.log" 2>&1; then
        pass=$((pass + 1)); status=PASS
    else
        fail=$((fail + 1)); status=FAIL; failed+=("$name")
    fi
    printf '%-40s %s (%.1fs)\n' "$name" "$status" "$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')"
    if [ "$status" = FAIL ]; then
        sed 's/^/    | /' "$T/out.log" | tail -60
    else
        # A passing test may still have something to say (e.g. a part not run).
        grep '^NOTE:' "$T/out.log" | sed 's/^/    | /'
        rm -rf "$T"
    fi
done
echo "integration: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
