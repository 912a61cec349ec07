#!/usr/bin/env python3
"""capture-am.py -- regenerates inhibit.tsv from a real Alertmanager 0.25.

Starts prometheus-alertmanager on 127.0.0.1 (random port, cluster off,
temporary storage) with rules.yml, posts the alerts of cases.json (endsAt
one hour in the past or future where "ends" says so), waits for the
inhibitor to see them, and records every alert's status.inhibitedBy as the
alertname of the inhibiting alert ("-" when not inhibited; "a|b" when
Alertmanager named either, "(not listed)" for resolved alerts, which the
API does not list).  The process is
stopped by PID.  Usage: capture-am.py > inhibit.tsv"""
import datetime, json, os, socket, subprocess, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
AM = "/usr/bin/prometheus-alertmanager"

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def main():
    port = free_port()
    tmp = tempfile.mkdtemp()
    am = subprocess.Popen([AM, "--config.file=" + os.path.join(HERE, "rules.yml"),
                           "--storage.path=" + tmp, "--cluster.listen-address=",
                           "--web.listen-address=127.0.0.1:%d" % port],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = "http://127.0.0.1:%d" % port
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/-/ready", timeout=1); break
            except Exception:
                time.sleep(0.05)
        cases = json.load(open(os.path.join(HERE, "cases.json")))
        now = datetime.datetime.now(datetime.timezone.utc)
        posts = []
        for c in cases:
            a = {"labels": c["labels"]}
            if c.get("ends"):
                d = datetime.timedelta(hours=1)
                a["startsAt"] = (now - 2 * d).isoformat()
                a["endsAt"] = (now - d if c["ends"] == "past" else now + d).isoformat()
            posts.append(a)
        req = urllib.request.Request(base + "/api/v2/alerts", json.dumps(posts).encode(),
                                     {"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5)
        time.sleep(1.5)
        # With several qualifying sources Alertmanager names one picked in
        # map order (random per call): ask 30 times and keep them all.
        by = {}
        for _ in range(30):
            got = json.load(urllib.request.urlopen(base + "/api/v2/alerts", timeout=5))
            name = {a["fingerprint"]: a["labels"]["alertname"] for a in got}
            for a in got:
                s = by.setdefault(json.dumps(a["labels"], sort_keys=True), set())
                s.update(name.get(f, f) for f in a["status"]["inhibitedBy"])
        ver = subprocess.run([AM, "--version"], capture_output=True, text=True)
        print("# Captured from %s by tests/data/inhibit/capture-am.py (GET /api/v2/alerts "
              "status.inhibitedBy)." % (ver.stdout or ver.stderr).splitlines()[0])
        print("# labels (JSON)\tends (firing|past|future)\tinhibited by (alertnames seen, or -)")
        for c in cases:
            key = json.dumps(c["labels"], sort_keys=True)
            names = by.get(key)
            col = "(not listed)" if names is None else "|".join(sorted(names)) or "-"
            print("%s\t%s\t%s" % (json.dumps(c["labels"]), c.get("ends", "firing"), col))
    finally:
        am.terminate()
        try:
            am.wait(5)
        except subprocess.TimeoutExpired:
            am.kill()

main()
