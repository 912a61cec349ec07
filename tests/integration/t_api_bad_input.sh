# Hostile and broken input on the API: each answered with the right status
# and a precise message, in bounded time, while the router keeps serving
# (checked with /-/healthy after every request).
. "$LIB"
. "$(dirname "$LIB")/http_lib.sh"
start_router --config.file="$REPO/tests/data/api/am.yml"

# req NAME EXPECTED_STATUS BODY_SUBSTRING curl-args...
req() {
    local name=$1 want=$2 sub=$3; shift 3
    local code
    code=$(curl -sS -o "$T/b" -w '%{http_code}' --max-time 20 "$@") || fail "$name: curl failed"
    assert_eq "$want" "$code" "$name: status"
    [ -z "$sub" ] || assert_contains "$T/b" "$sub" "$name: body"
    assert_eq OK "$(curl -sS --max-time 5 "$RURL/-/healthy")" "$name: still healthy"
}
J=(-H 'Content-Type: application/json')
A="$RURL/api/v2/alerts"

req "invalid JSON" 400 "invalid character 'x' looking for beginning of value" "${J[@]}" -d 'x' "$A"
req "truncated JSON" 400 "unexpected EOF" "${J[@]}" -d '[{"labels":{' "$A"
req "wrong label type" 400 'cannot unmarshal number into Go struct field Alert.labels of type string' "${J[@]}" -d '[{"labels":{"a":1}}]' "$A"
req "wrong time type" 400 'cannot unmarshal bool into Go struct field .startsAt of type string' "${J[@]}" -d '[{"labels":{"a":"b"},"startsAt":true}]' "$A"
req "object instead of array" 400 'cannot unmarshal object into Go value of type models.PostableAlerts' "${J[@]}" -d '{"labels":{"a":"b"}}' "$A"
req "null element" 400 'alert 0 is null' "${J[@]}" -d '[null]' "$A"
req "missing labels" 422 '{"code":602,"message":"0.labels in body is required"}' "${J[@]}" -d '[{"annotations":{}}]' "$A"
req "wrong content type" 415 'unsupported media type \"text/plain\", only [application/json] are allowed' -H 'Content-Type: text/plain' -d '[]' "$A"
req "endsAt before startsAt" 400 '"start time must be before end time"' "${J[@]}" \
    -d '[{"labels":{"a":"b"},"startsAt":"2020-01-02T00:00:00Z","endsAt":"2020-01-01T00:00:00Z"}]' "$A"
req "bad label name" 400 'invalid label set: invalid name \"a-b\"' "${J[@]}" -d '[{"labels":{"a-b":"c"}}]' "$A"
req "deep nesting" 400 "exceeded max depth" "${J[@]}" --data-binary @<(python3 -c 'print("["*20000)') "$A"

# Invalid UTF-8 inside strings: replaced by U+FFFD (as Go), stored.
printf '[{"labels":{"alertname":"utf8\xff\xfe"}}]' >"$T/utf8.json"
req "invalid UTF-8" 200 "" "${J[@]}" --data-binary @"$T/utf8.json" "$A"
curl -sS "$A?filter=alertname%3D%22utf8%EF%BF%BD%EF%BF%BD%22" >"$T/b"
assert_contains "$T/b" '"alertname":"utf8��"' "invalid bytes stored as U+FFFD"

# 20 MB body: 413 before anything is parsed.
python3 -c 'import sys; sys.stdout.write("[" + ",".join(["{\"labels\":{\"a\":\"%0100d\"}}" % i for i in range(180000)]) + "]")' >"$T/big.json"
[ "$(stat -c %s "$T/big.json")" -gt 20000000 ] || fail "big body is not 20 MB"
req "20 MB body" 413 "request body exceeds the limit" "${J[@]}" --data-binary @"$T/big.json" "$A"

# One alert with 100k labels: processed in bounded time (well under the
# 20 s curl limit; measured to be a fraction of a second) and stored.
python3 -c '
import json
labels = {"l%06d" % i: "v%d" % i for i in range(100000)}
labels["alertname"] = "ManyLabels"
print(json.dumps([{"labels": labels}]))' >"$T/many.json"
start=$(date +%s%N)
req "100k labels" 200 "" "${J[@]}" --data-binary @"$T/many.json" "$A"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 5000 ] || fail "100k labels took $ms ms"
ok "100k labels in $ms ms"
curl -sS "$A?filter=alertname%3D%22ManyLabels%22" >"$T/b"
assert_contains "$T/b" '"l099999":"v99999"' "the 100k-label alert is stored"
python3 -c '
import json
labels = {"l%06d-x" % i: "v" for i in range(100000)}
print(json.dumps([{"labels": labels}]))' >"$T/manybad.json"
req "100k invalid labels" 400 'invalid label set: invalid name \"l000000-x\"' "${J[@]}" --data-binary @"$T/manybad.json" "$A"

# 100 KB header: 431 from the HTTP layer (see t_http_limits.sh).
big=$(head -c 100000 /dev/zero | tr '\0' a)
code=$(curl -sS -o /dev/null -w '%{http_code}' -H "X-Big: $big" "${J[@]}" -d '[]' "$A")
case $code in 431|413) ok "100 KB header refused ($code)" ;; *) fail "100 KB header: got $code" ;; esac
assert_eq OK "$(curl -sS "$RURL/-/healthy")" "100 KB header: still healthy"

# Silences: unknown id, non-UUID id, bad bodies.
S="$RURL/api/v2/silence"
req "unknown silence id" 404 "" "$S/00000000-0000-0000-0000-000000000000"
req "non-UUID silence id" 422 '{"code":601,"message":"silenceID in path must be of type uuid: \"nope\""}' "$S/nope"
req "expire unknown silence" 500 '"silence not found"' -X DELETE "$S/00000000-0000-0000-0000-000000000000"
req "silence without comment" 422 '"comment in body is required"' "${J[@]}" -d '{}' "$RURL/api/v2/silences"
req "silence bad regex" 400 'silence invalid: invalid label matcher 0: invalid regular expression' "${J[@]}" \
    -d '{"matchers":[{"name":"a","value":"(","isRegex":true}],"startsAt":"2020-01-01T00:00:00Z","endsAt":"2099-01-01T00:00:00Z","createdBy":"t","comment":"c"}' \
    "$RURL/api/v2/silences"
req "bad filter" 400 '"bad matcher format: ==="' "$A?filter=%3D%3D%3D"

# The counters saw it all.
curl -sS "$RURL/metrics" >"$T/m"
assert_contains "$T/m" 'alertmanager_alerts_invalid_total{version="v2"} 3' "invalid alerts counted"
grep -q 'alertmanager_alerts_received_total{status="firing",version="v2"} [1-9]' "$T/m" || fail "received not counted"
ok "received alerts counted"
stop_router_clean
