#!/usr/bin/env bash
# soak.sh -- steady load for a bounded time; is memory flat?
#
# Starts alertrouter on 127.0.0.1 with a config that groups by alertname and
# notifies a local webhook sink, then, every STEP seconds, POSTs one
# Prometheus-like round: REQS requests of 100 alerts drawn from a pool of
# POOL distinct alerts (loadgen cycles through it), RESOLVED of them sent
# resolved, so alerts keep firing, resolving, being garbage-collected and
# re-firing.  VmRSS/VmHWM are sampled every SAMPLE seconds into a CSV; the
# run stops after DURATION seconds (default 1800, at most 7200).
#
#   DURATION=1800 bench/soak.sh          # prints the CSV path and a summary
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
BUILD=${BUILD:-build}
ROUTER=${ROUTER:-$repo/$BUILD/alertrouter}
LOADGEN=${LOADGEN:-$repo/$BUILD/bench/loadgen}
DURATION=${DURATION:-1800}; [ "$DURATION" -le 7200 ] || DURATION=7200
STEP=${STEP:-5}; REQS=${REQS:-50}; POOL=${POOL:-20000}; RESOLVED=${RESOLVED:-0.3}
SAMPLE=${SAMPLE:-30}
OUT=${OUT:-$repo/bench/out/soak-$(date -u +%Y%m%dT%H%M%S)}
mkdir -p "$OUT"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
RPORT=$(port); SPORT=$(port)
python3 "$repo/tests/integration/peers/webhook_sink.py" --port "$SPORT" --out "$OUT/sink.jsonl" \
    >"$OUT/sink.log" 2>&1 &
pids+=($!)
cat >"$OUT/config.yml" <<YML
route:
  receiver: sink
  group_by: [alertname]
  group_wait: 1s
  group_interval: 10s
  repeat_interval: 1m
receivers:
  - name: sink
    webhook_configs:
      - url: http://127.0.0.1:$SPORT/hook
        send_resolved: true
YML
"$ROUTER" --config.file "$OUT/config.yml" --storage.path "$OUT/data" \
    --web.listen-address "127.0.0.1:$RPORT" --alerts.gc-interval 1m --log.level warn \
    >"$OUT/router.log" 2>&1 &
rpid=$!; pids+=($rpid)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$RPORT/-/ready" >/dev/null && break; sleep 0.05; done

echo "t_s,vmrss_kb,vmhwm_kb,alerts_active" >"$OUT/rss.csv"
start=$(date +%s); next_sample=0
while :; do
    now=$(( $(date +%s) - start )); [ "$now" -lt "$DURATION" ] || break
    "$LOADGEN" --url "http://127.0.0.1:$RPORT" --alerts "$POOL" --first $(( (now / STEP) % 4 * 5000 )) \
        --batch 100 --conns 2 --requests "$REQS" --duration 30 --resolved "$RESOLVED" \
        >>"$OUT/loadgen.log" 2>&1 || true
    if [ "$now" -ge "$next_sample" ]; then
        rss=$(awk '/VmRSS/{print $2}' /proc/$rpid/status); hwm=$(awk '/VmHWM/{print $2}' /proc/$rpid/status)
        act=$(curl -fs "http://127.0.0.1:$RPORT/metrics" | awk '/^alertmanager_alerts\{state="active"\}/{print $2}')
        echo "$now,$rss,$hwm,${act:-}" >>"$OUT/rss.csv"
        next_sample=$(( now + SAMPLE ))
    fi
    sleep "$STEP"
done
kill -0 "$rpid" || { echo "router died"; exit 1; }
echo "csv: $OUT/rss.csv"
awk -F, 'NR==2{f=$2} NR>1{l=$2; n++; if($2>m)m=$2} END{printf "samples=%d first_kb=%d last_kb=%d max_kb=%d\n", n, f, l, m}' "$OUT/rss.csv"
