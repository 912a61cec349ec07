# http_lib.sh -- helpers for the t_http_*.sh tests; sourced after lib.sh.
# stop_router_clean: SIGTERM, exit 0 within 5 s, no sanitizer report.
stop_router_clean() {
    kill -TERM "$RPID"
    local i=0
    while kill -0 "$RPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    kill -0 "$RPID" 2>/dev/null && fail "router still running 5 s after SIGTERM"
    wait "$RPID"; local rc=$?
    assert_eq 0 "$rc" "SIGTERM exits 0"
    assert_not_contains "$T/router.log" "Sanitizer" "no sanitizer report"
}
