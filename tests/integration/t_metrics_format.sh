# /metrics text: accepted by promtool with no errors and no lint warnings,
# well-formed beyond what promtool checks (duplicates, order), and the same
# families, types, help texts and label names as a live Alertmanager 0.25.
#
# The text comes from build/metrics_dump (tests/integration/metrics_dump.c),
# which renders the router's full metric set with activity in it.  Once the
# API serves GET /metrics, the same checks should run on a live scrape.
. "$LIB"

DUMP="$(dirname "$ROUTER")/metrics_dump"
[ -x "$DUMP" ] || fail "$DUMP not built (make integration builds it)"
"$DUMP" "$T/ours.prom" || fail "metrics_dump failed"
[ -s "$T/ours.prom" ] || fail "empty exposition"

# 1. promtool: exit 0 and nothing printed.  It exits 1 on a parse error and
#    3 on lint problems (e.g. a counter without _total); Alertmanager 0.25's
#    own names lint clean (checked on its live output below), so any
#    warning is ours and fails the test.
promtool check metrics <"$T/ours.prom" >"$T/promtool.out" 2>&1; rc=$?
cat "$T/promtool.out"
assert_eq 0 "$rc" "promtool check metrics exit status"
assert_eq 0 "$(wc -c <"$T/promtool.out")" "promtool printed no errors or lint warnings"

# The check must be able to fail: an unterminated label value is rejected.
{ cat "$T/ours.prom"; printf 'alertrouter_bogus{a="x} 1\n'; } >"$T/broken.prom"
promtool check metrics <"$T/broken.prom" >/dev/null 2>&1; rc=$?
[ "$rc" -ne 0 ] || fail "promtool accepted a broken exposition"
ok "promtool rejects a broken exposition (exit $rc)"

# 2. What promtool does not check: HELP then TYPE per family, families in
#    byte order, each sample under its family, no duplicate series.
python3 - "$T/ours.prom" <<'EOF' || fail "structure check"
import sys
fams, seen, cur = [], set(), None
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "missing final newline"
for i, ln in enumerate(lines[:-1], 1):
    if ln.startswith("# HELP "):
        cur = ln.split(" ")[2]; fams.append(cur)
        nxt = lines[i]
        assert nxt.startswith("# TYPE " + cur + " "), f"line {i}: HELP not followed by TYPE"
        continue
    if ln.startswith("# TYPE "):
        continue
    ident = ln.rsplit(" ", 1)[0]
    name = ident.split("{")[0]
    assert cur and (name == cur or name in (cur + "_bucket", cur + "_sum", cur + "_count")), \
        f"line {i}: sample {name} outside its family {cur}"
    assert ident not in seen, f"line {i}: duplicate series {ident}"
    seen.add(ident)
b = [f.encode() for f in fams]
assert b == sorted(b), "families not sorted by name"
assert len(set(fams)) == len(fams), "family repeated"
print(f"ok: {len(fams)} families, {len(seen)} series, sorted, no duplicates")
EOF
ok "exposition structure"
assert_contains "$T/ours.prom" 'handler="/odd\"quote\\slash\nline' "label value escaped"
assert_contains "$T/ours.prom" 'alertmanager_alerts_received_total{status="resolved",version="v2"} 2e+06' \
    "float in Go's exponent form"
assert_contains "$T/ours.prom" 'alertmanager_dispatcher_alert_processing_duration_seconds_sum NaN' "NaN"

# 3. Against a live Alertmanager 0.25 on this machine.
command -v prometheus-alertmanager >/dev/null || fail "prometheus-alertmanager not installed (make deps)"
mkdir -p "$T/am"
cat >"$T/am/am.yml" <<'EOF'
route:
  receiver: r
receivers:
  - name: r
EOF
AMPORT=$(free_port)
prometheus-alertmanager --config.file="$T/am/am.yml" --storage.path="$T/am/data" \
    --web.listen-address="127.0.0.1:$AMPORT" --cluster.listen-address= \
    >"$T/am/am.log" 2>&1 &
PIDS+=("$!")
wait_http "http://127.0.0.1:$AMPORT/-/ready" 15 || { cat "$T/am/am.log"; fail "alertmanager did not start"; }
curl -fsS "http://127.0.0.1:$AMPORT/metrics" >"$T/am.prom" || fail "scrape alertmanager"
promtool check metrics <"$T/am.prom" >"$T/am_promtool.out" 2>&1; rc=$?
cat "$T/am_promtool.out"
assert_eq 0 "$rc" "alertmanager's own exposition lints clean (so ours must too)"

python3 - "$T/am.prom" "$T/ours.prom" <<'EOF' || fail "compatibility with alertmanager 0.25"
import sys
def parse(path):
    fams = {}
    cur = None
    for ln in open(path, encoding="utf-8"):
        ln = ln.rstrip("\n")
        if ln.startswith("# HELP "):
            _, _, name, *h = ln.split(" ")
            cur = fams.setdefault(name, {"help": " ".join(h), "labels": set()})
        elif ln.startswith("# TYPE "):
            cur["type"] = ln.split(" ")[3]
        elif ln and cur is not None and "{" in ln:
            body = ln[ln.index("{") + 1:ln.rindex("}")]
            names, i = set(), 0
            while i < len(body):          # label names only; values may hold anything
                eq = body.index("=", i); names.add(body[i:eq].lstrip(","))
                j = eq + 2
                while body[j] != '"':
                    j += 2 if body[j] == "\\" else 1
                i = j + 1
            cur["labels"] |= names - {"le", "quantile"}
    return fams
am, ours = parse(sys.argv[1]), parse(sys.argv[2])
# Deliberate: 0.26's `reason` label on failed notifications (sum by
# integration is unchanged).
extra_labels = {"alertmanager_notifications_failed_total": {"reason"}}
bad = []
for name, f in sorted(am.items()):
    if name.startswith(("go_", "promhttp_")):
        continue                          # Go runtime and Go HTTP handler internals
    o = ours.get(name)
    if o is None:
        bad.append(f"missing family {name}"); continue
    if o["type"] != f["type"]:
        bad.append(f"{name}: type {o['type']}, alertmanager {f['type']}")
    if o["help"] != f["help"]:
        bad.append(f"{name}: help differs: {o['help']!r} vs {f['help']!r}")
    want = f["labels"] | extra_labels.get(name, set())
    if f["labels"] and o["labels"] != want:
        bad.append(f"{name}: labels {sorted(o['labels'])}, alertmanager {sorted(f['labels'])}")
for name in sorted(set(ours) - set(am)):
    if not name.startswith("alertrouter_"):
        bad.append(f"{name}: not in alertmanager and not alertrouter_*")
for b in bad:
    print("MISMATCH:", b)
n = len([k for k in am if not k.startswith(("go_", "promhttp_"))])
print(f"compared {n} alertmanager families; ours add {sorted(set(ours) - set(am))}")
sys.exit(1 if bad else 0)
EOF
ok "same families, types, help and label names as alertmanager 0.25"
exit 0
