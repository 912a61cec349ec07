# amtool 0.25, unchanged, against alertrouter: alert add/query (with
# matchers), silence add/query/expire/import (import reads the JSON of
# `silence query -o json`), config show, config routes and routes test
# (both parse config.original from /api/v2/status).
. "$LIB"
. "$(dirname "$LIB")/http_lib.sh"
command -v amtool >/dev/null || fail "amtool not installed"
start_router --config.file="$REPO/tests/data/api/am.yml"
AMT=(amtool --alertmanager.url="$RURL" --timeout=10s)

"${AMT[@]}" alert add DiskFull team=db severity=critical --annotation=summary="disk full" \
    2>"$T/err" || { cat "$T/err"; fail "alert add"; }
ok "amtool alert add"
"${AMT[@]}" alert add CPUHigh team=web severity=warning 2>/dev/null || fail "alert add 2"
"${AMT[@]}" alert query >"$T/q" 2>/dev/null || fail "alert query"
assert_contains "$T/q" "DiskFull" "alert query lists DiskFull"
assert_contains "$T/q" "CPUHigh" "alert query lists CPUHigh"
assert_contains "$T/q" "disk full" "alert query shows the summary"
"${AMT[@]}" alert query team=db -o extended >"$T/q" 2>/dev/null || fail "alert query team=db"
assert_contains "$T/q" 'alertname="DiskFull" severity="critical" team="db"' "matcher query: labels"
assert_not_contains "$T/q" "CPUHigh" "matcher query filters"
"${AMT[@]}" alert query 'severity=~"crit.*"' -r crit >"$T/q" 2>/dev/null || fail "alert query -r"
assert_contains "$T/q" "DiskFull" "regex matcher + receiver filter"

sid=$("${AMT[@]}" silence add team=db -c "db maintenance" -d 1h -a tester 2>/dev/null) || fail "silence add"
[[ "$sid" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]] || fail "silence id [$sid] is not a UUIDv4"
ok "amtool silence add: $sid"
"${AMT[@]}" silence query >"$T/s" 2>/dev/null || fail "silence query"
assert_contains "$T/s" "$sid" "silence query lists it"
assert_contains "$T/s" 'team="db"' "silence query shows the matcher"
assert_contains "$T/s" "db maintenance" "silence query shows the comment"
"${AMT[@]}" alert query >"$T/q" 2>/dev/null
assert_not_contains "$T/q" "DiskFull" "silenced alert hidden by default"
"${AMT[@]}" alert query -a -s >"$T/q" 2>/dev/null
assert_contains "$T/q" "DiskFull" "alert query -a -s shows the silenced alert"
"${AMT[@]}" alert query -a -s -o json >"$T/q.json" 2>/dev/null
python3 - "$T/q.json" "$sid" <<'PY' || fail "silenced status in JSON"
import json, sys
alerts = {a["labels"]["alertname"]: a for a in json.load(open(sys.argv[1]))}
st = alerts["DiskFull"]["status"]
assert st["state"] == "suppressed" and st["silencedBy"] == [sys.argv[2]], st
assert alerts["CPUHigh"]["status"]["state"] == "active"
PY
ok "DiskFull suppressed by $sid, CPUHigh active"

"${AMT[@]}" silence query -o json >"$T/export.json" 2>/dev/null || fail "silence query -o json"
"${AMT[@]}" silence expire "$sid" 2>/dev/null || fail "silence expire"
ok "amtool silence expire"
"${AMT[@]}" silence query -q >"$T/s" 2>/dev/null
assert_not_contains "$T/s" "$sid" "expired silence no longer active"
"${AMT[@]}" silence query --expired -q >"$T/s" 2>/dev/null
assert_contains "$T/s" "$sid" "expired silence listed with --expired"
"${AMT[@]}" silence import "$T/export.json" >"$T/imp" 2>&1 || { cat "$T/imp"; fail "silence import"; }
"${AMT[@]}" silence query -o json >"$T/after.json" 2>/dev/null
python3 - "$T/after.json" "$sid" <<'PY' || fail "imported silence"
import json, sys
s = [x for x in json.load(open(sys.argv[1])) if x["status"]["state"] == "active"]
assert len(s) == 1 and s[0]["id"] != sys.argv[2], s
assert s[0]["comment"] == "db maintenance" and s[0]["createdBy"] == "tester", s
assert s[0]["matchers"] == [{"isEqual": True, "isRegex": False, "name": "team", "value": "db"}], s
PY
ok "amtool silence import re-created the silence under a new id"

"${AMT[@]}" config show >"$T/c" 2>/dev/null || fail "config show"
assert_contains "$T/c" "resolve_timeout: 5m" "config show prints the config"
assert_contains "$T/c" "receiver: default" "config show has the route"
"${AMT[@]}" config routes >"$T/r" 2>/dev/null || fail "config routes"
assert_contains "$T/r" "default-route  receiver: default" "config routes: root"
assert_contains "$T/r" '{severity="critical"}  receiver: crit' "config routes: child"
assert_eq crit "$("${AMT[@]}" config routes test severity=critical 2>/dev/null)" "routes test: critical -> crit"
assert_eq default "$("${AMT[@]}" config routes test severity=info 2>/dev/null)" "routes test: info -> default"
"${AMT[@]}" config routes test --verify.receivers=crit severity=critical >/dev/null 2>&1 || fail "verify.receivers"
ok "routes test --verify.receivers"
stop_router_clean
