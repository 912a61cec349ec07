#!/usr/bin/env python3
"""api_compare.py REF_URL SUT_URL -- the same API requests to Alertmanager 0.25
(REF) and to alertrouter (SUT), in the same order; status codes, content types
and bodies must be equal.

Normalised before comparing (they differ by nature, not by behaviour):
  - timestamps within a day of now (server times: updatedAt, defaulted
    startsAt/endsAt, silence times clamped to now) -> <now>; explicit
    timestamps from the requests are compared as they are;
  - silence ids -> ID1, ID2, ... in order of first appearance per server;
  - /api/v2/status: versionInfo and uptime (config.original is compared).
Prints one line per case and exits 1 if any differ.  Uses only the stdlib."""
import datetime
import http.client
import json
import re
import sys
import urllib.parse

REF, SUT = sys.argv[1], sys.argv[2]
ONLY = sys.argv[3] if len(sys.argv) > 3 else None

TS = re.compile(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)')
UUID = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}')


def request(base, method, path, body=None, ctype="application/json", headers=None):
    u = urllib.parse.urlparse(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=20)
    h = dict(headers or {})
    if body is not None:
        if isinstance(body, str):
            body = body.encode()
        if ctype is not None:
            h["Content-Type"] = ctype
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    ct = r.getheader("Content-Type") or ""
    c.close()
    return r.status, ct, data


class Norm:
    def __init__(self):
        self.ids = {}
        self.now = datetime.datetime.now(datetime.timezone.utc)

    def ts(self, m):
        s = m.group(0)
        try:
            t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
        except ValueError:
            return s
        if abs((t - self.now).total_seconds()) < 86400:
            return "<now>"
        return s

    def uuid(self, m):
        s = m.group(0)
        if s.startswith("00000000"):
            return s
        if s not in self.ids:
            self.ids[s] = "ID%d" % (len(self.ids) + 1)
        return self.ids[s]

    def __call__(self, path, body):
        text = body.decode("utf-8", "replace")
        if path.startswith("/api/v2/status"):
            d = json.loads(text)
            d["versionInfo"] = "<version>"
            d["uptime"] = "<uptime>"
            # the config dump is config_dump.c's contract, compared in
            # t_api_amtool.sh through amtool; reported here, not failed
            self.original = d["config"]["original"]
            d["config"]["original"] = "<original>"
            text = json.dumps(d, sort_keys=True)
        # 0.25 lists the allowed methods in Go map order (random)
        text = re.sub(r'but \[([A-Z,]+)\] are',
                      lambda m: "but [%s] are" % ",".join(sorted(m.group(1).split(","))), text)
        text = TS.sub(self.ts, text)
        text = UUID.sub(self.uuid, text)
        return text


def A(labels, **kw):
    d = {"labels": labels}
    d.update(kw)
    return d


def J(v):
    return json.dumps(v)


SIL = {"matchers": [{"name": "team", "value": "db", "isRegex": False}],
       "startsAt": "2020-01-01T00:00:00Z", "endsAt": "2099-01-01T00:00:00Z",
       "createdBy": "tester", "comment": "maintenance"}


def sil(**kw):
    d = json.loads(json.dumps(SIL))
    for k, v in kw.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return J(d)


# (name, method, path, body, content-type)
POST = "POST"
GET = "GET"
CASES = [
    # ---- POST /api/v2/alerts: syntax ----
    ("syntax: garbage", POST, "/api/v2/alerts", "xx", "application/json"),
    ("syntax: truncated", POST, "/api/v2/alerts", '[{"labels":{"a":"b"}},', "application/json"),
    ("syntax: missing brace", POST, "/api/v2/alerts", '[{"labels":{"a":"b"}]', "application/json"),
    ("syntax: bad escape", POST, "/api/v2/alerts", '[{"labels":{"a":"b\\q"}}]', "application/json"),
    ("syntax: bad exponent", POST, "/api/v2/alerts", '[{"labels":{"a":1.5e}}]', "application/json"),
    ("syntax: bad literal", POST, "/api/v2/alerts", '[{"labels":{"a":tru}}]', "application/json"),
    ("syntax: after key", POST, "/api/v2/alerts", '{"a" 1}', "application/json"),
    ("syntax: trailing comma", POST, "/api/v2/alerts", "[1,]", "application/json"),
    ("syntax: leading zero", POST, "/api/v2/alerts", "[01]", "application/json"),
    ("syntax: lone minus", POST, "/api/v2/alerts", "[-]", "application/json"),
    ("syntax: short \\u", POST, "/api/v2/alerts", '["\\u12"]', "application/json"),
    ("syntax: control char", POST, "/api/v2/alerts", '["a\tb"]', "application/json"),
    ("syntax: key not string", POST, "/api/v2/alerts", "[{1:2}]", "application/json"),
    ("syntax: high byte", POST, "/api/v2/alerts", b"[\xff]", "application/json"),
    ("syntax: quote char", POST, "/api/v2/alerts", "['a']", "application/json"),
    ("syntax: only spaces", POST, "/api/v2/alerts", "   ", "application/json"),
    ("syntax: trailing garbage ignored", POST, "/api/v2/alerts", "[]x", "application/json"),
    ("syntax: two values", POST, "/api/v2/alerts", "[] []", "application/json"),
    ("syntax: deep nesting", POST, "/api/v2/alerts", "[" * 10001 + "]" * 10001, "application/json"),
    # ---- types ----
    ("type: object body", POST, "/api/v2/alerts", "{}", "application/json"),
    ("type: string body", POST, "/api/v2/alerts", '"str"', "application/json"),
    ("type: number body", POST, "/api/v2/alerts", "5", "application/json"),
    ("type: null body", POST, "/api/v2/alerts", "null", "application/json"),
    ("type: number element", POST, "/api/v2/alerts", "[1]", "application/json"),
    ("type: label value number", POST, "/api/v2/alerts", '[{"labels":{"a":1}}]', "application/json"),
    ("type: labels array", POST, "/api/v2/alerts", '[{"labels":[]}]', "application/json"),
    ("type: labels string", POST, "/api/v2/alerts", '[{"labels":"x"}]', "application/json"),
    ("type: annotations array", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"annotations":[]}]', "application/json"),
    ("type: annotation number", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"annotations":{"s":3}}]', "application/json"),
    ("type: startsAt number", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"startsAt":5}]', "application/json"),
    ("type: generatorURL number", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"generatorURL":5}]', "application/json"),
    ("type: both passes fail", POST, "/api/v2/alerts", '[{"labels":{"a":1},"annotations":{"s":3}}]', "application/json"),
    ("type: abort beats saved", POST, "/api/v2/alerts", '[{"annotations":{"s":3},"startsAt":"x"}]', "application/json"),
    ("time: bad", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"startsAt":"yesterday"}]', "application/json"),
    ("time: month", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"endsAt":"2020-13-01T00:00:00Z"}]', "application/json"),
    ("time: day", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"endsAt":"2021-02-29T00:00:00Z"}]', "application/json"),
    ("time: hour", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"endsAt":"2021-02-01T24:00:00Z"}]', "application/json"),
    ("time: extra text", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"endsAt":"2021-02-01 10:00:00Zjunk"}]', "application/json"),
    ("time: bad zone", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"endsAt":"2021-02-01T10:00:00+0x:00"}]', "application/json"),
    # ---- schema (422) ----
    ("422: empty body", POST, "/api/v2/alerts", "", "application/json"),
    ("422: labels missing", POST, "/api/v2/alerts", "[{}]", "application/json"),
    ("422: labels null", POST, "/api/v2/alerts", '[{"labels":null}]', "application/json"),
    ("422: second labels missing", POST, "/api/v2/alerts", '[{"labels":{"a":"b"}},{}]', "application/json"),
    ("422: generatorURL", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"generatorURL":"not a url"}]', "application/json"),
    ("422: generatorURL bad port", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"generatorURL":"http://h:x/"}]', "application/json"),
    ("422: generatorURL bad escape", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"generatorURL":"http://h/%zz"}]', "application/json"),
    # ---- content type ----
    ("415: text/plain", POST, "/api/v2/alerts", "[]", "text/plain"),
    ("415: none", POST, "/api/v2/alerts", "[]", None),
    ("415: mixed case params", POST, "/api/v2/alerts", "[]", "Text/Plain; charset=utf-8"),
    ("ok: json with charset", POST, "/api/v2/alerts", "[]", "application/json; charset=utf-8"),
    ("ok: JSON upper", POST, "/api/v2/alerts", "[]", "Application/JSON"),
    ("400: bad content type", POST, "/api/v2/alerts", "[]", "/json"),
    ("415: empty body text/plain", POST, "/api/v2/alerts", "", "text/plain"),
    # ---- validation (400, partial acceptance) ----
    ("400: no labels", POST, "/api/v2/alerts", '[{"labels":{}}]', "application/json"),
    ("400: empty-valued label only", POST, "/api/v2/alerts", '[{"labels":{"a":""}}]', "application/json"),
    ("400: null label value", POST, "/api/v2/alerts", '[{"labels":{"a":null}}]', "application/json"),
    ("400: partial", POST, "/api/v2/alerts", J([A({"a-b": "x"}), A({"partial": "kept"}),
                                                A({"c": "d"}, startsAt="2020-01-02T00:00:00Z", endsAt="2020-01-01T00:00:00Z")]), "application/json"),
    ("400: bad annotation name", POST, "/api/v2/alerts", '[{"labels":{"a":"b"},"annotations":{"a-b":"x"}}]', "application/json"),
    ("GET after partial", GET, "/api/v2/alerts?filter=partial%3D%22kept%22", None, None),
    # ---- storing and reading back ----
    ("post set", POST, "/api/v2/alerts", J([
        A({"alertname": "DiskFull", "instance": "db-1", "team": "db", "severity": "critical"},
          annotations={"summary": "disk <90%> & \"full\"", "u": "x\u2028y\u0008"},
          generatorURL="http://prom:9090/graph?g0.expr=up&g0.tab=1"),
        A({"alertname": "DiskFull", "instance": "db-2", "team": "db", "severity": "warning", "empty": ""}),
        A({"alertname": "CPU", "instance": "web-1", "job": "node", "team": "web"},
          startsAt="2030-01-01T00:00:00Z", endsAt="2031-01-01T00:00:00.123456789Z"),
        A({"alertname": "Old", "team": "web"}, startsAt="2020-01-01T00:00:00Z", endsAt="2020-01-02T00:00:00Z"),
        A({"alertname": "Local", "team": "x"}, startsAt="2030-01-01T00:00:00", endsAt="2030-01-01 10:00:00"),
        A({"alertname": "Minutes", "team": "x"}, startsAt="2030-01-01T00:00Z", endsAt="2030-01-01T01:00"),
        A({"alertname": "Frac", "team": "x"}, startsAt="2030-01-01T00:00:00.5Z", endsAt="2030-01-01T10:00:00,25Z"),
        A({"alertname": "Zero", "team": "x"}, startsAt="0001-01-01T00:00:00Z"),
        A({"alertname": "Unicode", "team": "x", "v": "\u00e9\u4e2d\U0001F600\u007f"}),
    ]), "application/json"),
    ("post case-insensitive keys", POST, "/api/v2/alerts", '[{"LABELS":{"alertname":"Upper","team":"x"},"Annotations":{"k":"v"}}]', "application/json"),
    ("post merged labels keys", POST, "/api/v2/alerts", '[{"labels":{"alertname":"Merged"},"Labels":{"team":"x"}}]', "application/json"),
    ("post duplicate label", POST, "/api/v2/alerts", '[{"labels":{"alertname":"Dup","team":"a","team":"x"}}]', "application/json"),
    ("post escapes", POST, "/api/v2/alerts", '[{"labels":{"alertname":"Esc\\u00e9\\ud83d\\ude00\\ud800\\/","team":"x"}}]', "application/json"),
    ("post invalid utf8", POST, "/api/v2/alerts", b'[{"labels":{"alertname":"Bad\xff\xfe","team":"x"}}]', "application/json"),
    ("post v1", POST, "/api/v1/alerts", J([A({"alertname": "V1Test", "team": "x"})]), "application/json"),
    ("v1: bad label name", POST, "/api/v1/alerts", '[{"labels":{"a-b":"c"}}]', "application/json"),
    ("v1: no labels", POST, "/api/v1/alerts", "[{}]", "application/json"),
    ("v1: syntax", POST, "/api/v1/alerts", "x", "application/json"),
    ("v1: object", POST, "/api/v1/alerts", "{}", "application/json"),
    ("v1: bad time", POST, "/api/v1/alerts", '[{"labels":{"a":"b"},"startsAt":"zz"}]', "application/json"),
    ("v1: empty body", POST, "/api/v1/alerts", "", "application/json"),
    ("v1: text/plain accepted", POST, "/api/v1/alerts", "[]", "text/plain"),
    ("GET all", GET, "/api/v2/alerts", None, None),
    ("GET filter", GET, "/api/v2/alerts?filter=team%3D%22db%22", None, None),
    ("GET filter regex", GET, "/api/v2/alerts?filter=alertname%3D~%22Disk.%2A%22&filter=severity%21%3D%22warning%22", None, None),
    ("GET filter spaces", GET, "/api/v2/alerts?filter=+team+%3D+db+", None, None),
    ("GET bad filter", GET, "/api/v2/alerts?filter=x", None, None),
    ("GET braces filter", GET, "/api/v2/alerts?filter=%7Bteam%3D%22db%22%7D", None, None),
    ("GET receiver", GET, "/api/v2/alerts?receiver=crit", None, None),
    ("GET receiver regex", GET, "/api/v2/alerts?receiver=def.%2A", None, None),
    ("GET bad receiver", GET, "/api/v2/alerts?receiver=(", None, None),
    ("GET active=false", GET, "/api/v2/alerts?active=false", None, None),
    ("GET active=maybe", GET, "/api/v2/alerts?active=maybe", None, None),
    ("GET silenced=false", GET, "/api/v2/alerts?silenced=false&inhibited=false", None, None),
    ("GET groups", GET, "/api/v2/alerts/groups", None, None),
    ("GET groups receiver", GET, "/api/v2/alerts/groups?receiver=crit", None, None),
    ("GET groups filter", GET, "/api/v2/alerts/groups?filter=team%3D%22x%22", None, None),
    # ---- silences ----
    ("silence: create", POST, "/api/v2/silences", sil(), "application/json"),
    ("GET alerts silenced", GET, "/api/v2/alerts?filter=team%3D%22db%22", None, None),
    ("GET alerts silenced=false", GET, "/api/v2/alerts?silenced=false&filter=team%3D%22db%22", None, None),
    ("GET groups silenced=false", GET, "/api/v2/alerts/groups?silenced=false", None, None),
    ("silence: list", GET, "/api/v2/silences", None, None),
    ("silence: create regex", POST, "/api/v2/silences", sil(endsAt="2099-01-01T00:00:01Z", matchers=[{"name": "alertname", "value": "CP.*", "isRegex": True, "isEqual": False}]), "application/json"),
    ("silence: pending", POST, "/api/v2/silences", sil(startsAt="2098-01-01T00:00:00Z"), "application/json"),
    ("silence: list 3", GET, "/api/v2/silences", None, None),
    ("silence: filter", GET, "/api/v2/silences?filter=alertname%21~%22CP.%2A%22", None, None),
    ("silence: bad filter", GET, "/api/v2/silences?filter=%3D", None, None),
    ("silence: no comment", POST, "/api/v2/silences", sil(comment=None), "application/json"),
    ("silence: no createdBy", POST, "/api/v2/silences", sil(createdBy=None), "application/json"),
    ("silence: no endsAt", POST, "/api/v2/silences", sil(endsAt=None), "application/json"),
    ("silence: no startsAt", POST, "/api/v2/silences", sil(startsAt=None), "application/json"),
    ("silence: no matchers", POST, "/api/v2/silences", sil(matchers=None), "application/json"),
    ("silence: empty matchers", POST, "/api/v2/silences", sil(matchers=[]), "application/json"),
    ("silence: matcher no isRegex", POST, "/api/v2/silences", sil(matchers=[{"name": "a", "value": "b"}]), "application/json"),
    ("silence: matcher no name", POST, "/api/v2/silences", sil(matchers=[{"value": "b", "isRegex": False}]), "application/json"),
    ("silence: empty object", POST, "/api/v2/silences", "{}", "application/json"),
    ("silence: array", POST, "/api/v2/silences", "[]", "application/json"),
    ("silence: syntax", POST, "/api/v2/silences", "x", "application/json"),
    ("silence: comment number", POST, "/api/v2/silences", sil(comment=5), "application/json"),
    ("silence: id number", POST, "/api/v2/silences", sil(id=5), "application/json"),
    ("silence: bad time", POST, "/api/v2/silences", sil(endsAt="soon"), "application/json"),
    ("silence: end before start", POST, "/api/v2/silences", sil(startsAt="2099-01-02T00:00:00Z"), "application/json"),
    ("silence: end in past", POST, "/api/v2/silences", sil(endsAt="2020-01-02T00:00:00Z"), "application/json"),
    ("silence: bad label name", POST, "/api/v2/silences", sil(matchers=[{"name": "a-b", "value": "b", "isRegex": False}]), "application/json"),
    ("silence: bad regex", POST, "/api/v2/silences", sil(matchers=[{"name": "a", "value": "(", "isRegex": True}]), "application/json"),
    ("silence: matches empty", POST, "/api/v2/silences", sil(matchers=[{"name": "a", "value": ".*", "isRegex": True}]), "application/json"),
    ("silence: unknown id", POST, "/api/v2/silences", sil(id="00000000-0000-0000-0000-000000000000"), "application/json"),
    ("silence: non-uuid id in body", POST, "/api/v2/silences", sil(id="zz"), "application/json"),
    ("silence: text/plain", POST, "/api/v2/silences", sil(), "text/plain"),
    ("silence: get non-uuid", GET, "/api/v2/silence/x", None, None),
    ("silence: get unknown", GET, "/api/v2/silence/00000000-0000-0000-0000-000000000000", None, None),
    ("silence: get no hyphens", GET, "/api/v2/silence/00000000000000000000000000000000", None, None),
    ("silence: get empty id", GET, "/api/v2/silence/", None, None),
    ("silence: delete unknown", "DELETE", "/api/v2/silence/00000000-0000-0000-0000-000000000000", None, None),
    ("silence: delete non-uuid", "DELETE", "/api/v2/silence/x", None, None),
    ("silence: put", "PUT", "/api/v2/silence/00000000-0000-0000-0000-000000000000", None, None),
    # ---- misc ----
    ("receivers", GET, "/api/v2/receivers", None, None),
    ("status", GET, "/api/v2/status", None, None),
    ("404 api", GET, "/api/v2/nope", None, None),
    ("405 api", "PUT", "/api/v2/alerts", None, None),
    ("reload GET", GET, "/-/reload", None, None),
    ("healthy", GET, "/-/healthy", None, None),
]

# Silence ids are learnt from the create answers, so that the sequence
# get / update / expire can run on both servers.
SEQ = [
    ("seq: create", POST, "/api/v2/silences", lambda ids: sil(comment="seq", endsAt="2099-01-01T00:00:02Z"), "application/json"),
    ("seq: get", GET, lambda ids: "/api/v2/silence/" + ids[0], None, None),
    ("seq: update in place", POST, "/api/v2/silences", lambda ids: sil(id=ids[0], comment="seq2", endsAt="2098-06-01T00:00:00Z"), "application/json"),
    ("seq: get updated", GET, lambda ids: "/api/v2/silence/" + ids[0], None, None),
    ("seq: update new matchers", POST, "/api/v2/silences", lambda ids: sil(id=ids[0], endsAt="2099-01-01T00:00:03Z", matchers=[{"name": "team", "value": "web", "isRegex": False}]), "application/json"),
    ("seq: old expired", GET, lambda ids: "/api/v2/silence/" + ids[0], None, None),
    ("seq: expire new", "DELETE", lambda ids: "/api/v2/silence/" + ids[1], None, None),
    ("seq: expire again", "DELETE", lambda ids: "/api/v2/silence/" + ids[1], None, None),
    ("seq: update expired", POST, "/api/v2/silences", lambda ids: sil(id=ids[1], endsAt="2099-01-01T00:00:04Z"), "application/json"),
    ("seq: list", GET, "/api/v2/silences", None, None),
]


def main():
    nref, nsut = Norm(), Norm()
    bad = 0
    ids = {REF: [], SUT: []}

    def run(name, method, path, body, ctype):
        nonlocal bad
        if ONLY and ONLY not in name:
            return
        res = {}
        for base, norm in ((REF, nref), (SUT, nsut)):
            p = path(ids[base]) if callable(path) else path
            b = body(ids[base]) if callable(body) else body
            st, ct, data = request(base, method, p, b, ctype)
            if p.startswith("/api/v2/silences") and method == POST and st == 200:
                sid = json.loads(data)["silenceID"]
                if sid not in ids[base]:
                    ids[base].append(sid)
            res[base] = (st, ct, norm(p, data))
        if res[REF] == res[SUT]:
            print("same: %s -> %d" % (name, res[REF][0]))
        else:
            bad += 1
            print("DIFF: %s" % name)
            (s1, c1, b1), (s2, c2, b2) = res[REF], res[SUT]
            if (s1, c1) != (s2, c2):
                print("   ref: %d %s | sut: %d %s" % (s1, c1, s2, c2))
            i = next((k for k in range(min(len(b1), len(b2))) if b1[k] != b2[k]),
                     min(len(b1), len(b2)))
            lo = max(0, i - 150)
            print("   ref: ...%r" % b1[lo:i + 150])
            print("   sut: ...%r" % b2[lo:i + 150])

    for c in CASES:
        run(*c)
    for c in SEQ:
        run(*c)
    if getattr(nref, "original", None) != getattr(nsut, "original", None):
        import difflib
        print("NOTE: config.original differs (config_dump.c):")
        for line in difflib.unified_diff(nref.original.splitlines(), nsut.original.splitlines(),
                                         "alertmanager", "alertrouter", lineterm="", n=0):
            print("    " + line)
    print("%d cases differ" % bad)
    sys.exit(1 if bad else 0)


main()
