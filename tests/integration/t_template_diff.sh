# Differential test of the template engine against Alertmanager 0.25.
#
# Alertmanager renders templates only inside notifiers, so it runs with a
# receiver that has a webhook (whose body is exactly the template data) and
# three Slack configs whose title/text/pretext/footer/fallback fields use the
# default templates, custom ones (tests/data/template/custom.tmpl) and inline
# text.  A python double on 127.0.0.1 records the requests.  For each
# notification the same templates are rendered by build/tmpl_render from the
# webhook body, and every field must match Alertmanager's byte for byte.
# Two notifications: both alerts firing, then one of them resolved.
. "$LIB"

RENDER="$(dirname "$ROUTER")/tmpl_render"
[ -x "$RENDER" ] || fail "$RENDER not built (make integration builds it)"
AM=$(command -v prometheus-alertmanager || command -v alertmanager) || fail "no alertmanager"
DATA="$REPO/tests/data/template"

# ---- the recording HTTP double ------------------------------------------
SPORT=$(free_port)
mkdir -p "$T/req"
python3 - "$SPORT" "$T/req" >"$T/sink.log" 2>&1 <<'EOF' &
import http.server, sys, os, itertools
port, out = int(sys.argv[1]), sys.argv[2]
seq = itertools.count(1)
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        name = "%04d%s.json" % (next(seq), self.path.replace("/", "_"))
        with open(os.path.join(out, name + ".tmp"), "wb") as f:
            f.write(body)
        os.rename(os.path.join(out, name + ".tmp"), os.path.join(out, name))
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"up")
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
PIDS+=($!)
wait_http "http://127.0.0.1:$SPORT/" 10 || fail "sink did not start"

# ---- the templates under test: 3 slack configs x 5 fields -----------------
cat >"$T/fields.txt" <<'EOF'
{{ template "slack.default.title" . }}
{{ template "custom.text" . }}
{{ template "email.default.subject" . }}
{{ template "__text_alert_list" .Alerts }}
{{ template "slack.default.fallback" . }}
{{ template "custom.title" . }}
{{ template "custom.funcs" . }}
{{ template "opsgenie.default.description" . }}
{{ template "slack.default.titlelink" . }}
{{ template "pushover.default.message" . }}
{{ template "__subject" . }} {{ range .Alerts }}{{ .Labels.instance }} {{ end }}{{ define "local" }}L{{ .Status }}{{ end }}{{ template "local" . }}
{{ template "wechat.default.message" . }}
{{- range .Alerts.Firing }} {{ .Labels.alertname | toLower }}{{ end -}} | {{ len .Alerts.Resolved }}
{{ template "victorops.default.state_message" . }}
{{ with $x := .CommonAnnotations.summary }}{{ $x | printf "%q" }}{{ end }}{{ template "telegram.default.message" . }}
EOF
python3 - "$T/fields.txt" "$SPORT" "$DATA/custom.tmpl" >"$T/am.yml" <<'EOF'
import sys, json
fields = open(sys.argv[1]).read().split("\n")[:15]
port, tmpl = sys.argv[2], sys.argv[3]
names = ["title", "text", "pretext", "footer", "fallback"]
print("route:\n  receiver: team.slack\n  group_by: [alertname]\n  group_wait: 1s")
print("  group_interval: 2s\n  repeat_interval: 1h")
print("templates: [%s]" % json.dumps(tmpl))
print("receivers:\n- name: team.slack\n  webhook_configs:")
print("  - url: http://127.0.0.1:%s/webhook\n    send_resolved: true" % port)
print("  slack_configs:")
for c in range(3):
    print("  - api_url: http://127.0.0.1:%s/slack/%d\n    send_resolved: true" % (port, c))
    for i, n in enumerate(names):
        print("    %s: %s" % (n, json.dumps(fields[c * 5 + i])))
EOF

# ---- Alertmanager 0.25 -----------------------------------------------------
APORT=$(free_port)
"$AM" --config.file="$T/am.yml" --storage.path="$T/am-data" \
    --web.listen-address="127.0.0.1:$APORT" --cluster.listen-address= \
    --web.external-url="http://am.example:9093" >"$T/am.log" 2>&1 &
PIDS+=($!)
wait_http "http://127.0.0.1:$APORT/-/ready" 15 || { cat "$T/am.log"; fail "alertmanager did not start"; }

post() {
    curl -fsS -XPOST -H 'Content-Type: application/json' \
        "http://127.0.0.1:$APORT/api/v2/alerts" -d "$1" >/dev/null || fail "posting alerts"
}
A1='{"labels":{"alertname":"HighLatency","instance":"web-1","job":"api","severity":"critical"},
     "annotations":{"summary":"Latency > 1s","description":"p99 is <1.5s> & \"rising\""},
     "startsAt":"2024-05-01T10:00:00.123Z","generatorURL":"http://prom:9090/graph?g0.expr=up&g0.tab=1"}'
A2='{"labels":{"alertname":"HighLatency","instance":"web-2","job":"api","severity":"critical"},
     "annotations":{"summary":"Latency > 1s"},
     "startsAt":"2024-05-01T09:00:00Z","generatorURL":"http://prom:9090/x"%s}'

# wait_reqs N: until N requests are recorded (bounded: 20 s)
wait_reqs() {
    local i=0
    while [ "$(ls "$T/req" | grep -c '\.json$')" -lt "$1" ] && [ $i -lt 400 ]; do
        sleep 0.05; i=$((i + 1))
    done
    [ "$(ls "$T/req" | grep -c '\.json$')" -ge "$1" ] || { ls "$T/req"; cat "$T/am.log"; fail "expected $1 requests"; }
}

post "[$A1, $(printf "$A2" "")]"
wait_reqs 4
sleep 0.5
post "[$(printf "$A2" ',"endsAt":"2024-05-01T11:00:00Z"')]"
wait_reqs 8

# ---- compare ----------------------------------------------------------------
python3 - "$T/req" "$T/fields.txt" "$RENDER" "$DATA/custom.tmpl" <<'EOF' || fail "differences"
import sys, os, json, subprocess
reqdir, fields_file, render, tmpl = sys.argv[1:5]
fields = open(fields_file).read().split("\n")[:15]
names = ["title", "text", "pretext", "footer", "fallback"]
reqs = sorted(f for f in os.listdir(reqdir) if f.endswith(".json"))
hooks = [r for r in reqs if "_webhook" in r]
assert len(hooks) >= 2, reqs
bad = total = 0
for round_, hook in enumerate(hooks[:2]):
    data_path = os.path.join(reqdir, hook)
    data = json.load(open(data_path))
    seq = int(hook[:4])
    for c in range(3):
        # a flush sends 4 requests (webhook + 3 slack) in any order, and
        # flushes are seconds apart: the same block of 4 is the same flush
        cands = [r for r in reqs if r.endswith("_slack_%d.json" % c)]
        flush = [r for r in cands if (int(r[:4]) - 1) // 4 == (seq - 1) // 4]
        assert flush, (hook, cands)
        att = json.load(open(os.path.join(reqdir, flush[0])))["attachments"][0]
        for i, n in enumerate(names):
            want = att.get(n, "")
            text = fields[c * 5 + i]
            got = subprocess.run([render, "-t", tmpl, data_path, text], capture_output=True)
            total += 1
            out = got.stdout.decode()
            if got.returncode != 0 or out != want:
                bad += 1
                print("MISMATCH round %d field %s template %r" % (round_ + 1, n, text))
                print("  alertmanager: %r" % want)
                print("  alertrouter:  %r %s" % (out, got.stderr.decode().strip()))
    print("round %d (status %s, %d alerts): compared %d fields" %
          (round_ + 1, data["status"], len(data["alerts"]), 15))
print("%d of %d fields identical" % (total - bad, total))
sys.exit(1 if bad else 0)
EOF
ok "all template outputs identical to Alertmanager 0.25"
