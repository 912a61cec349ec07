# Drop-in evidence: the same ~145 API requests (ingest edge cases, queries,
# silences CRUD, status, receivers, v1) sent to Alertmanager 0.25 and to
# alertrouter, in the same order; status, content type and body must be
# equal after normalising server-chosen times and silence ids
# (tests/integration/api_compare.py lists the cases).
. "$LIB"
. "$(dirname "$LIB")/http_lib.sh"
AM=${AM:-/usr/bin/prometheus-alertmanager}
[ -x "$AM" ] || fail "Alertmanager 0.25 not installed ($AM)"
CFG="$REPO/tests/data/api/am.yml"

APORT=$(free_port)
"$AM" --config.file="$CFG" --storage.path="$T/am-data" --web.listen-address="127.0.0.1:$APORT" \
    --cluster.listen-address= >"$T/am.log" 2>&1 &
PIDS+=("$!")
start_router --config.file="$CFG"
wait_http "http://127.0.0.1:$APORT/-/ready" 15 || { cat "$T/am.log"; fail "Alertmanager did not start"; }

python3 "$(dirname "$LIB")/api_compare.py" "http://127.0.0.1:$APORT" "$RURL" >"$T/compare.log" 2>&1
rc=$?
cat "$T/compare.log"
[ $rc -eq 0 ] || fail "responses differ from Alertmanager 0.25"
n=$(grep -c '^same:' "$T/compare.log")
[ "$n" -ge 140 ] || fail "only $n cases compared"
ok "$n requests answered exactly as Alertmanager 0.25"
assert_eq OK "$(curl -sS "$RURL/-/healthy")" "router still healthy"
stop_router_clean
