#!/usr/bin/env bash
# Graceful stop (SIGTERM): exit 0 after in-flight sends finished, the nflog
# snapshot written; after the restart the alerts are still there (API), no
# notification is repeated, and an alert whose resolve_timeout lease ran out
# while the router was down gets its resolved notification.
. "$LIB"
. "$REPO/tests/integration/dispatch_lib.sh"
start_sink
write_config "$T/am.yml" 1s 2s 1h
printf 'global:\n  resolve_timeout: 3s\n' >>"$T/am.yml"
start_router --config.file="$T/am.yml"
key() { echo "d[\"groupKey\"] == '{}:{alertname=\"$1\"}'"; }

post_alert E 3600          # explicit endsAt: firing for an hour
post_alert L               # lease: resolves 3 s after this POST
wait_deliveries 2 3 "d[\"status\"] == \"firing\""
stop_router TERM
assert_eq 0 "$RC" "SIGTERM: exit status 0"
[ -s "$T/data/nflog.json" ] || fail "no nflog snapshot after SIGTERM"
ok "nflog snapshot written"
sleep 2.5                   # L's lease runs out while the router is down
rerun_router --config.file="$T/am.yml"
curl -fsS "$RURL/api/v2/alerts" >"$T/alerts.json"
assert_contains "$T/alerts.json" '"alertname":"E"' "firing alert known after the restart"
wait_deliveries 1 4 "$(key L) and d[\"status\"] == \"resolved\""
ok "resolution of an alert that expired while down was sent"
sleep 2.5
assert_eq 1 "$(deliveries "$(key E)")" "E not repeated"
assert_eq 2 "$(deliveries "$(key L)")" "L: one firing, one resolved"
stop_router TERM
assert_eq 0 "$RC" "second SIGTERM: exit status 0"
