#!/usr/bin/env bash
# Dispatch timing end to end (binary + webhook sink), Alertmanager 0.25's
# rules: group_wait once, fixed group_interval ticks, an alert joining after
# the first flush waits for the next tick, nothing on a tick without news,
# repeat_interval checked on ticks, resolved at the next tick, an alert that
# fires and resolves before the first flush is never sent.
. "$LIB"
. "$REPO/tests/integration/dispatch_lib.sh"
start_sink
write_config "$T/am.yml" 1s 2s 3s
start_router --config.file="$T/am.yml"

t0=$(date +%s.%N)
since() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}'; }
post_alert A
t0=$(date +%s.%N)
post_alert Gone 0.3          # resolves before its group's first flush
sleep 0.5
[ "$(deliveries)" = 0 ] || fail "delivered before group_wait"
wait_deliveries 1 3
at=$(since); ok "first flush after group_wait ($at s)"
awk -v t="$at" 'BEGIN{exit !(t >= 0.9 && t < 1.5)}' || fail "first flush at $at s, want ~1 s"
post_alert B                 # a new group: its own group_wait
post_alert A                 # re-sent, unchanged: nothing new for A's group
sleep 1.6                    # t ~ 2.7: A's next tick (t=3) not yet
assert_eq 2 "$(deliveries)" "B flushed after its own group_wait; A's unchanged group silent"
sleep 0.8                    # t ~ 3.5: A's tick at 3 s sent nothing (no news)
assert_eq 1 "$(deliveries 'd["groupKey"].endswith("\"A\"}")')" "no resend of A before repeat_interval"
# repeat_interval 3s, group_interval 2s: A was sent at ~1 s, the tick at ~5 s resends it
wait_deliveries 2 3 'd["groupKey"].endswith("\"A\"}")'
at=$(since)
awk -v t="$at" 'BEGIN{exit !(t >= 4.8 && t < 5.6)}' || fail "repeat at $at s, want ~5 s"
ok "repeat_interval resend on the tick ($at s)"
post_alert A 0               # resolve A: reported at the next tick (~7 s), not at once
sleep 0.5
assert_eq 0 "$(deliveries 'd["status"] == "resolved"')" "resolved not sent at once"
wait_deliveries 1 3 'd["status"] == "resolved"'
at=$(since)
awk -v t="$at" 'BEGIN{exit !(t >= 6.8 && t < 7.6)}' || fail "resolved at $at s, want ~7 s"
ok "resolved at the next tick ($at s)"
assert_eq 0 "$(deliveries '"Gone" in d["groupKey"]')" "fired and resolved before the first flush: never sent"
curl -fsS "$RURL/metrics" >"$T/metrics"
assert_contains "$T/metrics" "alertmanager_dispatcher_aggregation_groups 3" "aggregation groups gauge"
# A, B, A repeated, B repeated (its own ticks), A resolved
assert_eq 5 "$(deliveries)" "deliveries in all"
assert_contains "$T/metrics" 'alertmanager_notifications_total{integration="webhook"} 5' "notifications counted"
