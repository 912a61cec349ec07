# --check-config against amtool check-config (Alertmanager 0.25): the same
# verdict on every config case, except the documented differences.
. "$LIB"
command -v amtool >/dev/null || fail "amtool not installed (prometheus-alertmanager)"
DATA="$REPO/tests/data/config"
diffs=$(grep -oE '^\| (valid|invalid)/[^ |]+' "$DATA/DIFFERENCES.md" | sed 's/^| //')
agree=0; documented=0; total=0; bad=0
cd "$DATA"
for f in valid/*.yml invalid/*.yml; do
    total=$((total + 1))
    amtool check-config "$f" >"$T/am.out" 2>&1 && am=valid || am=invalid
    "$ROUTER" --check-config --config.file "$f" >"$T/ar.out" 2>&1; rc=$?
    case $rc in 0) ar=valid ;; 1) ar=invalid ;; *) cat "$T/ar.out"; fail "$f: exit status $rc" ;; esac
    want=valid; [[ $f == invalid/* ]] && want=invalid
    [ "$ar" = "$want" ] || { cat "$T/ar.out"; fail "$f: alertrouter says $ar"; }
    listed=no; grep -qxF "$f" <<<"$diffs" && listed=yes
    if [ "$am" = "$ar" ]; then
        [ $listed = no ] || { echo "FAIL: $f listed in DIFFERENCES.md but amtool agrees"; bad=$((bad + 1)); }
        agree=$((agree + 1))
    else
        [ $listed = yes ] || { echo "FAIL: $f: amtool says $am, alertrouter $ar"; cat "$T/am.out"; bad=$((bad + 1)); }
        documented=$((documented + 1))
    fi
done
echo "amtool agrees on $agree/$total cases, $documented documented differences"
[ $bad -eq 0 ] || fail "$bad unexpected verdicts"
ok "check-config verdicts"

# The summary amtool prints, and an error with file:line:col.
"$ROUTER" --check-config --config.file valid/legacy.yml >"$T/ok.out" 2>&1 || fail "legacy.yml"
assert_contains "$T/ok.out" "Checking 'valid/legacy.yml'  SUCCESS" "success line"
assert_contains "$T/ok.out" " - 2 inhibit rules" "inhibit rule count"
assert_contains "$T/ok.out" " - 5 receivers" "receiver count"

# Three mistakes in one file: all three reported, positioned, in file order.
"$ROUTER" --check-config --config.file invalid/three-mistakes.yml >"$T/three.out" 2>&1
assert_eq 1 "$?" "invalid config exits 1"
grep -E '^invalid/three-mistakes.yml:[0-9]+:[0-9]+: ' "$T/three.out" >"$T/lines"
assert_eq 3 "$(wc -l <"$T/lines")" "three errors reported"
assert_eq "invalid/three-mistakes.yml:2:20: not a valid duration string: \"5 minutes\"" \
    "$(sed -n 1p "$T/lines")" "first error"
assert_eq "invalid/three-mistakes.yml:6:17: undefined receiver \"nobody\" used in route" \
    "$(sed -n 2p "$T/lines")" "second error"
assert_eq "invalid/three-mistakes.yml:10:14: unsupported scheme \"ftp\" for URL" \
    "$(sed -n 3p "$T/lines")" "third error"

"$ROUTER" --check-config --config.file "$T/missing.yml" >"$T/missing.out" 2>&1
assert_eq 1 "$?" "missing file exits 1"
assert_contains "$T/missing.out" "No such file or directory" "missing file explained"
exit 0
