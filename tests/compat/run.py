#!/usr/bin/env python3
"""run.py -- the behaviour compatibility suite: Alertmanager 0.25 vs alertrouter.

Each scenario (scenarios/NN-name.json, format in compatlib/scenario.py) is
played against Debian's Alertmanager 0.25 and, when available, against
alertrouter, in parallel, each with its own webhook sink and ports.  Both
sides must meet the scenario's explicit list of expected deliveries, and
the router's deliveries must equal Alertmanager's (payload fields, order
per receiver, times within a tolerance).

Without a usable router (no --router, or it cannot accept alerts and
deliver a webhook) the suite runs Alertmanager only, which validates the
scenarios themselves against the reference, and says so on every summary
line; --require-router turns that into a failure.

    tests/compat/run.py                          # AM only
    tests/compat/run.py --router build/alertrouter --require-router
    tests/compat/run.py --only 05 --show         # print observed deliveries
    tests/compat/run.py --repeat 3               # stability check

Exit status: 0 all passed, 1 a failure, 2 bad usage or a broken scenario.
"""

import argparse
import concurrent.futures
import glob
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from compatlib import compare, scenario  # noqa: E402
from compatlib.sink import Sink  # noqa: E402
from compatlib.sut import Sut, kill_all  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_AM = "/usr/bin/prometheus-alertmanager"

PROBE_CONFIG = {
    "route": {"receiver": "probe", "group_wait": "1s", "group_interval": "2s"},
    "receivers": [{"name": "probe", "webhook_configs": [{"url": "{{sink}}/probe"}]}],
}


def run_side(kind, binary, sc, workroot, am_flags=None):
    """Plays sc against one system; returns a result dict."""
    workdir = tempfile.mkdtemp(prefix=kind + "-", dir=workroot)
    sink = Sink()
    sink.start()
    sut = Sut(kind, binary, workdir, am_flags)
    res = {"kind": kind, "workdir": workdir, "errors": [], "obs": [], "steps": []}
    try:
        cfg_path = os.path.join(workdir, "alertmanager.yml")
        with open(cfg_path, "w", encoding="utf-8") as f:
            f.write(scenario.render_config(sc, sink.url))
        err = sut.start(cfg_path)
        if err:
            res["errors"].append(err)
            return res
        t0, w0, steps, errs = scenario.run_timeline(sc, sut, sink)
        res["steps"] = steps
        res["errors"] += errs
        res["obs"] = scenario.normalise(sink.records(), t0, w0, sc.get("ignore", ()))
        res["ignored"] = len(sink.records()) - len(res["obs"])
    finally:
        sut.stop()
        sink.stop()
    return res


def probe_router(binary, workroot, am_flags):
    """None if the router accepts an alert and delivers its webhook, else
    why not."""
    if not binary:
        return "no --router given"
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        return "%s is not an executable file" % binary
    sc = {"config": PROBE_CONFIG, "steps": [], "duration": 0}
    workdir = tempfile.mkdtemp(prefix="probe-", dir=workroot)
    sink = Sink()
    sink.start()
    sut = Sut("router", binary, workdir, am_flags)
    try:
        cfg_path = os.path.join(workdir, "alertmanager.yml")
        with open(cfg_path, "w", encoding="utf-8") as f:
            f.write(scenario.render_config(sc, sink.url))
        err = sut.start(cfg_path, ready_secs=5.0)
        if err:
            return err
        status, body = sut.post_alerts([{"labels": {"alertname": "CompatProbe"}}])
        if status != 200:
            return "POST /api/v2/alerts answered %d: %s" % (status, body[:120])
        deadline = time.monotonic() + 4.0
        while time.monotonic() < deadline and not sink.records():
            time.sleep(0.05)
        if not sink.records():
            return "accepted an alert but delivered no webhook within 4s (group_wait 1s)"
        return None
    finally:
        sut.stop()
        sink.stop()


def play(sc, args, router, workroot):
    """One scenario: both sides in parallel, then the checks."""
    tol = sc.get("tolerance", args.tolerance)
    sides = [("am", args.am)] + ([("router", router)] if router else [])
    out = {}
    threads = [threading.Thread(target=lambda k=k, b=b: out.__setitem__(
        k, run_side(k, b, sc, workroot, args.router_is_am if k == "router" else None)))
        for k, b in sides]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fails = []
    worst = {}
    for kind, _ in sides:
        r = out[kind]
        dev = []
        fails += ["%s: %s" % (kind, e) for e in r["errors"]]
        fails += ["%s: %s" % (kind, e)
                  for e in compare.check_expected(r["obs"], sc["expect"], tol, dev)]
        worst[kind] = max(dev, default=0.0)
    if router and not out["router"]["errors"] and not out["am"]["errors"]:
        fails += ["am vs router: %s" % e for e in compare.cross_compare(
            out["am"]["obs"], out["router"]["obs"], out["am"]["steps"],
            out["router"]["steps"], sc["expect"], tol)]
    return {"name": sc["name"], "fails": fails, "sides": out, "worst": worst}


def show(res):
    lines = []
    for kind, r in res["sides"].items():
        for d in r["obs"]:
            alerts = [[a["status"], a["labels"]] for a in d.get("alerts", [])]
            lines.append("    %s %-12s at %6.2f answer %d %s groupKey=%s alerts=%s trunc=%s" % (
                kind, d["path"], d["at"], d["answer"], d.get("status"), json.dumps(d.get("groupKey")),
                json.dumps(alerts, sort_keys=True), d.get("truncatedAlerts")))
    return "\n".join(lines)


def _interrupted(signum, _frame):
    kill_all()
    print("compat: interrupted by signal %d; stopped every process it started" % signum)
    sys.stdout.flush()
    os._exit(1)


def main():
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGINT, _interrupted)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--am", default=DEFAULT_AM, help="Alertmanager binary (%(default)s)")
    ap.add_argument("--router", default="", help="alertrouter binary; empty = AM only")
    ap.add_argument("--require-router", action="store_true",
                    help="fail when the router is not available instead of running AM only")
    ap.add_argument("--router-is-am", action="store_true",
                    help="the --router binary is an Alertmanager: start it with its flags "
                         "(self-test of the comparison: AM against AM must pass)")
    ap.add_argument("--tolerance", type=float, default=0.3,
                    help="seconds of allowed timing difference (%(default)s)")
    ap.add_argument("--jobs", type=int, default=4, help="scenarios at once (%(default)s)")
    ap.add_argument("--only", default="", help="run scenarios whose name contains one of these (comma-separated)")
    ap.add_argument("--repeat", type=int, default=1, help="run the suite N times")
    ap.add_argument("--show", action="store_true", help="print every observed delivery")
    ap.add_argument("--keep", action="store_true", help="keep the scratch directories")
    args = ap.parse_args()

    if not (os.path.isfile(args.am) and os.access(args.am, os.X_OK)):
        print("compat: Alertmanager binary %s not found (Debian: prometheus-alertmanager)"
              % args.am)
        return 2
    files = sorted(glob.glob(os.path.join(HERE, "scenarios", "*.json")))
    try:
        wanted = [w for w in args.only.split(",") if w] or [""]
        scs = [scenario.load(f) for f in files
               if any(w in os.path.basename(f) for w in wanted)]
    except scenario.ScenarioError as e:
        print("compat: bad scenario: %s" % e)
        return 2
    if not scs:
        print("compat: no scenario matches %r" % args.only)
        return 2

    workroot = tempfile.mkdtemp(prefix="compat-")
    why_not = probe_router(args.router, workroot, args.router_is_am)
    router = None if why_not else os.path.abspath(args.router)
    if why_not and args.require_router:
        print("compat: router: not available (%s)" % why_not)
        print("compat: FAIL: --require-router given and the router is not available")
        for log in glob.glob(os.path.join(workroot, "probe-*", "router.log")):
            with open(log, errors="replace") as f:
                print("".join("    | " + ln for ln in f.readlines()[-20:]), end="")
        shutil.rmtree(workroot, ignore_errors=True)
        return 1
    mode = "AM+router (compared)" if router else "AM only"
    print("compat: alertmanager: %s" % args.am)
    print("compat: router: %s" % (router if router else "not available (%s)" % why_not))
    print("compat: mode: %s; %d scenarios x %d runs; tolerance %.2fs; %d at once"
          % (mode, len(scs), args.repeat, args.tolerance, args.jobs))
    sys.stdout.flush()

    start = time.monotonic()
    total_fail = 0
    for run in range(1, args.repeat + 1):
        passed = failed = 0
        worst = {}
        with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
            futs = [pool.submit(play, sc, args, router, workroot) for sc in scs]
            for fut in concurrent.futures.as_completed(futs):
                res = fut.result()
                ok = not res["fails"]
                passed, failed = passed + ok, failed + (not ok)
                for k, v in res["worst"].items():
                    worst[k] = max(worst.get(k, 0.0), v)
                print("%s %-28s %s" % ("PASS" if ok else "FAIL", res["name"], "  ".join(
                    "%s: %d deliveries, timing off by <= %.3fs" % (
                        k, len(r["obs"]), res["worst"][k]) for k, r in sorted(res["sides"].items()))))
                for f in res["fails"]:
                    print("    " + f)
                if res["fails"]:
                    print("    (logs: %s)" % ", ".join(r["workdir"] for r in res["sides"].values()))
                if args.show or res["fails"]:
                    print(show(res))
                sys.stdout.flush()
        total_fail += failed
        print("compat: run %d/%d: %d passed, %d failed; mode %s%s; worst timing error %s "
              "(%.0fs so far)" % (run, args.repeat, passed, failed, mode,
                                  "" if router else " -- router NOT compared",
                                  ", ".join("%s %.3fs" % kv for kv in sorted(worst.items())),
                                  time.monotonic() - start))
    if not args.keep and total_fail == 0:
        shutil.rmtree(workroot, ignore_errors=True)
    elif total_fail:
        print("compat: scratch kept in %s" % workroot)
    return 1 if total_fail else 0


if __name__ == "__main__":
    sys.exit(main())
