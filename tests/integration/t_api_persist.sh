# Silences (as Alertmanager) and active alerts (beyond it) survive a
# restart: SIGTERM writes the snapshots, the next start under the same
# --storage.path restores them; silences are also written on every change,
# so even kill -9 loses none.
. "$LIB"
. "$(dirname "$LIB")/http_lib.sh"
CFG="$REPO/tests/data/api/am.yml"
start_router --config.file="$CFG"
J=(-H 'Content-Type: application/json')
mk() { curl -sS "${J[@]}" -d "$1" "$RURL/api/v2/silences" | python3 -c 'import json,sys; print(json.load(sys.stdin)["silenceID"])'; }
s1=$(mk '{"matchers":[{"name":"team","value":"db","isRegex":false}],"startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"a","comment":"active one"}')
s2=$(mk '{"matchers":[{"name":"job","value":"n.*","isRegex":true,"isEqual":false}],"startsAt":"2098-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:01Z","createdBy":"b","comment":"pending one"}')
s3=$(mk '{"matchers":[{"name":"x","value":"y","isRegex":false}],"startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:02Z","createdBy":"c","comment":"expired one"}')
curl -sS -X DELETE "$RURL/api/v2/silence/$s3" || fail "expire"
[ -n "$s1" ] && [ -n "$s2" ] && [ -n "$s3" ] || fail "silences not created"
curl -sS "${J[@]}" -d '[{"labels":{"alertname":"Persisted","team":"db"},"annotations":{"s":"kept"}}]' "$RURL/api/v2/alerts"
curl -sS "$RURL/api/v2/silences" >"$T/before.json"
curl -sS "$RURL/api/v2/alerts" >"$T/alerts-before.json"
assert_contains "$T/before.json" '"state":"expired"' "one silence expired before the restart"

stop_router_clean
assert_contains "$T/data/silences.json" "$s1" "snapshot written"
start_router --config.file="$CFG"
curl -sS "$RURL/api/v2/silences" >"$T/after.json"
assert_eq "$(cat "$T/before.json")" "$(cat "$T/after.json")" "silences identical after SIGTERM + start"
curl -sS "$RURL/api/v2/alerts" >"$T/alerts-after.json"
python3 - "$T/alerts-before.json" "$T/alerts-after.json" "$s1" <<'PY' || fail "alert after restart"
import json, sys
b, a = (json.load(open(p)) for p in sys.argv[1:3])
strip = lambda x: {k: v for k, v in x.items() if k != "status"}
assert [strip(x) for x in a] == [strip(x) for x in b], (a, b)
assert a[0]["status"]["silencedBy"] == [sys.argv[3]], a
PY
ok "the active alert is back, same times, silenced by $s1 again"

# kill -9: every silence change was already on disk.
s4=$(mk '{"matchers":[{"name":"k","value":"9","isRegex":false}],"startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:03Z","createdBy":"d","comment":"before kill"}')
kill -9 "$RPID"; wait "$RPID" 2>/dev/null
start_router --config.file="$CFG"
curl -sS "$RURL/api/v2/silence/$s4" >"$T/s4"
assert_contains "$T/s4" '"comment":"before kill"' "silence created just before kill -9 survives"
curl -sS "$RURL/api/v2/alerts" | grep -q Persisted || fail "alert lost after kill -9"
ok "alert survives kill -9"
stop_router_clean
