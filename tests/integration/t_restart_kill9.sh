#!/usr/bin/env bash
# Nothing lost, nothing repeated across kill -9 (beyond Alertmanager, which
# keeps alerts in memory and snapshots its nflog only every 15 minutes).
# The router is killed at several points; after each restart every firing
# alert is still known, its resolution is still sent, and no notification
# the sink already has is sent again.
. "$LIB"
. "$REPO/tests/integration/dispatch_lib.sh"
start_sink
write_config "$T/am.yml" 1s 2s 1h
start_router --config.file="$T/am.yml"
key() { echo "d[\"groupKey\"] == '{}:{alertname=\"$1\"}'"; }
firing() { echo "$(key "$1") and d[\"status\"] == \"firing\""; }
resolved() { echo "$(key "$1") and d[\"status\"] == \"resolved\""; }

# 1. killed right after a delivery: not sent again after the restart
post_alert A
wait_deliveries 1 3 "$(firing A)"
sleep 0.1
stop_router 9
rerun_router --config.file="$T/am.yml"
sleep 3            # restored A is old: its group flushes at once, then ticks
assert_eq 1 "$(deliveries "$(firing A)")" "kill -9 after a send: no duplicate"

# 2. killed before the first flush: the alert is not lost
post_alert B
sleep 0.3
stop_router 9
rerun_router --config.file="$T/am.yml"
wait_deliveries 1 4 "$(firing B)"
sleep 2.5
assert_eq 1 "$(deliveries "$(firing B)")" "kill -9 before the first flush: sent once"

# 3. the resolution arrives, then the router dies before the next tick:
#    the resolved notification is still sent, once
post_alert A 0
stop_router 9
rerun_router --config.file="$T/am.yml"
wait_deliveries 1 4 "$(resolved A)"
sleep 2.5
assert_eq 1 "$(deliveries "$(resolved A)")" "kill -9 before the resolved tick: resolution sent once"
assert_eq 1 "$(deliveries "$(firing A)")" "A's firing notification still not repeated"

# 4. killed while the receiver is down: delivered after the restart, once
echo "/hook 500" >"$T/deliveries.jsonl.answers"
post_alert C
wait_deliveries 1 4 "$(firing C)"       # refused (500) and being retried
stop_router 9
rm -f "$T/deliveries.jsonl.answers"
rerun_router --config.file="$T/am.yml"
wait_deliveries 1 4 "$(firing C) and d[\"code\"] == 200"
sleep 2.5
assert_eq 1 "$(deliveries "$(firing C) and d[\"code\"] == 200")" "undelivered before kill -9: delivered once after"
assert_eq 1 "$(deliveries "$(firing B)")" "B still not repeated after three restarts"
