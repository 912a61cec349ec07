"""scenario.py -- a scenario file, and one run of it against one system.

A scenario (tests/compat/scenarios/NN-name.json; JSON because the suite is
stdlib-only) holds:

  description  what it shows (one line)
  duration     seconds from the start until the observation ends (<= 20)
  tolerance    optional: seconds an arrival may differ from the expected
               time and between the two systems (default: --tolerance)
  config       the alertmanager.yml, as a JSON object (emitted as block
               YAML) or as a YAML string; "{{sink}}" in any string becomes
               the sink's base URL, so webhook URLs are "{{sink}}/name"
  steps        [{"at": seconds, <one action>}], actions:
                 "alerts": [alert, ...]    POST /api/v2/alerts; an alert is
                     {"labels", "annotations", "startsAt", "endsAt",
                     "generatorURL"}; a number for startsAt/endsAt is seconds
                     relative to the moment of the POST, a string is sent as is
                 "expect_http": status     expected answer (default 200)
                 "silence": {"name", "matchers": [[label, op, value]],
                     "duration": seconds}  POST /api/v2/silences
                 "expire_silence": name    DELETE /api/v2/silence/<id>
                 "answer": {"path", "status", "count"}  the sink answers
                     status to the next count requests on path; with
                     "until": seconds instead of count, to every request
                     until that time
  expect       every delivery, per path in arrival order:
               {"path", "at": seconds or [lo, hi], "alerts": [[status,
               labels], ...] or [{"status", "labels", "annotations",
               "startsAt", "endsAt"}], and optionally "status", "groupKey",
               "groupLabels", "commonLabels", "receiver", "truncatedAlerts",
               "answer" (what the sink answered)}.  Anything not listed, on
               any path, is a failure.
  ignore       optional [{"path", "answer"}]: deliveries on path that got
               that answer are left out of both checks (retries whose
               number is random)
"""

import calendar
import json
import os
import re
import time

MAX_DURATION = 20.0
TOP_KEYS = {"description", "duration", "tolerance", "config", "steps", "expect", "ignore"}
STEP_ACTIONS = {"alerts", "silence", "expire_silence", "answer"}
EXPECT_KEYS = {"path", "at", "alerts", "status", "groupKey", "groupLabels", "commonLabels",
               "commonAnnotations", "receiver", "truncatedAlerts", "answer"}
MATCH_OPS = {"=": (False, True), "!=": (False, False), "=~": (True, True), "!~": (True, False)}


class ScenarioError(Exception):
    pass


def load(path):
    """Reads and checks a scenario file; raises ScenarioError naming the
    file and the offending key."""
    name = os.path.splitext(os.path.basename(path))[0]
    try:
        with open(path, encoding="utf-8") as f:
            sc = json.load(f)
    except (OSError, ValueError) as e:
        raise ScenarioError("%s: %s" % (path, e))

    def bad(msg):
        raise ScenarioError("%s: %s" % (path, msg))

    if not isinstance(sc, dict):
        bad("top level must be an object")
    for k in sc:
        if k not in TOP_KEYS:
            bad("unknown key %r" % k)
    for k in ("description", "duration", "config", "steps", "expect"):
        if k not in sc:
            bad("missing key %r" % k)
    if not isinstance(sc["duration"], (int, float)) or not 0 < sc["duration"] <= MAX_DURATION:
        bad("duration must be a number in (0, %g]" % MAX_DURATION)
    if not isinstance(sc["config"], (dict, str)):
        bad("config must be an object or a YAML string")
    for i, st in enumerate(sc["steps"]):
        acts = [k for k in st if k in STEP_ACTIONS]
        extra = [k for k in st if k not in STEP_ACTIONS | {"at", "expect_http"}]
        if len(acts) != 1 or extra or not isinstance(st.get("at"), (int, float)):
            bad("steps[%d]: needs a numeric 'at' and exactly one of %s (extra: %s)"
                % (i, sorted(STEP_ACTIONS), extra))
        if st["at"] >= sc["duration"]:
            bad("steps[%d]: at %.1f is not before the end (%.1f)" % (i, st["at"], sc["duration"]))
        if "silence" in st:
            for m in st["silence"].get("matchers", []):
                if len(m) != 3 or m[1] not in MATCH_OPS:
                    bad("steps[%d]: matcher %r is not [label, op, value]" % (i, m))
        if "answer" in st:
            ans = st["answer"]
            if (not isinstance(ans.get("path"), str) or not isinstance(ans.get("status"), int)
                    or set(ans) - {"path", "status", "count", "until"}
                    or ("count" in ans and "until" in ans)):
                bad("steps[%d]: answer needs path, status and count or until" % i)
    for i, ig in enumerate(sc.get("ignore", [])):
        if set(ig) != {"path", "answer"}:
            bad("ignore[%d]: needs exactly path and answer" % i)
    for i, ex in enumerate(sc["expect"]):
        for k in ex:
            if k not in EXPECT_KEYS:
                bad("expect[%d]: unknown key %r" % (i, k))
        for k in ("path", "at", "alerts"):
            if k not in ex:
                bad("expect[%d]: missing key %r" % (i, k))
        at = ex["at"]
        if not (isinstance(at, (int, float)) or
                (isinstance(at, list) and len(at) == 2 and at[0] <= at[1])):
            bad("expect[%d]: at must be seconds or [lo, hi]" % i)
    sc["name"] = name
    sc["steps"] = sorted(sc["steps"], key=lambda s: s["at"])
    return sc


# -- config rendering ------------------------------------------------------

_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(v)


def _key(k):
    return k if _PLAIN_KEY.match(k) else json.dumps(k)


def to_yaml(v, indent=0):
    """Block-style YAML for a JSON value (objects, arrays, scalars)."""
    pad = " " * indent
    out = []
    if isinstance(v, dict):
        for k, val in v.items():
            if isinstance(val, (dict, list)) and val:
                out.append("%s%s:" % (pad, _key(k)))
                out.append(to_yaml(val, indent + 2))
            elif isinstance(val, (dict, list)):
                out.append("%s%s: %s" % (pad, _key(k), "{}" if isinstance(val, dict) else "[]"))
            else:
                out.append("%s%s: %s" % (pad, _key(k), _scalar(val)))
    elif isinstance(v, list):
        for item in v:
            if isinstance(item, (dict, list)) and item:
                body = to_yaml(item, indent + 2)
                out.append(pad + "- " + body[indent + 2:])
            else:
                out.append(pad + "- " + (_scalar(item) if not isinstance(item, (dict, list))
                                        else ("{}" if isinstance(item, dict) else "[]")))
    else:
        out.append(pad + _scalar(v))
    return "\n".join(out)


def render_config(sc, sink_url):
    def subst(v):
        if isinstance(v, str):
            return v.replace("{{sink}}", sink_url)
        if isinstance(v, list):
            return [subst(x) for x in v]
        if isinstance(v, dict):
            return {k: subst(x) for k, x in v.items()}
        return v
    cfg = subst(sc["config"])
    return (cfg if isinstance(cfg, str) else to_yaml(cfg)) + "\n"


# -- times -----------------------------------------------------------------

def rfc3339(epoch):
    """UTC with microseconds, e.g. 2024-05-01T10:00:00.123456Z."""
    whole = int(epoch // 1)
    frac = int(round((epoch - whole) * 1e6))
    if frac == 1000000:
        whole, frac = whole + 1, 0
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + ".%06dZ" % frac


_TIME_RE = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def parse_time(s):
    """RFC 3339 with any fraction length (Go emits nanoseconds) -> epoch
    seconds; None for Go's zero time or anything unparsable."""
    m = _TIME_RE.match(s or "")
    if not m or s.startswith("0001-"):
        return None
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    epoch = calendar.timegm((y, mo, d, h, mi, sec, 0, 0, 0))
    if m.group(7):
        epoch += float("0" + m.group(7))
    tz = m.group(8)
    if tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        epoch -= sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    return epoch


def _alert_body(a, now):
    out = {}
    for k, v in a.items():
        if k in ("startsAt", "endsAt") and isinstance(v, (int, float)):
            out[k] = rfc3339(now + v)
        else:
            out[k] = v
    return out


def _silence_body(s, now):
    return {
        "matchers": [{"name": n, "value": v, "isRegex": MATCH_OPS[op][0],
                      "isEqual": MATCH_OPS[op][1]} for n, op, v in s["matchers"]],
        "startsAt": rfc3339(now),
        "endsAt": rfc3339(now + s.get("duration", 60)),
        "createdBy": "compat",
        "comment": s.get("name", "compat"),
    }


# -- one run ---------------------------------------------------------------

def run_timeline(sc, sut, sink):
    """Runs the steps against a started sut; returns (t0 monotonic,
    t0 wall, list of step results, list of errors)."""
    t0 = time.monotonic()
    w0 = time.time()
    results, errors, silences = [], [], {}
    for i, st in enumerate(sc["steps"]):
        delay = t0 + st["at"] - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        now = w0 + (time.monotonic() - t0)
        late = time.monotonic() - t0 - st["at"]
        if late > 0.25:
            errors.append("step %d ran %.2fs late (machine overloaded?)" % (i, late))
        if "alerts" in st:
            status, body = sut.post_alerts([_alert_body(a, now) for a in st["alerts"]])
            want = st.get("expect_http", 200)
            if status != want:
                errors.append("step %d: POST alerts answered %d, want %d: %s"
                              % (i, status, want, body[:200].decode(errors="replace")))
        elif "silence" in st:
            status, sid = sut.post_silence(_silence_body(st["silence"], now))
            if status != 200 or not sid:
                errors.append("step %d: POST silence answered %d" % (i, status))
            silences[st["silence"].get("name", "")] = sid
        elif "expire_silence" in st:
            sid = silences.get(st["expire_silence"])
            status = sut.expire_silence(sid) if sid else 0
            if status != 200:
                errors.append("step %d: expiring silence %r answered %d"
                              % (i, st["expire_silence"], status))
        elif "answer" in st:
            ans = st["answer"]
            until = t0 + ans["until"] if "until" in ans else None
            sink.plan(ans["path"], ans["status"], None if until else ans.get("count", 1), until)
            status = 0
        results.append(status)
    delay = t0 + sc["duration"] - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    return t0, w0, results, errors


def _offset(s, w0):
    t = parse_time(s)
    return "zero" if t is None else round(t - w0, 2)


def _ignored(r, ignore):
    return any(r["path"] == ig["path"] and r["answer"] == ig["answer"] for ig in ignore)


def normalise(records, t0, w0, ignore=()):
    """Sink records -> the observation list compared between systems."""
    obs = []
    for r in records:
        if _ignored(r, ignore):
            continue
        d = {"path": r["path"], "at": round(r["mono"] - t0, 3), "answer": r["answer"],
             "content_type": r["content_type"]}
        try:
            p = json.loads(r["body"])
        except ValueError:
            d["error"] = "body is not JSON: %r" % r["body"][:200]
            obs.append(d)
            continue
        for k in ("receiver", "status", "groupKey", "groupLabels", "commonLabels",
                  "commonAnnotations", "truncatedAlerts", "version", "externalURL"):
            d[k] = p.get(k)
        d["keys"] = sorted(p.keys())
        d["alerts"] = [{
            "status": a.get("status"),
            "labels": a.get("labels"),
            "annotations": a.get("annotations"),
            "startsAt": _offset(a.get("startsAt"), w0),
            "endsAt": _offset(a.get("endsAt"), w0),
            "endsAtRaw": a.get("endsAt") if parse_time(a.get("endsAt")) is None else "set",
            "fingerprint": a.get("fingerprint"),
            "generatorURL": a.get("generatorURL"),
        } for a in p.get("alerts", [])]
        obs.append(d)
    obs.sort(key=lambda d: d["at"])
    return obs
