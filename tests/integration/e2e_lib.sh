# e2e_lib.sh -- the shipped config.tmpl end to end; sourced after lib.sh by
# t_e2e_*.sh.  Starts the receivers' doubles (Slack and Teams on the HTTPS
# double, email on the SMTP double, all behind a test CA made now) and the
# router exactly as the container does: `sh entrypoint.sh` rendering
# config.tmpl from ROUTER_* variables that point at the doubles, the test CA
# trusted through SSL_CERT_FILE, short grouping timers through
# ROUTER_GROUP_WAIT/_INTERVAL and ROUTER_REPEAT_INTERVAL, logging at debug.

E2E_PEERS="$REPO/tests/integration/peers"
# Secrets, distinctive enough that a grep for them finds nothing by chance.
E2E_SLACK_SECRET=SECRETxE2ExSLACKx4d2c
E2E_TEAMS_SIG=SIGxE2ExTEAMSx8b1f
E2E_TEAMS_FLOW=FLOWxE2Ex0c61
E2E_SMTP_USER=e2e-sender
E2E_SMTP_PASSWORD=PASSxE2ExSMTPx93a7

# e2e_start_peers: test PKI in $T/pki, the HTTPS double (HPORT, requests in
# $T/https/requests.jsonl) and the SMTP double (SMPORT, mail in $T/mail,
# dialogue in $T/transcript.log).
e2e_start_peers() {
    "$E2E_PEERS/make_ca.sh" "$T/pki" || fail "make_ca.sh"
    python3 "$E2E_PEERS/https_double.py" --cert "$T/pki/server.pem" --key "$T/pki/server.key" \
        --body-max 100000 --outdir "$T/https" >"$T/https.out" 2>"$T/https.err" &
    PIDS+=("$!")
    SMPORT=$(free_port)
    /usr/bin/python3 "$E2E_PEERS/smtpd_double.py" --port "$SMPORT" --cert "$T/pki/server.pem" \
        --key "$T/pki/server.key" --outdir "$T/mail" --user "$E2E_SMTP_USER" \
        --password "$E2E_SMTP_PASSWORD" --transcript "$T/transcript.log" \
        >"$T/smtpd.out" 2>"$T/smtpd.err" &
    PIDS+=("$!")
    local i
    for i in $(seq 200); do
        grep -q '^ready' "$T/https.out" 2>/dev/null && grep -q '^ready' "$T/smtpd.out" 2>/dev/null &&
            break
        sleep 0.05
    done
    HPORT=$(awk '/^ready/{print $2}' "$T/https.out")
    [ -n "$HPORT" ] || { cat "$T/https.err"; fail "https double did not start"; }
    grep -q '^ready' "$T/smtpd.out" || { cat "$T/smtpd.err"; fail "smtpd double did not start"; }
}

# e2e_start_router [ARGS...]: the router through entrypoint.sh with
# config.tmpl; the port is picked once (RPORT) and kept across restarts, as
# is $T/data.  Sets RURL, RPID (the router itself: entrypoint.sh execs it).
# Output goes to $T/router.log.  ROUTER_STRICT=1: no placeholder may be in use.
e2e_start_router() {
    [ -n "${RPORT:-}" ] || RPORT=$(free_port)
    RURL="http://127.0.0.1:$RPORT"
    env -i PATH="$PATH" ROUTER_BIN="$ROUTER" ROUTER_STRICT=1 \
        SSL_CERT_FILE="$T/pki/ca.pem" \
        ALERTMANAGER_SLACK_WEBHOOK_URL="https://127.0.0.1:$HPORT/services/T00E2E/B00E2E/$E2E_SLACK_SECRET" \
        ROUTER_TEAMS_WEBHOOK_URL="https://127.0.0.1:$HPORT/workflows/$E2E_TEAMS_FLOW/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=$E2E_TEAMS_SIG" \
        ROUTER_SMTP_SMARTHOST="127.0.0.1:$SMPORT" \
        ROUTER_SMTP_USERNAME="$E2E_SMTP_USER" ROUTER_SMTP_PASSWORD="$E2E_SMTP_PASSWORD" \
        ROUTER_EMAIL_FROM=alerts@e2e.test ROUTER_EMAIL_TO=oncall@e2e.test \
        ROUTER_GROUP_WAIT="${E2E_GROUP_WAIT:-1s}" ROUTER_GROUP_INTERVAL="${E2E_GROUP_INTERVAL:-2s}" \
        ROUTER_REPEAT_INTERVAL=1h \
        sh "$REPO/entrypoint.sh" --config.template="$REPO/config.tmpl" \
        --web.listen-address="127.0.0.1:$RPORT" --storage.path="$T/data" --log.level=debug \
        "$@" >>"$T/router.log" 2>&1 &
    RPID=$!
    PIDS+=("$RPID")
    wait_http "$RURL/-/ready" 10 || { cat "$T/router.log"; fail "router did not become ready"; }
}

# e2e_stop_router SIGNAL: signals the router, waits (at most 10 s) for it
# to exit; RC is its exit status.
e2e_stop_router() {
    kill -"$1" "$RPID" 2>/dev/null
    local i=0
    while kill -0 "$RPID" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    kill -0 "$RPID" 2>/dev/null && fail "router did not stop on SIG$1 within 10 s"
    # Braced: the shell's "Killed" job report goes to /dev/null too.
    { wait "$RPID"; } 2>/dev/null
    RC=$?
}

# e2e_deliveries: every delivery so far, "T RECEIVER STATUS TITLE" per line.
e2e_deliveries() {
    python3 "$E2E_PEERS/e2e_deliveries.py" "$T/https/requests.jsonl" "$T/mail" ||
        fail "a delivery could not be parsed"
}

# e2e_counts [WORD]: "slack F/R teams F/R email F/R" -- firing/resolved;
# only deliveries at or after $E2E_SINCE (Unix seconds) when that is set.
e2e_counts() {
    e2e_deliveries | awk -v w="${1:-}" -v since="${E2E_SINCE:-0}" \
        '$1 >= since && index($0, w) { n[$2 "/" $3]++ }
        END { printf "slack %d/%d teams %d/%d email %d/%d\n", n["slack/firing"],
              n["slack/resolved"], n["teams/firing"], n["teams/resolved"],
              n["email/firing"], n["email/resolved"] }'
}

# e2e_wait_counts WANT SECONDS [WORD]: until e2e_counts WORD prints WANT;
# fails after SECONDS, showing what arrived.  Sets WAITED (seconds taken).
e2e_wait_counts() {
    local want=$1 secs=$2 w=${3:-} t0 got
    t0=$(date +%s.%N)
    while :; do
        got=$(e2e_counts "$w")
        [ "$got" = "$want" ] && break
        if awk -v a="$t0" -v b="$(date +%s.%N)" -v s="$secs" 'BEGIN { exit !(b - a > s) }'; then
            e2e_deliveries
            tail -30 "$T/router.log"
            fail "within ${secs}s expected [$want] for [$w], got [$got]"
        fi
        sleep 0.1
    done
    WAITED=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
}

# e2e_no_secrets FILE...: none of the secrets, the secret parts of the URLs
# or the SMTP credentials in base64 (AUTH PLAIN / LOGIN) is in any FILE.
e2e_no_secrets() {
    local plain login
    plain=$(printf '\0%s\0%s' "$E2E_SMTP_USER" "$E2E_SMTP_PASSWORD" | base64 -w0)
    login=$(printf '%s' "$E2E_SMTP_PASSWORD" | base64 -w0)
    local f s
    for f in "$@"; do
        for s in "$E2E_SLACK_SECRET" "$E2E_TEAMS_SIG" "$E2E_TEAMS_FLOW" "$E2E_SMTP_PASSWORD" \
            "/services/T00E2E" "$plain" "$login"; do
            ! grep -qF -- "$s" "$f" || { grep -nF -- "$s" "$f" | head -5; fail "secret [$s] in $f"; }
        done
    done
    ok "no secret (Slack path, Teams flow and sig, SMTP password, its base64) in $*"
}

# e2e_check_transcript: every SMTP session said STARTTLS before AUTH, and
# AUTH only under TLS; prints the number of sessions.
e2e_check_transcript() {
    python3 - "$T/transcript.log" <<'PY' || fail "SMTP transcript"
import sys
sessions = {}
for line in open(sys.argv[1]):
    _, sid, tls, verb = line.split()[:4]
    sessions.setdefault(sid, []).append((tls == "tls=1", verb, line.strip()))
assert sessions, "no SMTP session"
for sid, s in sessions.items():
    verbs = [v for _, v, _ in s]
    assert verbs[:4] == ["EHLO", "STARTTLS", "EHLO", "AUTH"], (sid, verbs)
    for tls, verb, line in s:
        if verb in ("AUTH", "MAIL", "RCPT", "DATA"):
            assert tls, "not under TLS: " + line
    assert "failed" not in s[3][2], s[3][2]
print(len(sessions))
PY
}

# e2e_validate_cards: every Teams request body against the Adaptive Card
# 1.4 schema with ajv (installed under $BUILD/node on first use).
e2e_validate_cards() {
    local B="$REPO/${BUILD:-build}"
    sh "$E2E_PEERS/ac_setup.sh" "$B/node" || fail "cannot install ajv (npm)"
    mkdir -p "$T/cards"
    python3 - "$T/https/requests.jsonl" "$T/cards" <<'PY' || fail "saving the cards"
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["path"].startswith("/workflows/"):
        assert r["body_len"] == len(r["body"].encode()), "body cut by the double"
        n += 1
        open("%s/card-%d.json" % (sys.argv[2], n), "w").write(r["body"])
assert n > 0, "no Teams request"
PY
    NODE_PATH="$B/node/node_modules" node "$E2E_PEERS/ac_validate.js" \
        "$REPO/tests/data/schemas/adaptive-card-1.4.json" "$T/cards"/*.json >"$T/validate.out" 2>&1 ||
        { cat "$T/validate.out"; fail "Teams cards invalid"; }
    ok "all $(ls "$T/cards" | wc -l) Teams cards valid against the Adaptive Card 1.4 schema"
}
