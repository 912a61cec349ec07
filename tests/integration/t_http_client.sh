# router/http_client against real loopback peers: an HTTPS double (plain
# TLS and mutual TLS), an aiosmtpd double (STARTTLS + AUTH, and SMTPS), all
# with a test PKI made here.  The C driver checks the results it gets back;
# this script checks what the peers recorded and that nothing secret was
# printed.
. "$LIB"
peers="$REPO/tests/integration/peers"
driver="$REPO/${BUILD:-build}/http_client_driver"
[ -x "$driver" ] || fail "driver not built: $driver"

"$peers/make_ca.sh" "$T/pki" || fail "make_ca.sh"
ok "test PKI generated"
K="$T/pki"
# A CA directory as SSL_CERT_DIR wants it: certificates under their hash.
mkdir -p "$K/cadir"
ln -s "$K/ca.pem" "$K/cadir/$(openssl x509 -hash -noout -in "$K/ca.pem").0" || fail "CA directory"

# start_peer NAME CMD...: starts a peer that prints "ready PORT ..." first.
start_peer() {
    local name=$1; shift
    "$@" >"$T/$name.out" 2>"$T/$name.err" &
    PIDS+=("$!")
    local i=0
    while [ $i -lt 100 ]; do
        grep -q '^ready' "$T/$name.out" 2>/dev/null && return 0
        sleep 0.05; i=$((i + 1))
    done
    cat "$T/$name.err"; fail "$name did not start"
}

start_peer https python3 "$peers/https_double.py" --cert "$K/server.pem" --key "$K/server.key" \
    --outdir "$T/https"
start_peer mtls python3 "$peers/https_double.py" --cert "$K/server.pem" --key "$K/server.key" \
    --client-ca "$K/ca.pem" --outdir "$T/mtls"
HPORT=$(awk '/^ready/{print $2}' "$T/https.out")
MPORT=$(awk '/^ready/{print $2}' "$T/mtls.out")
SPORT=$(free_port); SSPORT=$(free_port); CLOSED=$(free_port)
# aiosmtpd is a Debian package: Debian's interpreter, not a pyenv one.
start_peer smtp /usr/bin/python3 "$peers/smtpd_double.py" --port "$SPORT" --smtps-port "$SSPORT" \
    --cert "$K/server.pem" --key "$K/server.key" --outdir "$T/mail"

"$driver" --https "https://127.0.0.1:$HPORT" --mtls "https://localhost:$MPORT" \
    --ca "$K/ca.pem" --other-ca "$K/other-ca.pem" --cert "$K/client.pem" --key "$K/client.key" \
    --smtp "smtp://127.0.0.1:$SPORT/router.test" --smtps "smtps://localhost:$SSPORT/router.test" \
    --closed-port "$CLOSED" --ca-dir "$K/cadir" >"$T/driver.out" 2>&1
rc=$?
cat "$T/driver.out"
[ $rc -eq 0 ] || fail "driver reported failures (exit $rc)"

# Nothing the client printed or logged contains a secret.
for s in SECRETxPATHx7f3a SIGxSECRETx91c2 PASSxSECRETx55d1 TOKENxSECRETx0b7e; do
    assert_not_contains "$T/driver.out" "$s" "driver output free of $s"
done

# What the HTTPS double saw.
req="$T/https/requests.jsonl"
n=$(grep -c '"path": "/hook/concurrent' "$req")
assert_eq 200 "$n" "the double recorded 2 x 100 concurrent POSTs"
python3 - "$req" <<'EOF' || fail "recorded requests"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
def one(path):
    m = [r for r in recs if r["path"] == path]
    assert len(m) == 1, (path, len(m))
    return m[0]
c = [r for r in recs if r["path"].startswith("/hook/concurrent")]
assert all(r["method"] == "POST" for r in c)
assert all(r["headers"]["Content-Type"] == "application/json" for r in c)
assert all(r["headers"]["User-Agent"].startswith("Alertmanager/0.25.0 (alertrouter/") for r in c), \
    c[0]["headers"]["User-Agent"]
assert all("Expect" not in r["headers"] for r in c)
seqs = sorted(json.loads(r["body"])["seq"] for r in c if json.loads(r["body"])["round"] == 1)
assert seqs == list(range(100)), seqs[:5]
b = one("/record/bearer")
assert b["method"] == "POST" and b["body"] == '{"owned":true}', b
assert b["headers"]["Authorization"] == "Bearer test-bearer-token", b["headers"]
assert b["headers"]["X-Receiver"] == "team-a"
p = one("/record/basic")
assert p["method"] == "PUT" and p["body"] == '{"put":1}', p
assert p["headers"]["Authorization"] == "Basic YWxpY2U6d29uZGVybGFuZA==", p["headers"]
assert p["headers"]["User-Agent"] == "custom-agent/1"
s = one("/tls/server-name")
assert s["headers"]["Host"].startswith("127.0.0.1:"), s["headers"]["Host"]
print("recorded requests: methods, bodies, auth headers, User-Agent, Host as expected")
EOF
ok "recorded requests have the expected methods, bodies and headers"
assert_contains "$T/https/tls_errors.jsonl" "unknown ca" "the double saw the untrusting client abort the handshake"

# What the SMTP double accepted: the good STARTTLS+AUTH message and SMTPS.
python3 - "$T/mail" <<'EOF' || fail "delivered mail"
import glob, json, os, sys
metas = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))]
assert len(metas) == 2, metas
for m in metas:
    assert m["auth_user"] == "router" and m["tls"], m
    assert m["mail_from"] == "router@example.org", m
    assert m["rcpt_tos"] == ["oncall@example.org", "team@example.org"], m
    assert m["helo"] == "router.test", m
eml = open(sorted(glob.glob(os.path.join(sys.argv[1], "*.eml")))[0], "rb").read()
assert b"Subject: [FIRING:1] HighLatency" in eml
assert b"\r\n.leading dot line\r\n" in eml, eml   # dot-stuffing undone by the server
print("mail: 2 messages, TLS, authenticated, envelope and body intact")
EOF
ok "SMTP double received exactly the two good messages"

grep '^measure:' "$T/driver.out" | sed 's/^/  /'
exit 0
