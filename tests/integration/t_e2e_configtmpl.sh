# The shipped config.tmpl end to end: the router started through
# entrypoint.sh with the ROUTER_* variables pointing at the doubles (Slack
# and Teams Workflows over HTTPS, email over SMTP with STARTTLS + AUTH), the
# test CA trusted through SSL_CERT_FILE, timers 1s/2s/1h.  Three alerts:
#   critical -> Slack, email and Teams; warning -> email and Teams only;
#   info -> the "default" receiver, nothing delivered;
# then all three resolved: the resolved notifications follow on the same
# receivers (send_resolved: true) and nothing else arrives.  Checks the
# SMTP dialogue (STARTTLS before AUTH), the Teams cards against the
# Adaptive Card 1.4 schema, what the mails and messages say, and that no
# secret appears in any log line at debug level.
. "$LIB"
. "$(dirname "$LIB")/e2e_lib.sh"
t_start=$(date +%s.%N)
elapsed() { awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

e2e_start_peers
e2e_start_router
ok "router started through entrypoint.sh with config.tmpl (ROUTER_STRICT=1) at $(elapsed) s"
grep -q 'level=debug' "$T/router.log" || fail "no debug line logged: the secret check would vouch for nothing"

# post ENDS_IN: the three alerts, firing (ENDS_IN empty) or ending now.
post() {
    local ends=""
    [ -n "${1:-}" ] && ends=",\"endsAt\":\"$(date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ)\""
    local body="[" sev sep=""
    for sev in critical warning info; do
        body="$body$sep{\"labels\":{\"alertname\":\"E2E_$sev\",\"severity\":\"$sev\",\"instance\":\"db-1\"},\"annotations\":{\"summary\":\"$sev <b>&</b> test\"}$ends}"
        sep=","
    done
    body="$body]"
    local code
    code=$(curl -sS -o "$T/post.out" -w '%{http_code}' -H 'Content-Type: application/json' \
        -d "$body" "$RURL/api/v2/alerts")
    [ "$code" = 200 ] || { cat "$T/post.out"; fail "POST /api/v2/alerts answered $code"; }
}

# 1. Firing.
post
e2e_wait_counts "slack 1/0 teams 1/0 email 1/0" 10 E2E_critical
echo "timing: critical delivered to Slack, Teams and email ${WAITED} s after the POST (group_wait 1s)"
e2e_wait_counts "slack 0/0 teams 1/0 email 1/0" 5 E2E_warning
ok "critical -> Slack, Teams, email; warning -> Teams and email"

# 2. Resolved: the same receivers again, nothing else.
post 0
e2e_wait_counts "slack 1/1 teams 1/1 email 1/1" 10 E2E_critical
echo "timing: critical's resolution delivered ${WAITED} s after it ended (group_interval 2s)"
e2e_wait_counts "slack 0/0 teams 1/1 email 1/1" 5 E2E_warning
# Two more group_intervals: anything duplicated or late would show now.
sleep 4.5
assert_eq "slack 1/1 teams 2/2 email 2/2" "$(e2e_counts)" "exactly these deliveries after 4.5 s more"
assert_eq 0 "$(e2e_deliveries | grep -c E2E_info || true)" "info (the default receiver) delivered nowhere"
assert_eq 0 "$(e2e_deliveries | grep -c unknown || true)" "every delivery is a firing or resolved one"
e2e_deliveries | sed 's/^/    /'

# 3. What each receiver got.
python3 - "$T/https/requests.jsonl" "$T/mail" <<'PY' || fail "delivered content"
import email, email.policy, json, os, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
slack = [r for r in recs if r["path"].startswith("/services/")]
for r in slack:
    assert r["path"] == "/services/T00E2E/B00E2E/SECRETxE2ExSLACKx4d2c", r["path"]
    b = json.loads(r["body"])
    assert b["channel"] == "#data-ops", b
    a = b["attachments"][0]
    assert "E2E_critical" in a["title"], a["title"]
    assert r["headers"]["Content-Type"] == "application/json"
teams = [r for r in recs if r["path"].startswith("/workflows/")]
for r in teams:
    assert "sig=SIGxE2ExTEAMSx8b1f" in r["path"], r["path"]
    env = json.loads(r["body"])
    assert env["type"] == "message", env
    card = env["attachments"][0]["content"]
    facts = json.dumps(card)
    assert "db-1" in facts, "instance label missing from the card"
mails = sorted(f for f in os.listdir(sys.argv[2]) if f.endswith(".eml"))
assert len(mails) == 4, mails
for f in mails:
    meta = json.load(open(os.path.join(sys.argv[2], f[:-4] + ".json")))
    assert meta["rcpt_tos"] == ["oncall@e2e.test"], meta
    assert meta["mail_from"] == "alerts@e2e.test", meta
    assert meta["tls"] and meta["auth_user"] == "e2e-sender", meta
    m = email.message_from_bytes(open(os.path.join(sys.argv[2], f), "rb").read(),
                                 policy=email.policy.default)
    assert str(m["To"]) == "oncall@e2e.test" and str(m["From"]) == "alerts@e2e.test", (m["To"], m["From"])
    html = m.get_body(("html",)).get_content()
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in html, "annotation not escaped in the HTML part"
    assert "<b>&</b>" not in html
print("slack %d, teams %d, mails %d: addressed, escaped, channel #data-ops" % (len(slack), len(teams), len(mails)))
PY
ok "Slack channel and path, Teams sig, mail envelope/headers/escaping as configured"

n=$(e2e_check_transcript) || exit 1
ok "SMTP: $n sessions, each EHLO, STARTTLS, EHLO, AUTH (accepted), all mail under TLS"
e2e_validate_cards

# 4. Failures are where URLs leak into logs: the next three HTTPS requests
#    get a 500 and two dropped connections (curl itself retries a request
#    whose reused connection dies without an answer, so a drop may stay
#    silent); all are retried and delivered.
curl -sS -o /dev/null -d '[{"status":500,"body":"boom"},{"drop":true},{"drop":true}]' \
    --cacert "$T/pki/ca.pem" "https://127.0.0.1:$HPORT/_control/queue" || fail "queueing failures"
curl -sS -o /dev/null -H 'Content-Type: application/json' \
    -d '[{"labels":{"alertname":"E2E_retry","severity":"critical"}}]' "$RURL/api/v2/alerts"
# 3 failed + 2 delivered requests on Slack and Teams together, one mail.
t0=$(date +%s.%N)
for _ in $(seq 300); do
    c=$(e2e_counts E2E_retry)
    [ "$(echo "$c" | awk '{ split($2, s, "/"); split($4, t, "/"); print s[1] + t[1] }')" = 5 ] &&
        [ "$(echo "$c" | awk '{ print $6 }')" = 1/0 ] && break
    sleep 0.1
done
echo "timing: E2E_retry delivered after a 500 and a dropped connection: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s ($c)"
assert_eq 5 "$(echo "$c" | awk '{ split($2, s, "/"); split($4, t, "/"); print s[1] + t[1] }')" \
    "Slack and Teams: three failed requests retried, both delivered"
grep 'level=warn' "$T/router.log" | sed 's/^/    /'
assert_contains "$T/router.log" 'level=warn msg="Notify attempt failed, will retry later"' "failures logged (warn)"
assert_contains "$T/router.log" 'err="unexpected status code 500: boom"' "the 500 logged with its body"

# 5. Clean stop; no secret anywhere the router wrote.
e2e_stop_router TERM
assert_eq 0 "$RC" "SIGTERM: exit 0"
grep -q 'level=debug' "$T/router.log" || fail "no debug lines"
e2e_no_secrets "$T/router.log"
assert_not_contains "$T/router.log" "Sanitizer" "no sanitizer report"
assert_not_contains "$T/router.log" "runtime error:" "no UBSan report"
echo "timing: whole test $(elapsed) s"
exit 0
