# The Slack and Teams notifiers against the loopback HTTPS double (test CA):
# slackteams_driver.c sends and checks outcomes; this script checks what the
# double recorded -- a 429 with Retry-After: 2 delivered once, >= 2 s later;
# a burst of 5 to one channel paced >= ~1 s apart; the bot token header; the
# escaped data in Slack bodies; Teams cards under 28 KB -- validates every
# Teams card (these and the unit tests' ones) against the Adaptive Card 1.4
# schema with ajv (installed under $BUILD/node on first use), and greps all
# output and logs (debug level) for the secrets.
. "$LIB"
peers="$REPO/tests/integration/peers"
B="$REPO/${BUILD:-build}"
driver="$B/slackteams_driver"
[ -x "$driver" ] || fail "driver not built: $driver"
sh "$peers/ac_setup.sh" "$B/node" || fail "cannot install ajv (npm)"

"$peers/make_ca.sh" "$T/pki" || fail "make_ca.sh"
python3 "$peers/https_double.py" --cert "$T/pki/server.pem" --key "$T/pki/server.key" \
    --body-max 100000 --outdir "$T/https" >"$T/https.out" 2>"$T/https.err" &
PIDS+=("$!")
for _ in $(seq 100); do grep -q '^ready' "$T/https.out" 2>/dev/null && break; sleep 0.05; done
HPORT=$(awk '/^ready/{print $2}' "$T/https.out")
[ -n "$HPORT" ] || { cat "$T/https.err"; fail "https double did not start"; }

mkdir -p "$T/work" "$T/cards"
"$driver" --url "https://127.0.0.1:$HPORT" --ca "$T/pki/ca.pem" --dir "$T/work" \
    >"$T/driver.out" 2>"$T/driver.log"
rc=$?
cat "$T/driver.out"
[ $rc -eq 0 ] || { tail -20 "$T/driver.log"; fail "driver reported failures (exit $rc)"; }
grep -q 'level=debug msg="Notify paced"' "$T/driver.log" || fail "no debug log lines: cannot vouch for them"

python3 - "$T/https/requests.jsonl" "$T/cards" <<'PY' || fail "recorded requests"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
def at(prefix):
    return [r for r in recs if r["path"].startswith(prefix)]
# 1. 429 then one delivery >= 2 s later
h = at("/services/T0/")
assert len(h) == 2, len(h)
gap = h[1]["t"] - h[0]["t"]
assert gap >= 2.0, gap
b = json.loads(h[1]["body"])
assert b["channel"] == "#ops" and b["username"] == "Alertmanager", b
att = b["attachments"][0]
assert "<!channel>" not in h[1]["body"] and "&lt;!channel&gt; &amp; co" in att["title"], att["title"]
assert h[1]["headers"]["Content-Type"] == "application/json"
print("slack 429: 2 requests, the retry %.3f s after the 429" % gap)
print("rendered slack message:", h[1]["body"].strip())
# 2. the burst: 5 requests, each >= ~1 s after the previous
bs = sorted(r["t"] for r in at("/services/T1/"))
assert len(bs) == 5, len(bs)
gaps = [round(b - a, 3) for a, b in zip(bs, bs[1:])]
assert min(gaps) >= 0.95, gaps
print("slack burst of 5: gaps", gaps)
text = json.loads(at("/services/T1/")[0]["body"])["attachments"][0]["text"]
assert text.startswith("&lt;!channel&gt; &amp; co disk &gt; 90% &lt;b&gt;"), text
# 3. bot token
bot = [r for r in at("/api/chat.postMessage") if json.loads(r["body"])["channel"] == "#bot"]
assert len(bot) == 1 + 1 + 2, len(bot)
for r in bot:
    assert r["headers"]["Authorization"] == "Bearer xoxb-TOKENxSLACKx51c7", r["headers"]
    assert r["headers"]["Content-Type"] == "application/json; charset=utf-8"
na = [r for r in at("/api/chat.postMessage") if json.loads(r["body"])["channel"] == "#noauth"]
assert len(na) == 1 and "Authorization" not in na[0]["headers"]
# 4. Teams: every card saved for the validator; the big one under 28 KB with the note
v2 = at("/workflows/")
assert len(v2) == 2, len(v2)
for i, r in enumerate(v2):
    assert r["body_len"] == len(r["body"].encode()), "body cut by the double"
    open(f"{sys.argv[2]}/sent-{i}.json", "w").write(r["body"])
c0 = json.loads(v2[0]["body"])["attachments"][0]["content"]
assert c0["body"][0]["text"].startswith("Custom: [FIRING:2] DiskFull"), c0["body"][0]
assert c0["body"][0]["color"] == "Attention"
print("rendered teams card:", v2[0]["body"].strip())
big = v2[1]
assert big["body_len"] <= 28 * 1024, big["body_len"]
card = json.loads(big["body"])["attachments"][0]["content"]
note = card["body"][-1]["text"]
shown = len(card["body"]) - 2
assert note == "\u2026 and %d more alerts" % (400 - shown), (note, shown)
print("teams 400 alerts: %d bytes, %d shown, note %r" % (big["body_len"], shown, note))
# 5. legacy
lg = at("/webhookb2/")
assert len(lg) == 2, len(lg)
m = json.loads(lg[0]["body"])
assert m["@type"] == "MessageCard" and m["type"] == "MessageCard" and m["themeColor"] == "8C1A1A", m
PY
ok "the double received what was expected"

# Every Teams card: those sent here and those the unit tests build.
CK_RUN_SUITE=notify_teams AR_CARD_DIR="$T/cards" "$B/unit_tests" >"$T/unit.out" 2>&1 ||
    { cat "$T/unit.out"; fail "unit tests notify_teams"; }
# The validator must reject what is wrong: a 1.5 property, a bad colour, oversize.
python3 - "$T/bad" "$T/cards/sent-0.json" <<'PY'
import json, os, sys
os.makedirs(sys.argv[1], exist_ok=True)
env = json.load(open(sys.argv[2]))
def save(name, mutate):
    e = json.loads(json.dumps(env)); mutate(e["attachments"][0]["content"])
    open(f"{sys.argv[1]}/{name}.json", "w").write(json.dumps(e))
save("style-heading", lambda c: c["body"][0].update(style="heading"))
save("bad-colour", lambda c: c["body"][0].update(color="Red"))
save("no-url", lambda c: c["actions"][0].pop("url"))
save("oversize", lambda c: c["body"].append({"type": "TextBlock", "text": "x" * 30000}))
PY
n=$(ls "$T/cards" | wc -l)
[ "$n" -ge 8 ] || fail "expected >= 8 cards, found $n"
NODE_PATH="$B/node/node_modules" node "$peers/ac_validate.js" "$REPO/tests/data/schemas/adaptive-card-1.4.json" \
    "$T/cards"/*.json >"$T/validate.out" 2>&1 || { cat "$T/validate.out"; fail "cards invalid"; }
tail -1 "$T/validate.out"
ok "all $n Teams cards valid against the Adaptive Card 1.4 schema"
for f in "$T/bad"/*.json; do
    ! NODE_PATH="$B/node/node_modules" node "$peers/ac_validate.js" \
        "$REPO/tests/data/schemas/adaptive-card-1.4.json" "$f" >/dev/null 2>&1 ||
        fail "validator accepted a broken card: $(basename "$f")"
done
ok "the validator rejects broken cards (1.5 style, bad colour, Action.OpenUrl without url, > 28 KB)"

for s in SECRETxSLACKx9f3e TOKENxSLACKx51c7 SIGxTEAMSx77aa SECRETxLEGACYx12 /services/T0 /services/T1 \
    /workflows/w; do
    assert_not_contains "$T/driver.out" "$s" "driver output free of $s"
    assert_not_contains "$T/driver.log" "$s" "debug logs free of $s"
done
grep '^measure:' "$T/driver.out" | sed 's/^/  /'
exit 0
