# The HTTP layer's everyday behaviour: health endpoints (GET and HEAD),
# Alertmanager's 404/405 answers, keep-alive, pipelining, a malformed
# request line, and a clean exit on SIGTERM.
. "$LIB"
. "$(dirname "$LIB")/http_lib.sh"
PROBE="python3 $(dirname "$LIB")/http_probe.py"

start_router --log.level=debug
assert_contains "$T/router.log" "msg=\"Listening on\" address=127.0.0.1:$RPORT" "startup names the address"
assert_contains "$T/router.log" 'msg="open file limit"' "fd limit logged at debug"

for p in /-/healthy /-/ready; do
    curl -sS -D "$T/h" -o "$T/b" "$RURL$p" || fail "GET $p"
    assert_eq "OK" "$(cat "$T/b")" "GET $p body is Alertmanager's"
    assert_contains "$T/h" "HTTP/1.1 200" "GET $p is 200"
    assert_contains "$T/h" "Content-Type: text/plain; charset=utf-8" "GET $p is text"
    code=$(curl -sS -I -o "$T/hb" -w '%{http_code}' "$RURL$p")
    assert_eq 200 "$code" "HEAD $p is 200"
done
assert_eq '{"status":"ok"}' "$(curl -sS "$RURL/health")" "GET /health"
assert_eq 200 "$(curl -sS -o /dev/null -w '%{http_code}' -I "$RURL/health")" "HEAD /health"

# Unknown paths: Go's plain text outside the API, OpenAPI JSON inside.
code=$(curl -sS -o "$T/b" -w '%{http_code}' "$RURL/nope")
assert_eq 404 "$code" "unknown path is 404"
assert_eq "404 page not found" "$(cat "$T/b")" "404 body as Alertmanager's"
code=$(curl -sS -o "$T/b" -w '%{http_code}' "$RURL/api/v2/nope")
assert_eq 404 "$code" "unknown API path is 404"
assert_eq '{"code":404,"message":"path /api/v2/nope was not found"}' "$(cat "$T/b")" "API 404 body is JSON"

# Wrong method: 405 with Allow; OPTIONS answered with Allow.
code=$(curl -sS -D "$T/h" -o "$T/b" -w '%{http_code}' -X POST "$RURL/-/healthy")
assert_eq 405 "$code" "POST /-/healthy is 405"
assert_contains "$T/h" "Allow: GET, HEAD, OPTIONS" "405 lists the methods"
assert_eq "Method Not Allowed" "$(cat "$T/b")" "405 body as Alertmanager's"
code=$(curl -sS -D "$T/h" -o /dev/null -w '%{http_code}' -X OPTIONS "$RURL/-/ready")
assert_eq 200 "$code" "OPTIONS is 200"
assert_contains "$T/h" "Allow: GET, HEAD, OPTIONS" "OPTIONS lists the methods"

# Keep-alive: curl reuses one connection for three URLs; so does a raw socket.
curl -sS -v "$RURL/-/healthy" "$RURL/-/ready" "$RURL/health" -o /dev/null -o /dev/null -o /dev/null \
    2>"$T/v" || fail "curl keep-alive"
assert_eq 2 "$(grep -c 'Re-using existing connection' "$T/v")" "curl reused the connection twice"
assert_eq "200:OK 200:OK 200:OK 200:OK 200:OK" "$($PROBE keepalive "$RPORT" 5)" "5 requests on one socket"

# Pipelining: 8 requests in one write, answered in order, then closed.
assert_eq "200 200 200 404 200 200 200 200 closed" "$($PROBE pipeline "$RPORT" 8)" "8 pipelined requests"

# Malformed request lines: 400 (or 505), and the server carries on.
assert_eq "400 closed" "$($PROBE raw "$RPORT" 'GET /x HTTP/1.1 extra\r\n\r\n')" "extra token: 400"
assert_eq "400 closed" "$($PROBE raw "$RPORT" 'GET / FOO/1.1\r\n\r\n')" "bad protocol: 400"
assert_eq "505 closed" "$($PROBE raw "$RPORT" 'GET / HTTP/9.9\r\n\r\n')" "bad version: 505"
assert_eq "400 closed" "$($PROBE raw "$RPORT" 'GET / HTTP/1.1\r\nno colon here\r\n\r\n')" "bad header line: 400"
assert_eq "OK" "$(curl -sS "$RURL/-/healthy")" "still serving after bad requests"

# SIGTERM: stop, exit 0.
stop_router_clean
assert_contains "$T/router.log" "exiting gracefully" "SIGTERM logged"
curl -sS -o /dev/null "$RURL/-/healthy" 2>/dev/null && fail "still accepting after exit"
ok "port closed after exit"
exit 0
