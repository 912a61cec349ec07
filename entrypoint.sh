#!/bin/sh
# entrypoint.sh -- starts alertrouter for the compose service.
#
# The stack used to run Alertmanager with ALERTMANAGER_* variables; alertrouter
# reads ROUTER_* (see config.tmpl).  Each old name is copied to the new one when
# the new one is unset, so an existing .env keeps working; a ROUTER_* variable
# that is set (even to "") wins.  Then the router replaces this shell, with the
# arguments given, so it receives the container's signals directly.
#
# The binary: $ROUTER_BIN, else `alertrouter` on PATH, else build/alertrouter
# next to this script.  No value is ever printed.
set -eu

for suffix in SLACK_WEBHOOK_URL EMAIL_FROM EMAIL_TO SMTP_SMARTHOST SMTP_USERNAME \
    SMTP_PASSWORD TEAMS_WEBHOOK_URL GROUP_WAIT GROUP_INTERVAL REPEAT_INTERVAL RENDER_ONLY STRICT; do
    # The names are fixed words from the list above, so eval only ever sees
    # "ROUTER_X=$ALERTMANAGER_X": the value is expanded once, never parsed.
    eval "new_set=\${ROUTER_$suffix+set} old_set=\${ALERTMANAGER_$suffix+set}"
    if [ -z "$new_set" ] && [ -n "$old_set" ]; then
        eval "ROUTER_$suffix=\$ALERTMANAGER_$suffix"
        export "ROUTER_$suffix"
    fi
done

if [ -n "${ROUTER_BIN:-}" ]; then
    bin=$ROUTER_BIN
elif command -v alertrouter >/dev/null 2>&1; then
    bin=$(command -v alertrouter)
else
    bin=$(dirname "$0")/build/alertrouter
fi
if [ ! -x "$bin" ]; then
    echo "entrypoint.sh: alertrouter not found (tried \$ROUTER_BIN, PATH and $bin)" >&2
    exit 127
fi
exec "$bin" "$@"
