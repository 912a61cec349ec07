# Reload (POST /-/reload and SIGHUP) validates the whole new config first
# and swaps only a valid one; a bad one answers 500 "failed to reload
# config: ..." with every error and leaves the old config in place; the
# alertmanager_config_* metrics follow.  A router started from a template
# re-renders it on reload.
. "$LIB"
. "$(dirname "$LIB")/http_lib.sh"
cp "$REPO/tests/data/api/am.yml" "$T/am.yml"
start_router --config.file="$T/am.yml"
metric() { curl -sS "$RURL/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
assert_eq '[{"name":"default"},{"name":"crit"}]' "$(curl -sS "$RURL/api/v2/receivers")" "receivers at start"
assert_eq 1 "$(metric alertmanager_config_last_reload_successful)" "reload metric 1 at start"
h1=$(metric alertmanager_config_hash)

sed -i 's/  - name: crit/  - name: crit\n  - name: extra/' "$T/am.yml"
code=$(curl -sS -o "$T/b" -w '%{http_code}' -X POST "$RURL/-/reload")
assert_eq 200 "$code" "valid reload: 200"
assert_eq "" "$(cat "$T/b")" "valid reload: empty body"
assert_eq '[{"name":"default"},{"name":"crit"},{"name":"extra"}]' "$(curl -sS "$RURL/api/v2/receivers")" "new receiver listed"
curl -sS "$RURL/api/v2/status" | grep -q 'name: extra' || fail "status shows the new config"
ok "status shows the new config"
[ "$(metric alertmanager_config_hash)" != "$h1" ] || fail "config hash unchanged"
ok "config hash changed"

cp "$T/am.yml" "$T/good.yml"
cat >>"$T/am.yml" <<'YML'
bogus_key: 1
mute_time_intervals:
  - name: bad
    time_intervals:
      - weekdays: ['notaday']
YML
code=$(curl -sS -D "$T/h" -o "$T/b" -w '%{http_code}' -X POST "$RURL/-/reload")
assert_eq 500 "$code" "invalid reload: 500"
assert_contains "$T/b" "failed to reload config: " "500 body prefix"
assert_contains "$T/b" "bogus_key" "error 1 reported"
assert_contains "$T/b" "notaday is not a valid weekday" "error 2 reported"
assert_contains "$T/h" "text/plain; charset=utf-8" "500 is text"
assert_eq '[{"name":"default"},{"name":"crit"},{"name":"extra"}]' "$(curl -sS "$RURL/api/v2/receivers")" "old config kept"
assert_eq 0 "$(metric alertmanager_config_last_reload_successful)" "reload metric 0 after failure"
assert_contains "$T/router.log" "Loading configuration file failed" "failure logged"

# SIGHUP: same path.
cp "$T/good.yml" "$T/am.yml"
sed -i 's/  - name: extra/  - name: extra\n  - name: hup/' "$T/am.yml"
kill -HUP "$RPID"
for i in $(seq 50); do curl -sS "$RURL/api/v2/receivers" | grep -q hup && break; sleep 0.1; done
curl -sS "$RURL/api/v2/receivers" | grep -q '"hup"' || fail "SIGHUP did not reload"
ok "SIGHUP reloads"
assert_eq 1 "$(metric alertmanager_config_last_reload_successful)" "reload metric back to 1"
assert_eq 405 "$(curl -sS -o /dev/null -w '%{http_code}' "$RURL/-/reload")" "GET /-/reload: 405"

# A template is re-rendered on reload.
kill "$RPID"; wait "$RPID" 2>/dev/null
cat >"$T/am.tmpl" <<'YML'
route:
  receiver: ${FIRST_RECEIVER:-first}
receivers:
  - name: ${FIRST_RECEIVER:-first}
YML
start_router --config.template="$T/am.tmpl"
assert_eq '[{"name":"first"}]' "$(curl -sS "$RURL/api/v2/receivers")" "template rendered at start"
echo "  - name: second" >>"$T/am.tmpl"
assert_eq 200 "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$RURL/-/reload")" "template reload: 200"
assert_eq '[{"name":"first"},{"name":"second"}]' "$(curl -sS "$RURL/api/v2/receivers")" "template re-rendered"
stop_router_clean
