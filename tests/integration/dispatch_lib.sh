# dispatch_lib.sh -- helpers for the dispatch and restart tests; sourced
# after lib.sh.  A webhook sink (peers/webhook_sink.py) records deliveries
# to $T/deliveries.jsonl; these helpers post alerts and count deliveries.

# start_sink: starts the sink on a free port; sets SPORT, SINK_URL, SPID.
start_sink() {
    SPORT=$(free_port)
    SINK_URL="http://127.0.0.1:$SPORT"
    : >"$T/deliveries.jsonl"
    python3 "$REPO/tests/integration/peers/webhook_sink.py" --port "$SPORT" \
        --out "$T/deliveries.jsonl" "$@" >>"$T/sink.log" 2>&1 &
    SPID=$!
    PIDS+=("$SPID")
    local i=0
    while [ $i -lt 100 ]; do
        python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1',$SPORT)))" && return 0
        sleep 0.05; i=$((i + 1))
    done
    fail "webhook sink did not start"
}

# write_config FILE GROUP_WAIT GROUP_INTERVAL REPEAT [send_resolved]
write_config() {
    cat >"$1" <<EOF
route:
  receiver: hook
  group_by: [alertname]
  group_wait: $2
  group_interval: $3
  repeat_interval: $4
receivers:
  - name: hook
    webhook_configs:
      - url: $SINK_URL/hook
        send_resolved: ${5:-true}
EOF
}

# post_alert NAME [ENDS_IN_SECONDS]: POSTs one alert {alertname=NAME}; with
# ENDS_IN_SECONDS (may be 0 or negative) an explicit endsAt that far from now.
post_alert() {
    local body="[{\"labels\":{\"alertname\":\"$1\"}"
    if [ -n "${2:-}" ]; then
        local at
        at=$(date -u -d "@$(awk -v n="$(date +%s.%N)" -v d="$2" 'BEGIN{printf "%.3f", n+d}')" \
            +%Y-%m-%dT%H:%M:%S.%3NZ)
        body="$body,\"endsAt\":\"$at\""
    fi
    body="$body}]"
    local code
    code=$(curl -sS -o "$T/post.out" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "$body" "$RURL/api/v2/alerts")
    [ "$code" = 200 ] || { cat "$T/post.out"; fail "POST alerts answered $code"; }
}

# deliveries [FILTER]: number of recorded deliveries; FILTER is a Python
# expression over `d` (one record), e.g. 'd["status"] == "resolved"'.
deliveries() {
    python3 - "$T/deliveries.jsonl" "${1:-True}" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    line = line.strip()
    if line:
        d = json.loads(line)
        n += bool(eval(sys.argv[2], {"d": d}))
print(n)
EOF
}

# wait_deliveries N SECONDS [FILTER]: until at least N match; fails after SECONDS.
wait_deliveries() {
    local want=$1 secs=$2 filter=${3:-True} i=0
    while [ $i -lt $((secs * 20)) ]; do
        [ "$(deliveries "$filter")" -ge "$want" ] && return 0
        sleep 0.05; i=$((i + 1))
    done
    cat "$T/deliveries.jsonl"
    fail "expected $want deliveries matching [$filter] within ${secs}s, got $(deliveries "$filter")"
}

# restart_router ARGS...: starts the router again on the same port and data.
rerun_router() {
    "$ROUTER" --web.listen-address="127.0.0.1:$RPORT" --storage.path="$T/data" "$@" \
        >>"$T/router.log" 2>&1 &
    RPID=$!
    PIDS+=("$RPID")
    wait_http "$RURL/-/ready" 10 || { cat "$T/router.log"; fail "router did not restart"; }
}

# stop_router SIGNAL: signals the router and waits (at most 10 s) for it.
stop_router() {
    kill -"$1" "$RPID" 2>/dev/null
    local i=0
    while kill -0 "$RPID" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    kill -0 "$RPID" 2>/dev/null && fail "router did not stop on SIG$1"
    wait "$RPID" 2>/dev/null
    RC=$?
}
