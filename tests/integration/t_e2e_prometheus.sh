# Prometheus 2.42 -> alertrouter (config.tmpl through entrypoint.sh) ->
# Slack, Teams and email doubles.  Prometheus scrapes a target this test
# controls every second and evaluates `up{job="target"} == 0` every second
# (alert E2ETargetDown, severity critical, for: 0s): stopping the target
# fires it, starting it again resolves it.  resend-delay 1s: Prometheus
# re-sends the firing alert every second, so the router's notification log
# is what keeps it from being notified twice.  Four cycles, each expected
# to deliver exactly one firing and one resolved notification to each of
# Slack, Teams and email:
#   1. plain;
#   2. the router restarted with SIGTERM while the alert fires;
#   3. the router killed with kill -9 while the alert fires;
#   4. the router killed with kill -9 as soon as the resolution reached it
#      (before or around its next group_interval flush).
# Every wait is bounded; the timings are printed.
. "$LIB"
. "$(dirname "$LIB")/e2e_lib.sh"
command -v prometheus >/dev/null || fail "prometheus not installed"
t_start=$(date +%s.%N)
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The scrape target: /metrics while running, nothing when stopped.
TPORT=$(free_port)
cat >"$T/target.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"# TYPE e2e_target_info gauge\ne2e_target_info 1\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.HTTPServer.allow_reuse_address = True
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
TGPID=""
target_start() {
    python3 "$T/target.py" "$TPORT" >>"$T/target.log" 2>&1 &
    TGPID=$!
    PIDS+=("$TGPID")
    wait_http "http://127.0.0.1:$TPORT/metrics" 5 || fail "scrape target did not start"
}
target_stop() {
    kill "$TGPID"
    wait "$TGPID" 2>/dev/null
    TGPID=""
}

e2e_start_peers
target_start
e2e_start_router
ok "doubles, target and router up at $(since "$t_start") s"

PPORT=$(free_port)
cat >"$T/rules.yml" <<'YML'
groups:
  - name: e2e
    interval: 1s
    rules:
      - alert: E2ETargetDown
        expr: up{job="target"} == 0
        for: 0s
        labels:
          severity: critical
        annotations:
          summary: "{{ $labels.instance }} is down"
YML
cat >"$T/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 500ms
  evaluation_interval: 1s
rule_files: ["$T/rules.yml"]
scrape_configs:
  - job_name: target
    static_configs:
      - targets: ["127.0.0.1:$TPORT"]
alerting:
  alertmanagers:
    - api_version: v2
      timeout: 2s
      static_configs:
        - targets: ["127.0.0.1:$RPORT"]
YML
promtool check config "$T/prometheus.yml" >"$T/promtool.out" 2>&1 ||
    { cat "$T/promtool.out"; fail "promtool rejects the Prometheus config"; }
prometheus --config.file="$T/prometheus.yml" --storage.tsdb.path="$T/tsdb" \
    --web.listen-address="127.0.0.1:$PPORT" --rules.alert.resend-delay=1s \
    >"$T/prom.log" 2>&1 &
PIDS+=("$!")
wait_http "http://127.0.0.1:$PPORT/-/ready" 30 || { tail -20 "$T/prom.log"; fail "prometheus not ready"; }
# The target is up (the expression is empty) before the first cycle starts.
for i in $(seq 100); do
    curl -sS "http://127.0.0.1:$PPORT/api/v1/query?query=up%7Bjob%3D%22target%22%7D" 2>/dev/null |
        grep -q '"value":\[[0-9.]*,"1"\]' && break
    sleep 0.1
done
[ "$i" -lt 100 ] || { tail -20 "$T/prom.log"; fail "prometheus did not scrape the target within 10 s"; }
ok "prometheus ready and scraping (up == 1) at $(since "$t_start") s"

FIRED="slack 1/0 teams 1/0 email 1/0"
BOTH="slack 1/1 teams 1/1 email 1/1"

# fire: stops the target and waits for the three firing notifications.
fire() {
    target_stop
    local t0
    t0=$(now)
    e2e_wait_counts "$FIRED" 30 E2ETargetDown
    echo "timing: cycle $cycle: target stopped -> firing on Slack, Teams and email in $(since "$t0") s"
}

# resolve: starts the target and waits for the three resolved notifications.
resolve() {
    target_start
    local t0
    t0=$(now)
    e2e_wait_counts "$BOTH" 30 E2ETargetDown
    echo "timing: cycle $cycle: target started -> resolved on Slack, Teams and email in $(since "$t0") s"
}

# settle WHAT: 3 s more (three Prometheus re-sends, one group_interval and
# a half): the counts must not move.
settle() {
    sleep 3
    assert_eq "$1" "$(e2e_counts E2ETargetDown)" "cycle $cycle: $2"
}

restart() {  # restart SIGNAL
    local t0
    t0=$(now)
    e2e_stop_router "$1"
    [ "$1" = TERM ] && assert_eq 0 "$RC" "cycle $cycle: SIGTERM exits 0"
    e2e_start_router
    echo "timing: cycle $cycle: router down and up again (SIG$1) in $(since "$t0") s"
}

# received: firing alerts the router has received since it started.
received() {
    curl -sS "$RURL/metrics" | awk '/^alertmanager_alerts_received_total\{status="firing"/ { n += $2 }
        END { print n + 0 }'
}

# Cycle 1: plain.
cycle=1; E2E_SINCE=$(now)
fire
r0=$(received)
settle "$FIRED" "Prometheus re-sends every second: still one firing notification each"
r1=$(received)
[ "$r1" -ge $((r0 + 2)) ] || fail "Prometheus did not re-send the firing alert ($r0 -> $r1 received in 3 s)"
ok "cycle 1: meanwhile Prometheus re-sent the firing alert $((r1 - r0)) times"
resolve
settle "$BOTH" "exactly one firing and one resolved notification each"

# Cycle 2: SIGTERM while firing.
cycle=2; E2E_SINCE=$(now)
fire
restart TERM
settle "$FIRED" "after a SIGTERM restart: no second firing notification"
resolve
settle "$BOTH" "after a SIGTERM restart: resolved delivered once"

# Cycle 3: kill -9 while firing.
cycle=3; E2E_SINCE=$(now)
fire
restart KILL
settle "$FIRED" "after kill -9: no second firing notification"
resolve
settle "$BOTH" "after kill -9: resolved delivered once"

# Cycle 4: kill -9 as soon as the router has the resolution.
cycle=4; E2E_SINCE=$(now)
fire
settle "$FIRED" "firing once"
target_start
t0=$(now)
for i in $(seq 300); do
    # The router's API lists active alerts only: gone = resolved there.
    curl -sS "$RURL/api/v2/alerts?filter=alertname%3D%22E2ETargetDown%22" 2>/dev/null | grep -q E2ETargetDown ||
        break
    sleep 0.05
done
[ "$i" -lt 300 ] || fail "cycle 4: the router did not see the resolution within 15 s"
before=$(e2e_counts E2ETargetDown)
restart KILL
echo "timing: cycle 4: resolution reached the router $(since "$t0") s after the target started; killed with [$before] delivered"
e2e_wait_counts "$BOTH" 30 E2ETargetDown
settle "$BOTH" "kill -9 right after the resolution arrived: resolved delivered once"

# All cycles together, and the rest.
E2E_SINCE=0
assert_eq "slack 4/4 teams 4/4 email 4/4" "$(e2e_counts)" "four cycles: 4 firing + 4 resolved per receiver, nothing else"
n=$(e2e_check_transcript) || exit 1
ok "SMTP: $n sessions, each STARTTLS before AUTH"
e2e_validate_cards
e2e_stop_router TERM
assert_eq 0 "$RC" "final SIGTERM exits 0"
e2e_no_secrets "$T/router.log"
assert_not_contains "$T/router.log" "Sanitizer" "no sanitizer report"
assert_not_contains "$T/router.log" "runtime error:" "no UBSan report"
echo "timing: whole test $(since "$t_start") s"
exit 0
