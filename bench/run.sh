#!/usr/bin/env bash
# bench/run.sh -- alertrouter and Alertmanager 0.25 side by side, same machine, same run.
#
#   make bench                       # or: make bench-tools && bench/run.sh
#   QUICK=1 bench/run.sh             # ~30 s smoke run (1 rep each)
#   ROUTER=path AM=path OUT=dir REPS=3 DUR=8 MEM_REPS=2 READY_REPS=7 bench/run.sh
#   SECTIONS="notify" REPS=5 bench/run.sh    # only some of: ingest memory notify ready
#
# Both servers get the same flags (--config.file, --storage.path,
# --web.listen-address on 127.0.0.1 and a random port), a fresh temp storage
# dir and the same minimal config (one route, a receiver with no
# integrations; the memory and notify runs add a webhook, see below).  Runs alternate between the servers, and the order flips
# each repetition, so drift on this shared machine hits both alike.  Each
# cell of the table is the median over repetitions:
#
#   ingest   fresh process; load ING_ALERTS alerts once (warm-up), then DUR
#            seconds of loadgen (batch 100, 8 connections, 10 % resolved);
#            CPU us per accepted alert from /proc/PID/stat utime+stime over
#            the timed part only; alerts/s and request latency from loadgen.
#            Then LAT_DUR seconds on one connection: the latency of one
#            100-alert POST when nothing queues (not counted in CPU/alert).
#   memory   fresh process with a webhook that really sends (to bench/sink.py):
#            one probe alert is routed to it and must arrive first, since
#            alertrouter loads libcurl only with its first send and every
#            real deployment sends; the other alerts go to the receiver
#            without integrations.  Then load 10k, then 50k, then 100k
#            distinct active alerts; after each step wait 1 s, read VmRSS
#            and VmHWM.
#   notify   fresh process with a webhook receiver and group_wait GROUP_WAIT;
#            bench/notifylat (C, one epoll loop; bench/latency.py only if
#            the binary is missing) POSTs LAT_GROUPS alerts, each opening a
#            new group, and its sink times the webhook: overhead = receipt -
#            POST - group_wait, p50 and p99 over the groups.  Each rep also
#            runs `notifylat --self --group-wait GROUP_WAIT` (a zero-cost
#            server in a child that holds each webhook GROUP_WAIT on a timer
#            and does nothing else): the floor of tool plus machine at that
#            moment, timer wake-up from idle included.
#   ready    fork+exec to the first 200 from /-/ready (bench/readytime).
#
# If alertrouter is missing or does not accept POST /api/v2/alerts, the
# script says so and measures Alertmanager alone.  Every process it starts
# is killed by PID on exit; the whole run is bounded (each loadgen by its
# own --duration/--timeout, each wait by a count).
set -u
here=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$here/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$REPO/$BUILD" ;; esac
ROUTER=${ROUTER:-$BUILD/alertrouter}
AM=${AM:-/usr/bin/prometheus-alertmanager}
LOADGEN=$BUILD/bench/loadgen
READYTIME=$BUILD/bench/readytime
NOTIFYLAT=$BUILD/bench/notifylat
WAKEJITTER=$BUILD/bench/wakejitter
if [ "${QUICK:-0}" = 1 ]; then
    REPS=${REPS:-1} DUR=${DUR:-3} LAT_DUR=${LAT_DUR:-1} MEM_REPS=${MEM_REPS:-1}
    READY_REPS=${READY_REPS:-3} LAT_GROUPS=${LAT_GROUPS:-30}
else
    REPS=${REPS:-3} DUR=${DUR:-8} LAT_DUR=${LAT_DUR:-2} MEM_REPS=${MEM_REPS:-2}
    READY_REPS=${READY_REPS:-7} LAT_GROUPS=${LAT_GROUPS:-100}
fi
ING_ALERTS=${ING_ALERTS:-10000}
BATCH=${BATCH:-100}
CONNS=${CONNS:-8}
RESOLVED=${RESOLVED:-0.1}
LABELS=${LABELS:-8}
MEM_STEPS=${MEM_STEPS:-"10000 50000 100000"}
GROUP_WAIT=${GROUP_WAIT:-1}
OUT=${OUT:-$REPO/bench/out/$(date -u +%Y%m%dT%H%M%SZ)}
CLK_TCK=$(getconf CLK_TCK)
SECTIONS=${SECTIONS:-"ingest memory notify ready"}
want() { case " $SECTIONS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

for t in "$LOADGEN" "$READYTIME"; do
    [ -x "$t" ] || { echo "missing $t: run 'make bench-tools' first" >&2; exit 2; }
done
[ -x "$AM" ] || { echo "Alertmanager not found at $AM (apt-get install prometheus-alertmanager)" >&2; exit 2; }

mkdir -p "$OUT"
TMP=$(mktemp -d /tmp/ar-bench.XXXXXX)
LOG="$OUT/runs.log"
: >"$LOG"

PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
    sleep 0.2
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

note() { echo "$*" | tee -a "$LOG" >&2; }

cat >"$TMP/config.yml" <<'EOF'
# Minimal: every alert goes to a receiver with no integrations, so the run
# measures ingest, storage and grouping, never a notifier.
route:
  receiver: "null"
  group_by: ["alertname"]
receivers:
  - name: "null"
EOF
CFG=$TMP/config.yml

# latency_config SINK_PORT: the notify run's config, with a webhook to the sink.
latency_config() {
    cat >"$TMP/latency.yml" <<EOF
route:
  receiver: hook
  group_by: ["alertname"]
  group_wait: ${GROUP_WAIT}s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$1/hook
        send_resolved: false
EOF
}

# memory_config SINK_PORT: the memory run's config.  As config.yml, plus a
# child route sending alertname=BenchProbe to a webhook at once (group_wait
# 0s): the probe makes both servers send one notification before the first
# reading, so alertrouter's RSS includes libcurl as in any deployment with
# integrations, while the 100k measured alerts still meet no notifier.
memory_config() {
    cat >"$TMP/memory.yml" <<EOF
route:
  receiver: "null"
  group_by: ["alertname"]
  routes:
    - receiver: hook
      matchers: ['alertname="BenchProbe"']
      group_wait: 0s
      group_interval: 5m
      repeat_interval: 4h
receivers:
  - name: "null"
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$1/hook
        send_resolved: false
EOF
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# server_cmd NAME PORT DIR: the command line, one word per line.
server_cmd() {
    local bin=$AM extra="--cluster.listen-address="
    [ "$1" = router ] && { bin=$ROUTER; extra=""; }
    printf '%s\n' "$bin" "--config.file=$CFG" "--storage.path=$3" \
        "--web.listen-address=127.0.0.1:$2" "--log.level=warn" $extra
}

# start NAME: starts a fresh server; sets SPID and SURL.  Returns 1 if it
# did not answer /-/ready within 5 s (and stops it).
start() {
    local port dir i=0
    port=$(free_port)
    dir=$(mktemp -d "$TMP/data-$1.XXXXXX")
    mapfile -t cmd < <(server_cmd "$1" "$port" "$dir")
    "${cmd[@]}" >>"$OUT/$1.log" 2>&1 &
    SPID=$!
    PIDS+=("$SPID")
    SURL="http://127.0.0.1:$port"
    while [ $i -lt 100 ]; do
        curl -fs -o /dev/null "$SURL/-/ready" 2>/dev/null && return 0
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.05; i=$((i + 1))
    done
    stop
    return 1
}

stop() {
    kill "$SPID" 2>/dev/null
    local i=0
    while kill -0 "$SPID" 2>/dev/null && [ $i -lt 40 ]; do sleep 0.05; i=$((i + 1)); done
    kill -9 "$SPID" 2>/dev/null
    wait "$SPID" 2>/dev/null
}

cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
# machine-wide busy and total jiffies (all CPUs): how much else ran meanwhile
sys_ticks() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }
kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }
record() { echo "$3" >>"$TMP/$1.$2"; }   # record SERVER METRIC VALUE
median() {
    [ -s "$TMP/$1.$2" ] || { echo "-"; return; }
    sort -g "$TMP/$1.$2" | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; print m}'
}

# loadgen ARGS...: runs the load generator against $SURL, logs its output,
# echoes its RESULT line.
loadgen() {
    local out
    out=$("$LOADGEN" --url "$SURL/api/v2/alerts" --verbose "$@" 2>&1)
    echo "$out" | sed 's/^/    /' >>"$LOG"
    grep '^RESULT ' <<<"$out"
}

# ---- which servers ------------------------------------------------------
SERVERS=(am)
ROUTER_STATE="pending API"
if [ ! -x "$ROUTER" ]; then
    note "alertrouter: no binary at $ROUTER (run 'make'); measuring Alertmanager alone"
    ROUTER_STATE="no binary"
elif ! start router; then
    note "alertrouter: did not answer GET /-/ready within 5 s; measuring Alertmanager alone"
    note "  (its log: $OUT/router.log)"
    ROUTER_STATE="not ready"
else
    r=$(loadgen --alerts 1 --batch 1 --requests 1 --conns 1 --duration 5 --timeout 2)
    if [ "$(kv ok "$r")" = 1 ]; then
        SERVERS=(am router)
    else
        got=$(tr ' ' '\n' <<<"$r" | grep -E '^(status_|err_)' | grep -v '=0$' | paste -sd' ')
        note "alertrouter: does not accept POST /api/v2/alerts yet (${got:-no answer}); measuring Alertmanager alone"
        ROUTER_STATE="pending API"
    fi
    stop
fi
name() { [ "$1" = am ] && echo Alertmanager || echo alertrouter; }
# order SERVERS for repetition $1: flips every repetition
order() { if [ $(($1 % 2)) = 1 ] || [ ${#SERVERS[@]} = 1 ]; then echo "${SERVERS[@]}"; else echo "${SERVERS[1]} ${SERVERS[0]}"; fi; }

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
note "bench: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)"
note "bench: servers: ${SERVERS[*]}; REPS=$REPS DUR=${DUR}s MEM_REPS=$MEM_REPS READY_REPS=$READY_REPS; log $LOG"

# ---- ingest ---------------------------------------------------------------
want ingest && for rep in $(seq "$REPS"); do
    for s in $(order "$rep"); do
        start "$s" || { note "$(name "$s"): not ready, ingest rep $rep skipped"; continue; }
        echo "== ingest $s rep $rep" >>"$LOG"
        loadgen --alerts "$ING_ALERTS" --batch "$BATCH" --conns "$CONNS" --labels "$LABELS" \
            --requests $((ING_ALERTS / BATCH)) --duration 60 >/dev/null
        c0=$(cpu_ticks "$SPID"); read -r b0 t0 < <(sys_ticks)
        r=$(loadgen --alerts "$ING_ALERTS" --batch "$BATCH" --conns "$CONNS" --labels "$LABELS" \
            --resolved "$RESOLVED" --duration "$DUR")
        c1=$(cpu_ticks "$SPID"); read -r b1 t1 < <(sys_ticks)
        r1=$(loadgen --alerts "$ING_ALERTS" --batch "$BATCH" --conns 1 --labels "$LABELS" \
            --resolved "$RESOLVED" --duration "$LAT_DUR")
        stop
        [ -n "$(kv p50_us "$r1")" ] && { record "$s" l1p50 "$(kv p50_us "$r1")"; record "$s" l1p99 "$(kv p99_us "$r1")"; }
        n=$(kv alerts "$r")
        if [ -z "$n" ] || [ "$n" = 0 ]; then note "$(name "$s"): ingest rep $rep accepted nothing"; continue; fi
        [ "$(kv bad "$r")" = 0 ] || note "$(name "$s"): ingest rep $rep had non-2xx answers (see log)"
        cpu=$(awk -v d=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$n" 'BEGIN{printf "%.2f", d*1e6/hz/n}')
        # everything but the server (loadgen included), in % of all CPUs
        other=$(awk -v b=$((b1 - b0)) -v t=$((t1 - t0)) -v s=$((c1 - c0)) \
            'BEGIN{ if (t > 0) printf "%.0f", 100*(b-s)/t; else print "?" }')
        record "$s" cpu "$cpu"; record "$s" aps "$(kv aps "$r")"
        record "$s" p50 "$(kv p50_us "$r")"; record "$s" p99 "$(kv p99_us "$r")"
        note "$(name "$s") ingest rep $rep: $(kv aps "$r") alerts/s, $cpu us CPU/alert, p50 $(kv p50_us "$r") us, p99 $(kv p99_us "$r") us; others used ${other}% of the CPUs"
    done
done

# ---- memory ---------------------------------------------------------------
# One webhook sink for the whole section (bounded by its own --max-seconds);
# each run's probe must show up in its count file within 5 s.
if want memory; then
    MEM_SINK=$(free_port)
    : >"$TMP/sink.count"
    python3 "$here/sink.py" --port "$MEM_SINK" --count "$TMP/sink.count" --max-seconds 900 \
        >>"$LOG" 2>&1 &
    PIDS+=("$!")
    i=0
    until curl -s -o /dev/null "http://127.0.0.1:$MEM_SINK/" || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
    memory_config "$MEM_SINK"
fi
want memory && for rep in $(seq "$MEM_REPS"); do
    for s in $(order "$rep"); do
        CFG=$TMP/memory.yml
        start "$s" || { CFG=$TMP/config.yml; note "$(name "$s"): not ready, memory rep $rep skipped"; continue; }
        CFG=$TMP/config.yml
        echo "== memory $s rep $rep" >>"$LOG"
        sent=$(wc -l <"$TMP/sink.count")
        curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' \
            -d '[{"labels":{"alertname":"BenchProbe"}}]' "$SURL/api/v2/alerts"
        i=0
        while [ "$(wc -l <"$TMP/sink.count")" -le "$sent" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
        if [ "$(wc -l <"$TMP/sink.count")" -le "$sent" ]; then
            note "$(name "$s"): memory rep $rep: the probe notification did not arrive within 5 s; skipped"
            stop
            continue
        fi
        echo "    probe notification received" >>"$LOG"
        prev=0
        for step in $MEM_STEPS; do
            add=$((step - prev))
            r=$(loadgen --first "$prev" --alerts "$add" --batch "$BATCH" --conns 4 \
                --labels "$LABELS" --requests $(((add + BATCH - 1) / BATCH)) --duration 120)
            prev=$step
            if [ "$(kv alerts "$r")" != "$add" ]; then
                note "$(name "$s"): memory step $step: only $(kv alerts "$r") of $add alerts accepted"
                break
            fi
            sleep 1
            rss=$(status_kb "$SPID" VmRSS); hwm=$(status_kb "$SPID" VmHWM)
            record "$s" "rss$step" "$(awk -v k="$rss" 'BEGIN{printf "%.1f", k/1024}')"
            record "$s" "hwm$step" "$(awk -v k="$hwm" 'BEGIN{printf "%.1f", k/1024}')"
            note "$(name "$s") memory rep $rep: $step alerts: VmRSS $((rss / 1024)) MB, VmHWM $((hwm / 1024)) MB"
        done
        stop
    done
done

# ---- notification overhead ---------------------------------------------------
# notify_tool ARGS...: the latency prober, same CLI and RESULT line either way.
if [ -x "$NOTIFYLAT" ]; then
    NOTIFY_TOOL=notifylat
    notify_tool() { "$NOTIFYLAT" "$@"; }
else
    NOTIFY_TOOL=latency.py
    note "bench: no $NOTIFYLAT (make bench-tools); notify runs use bench/latency.py, whose own p99 is several ms"
    notify_tool() { python3 "$here/latency.py" "$@"; }
fi
want notify && for rep in $(seq "$REPS"); do
    if [ "$NOTIFY_TOOL" = notifylat ]; then
        r=$("$NOTIFYLAT" --self --group-wait "$GROUP_WAIT" --groups "$LAT_GROUPS" 2>&1 | grep '^RESULT ')
        if [ -n "$(kv p99_ms "$r")" ]; then
            record tool np50 "$(kv p50_ms "$r")"; record tool np99 "$(kv p99_ms "$r")"
            note "notifylat --self rep $rep (tool floor): p50 $(kv p50_ms "$r") ms, p99 $(kv p99_ms "$r") ms"
        fi
    fi
    for s in $(order "$rep"); do
        sink=$(free_port)
        latency_config "$sink"
        CFG=$TMP/latency.yml
        start "$s" || { CFG=$TMP/config.yml; note "$(name "$s"): not ready, notify rep $rep skipped"; continue; }
        CFG=$TMP/config.yml
        echo "== notify $s rep $rep" >>"$LOG"
        out=$(notify_tool --url "$SURL" --sink-port "$sink" --group-wait "$GROUP_WAIT" \
            --groups "$LAT_GROUPS" --tag "$s$rep" 2>&1)
        stop
        echo "$out" | sed 's/^/    /' >>"$LOG"
        r=$(grep '^RESULT ' <<<"$out")
        if [ -n "$(kv p50_ms "$r")" ] && [ "$(kv received "$r")" = "$LAT_GROUPS" ]; then
            record "$s" np50 "$(kv p50_ms "$r")"; record "$s" np99 "$(kv p99_ms "$r")"
            note "$(name "$s") notify rep $rep: overhead p50 $(kv p50_ms "$r") ms, p99 $(kv p99_ms "$r") ms"
        else
            note "$(name "$s"): notify rep $rep: $(head -1 <<<"$out")"
        fi
    done
done
# The machine under both servers: a flush-sized piece of CPU work timed right
# after a timer wake-up (bench/wakejitter.c), 250 wake-ups 20 ms apart.
WAKE=""
if want notify && [ -x "$WAKEJITTER" ]; then
    WAKE=$("$WAKEJITTER" --samples 250 --work 40 | grep '^RESULT ')
    note "wakejitter (flush-sized work after a wake-up): p50 $(kv p50_us "$WAKE") us, p99 $(kv p99_us "$WAKE") us"
fi

# ---- time to ready ----------------------------------------------------------
want ready && for rep in $(seq "$READY_REPS"); do
    for s in $(order "$rep"); do
        port=$(free_port)
        dir=$(mktemp -d "$TMP/ready-$s.XXXXXX")
        mapfile -t cmd < <(server_cmd "$s" "$port" "$dir")
        r=$("$READYTIME" --port "$port" --timeout 10 --log "$OUT/$s.log" -- "${cmd[@]}" 2>>"$LOG")
        ms=$(sed -n 's/^READY ms=\([^ ]*\).*/\1/p' <<<"$r")
        [ -n "$ms" ] && record "$s" ready "$ms"
        echo "ready $s rep $rep: ${ms:-failed} ms" >>"$LOG"
    done
done

# ---- table ------------------------------------------------------------------
row() { # label metric [digits]
    local a r ratio
    a=$(median am "$2"); r=$(median router "$2")
    if [ ${#SERVERS[@]} = 1 ]; then r="$ROUTER_STATE"; ratio="-"
    else ratio=$(awk -v a="$a" -v r="$r" 'BEGIN{ if (a+0 > 0 && r != "-") printf "%.3f", r/a; else print "-"}'); fi
    printf '%-34s %14s %14s %12s\n' "$1" "$a" "$r" "$ratio"
}
{
    echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), kernel $(uname -r)"
    echo "# $("$AM" --version 2>&1 | head -1); load average at start $LOAD0, at end $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# notify tool: ${NOTIFY_TOOL:-none}; its own floor (notifylat --self, zero-cost server with the same group_wait timer): p50 $(median tool np50) ms, p99 $(median tool np99) ms"
    if [ -n "$WAKE" ]; then echo "# wakejitter: ~0.13 ms of CPU work right after a timer wake-up takes p50 $(kv p50_us "$WAKE") us, p99 $(kv p99_us "$WAKE") us on this machine"; fi
    echo "# medians: ingest $REPS x ${DUR}s (+${LAT_DUR}s on 1 conn) ($ING_ALERTS alerts, batch $BATCH, $CONNS conns, resolved $RESOLVED, $LABELS labels), memory $MEM_REPS, notify $REPS x $LAT_GROUPS groups, ready $READY_REPS"
    printf '%-34s %14s %14s %12s\n' "metric" "alertmanager" "alertrouter" "ratio AR/AM"
    if want ingest; then
        row "CPU us per ingested alert" cpu
        row "ingest alerts/s" aps
        row "ingest latency p50 us, $CONNS conns" p50
        row "ingest latency p99 us, $CONNS conns" p99
        row "POST latency p50 us, 1 conn" l1p50
        row "POST latency p99 us, 1 conn" l1p99
    fi
    want memory && for step in $MEM_STEPS; do
        row "VmRSS MB, $((step / 1000))k active alerts" "rss$step"
        row "VmHWM MB, $((step / 1000))k active alerts" "hwm$step"
    done
    if want notify; then
        row "notify overhead p50 ms (webhook)" np50
        row "notify overhead p99 ms (webhook)" np99
    fi
    want ready && row "start to /-/ready 200, ms" ready
} | tee "$OUT/table.txt"
echo "(runs: $LOG)"
