# router/notify's webhook notifier against the loopback HTTPS double: the
# C driver (notify_driver.c) sends and checks outcomes (retry on 500 then
# success, no retry on 400, deadline, wrong CA, timeout, 429 Retry-After);
# this script checks what the double received: the exact payload, the
# basic-auth and bearer headers, max_alerts from url_file, and that no
# secret (URL path, password, token) was printed or logged.
. "$LIB"
peers="$REPO/tests/integration/peers"
driver="$REPO/${BUILD:-build}/notify_driver"
[ -x "$driver" ] || fail "driver not built: $driver"

"$peers/make_ca.sh" "$T/pki" || fail "make_ca.sh"
python3 "$peers/https_double.py" --cert "$T/pki/server.pem" --key "$T/pki/server.key" \
    --outdir "$T/https" >"$T/https.out" 2>"$T/https.err" &
PIDS+=("$!")
for _ in $(seq 100); do grep -q '^ready' "$T/https.out" 2>/dev/null && break; sleep 0.05; done
HPORT=$(awk '/^ready/{print $2}' "$T/https.out")
[ -n "$HPORT" ] || { cat "$T/https.err"; fail "https double did not start"; }

mkdir -p "$T/work"
"$driver" --url "https://127.0.0.1:$HPORT" --ca "$T/pki/ca.pem" --other-ca "$T/pki/other-ca.pem" \
    --dir "$T/work" >"$T/driver.out" 2>&1
rc=$?
cat "$T/driver.out"
[ $rc -eq 0 ] || fail "driver reported failures (exit $rc)"

for s in SECRETxHOOKx3e1d PASSxNOTIFYx8a2c TOKENxNOTIFYx44f0; do
    assert_not_contains "$T/driver.out" "$s" "driver output and logs free of $s"
done

python3 - "$T/https/requests.jsonl" "$T/work/expected-payload.json" <<'PY' || fail "recorded requests"
import base64, json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
want = open(sys.argv[2], "rb").read()
def at(prefix):
    return [r for r in recs if r["path"].startswith(prefix)]
p = at("/hook/payload/")
assert len(p) == 1, len(p)
p = p[0]
assert p["method"] == "POST" and p["body"].encode() == want, (p["body"], want)
assert p["headers"]["Content-Type"] == "application/json"
assert p["headers"]["User-Agent"].startswith("Alertmanager/0.25.0"), p["headers"]
assert p["headers"]["Authorization"] == "Basic " + base64.b64encode(b"alice:PASSxNOTIFYx8a2c").decode()
body = json.loads(p["body"])
assert body["version"] == "4" and body["receiver"] == "team-db" and body["status"] == "firing"
assert [a["status"] for a in body["alerts"]] == ["firing", "resolved"]
assert body["alerts"][0]["endsAt"] == "0001-01-01T00:00:00Z"
u = at("/hook/urlfile/SECRETxHOOKx3e1d")
assert len(u) == 1, [r["path"] for r in recs]
assert u[0]["headers"]["Authorization"] == "Bearer TOKENxNOTIFYx44f0"
ub = json.loads(u[0]["body"])
assert len(ub["alerts"]) == 1 and ub["truncatedAlerts"] == 1, ub
assert len(at("/hook/scripted")) == 3 + 2, len(at("/hook/scripted"))  # 500,500,200 + 429,200
assert len(at("/hook/bad")) == 1
assert len(at("/hook/down")) >= 3
assert len(at("/hook/untrusted")) == 0   # the handshake never completed
print("double saw: exact payload, basic auth, bearer from file, url_file + max_alerts,",
      "3+2 scripted attempts, 1 x 400, %d x 503" % len(at("/hook/down")))
PY
ok "the double received exactly what was expected"
grep '^measure:' "$T/driver.out" | sed 's/^/  /'
exit 0
