# The expected Slack payloads in tests/data/slack/am025-*.json are
# Alertmanager 0.25's own output: this runs Debian's prometheus-alertmanager
# 0.25 against a plain-HTTP sink with tests/data/slack/am025/ (three
# slack_configs: all defaults, every field templated, a title over 1024
# runes) and checks each body equals the committed capture that
# test_notify_slack compares our payloads with.  With CAPTURE=1 it writes
# the files instead (how they were made).
#
# Times: the alerts start 2 s ago (@T@); the second batch resolves web-2
# (@E@).  Slack payloads carry no times, so nothing needs mapping back.
. "$LIB"
command -v prometheus-alertmanager >/dev/null || fail "prometheus-alertmanager not installed"
D="$REPO/tests/data/slack"
peers="$REPO/tests/integration/peers"

python3 "$peers/https_double.py" --plain --body-max 1000000 --outdir "$T/sink" \
    >"$T/sink.out" 2>"$T/sink.err" &
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

count() { grep -c "\"path\": \"$1\"" "$T/sink/requests.jsonl" 2>/dev/null || true; }
wait_for() {
    for _ in $(seq 100); do [ "$(count "$1")" -ge "$2" ] && return 0; sleep 0.1; done
    cat "$T/am.log"; fail "no request $2 for $1"
}
post() { curl -fsS -XPOST -H 'Content-Type: application/json' --data @"$1" \
    "http://127.0.0.1:$APORT/api/v2/alerts" >/dev/null || fail "post $1"; }

TS=$(date -u -d @$(($(date +%s) - 2)) +%Y-%m-%dT%H:%M:%S)
ES=$(date -u -d @$(($(date +%s) - 1)) +%Y-%m-%dT%H:%M:%S)
for f in alerts-1 alerts-2; do sed "s/@T@/$TS/g; s/@E@/$ES/g" "$D/am025/$f.json" >"$T/$f.json"; done
post "$T/alerts-1.json"
wait_for /services/default 1; wait_for /services/full 1; wait_for /services/long 1
post "$T/alerts-2.json"
wait_for /services/default 2; wait_for /services/full 2

python3 - "$T/sink/requests.jsonl" "$D" "${CAPTURE:-0}" <<'PY' || fail "payloads differ from the committed captures"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
def bodies(path):
    return [r["body"].encode() for r in recs if r["path"] == path]
checks = [(bodies("/services/default")[0], "am025-default-firing.json"),
          (bodies("/services/default")[1], "am025-default-resolved.json"),
          (bodies("/services/full")[0], "am025-full-firing.json"),
          (bodies("/services/full")[1], "am025-full-resolved.json"),
          (bodies("/services/long")[0], "am025-long-title.json")]
for got, name in checks:
    path = f"{sys.argv[2]}/{name}"
    if sys.argv[3] == "1":
        open(path, "wb").write(got)
        print("captured:", name)
        continue
    want = open(path, "rb").read()
    assert got == want, (name, got, want)
    print("identical:", name)
for r in recs:
    assert r["headers"]["Content-Type"] == "application/json", r["headers"]
    assert r["headers"]["User-Agent"] == "Alertmanager/0.25.0", r["headers"]
PY
ok "Alertmanager 0.25's Slack bodies equal tests/data/slack/am025-*.json byte for byte"
