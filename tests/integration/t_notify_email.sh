# router/notify_email.c against a real SMTP server (Debian's aiosmtpd,
# peers/smtpd_double.py) with a test CA made now: the C driver
# (email_driver.c) sends and checks outcomes (STARTTLS + AUTH, implicit TLS,
# wrong password: one attempt, clear error; wrong CA, 451, refused:
# retried; 550: not); this script checks what the server received, parsed
# with Python's email package (decoded UTF-8 subject, text/plain then
# text/html, Auto-Submitted, escaped <script>, dot-stuffing undone, both
# recipients), the SMTP transcript (STARTTLS before AUTH, EHLO name), and
# that no password appears in any output at debug level.
. "$LIB"
peers="$REPO/tests/integration/peers"
driver="$REPO/${BUILD:-build}/email_driver"
[ -x "$driver" ] || fail "driver not built: $driver"

"$peers/make_ca.sh" "$T/pki" || fail "make_ca.sh"
PORT=$(free_port)
SPORT=$(free_port)
/usr/bin/python3 "$peers/smtpd_double.py" --port "$PORT" --smtps-port "$SPORT" \
    --cert "$T/pki/server.pem" --key "$T/pki/server.key" --outdir "$T/mail" \
    --password PASSxSMTPx91b7 --transcript "$T/transcript.log" >"$T/smtpd.out" 2>"$T/smtpd.err" &
PIDS+=("$!")
for _ in $(seq 100); do grep -q '^ready' "$T/smtpd.out" 2>/dev/null && break; sleep 0.05; done
grep -q '^ready' "$T/smtpd.out" || { cat "$T/smtpd.err"; fail "smtpd double did not start"; }

mkdir -p "$T/work"
"$driver" --port "$PORT" --smtps-port "$SPORT" --ca "$T/pki/ca.pem" \
    --other-ca "$T/pki/other-ca.pem" --dir "$T/work" >"$T/driver.out" 2>&1
rc=$?
cat "$T/driver.out"
[ $rc -eq 0 ] || fail "driver reported failures (exit $rc)"

for s in PASSxSMTPx91b7 WRONGxPASSx5d1e; do
    assert_not_contains "$T/driver.out" "$s" "driver output and debug logs free of $s"
    assert_not_contains "$T/transcript.log" "$s" "transcript free of $s"
done

/usr/bin/python3 - "$T/mail" "$T/transcript.log" "$PORT" "$SPORT" <<'PY' || fail "received mail"
import email, email.policy, json, os, sys
mail, tpath, port, sport = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
names = sorted(f for f in os.listdir(mail) if f.endswith(".eml"))
assert names == ["0001.eml", "0002.eml"], names
raw = open(os.path.join(mail, "0001.eml"), "rb").read()
meta = json.load(open(os.path.join(mail, "0001.json")))
m = email.message_from_bytes(raw, policy=email.policy.default)

# Envelope: both recipients, AUTH as router, over TLS, EHLO router.test.
assert meta["rcpt_tos"] == ["oncall@example.org", "ops@example.org"], meta
assert meta["mail_from"] == "alerts@example.org", meta
assert meta["auth_user"] == "router" and meta["tls"] and meta["helo"] == "router.test", meta
assert meta["port"] == port, meta

# Headers.
assert m["Subject"] == "\u26a0 FIRING DiskFull \u2014 Gr\u00f6\u00dfe \u00fcber Knoten", m["Subject"]
assert b"=?UTF-8?" in raw.split(b"\r\n\r\n", 1)[0], "subject not RFC 2047 encoded"
assert m["Auto-Submitted"] == "auto-generated"
assert m["MIME-Version"] == "1.0"
assert m["X-Group"] == "DiskFull"
assert [str(a.addr_spec) for a in m["To"].addresses] == ["oncall@example.org", "ops@example.org"]
assert m["To"].addresses[1].display_name == "Ops, EU"
assert m["From"].addresses[0].display_name == "Alert Router"
assert m["Message-Id"].startswith("<") and "@" in m["Message-Id"], m["Message-Id"]
assert email.utils.parsedate_to_datetime(m["Date"]) is not None
assert not m.defects, m.defects

# Body: text/plain then text/html, quoted-printable UTF-8.
assert m.get_content_type() == "multipart/alternative"
parts = list(m.iter_parts())
assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"], parts
for p in parts:
    assert p["Content-Transfer-Encoding"] == "quoted-printable"
    assert p.get_content_charset() == "utf-8"
    assert not p.defects, p.defects
text = parts[0].get_content().replace("\r\n", "\n")
want = ("db-1: <script>alert(1)</script> & \"quotes\"\n"
        "db-2: disk \u00fcber 90 %\n.\n..two dots\n")
assert text == want, repr(text)
html = parts[1].get_content()
assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, "label not escaped in HTML"
assert "<script>alert" not in html
assert "DiskFull" in html
# The wire form: 7-bit, CRLF, short lines.
for line in raw.split(b"\r\n"):
    assert len(line) <= 998 and b"\n" not in line and b"\r" not in line
    assert all(c < 128 for c in line)

# Implicit TLS message.
meta2 = json.load(open(os.path.join(mail, "0002.json")))
assert meta2["port"] == sport and meta2["tls"] and meta2["rcpt_tos"] == ["implicit@example.org"]

# Transcript: per session, STARTTLS before AUTH and AUTH only under TLS.
sessions = {}
for line in open(tpath):
    p, sid, tls, verb = line.split()[:4]
    sessions.setdefault(sid, []).append((int(p), tls == "tls=1", verb, line.strip()))
first = sessions["1"]
verbs = [v for _, _, v, _ in first]
assert verbs[:4] == ["EHLO", "STARTTLS", "EHLO", "AUTH"], verbs
assert verbs.count("RCPT") == 2 and "DATA" in verbs and verbs[-1] == "QUIT", verbs
for s in sessions.values():
    seen_tls = False
    for (p, tls, verb, line) in s:
        if verb == "AUTH":
            assert tls, "AUTH before TLS: " + line
        if p == port and verb == "STARTTLS":
            seen_tls = True
        if p == port and verb in ("AUTH", "MAIL"):
            assert seen_tls, "STARTTLS missing before " + line
failed_auth = [l for s in sessions.values() for (_, _, v, l) in s if v == "AUTH" and "failed" in l]
assert len(failed_auth) == 1, failed_auth   # wrong password: one attempt, no retry
assert sessions["2"][0][0] == sport and sessions["2"][0][1], sessions["2"]
print("server saw: 2 mails; subject %r; parts %s; %d SMTP sessions; 1 failed AUTH" %
      (m["Subject"], [p.get_content_type() for p in parts], len(sessions)))
PY
ok "the server received exactly what was expected"
echo "--- first message, as received ---"
sed -n '1,/^--=_ar_/p' "$T/mail/0001.eml" | tr -d '\r'
grep '^measure:' "$T/driver.out" | sed 's/^/  /'
exit 0
