# Prometheus 2.42 as the sender: a rule that always fires (vector(1), for:
# 0s, evaluated every second) and alerting.alertmanagers pointing at the
# router; the alert must appear in GET /api/v2/alerts within 15 s, with
# Prometheus' labels, annotations and generatorURL.
. "$LIB"
. "$(dirname "$LIB")/http_lib.sh"
command -v prometheus >/dev/null || fail "prometheus not installed"
start_router --config.file="$REPO/tests/data/api/am.yml"
PPORT=$(free_port)
cat >"$T/rules.yml" <<YML
groups:
  - name: test
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        for: 0s
        labels:
          severity: critical
        annotations:
          summary: "it fires {{ \$value }}"
YML
cat >"$T/prometheus.yml" <<YML
global:
  evaluation_interval: 1s
  external_labels:
    cluster: it
rule_files: ["$T/rules.yml"]
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:$RPORT"]
YML
# resend-delay 1s: the first evaluation may run before the notifier has
# discovered the router (Prometheus then drops it and resends after 1m)
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" --rules.alert.resend-delay=1s \
    --web.listen-address="127.0.0.1:$PPORT" >"$T/prom.log" 2>&1 &
PIDS+=("$!")
found=0
for i in $(seq 150); do
    curl -sS "$RURL/api/v2/alerts?filter=alertname%3D%22AlwaysFiring%22" >"$T/a" 2>/dev/null
    grep -q AlwaysFiring "$T/a" && { found=1; break; }
    sleep 0.1
done
[ $found = 1 ] || { tail -20 "$T/prom.log"; cat "$T/router.log"; fail "alert from Prometheus not seen within 15 s"; }
ok "Prometheus' alert arrived after $((i / 10)).$((i % 10)) s"
python3 - "$T/a" "$PPORT" <<'PY' || { cat "$T/a"; fail "alert content"; }
import json, sys
[a] = json.load(open(sys.argv[1]))
assert a["labels"] == {"alertname": "AlwaysFiring", "severity": "critical", "cluster": "it"}, a["labels"]
assert a["annotations"] == {"summary": "it fires 1"}, a["annotations"]
assert a["generatorURL"].startswith("http://"), a
assert "/graph?g0.expr=vector%281%29" in a["generatorURL"], a["generatorURL"]
assert a["receivers"] == [{"name": "crit"}], a["receivers"]
assert a["status"]["state"] == "active"
PY
ok "labels (with external_labels), annotations, generatorURL, receiver crit"
curl -sS "$RURL/metrics" | grep -q 'alertmanager_alerts_received_total{status="firing",version="v2"} [1-9]' \
    || fail "received counter"
ok "alertmanager_alerts_received_total counts Prometheus' posts"
stop_router_clean
