# lib.sh -- shared by the integration tests; sourced, never run.
# Every process a test starts is recorded and killed on exit, by PID.
set -u
PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
    sleep 0.1
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
    return 0
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; exit 1; }
ok() { echo "ok: $*"; }

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_http URL [seconds]: until URL answers 2xx.
wait_http() {
    local url=$1 secs=${2:-10} i=0
    while [ $i -lt $((secs * 20)) ]; do
        curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
        sleep 0.05; i=$((i + 1))
    done
    return 1
}

# start_router ARGS...: starts $ROUTER in the background on a free port;
# sets RPORT, RURL, RPID; logs to $T/router.log.
start_router() {
    RPORT=$(free_port)
    RURL="http://127.0.0.1:$RPORT"
    "$ROUTER" --web.listen-address="127.0.0.1:$RPORT" --storage.path="$T/data" "$@" \
        >>"$T/router.log" 2>&1 &
    RPID=$!
    PIDS+=("$RPID")
    wait_http "$RURL/-/ready" 10 || { cat "$T/router.log"; fail "router did not become ready"; }
}

# assert_eq EXPECTED ACTUAL WHAT
assert_eq() { [ "$1" = "$2" ] || fail "$3: expected [$1], got [$2]"; ok "$3"; }
# assert_contains FILE STRING WHAT
assert_contains() { grep -qF -- "$2" "$1" || { cat "$1"; fail "$3: [$2] not found in $1"; }; ok "$3"; }
assert_not_contains() { ! grep -qF -- "$2" "$1" || { cat "$1"; fail "$3: [$2] found in $1"; }; ok "$3"; }
