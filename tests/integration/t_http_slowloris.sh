# The header deadline (--web.header-timeout): connections whose request
# headers are not complete in time are closed, however steadily they
# trickle bytes; idle keep-alive connections are not cut by it.
. "$LIB"
. "$(dirname "$LIB")/http_lib.sh"
PROBE="python3 $(dirname "$LIB")/http_probe.py"

start_router --web.header-timeout=2s

# 10 clients dribble a 4 KB header one byte per 0.2 s (MHD's inactivity
# timeout alone would keep them for ever).  All must be closed after 2 s
# (plus the sweep period), and not before.
out=$($PROBE slowloris "$RPORT" 10 0.2 8)
echo "$out"
case "$out" in "closed 10/10 "*) ok "all 10 slow clients closed" ;; *) fail "slowloris: $out" ;; esac
first=$(echo "$out" | awk '{print $4}')
last=$(echo "$out" | awk '{print $6}')
awk -v f="$first" 'BEGIN{exit !(f >= 1.8)}' || fail "closed too early ($first s)"
ok "not closed before the deadline ($first s)"
awk -v l="$last" 'BEGIN{exit !(l <= 3.5)}' || fail "closed too late ($last s)"
ok "closed within 1.5 s after the deadline ($last s)"

# A client that says nothing at all is also closed.
assert_eq "none closed" "$($PROBE raw "$RPORT" '')" "silent client closed by the deadline"

# An idle keep-alive connection outlives the header deadline.
assert_eq "200 200" "$($PROBE keepidle "$RPORT" 3)" "keep-alive idle 3 s, then served"

assert_eq "OK" "$(curl -sS "$RURL/-/healthy")" "still serving"
stop_router_clean
exit 0
