#!/usr/bin/env bash
# Reload (SIGHUP): a new route tree and receivers take effect, every stored
# alert is routed again (groups restart, as in Alertmanager), and the nflog
# keeps unchanged groups from notifying twice.  An invalid config is
# refused and the running one keeps working.
. "$LIB"
. "$REPO/tests/integration/dispatch_lib.sh"
start_sink
write_config "$T/am.yml" 1s 2s 1h
start_router --config.file="$T/am.yml"
key() { echo "d[\"groupKey\"] == '$1'"; }

post_alert A
wait_deliveries 1 3
cat >"$T/am.yml" <<YML
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 1h
  routes:
    - receiver: other
      matchers: ['alertname="B"']
receivers:
  - name: hook
    webhook_configs:
      - url: $SINK_URL/hook
  - name: other
    webhook_configs:
      - url: $SINK_URL/other
YML
kill -HUP "$RPID"
sleep 0.5
grep -q "Completed loading of configuration file" "$T/router.log" || { cat "$T/router.log"; fail "reload not logged"; }
post_alert B
wait_deliveries 1 3 "d[\"path\"] == \"/other\" and $(key '{}/{alertname="B"}:{alertname="B"}')"
ok "new route and receiver in effect after SIGHUP"
sleep 2.5
assert_eq 1 "$(deliveries "$(key '{}:{alertname="A"}')")" "A not notified again after the reload"
echo "route: [" >"$T/am.yml"
kill -HUP "$RPID"
sleep 0.5
assert_contains "$T/router.log" "Loading configuration file failed" "invalid config refused"
post_alert C
wait_deliveries 1 3 "$(key '{}:{alertname="C"}')"
ok "still routing with the previous config"
