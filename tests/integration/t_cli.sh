# The command line: --version, --help, unknown flags, bad values.
. "$LIB"

"$ROUTER" --version >"$T/v" 2>&1 || fail "--version exit"
assert_contains "$T/v" "alertrouter, version" "--version names the program"
assert_contains "$T/v" "libmicrohttpd:" "--version lists linked libraries"

"$ROUTER" --help >"$T/h" 2>&1 || fail "--help exit"
assert_contains "$T/h" "--web.listen-address" "--help lists flags"
assert_contains "$T/h" "(default: :9093)" "--help shows defaults"

"$ROUTER" --no-such-flag >"$T/u" 2>&1; rc=$?
assert_eq 2 "$rc" "unknown flag exits 2"
assert_eq 1 "$(wc -l <"$T/u")" "unknown flag prints one line"
assert_contains "$T/u" "unknown flag --no-such-flag" "unknown flag is named"

"$ROUTER" --data.retention=5minutes >"$T/d" 2>&1; rc=$?
assert_eq 2 "$rc" "bad duration exits 2"
assert_contains "$T/d" 'not a valid duration string: "5minutes"' "bad duration is explained"

"$ROUTER" --web.listen-address >"$T/m" 2>&1; rc=$?
assert_eq 2 "$rc" "missing value exits 2"

"$ROUTER" --log.level=loud >"$T/l" 2>&1; rc=$?
assert_eq 2 "$rc" "bad log level exits 2"
exit 0
