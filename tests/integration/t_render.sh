# The config template through entrypoint.sh: ROUTER_RENDER_ONLY, placeholder
# warnings, ROUTER_STRICT, the ALERTMANAGER_* names, escaping of hostile
# values, and that no secret value ever reaches stderr.
. "$LIB"

VARS="SLACK_WEBHOOK_URL EMAIL_FROM EMAIL_TO SMTP_SMARTHOST SMTP_USERNAME SMTP_PASSWORD TEAMS_WEBHOOK_URL"

# run NAME [VAR=value...] [-- ARGS...]: entrypoint.sh from the repository root
# with a clean environment plus the given variables; stdout, stderr and the
# exit code land in $T/NAME.{out,err,rc}.
run() {
    local name=$1; shift
    local envs=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
    [ "${1:-}" = "--" ] && shift
    (cd "$REPO" && timeout 20 env -i PATH="$PATH" ROUTER_BIN="$ROUTER" "${envs[@]}" \
        sh ./entrypoint.sh "$@" >"$T/$name.out" 2>"$T/$name.err")
    echo $? >"$T/$name.rc"
}
rc() { cat "$T/$1.rc"; }
count() { grep -c -- "$2" "$T/$1" || true; }

# 1. Nothing set: the config with placeholders, one warning per variable, valid.
run plain ROUTER_RENDER_ONLY=1
assert_eq 0 "$(rc plain)" "render-only with nothing set exits 0"
assert_contains "$T/plain.out" "- name: slack-data-ops" "rendered config on stdout"
assert_contains "$T/plain.out" 'smarthost: "smtp.example.com:587"' "placeholder smarthost rendered"
assert_contains "$T/plain.out" 'from: "alerts@example.com"' "placeholder sender rendered"
assert_eq 7 "$(count plain.err '^warning: ')" "seven warnings"
for v in $VARS; do
    assert_eq 1 "$(count plain.err "ROUTER_$v is not set")" "one warning names ROUTER_$v"
done
assert_contains "$T/plain.err" 'config.tmpl:48: ROUTER_SLACK_WEBHOOK_URL is not set; using its placeholder for api_url, so receiver "slack-data-ops" will not deliver' "warning names line, variable and receiver"
assert_contains "$T/plain.err" 'receiver "email-oncall" will not deliver' "email receiver named"
assert_contains "$T/plain.err" 'receiver "teams-oncall" will not deliver' "teams receiver named"
assert_eq 1 "$(count plain.err 'config.tmpl: the configuration is valid')" "one verdict line"
assert_eq 8 "$(wc -l <"$T/plain.err")" "stderr is the warnings and the verdict"
assert_not_contains "$T/plain.err" "placeholder-password" "placeholder password not on stderr"
# The rendered text is Alertmanager's own format: 0.25 accepts it (less the
# 0.28+ msteamsv2 receiver it does not know).
sed '/^    msteamsv2_configs:/,$d' "$T/plain.out" >"$T/am.yml"
amtool check-config "$T/am.yml" >"$T/amtool.log" 2>&1 || { cat "$T/amtool.log"; fail "amtool rejects the rendered config"; }
ok "amtool check-config accepts the rendered config"

# 1b. The grouping timers: silent defaults, overridable, checked like any duration.
assert_contains "$T/plain.out" "group_wait: 30s" "group_wait defaults to 30s (no warning: seven above)"
assert_contains "$T/plain.out" "repeat_interval: 4h" "repeat_interval defaults to 4h"
run timers ROUTER_RENDER_ONLY=1 ROUTER_GROUP_WAIT=1s ROUTER_GROUP_INTERVAL= ALERTMANAGER_REPEAT_INTERVAL=1h
assert_eq 0 "$(rc timers)" "timers set: valid"
assert_contains "$T/timers.out" "group_wait: 1s" "ROUTER_GROUP_WAIT used"
assert_contains "$T/timers.out" "group_interval: 5m" "an empty ROUTER_GROUP_INTERVAL gives the default"
assert_contains "$T/timers.out" "repeat_interval: 1h" "ALERTMANAGER_REPEAT_INTERVAL mapped"
run badtimer ROUTER_RENDER_ONLY=1 ROUTER_GROUP_WAIT="5 minutes"
assert_eq 1 "$(rc badtimer)" "an invalid duration is refused"
gw_line=$(grep -n 'group_wait:' "$REPO/config.tmpl" | cut -d: -f1)
assert_contains "$T/badtimer.err" "config.tmpl:$gw_line:" "the error points at group_wait's line"

# 2. ROUTER_STRICT=1 (and the old ALERTMANAGER_STRICT=1): placeholders are fatal.
run strict ROUTER_RENDER_ONLY=1 ROUTER_STRICT=1
assert_eq 1 "$(rc strict)" "ROUTER_STRICT=1 exits 1"
assert_contains "$T/strict.err" "ROUTER_STRICT=1 and 7 variables fell back to their placeholders" "strict explains"
assert_eq 0 "$(wc -c <"$T/strict.out")" "strict prints no config"
run oldstrict ALERTMANAGER_RENDER_ONLY=1 ALERTMANAGER_STRICT=1
assert_eq 1 "$(rc oldstrict)" "ALERTMANAGER_STRICT=1 exits 1 too"
assert_contains "$T/oldstrict.err" "ROUTER_STRICT=1" "old names are mapped"

# 3. An old ALERTMANAGER_* name fills its ROUTER_* variable; ROUTER_* wins.
slack='https://hooks.slack.com/services/T0AAAA/B0BBBB/oldnamesecret'
run old ROUTER_RENDER_ONLY=1 ALERTMANAGER_SLACK_WEBHOOK_URL="$slack"
assert_eq 0 "$(rc old)" "render-only with the old slack name exits 0"
assert_contains "$T/old.out" "api_url: \"$slack\"" "the URL is in the config"
assert_not_contains "$T/old.err" "ROUTER_SLACK_WEBHOOK_URL" "its warning is gone"
assert_not_contains "$T/old.err" "oldnamesecret" "the URL is not on stderr"
assert_eq 6 "$(count old.err '^warning: ')" "six warnings left"
run both ROUTER_RENDER_ONLY=1 ALERTMANAGER_EMAIL_TO=old@example.org ROUTER_EMAIL_TO=new@example.org
assert_contains "$T/both.out" 'to: "new@example.org"' "ROUTER_* wins over ALERTMANAGER_*"
assert_not_contains "$T/both.out" "old@example.org" "the old value is not used"
run emptywins ROUTER_RENDER_ONLY=1 ALERTMANAGER_EMAIL_TO=old@example.org ROUTER_EMAIL_TO=
assert_contains "$T/emptywins.err" "ROUTER_EMAIL_TO is empty" "a set-but-empty ROUTER_* is kept (and warned about)"

# 4. Everything set, with hostile characters: escaped in the YAML, nothing on stderr.
pw='pa"ss\wo'"'"'rd: #x'
ALL=(ROUTER_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T/B/c ROUTER_EMAIL_FROM=a@example.org
     ROUTER_EMAIL_TO=oncall@example.org ROUTER_SMTP_SMARTHOST=mail.example.org:465
     ROUTER_SMTP_USERNAME=user ROUTER_SMTP_PASSWORD="$pw"
     ROUTER_TEAMS_WEBHOOK_URL='https://t.example/w?a=1&sig=zz')
run full ROUTER_RENDER_ONLY=1 ROUTER_STRICT=1 "${ALL[@]}"
assert_eq 0 "$(rc full)" "everything set, strict, valid: exits 0"
assert_eq 0 "$(count full.err '^warning: ')" "no warnings"
assert_contains "$T/full.out" 'auth_password: "pa\"ss\\wo'"'"'rd: #x"' "password escaped for double quotes"
assert_contains "$T/full.out" 'webhook_url: "https://t.example/w?a=1&sig=zz"' "teams URL in the config"
assert_not_contains "$T/full.err" 'pa"ss' "password not on stderr"
assert_not_contains "$T/full.err" "sig=zz" "webhook URL not on stderr"
assert_eq 1 "$(wc -l <"$T/full.err")" "stderr is the verdict alone"
# A newline cannot add a key: the value stays inside `to`, which the config
# check then refuses (at the template's line 54) -- no "evil_key" anywhere.
inj='oncall@example.com"
evil_key: 1'
run inj ROUTER_RENDER_ONLY=1 "${ALL[@]}" ROUTER_EMAIL_TO="$inj"
assert_contains "$T/inj.out" 'to: "oncall@example.com\"\nevil_key: 1"' "newline and quote escaped"
assert_eq 1 "$(rc inj)" "a line break in an address is refused"
assert_contains "$T/inj.err" "config.tmpl:54:" "the error is about the to field's line"
assert_not_contains "$T/inj.err" "evil_key" "no injected key, and no value on stderr"

# 5. Errors: missing template, a template error, an invalid rendered config.
run missing ROUTER_RENDER_ONLY=1 -- --config.template=no-such.tmpl
assert_eq 1 "$(rc missing)" "missing template exits 1"
assert_contains "$T/missing.err" "open no-such.tmpl: No such file or directory" "missing template named"
printf 'route:\n  receiver: "${R:?set R to the receiver}"\nreceivers:\n  - name: x\n' >"$T/req.tmpl"
run req ROUTER_RENDER_ONLY=1 -- --config.template="$T/req.tmpl"
assert_eq 1 "$(rc req)" ":? error exits 1"
assert_contains "$T/req.err" "$T/req.tmpl:2:14: R: set R to the receiver" ":? message with its location"
printf 'route:\n  receiver: x\n  group_wait: "${GW:-5 minutes}"\nreceivers:\n  - name: x\n' >"$T/bad.tmpl"
run bad ROUTER_RENDER_ONLY=1 -- --config.template="$T/bad.tmpl"
assert_eq 1 "$(rc bad)" "invalid rendered config exits 1"
assert_contains "$T/bad.err" "$T/bad.tmpl:3:" "config error points at the template line"
assert_contains "$T/bad.err" "$T/bad.tmpl: the configuration is invalid" "invalid verdict"
run goodgw ROUTER_RENDER_ONLY=1 GW=1m -- --config.template="$T/bad.tmpl"
assert_eq 0 "$(rc goodgw)" "the same template with a good value is valid"

# 6. Starting for real: warnings are log lines, the password never appears.
(cd "$REPO" && exec env -i PATH="$PATH" ROUTER_BIN="$ROUTER" ROUTER_SMTP_PASSWORD="$pw" \
    ALERTMANAGER_TEAMS_WEBHOOK_URL=https://t.example/w?sig=daemonsecret \
    sh ./entrypoint.sh --storage.path="$T/data" --web.listen-address=127.0.0.1:"$(free_port)" \
    >"$T/daemon.log" 2>&1) &
DPID=$!
PIDS+=("$DPID")
i=0
while [ $i -lt 100 ] && ! grep -qs "Starting alertrouter" "$T/daemon.log"; do sleep 0.05; i=$((i + 1)); done
assert_contains "$T/daemon.log" "Starting alertrouter" "the router starts with placeholders"
kill "$DPID"
wait "$DPID" 2>/dev/null
assert_eq 5 "$(count daemon.log 'level=warn msg="config.tmpl:')" "five placeholder warnings logged"
assert_not_contains "$T/daemon.log" 'pa"ss' "password not logged"
assert_not_contains "$T/daemon.log" "daemonsecret" "webhook URL not logged"
exit 0
