# --web.route-prefix / --web.external-url mount every route under a path,
# as Alertmanager does; --web.listen-address forms and errors.
. "$LIB"
. "$(dirname "$LIB")/http_lib.sh"

# start_router waits for /-/ready, which moves with the prefix.
start_prefixed() {
    local prefix=$1; shift
    RPORT=$(free_port)
    RURL="http://127.0.0.1:$RPORT"
    "$ROUTER" --web.listen-address="127.0.0.1:$RPORT" --storage.path="$T/data" "$@" \
        >>"$T/router.log" 2>&1 &
    RPID=$!
    PIDS+=("$RPID")
    wait_http "$RURL$prefix/-/ready" 10 || { cat "$T/router.log"; fail "router did not become ready"; }
}

start_prefixed /am --web.route-prefix=/am/
assert_eq OK "$(curl -sS "$RURL/am/-/healthy")" "healthy under the prefix"
assert_eq '{"status":"ok"}' "$(curl -sS "$RURL/am/health")" "/health under the prefix"
assert_eq 404 "$(curl -sS -o /dev/null -w '%{http_code}' "$RURL/-/healthy")" "no route outside the prefix"
assert_eq 404 "$(curl -sS -o /dev/null -w '%{http_code}' "$RURL/amx/-/healthy")" "prefix matches whole segments"
code=$(curl -sS -D "$T/h" -o /dev/null -w '%{http_code}' "$RURL/")
assert_eq 302 "$code" "/ redirects to the prefix"
assert_contains "$T/h" "Location: /am" "/ -> /am"
code=$(curl -sS -D "$T/h" -o /dev/null -w '%{http_code}' "$RURL/am")
assert_eq 301 "$code" "/am redirects"
assert_contains "$T/h" "Location: /am/" "/am -> /am/"
curl -sS -o "$T/b" "$RURL/am/api/v2/nope"
assert_eq '{"code":404,"message":"path /api/v2/nope was not found"}' "$(cat "$T/b")" \
    "API 404 names the path below the prefix"
stop_router_clean

# The prefix defaults to the external URL's path; --web.route-prefix wins.
start_prefixed /ext --web.external-url=http://alerts.example.com/ext/
assert_eq OK "$(curl -sS "$RURL/ext/-/ready")" "prefix from --web.external-url"
kill "$RPID"
start_router --web.external-url=http://alerts.example.com/ext/ --web.route-prefix=/
assert_eq OK "$(curl -sS "$RURL/-/ready")" "--web.route-prefix=/ overrides the URL's path"
kill "$RPID"

"$ROUTER" --web.external-url=ftp://x/ --web.listen-address=127.0.0.1:0 >"$T/e" 2>&1; rc=$?
assert_eq 1 "$rc" "bad external URL exits 1"
assert_contains "$T/e" "only 'http' and 'https' are supported" "bad external URL explained"

# Listen address forms.
P=$(free_port)
"$ROUTER" --web.listen-address=":$P" >"$T/w.log" 2>&1 &
W=$!; PIDS+=("$W")
wait_http "http://127.0.0.1:$P/-/ready" 10 || { cat "$T/w.log"; fail ":port not reachable on 127.0.0.1"; }
ok ":port listens on all interfaces"
grep -qE "address=(\[::\]|0\.0\.0\.0):$P" "$T/w.log" || { cat "$T/w.log"; fail "wildcard address logged"; }
ok "wildcard address logged"

# The port is taken now: a second router must fail clearly.
"$ROUTER" --web.listen-address="127.0.0.1:$P" >"$T/busy" 2>&1; rc=$?
assert_eq 1 "$rc" "busy port exits 1"
assert_contains "$T/busy" "bind: address already in use" "busy port explained"
kill "$W"

if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' 2>/dev/null; then
    P=$(free_port)
    "$ROUTER" --web.listen-address="[::1]:$P" >"$T/v6.log" 2>&1 &
    W=$!; PIDS+=("$W")
    wait_http "http://[::1]:$P/-/ready" 10 || { cat "$T/v6.log"; fail "[::1] not reachable"; }
    assert_contains "$T/v6.log" "address=[::1]:$P" "[::1]:port listens on IPv6 loopback"
    kill "$W"
else
    ok "no IPv6 loopback here: [::1] case skipped"
fi

P=$(free_port)
"$ROUTER" --web.listen-address="localhost:$P" >"$T/lh.log" 2>&1 &
W=$!; PIDS+=("$W")
wait_http "http://127.0.0.1:$P/-/ready" 10 || { cat "$T/lh.log"; fail "localhost not reachable"; }
assert_contains "$T/lh.log" "address=127.0.0.1:$P" "host name listens on its IPv4 address"
kill "$W"

for bad in "9093" "127.0.0.1:99999" "127.0.0.1:x" "a:b:1"; do
    "$ROUTER" --web.listen-address="$bad" >"$T/bad" 2>&1; rc=$?
    assert_eq 1 "$rc" "listen address '$bad' exits 1"
    assert_contains "$T/bad" "Listen error" "listen address '$bad' explained"
done
exit 0
