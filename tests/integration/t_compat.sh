# Behaviour compatibility suite (tests/compat/): the same config and the same
# timed alert POSTs against Alertmanager 0.25 and alertrouter, webhook
# deliveries compared (tests/compat/README.md).
#
# By default alertrouter is compared with Alertmanager, and a router that
# cannot serve is a failure.  COMPAT_ROUTER=0 runs the scenarios against
# Alertmanager only (checks the expected deliveries against the reference).
COMPAT_ROUTER=${COMPAT_ROUTER:-1}
. "$LIB"

here="$REPO/tests/compat"
python3 "$here/test_harness.py" 2>&1 | tail -3
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "the suite's own unit tests"
ok "harness unit tests"

# Scratch directories (logs of both sides) under $T, kept by run.sh on failure.
export TMPDIR="$T"
if [ "$COMPAT_ROUTER" = 1 ]; then
    echo "MODE: Alertmanager 0.25 vs alertrouter ($ROUTER), compared"
    python3 "$here/run.py" --router "$ROUTER" --require-router || fail "compat suite (AM vs router)"
else
    echo "MODE: Alertmanager 0.25 only -- alertrouter NOT compared (COMPAT_ROUTER=0)"
    python3 "$here/run.py" || fail "compat suite (scenarios against Alertmanager)"
    echo "NOTE: AM-only mode: scenarios validated against Alertmanager 0.25; alertrouter NOT compared (COMPAT_ROUTER=0)"
fi
ok "compat suite"
