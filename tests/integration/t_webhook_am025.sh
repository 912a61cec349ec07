# The expected webhook payloads in tests/data/webhook/am025-*.json are
# Alertmanager 0.25's own output: this runs Debian's prometheus-alertmanager
# 0.25 against a plain-HTTP sink with tests/data/webhook/am025/ (config and
# the two alert batches), and checks every body it sends is byte-identical
# to the committed file that test_notify_webhook compares our payloads with.
#
# The files were captured with the times written in them.  Here the alerts
# start 2 s ago instead (@T@, @E@ in the batches): with times in the past
# Alertmanager flushes a new group at once, racing the second alert of the
# same POST into a separate notification.  The bodies are compared after
# mapping those times back, which changes nothing else: Go prints both the
# same way (same fractions).
. "$LIB"
command -v prometheus-alertmanager >/dev/null || fail "prometheus-alertmanager not installed"
D="$REPO/tests/data/webhook"
peers="$REPO/tests/integration/peers"

python3 "$peers/https_double.py" --plain --outdir "$T/sink" >"$T/sink.out" 2>"$T/sink.err" &
PIDS+=("$!")
for _ in $(seq 100); do grep -q '^ready' "$T/sink.out" 2>/dev/null && break; sleep 0.05; done
SPORT=$(awk '/^ready/{print $2}' "$T/sink.out")
[ -n "$SPORT" ] || fail "sink did not start"

sed "s/@PORT@/$SPORT/" "$D/am025/alertmanager.yml" >"$T/am.yml"
APORT=$(free_port)
prometheus-alertmanager --config.file="$T/am.yml" --storage.path="$T/am-data" \
    --web.listen-address="127.0.0.1:$APORT" --cluster.listen-address= \
    --web.external-url=http://am.example:9093/ >"$T/am.log" 2>&1 &
PIDS+=("$!")
wait_http "http://127.0.0.1:$APORT/-/ready" 10 || { cat "$T/am.log"; fail "alertmanager not ready"; }

# count PATH: requests recorded for PATH so far.
count() { grep -c "\"path\": \"$1\"" "$T/sink/requests.jsonl" 2>/dev/null || true; }
# wait_for PATH N: until N requests for PATH (group_wait 1s, group_interval 3s).
wait_for() {
    for _ in $(seq 100); do [ "$(count "$1")" -ge "$2" ] && return 0; sleep 0.1; done
    fail "no request $2 for $1"
}
post() { curl -fsS -XPOST -H 'Content-Type: application/json' --data @"$1" \
    "http://127.0.0.1:$APORT/api/v2/alerts" >/dev/null || fail "post $1"; }

# @T@: 2 s ago, @E@: 1 s after it (before the second batch is posted).
TS=$(date -u -d @$(($(date +%s) - 2)) +%Y-%m-%dT%H:%M:%S)
ES=$(date -u -d @$(($(date +%s) - 1)) +%Y-%m-%dT%H:%M:%S)
for f in alerts-1 alerts-2; do sed "s/@T@/$TS/g; s/@E@/$ES/g" "$D/am025/$f.json" >"$T/$f.json"; done
post "$T/alerts-1.json"
wait_for /full 1; wait_for /max1 1; wait_for /noresolved 1
post "$T/alerts-2.json"
wait_for /full 2; wait_for /max1 2
sleep 3.5 # one more group_interval (3s): nothing new must arrive
assert_eq 1 "$(count /noresolved)" "send_resolved false: the resolved-only change is not sent"

python3 - "$T/sink/requests.jsonl" "$D" "$TS" "$ES" <<'PY' || fail "payloads differ from the committed captures"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
t, e = sys.argv[3], sys.argv[4]
def bodies(path):
    return [r["body"].replace(t, "2026-11-26T17:27:28").replace(e, "2026-11-26T18:50:00").encode()
            for r in recs if r["path"] == path]
want = lambda name: open(f"{sys.argv[2]}/{name}", "rb").read()
checks = [(bodies("/full")[0], "am025-firing.json"), (bodies("/noresolved")[0], "am025-firing.json"),
          (bodies("/max1")[0], "am025-max1.json"), (bodies("/full")[1], "am025-resolved.json"),
          (bodies("/max1")[1], "am025-max1-resolved.json")]
for got, name in checks:
    assert got == want(name), (name, got, want(name))
    print("identical:", name)
for r in recs:
    assert r["headers"]["Content-Type"] == "application/json", r["headers"]
    assert r["headers"]["User-Agent"] == "Alertmanager/0.25.0", r["headers"]
PY
ok "Alertmanager 0.25's webhook bodies equal tests/data/webhook/am025-*.json byte for byte"
