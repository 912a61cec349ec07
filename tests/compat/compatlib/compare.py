"""compare.py -- observations against a scenario's expectations, and one
system's observations against the other's.

Deliveries are compared per receiver path in arrival order: integrations
deliver concurrently, so the order between paths is not part of the
behaviour, the order on one path is.  Times are offsets from the scenario
start; they match within a tolerance, or inside an explicit [lo, hi] range
where the reference itself is random (retry backoff has +-50% jitter).
"""

# Fields of a delivery that must be equal between the two systems.
CROSS_FIELDS = ("answer", "content_type", "receiver", "status", "groupKey", "groupLabels",
                "commonLabels", "commonAnnotations", "truncatedAlerts", "version",
                "externalURL", "keys", "error")
CROSS_ALERT_FIELDS = ("status", "labels", "annotations", "fingerprint", "generatorURL",
                      "endsAtRaw")


def by_path(items):
    out = {}
    for it in items:
        out.setdefault(it["path"], []).append(it)
    return out


def _short(d):
    alerts = ",".join("%s:%s" % (a.get("status", "?")[:1],
                                 "/".join("%s=%s" % kv for kv in sorted(a["labels"].items())))
                      for a in d.get("alerts", []))
    return "%s@%.2f [%s]" % (d["path"], d["at"], alerts)


def _num_close(a, b, tol):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return abs(a - b) <= tol
    return a == b


def _at_ok(obs_at, want, tol):
    if isinstance(want, list):
        return want[0] <= obs_at <= want[1]
    return abs(obs_at - want) <= tol


def _alert_diffs(obs_alerts, want_alerts, tol):
    if len(obs_alerts) != len(want_alerts):
        return ["%d alerts, want %d" % (len(obs_alerts), len(want_alerts))]
    diffs = []
    for j, (o, w) in enumerate(zip(obs_alerts, want_alerts)):
        if isinstance(w, list):
            w = {"status": w[0], "labels": w[1]}
        for k, v in w.items():
            if k in ("startsAt", "endsAt"):
                if not _num_close(o.get(k), v, tol):
                    diffs.append("alert %d %s %r, want %r" % (j, k, o.get(k), v))
            elif o.get(k) != v:
                diffs.append("alert %d %s %r, want %r" % (j, k, o.get(k), v))
    return diffs


def check_expected(obs, expect, tol):
    """Returns a list of failure lines (empty = meets the expectations)."""
    errs = []
    got, want = by_path(obs), by_path(expect)
    for path in sorted(set(got) | set(want)):
        g, w = got.get(path, []), want.get(path, [])
        for i in range(max(len(g), len(w))):
            if i >= len(w):
                errs.append("unexpected delivery %s" % _short(g[i]))
                continue
            if i >= len(g):
                errs.append("missing delivery %s #%d at %s (%d alerts)"
                            % (path, i, w[i]["at"], len(w[i]["alerts"])))
                continue
            o, e = g[i], w[i]
            diffs = []
            if not _at_ok(o["at"], e["at"], tol):
                diffs.append("at %.2f, want %s (tolerance %.2f)" % (o["at"], e["at"], tol))
            for k, v in e.items():
                if k in ("path", "at"):
                    continue
                if k == "alerts":
                    diffs += _alert_diffs(o.get("alerts", []), v, tol)
                elif o.get(k) != v:
                    diffs.append("%s %r, want %r" % (k, o.get(k), v))
            if diffs:
                errs.append("delivery %s #%d: %s  (observed %s)"
                            % (path, i, "; ".join(diffs), _short(o)))
    return errs


def _slack(expect, path, i, tol):
    """Timing allowance between the systems for delivery i on path."""
    w = by_path(expect).get(path, [])
    if i < len(w) and isinstance(w[i]["at"], list):
        return max(tol, w[i]["at"][1] - w[i]["at"][0])
    return tol


def cross_compare(ref, other, ref_steps, other_steps, expect, tol):
    """ref = Alertmanager's observations, other = alertrouter's."""
    errs = []
    if ref_steps != other_steps:
        errs.append("API answers to the steps differ: am %s, router %s" % (ref_steps, other_steps))
    a, b = by_path(ref), by_path(other)
    for path in sorted(set(a) | set(b)):
        x, y = a.get(path, []), b.get(path, [])
        if len(x) != len(y):
            errs.append("%s: am delivered %d times, router %d times" % (path, len(x), len(y)))
        for i, (o, r) in enumerate(zip(x, y)):
            diffs = []
            slack = _slack(expect, path, i, tol)
            if abs(o["at"] - r["at"]) > slack:
                diffs.append("at am %.2f router %.2f (tolerance %.2f)" % (o["at"], r["at"], slack))
            for k in CROSS_FIELDS:
                if o.get(k) != r.get(k):
                    diffs.append("%s am %r router %r" % (k, o.get(k), r.get(k)))
            oa, ra = o.get("alerts", []), r.get("alerts", [])
            if len(oa) != len(ra):
                diffs.append("alerts: am %d router %d" % (len(oa), len(ra)))
            for j, (p, q) in enumerate(zip(oa, ra)):
                for k in CROSS_ALERT_FIELDS:
                    if p.get(k) != q.get(k):
                        diffs.append("alert %d %s am %r router %r" % (j, k, p.get(k), q.get(k)))
                for k in ("startsAt", "endsAt"):
                    if not _num_close(p.get(k), q.get(k), slack):
                        diffs.append("alert %d %s am %r router %r" % (j, k, p.get(k), q.get(k)))
            if diffs:
                errs.append("%s #%d: %s" % (path, i, "; ".join(diffs)))
    return errs
