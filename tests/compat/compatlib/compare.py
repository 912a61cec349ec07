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


def _diffs(o, e, tol):
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
    return diffs


def check_expected(obs, expect, tol, deviations=None):
    """Returns a list of failure lines (empty = meets the expectations).
    Each expected delivery, in order, takes the earliest unclaimed observed
    delivery on its path that matches it: groups flushing at the same
    moment arrive in any order, and the expectations are written so that
    one group's deliveries are distinguishable by time or content.  The
    timing error of each matched delivery is appended to deviations."""
    errs = []
    got, want = by_path(obs), by_path(expect)
    for path in sorted(set(got) | set(want)):
        g, w = got.get(path, []), want.get(path, [])
        claimed = [False] * len(g)
        for i, e in enumerate(w):
            hit = next((j for j, o in enumerate(g)
                        if not claimed[j] and not _diffs(o, e, tol)), None)
            if hit is not None:
                claimed[hit] = True
                if deviations is not None and not isinstance(e["at"], list):
                    deviations.append(abs(g[hit]["at"] - e["at"]))
                continue
            free = [o for j, o in enumerate(g) if not claimed[j]]
            if not free:
                errs.append("missing delivery %s #%d at %s (%d alerts)"
                            % (path, i, e["at"], len(e["alerts"])))
                continue
            near = min(free, key=lambda o: abs(o["at"] - _mid(e["at"])))
            errs.append("no delivery matches %s #%d; nearest differs: %s  (observed %s)"
                        % (path, i, "; ".join(_diffs(near, e, tol)), _short(near)))
        errs += ["unexpected delivery %s" % _short(o) for j, o in enumerate(g) if not claimed[j]]
    return errs


def _mid(at):
    return (at[0] + at[1]) / 2 if isinstance(at, list) else at


def _slack(expect, path, tol):
    """Timing allowance between the systems on path: the tolerance, or the
    widest expected range there (jittered retries)."""
    widths = [e["at"][1] - e["at"][0] for e in expect
              if e["path"] == path and isinstance(e["at"], list)]
    return max([tol] + widths)


def cross_compare(ref, other, ref_steps, other_steps, expect, tol):
    """ref = Alertmanager's observations, other = alertrouter's.  Paired per
    (path, groupKey) in arrival order: one group's notifications are
    ordered, different groups' are independent."""
    errs = []
    if ref_steps != other_steps:
        errs.append("API answers to the steps differ: am %s, router %s" % (ref_steps, other_steps))

    def key(d):
        return (d["path"], d.get("groupKey") or "")
    a, b = {}, {}
    for d in ref:
        a.setdefault(key(d), []).append(d)
    for d in other:
        b.setdefault(key(d), []).append(d)
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k, []), b.get(k, [])
        where = "%s %s" % k
        if len(x) != len(y):
            errs.append("%s: am delivered %d times, router %d times" % (where, len(x), len(y)))
        slack = _slack(expect, k[0], tol)
        for i, (o, r) in enumerate(zip(x, y)):
            diffs = []
            if abs(o["at"] - r["at"]) > slack:
                diffs.append("at am %.2f router %.2f (tolerance %.2f)" % (o["at"], r["at"], slack))
            for f in CROSS_FIELDS:
                if o.get(f) != r.get(f):
                    diffs.append("%s am %r router %r" % (f, o.get(f), r.get(f)))
            oa, ra = o.get("alerts", []), r.get("alerts", [])
            if len(oa) != len(ra):
                diffs.append("alerts: am %d router %d" % (len(oa), len(ra)))
            for j, (p, q) in enumerate(zip(oa, ra)):
                for f in CROSS_ALERT_FIELDS:
                    if p.get(f) != q.get(f):
                        diffs.append("alert %d %s am %r router %r" % (j, f, p.get(f), q.get(f)))
                for f in ("startsAt", "endsAt"):
                    if not _num_close(p.get(f), q.get(f), slack):
                        diffs.append("alert %d %s am %r router %r" % (j, f, p.get(f), q.get(f)))
            if diffs:
                errs.append("%s #%d: %s" % (where, i, "; ".join(diffs)))
    return errs
