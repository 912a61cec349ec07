#!/usr/bin/env python3
"""latency.py -- notification overhead: webhook receipt minus POST minus group_wait.

    latency.py --url http://127.0.0.1:P --sink-port Q --group-wait 1.0 [--groups 100]
               [--spacing 0.02] [--tag run1]

Runs a webhook sink on 127.0.0.1:Q, then POSTs one alert per new group
(alertname "Lat-<tag>-<i>", so with group_by [alertname] each alert opens a
new aggregation group) to the server at --url, one every --spacing seconds.
The server must be configured to send that route to
http://127.0.0.1:Q/hook with the same group_wait (bench/run.sh writes that
config).  For each group:

    overhead = (time the webhook body was fully read) - (time before the POST) - group_wait

Both times come from time.monotonic() (CLOCK_MONOTONIC) in this one
process, so no clock skew.  What remains is the server's own scheduling and
delivery cost plus the sink's (a Python http.server: ~0.1-0.3 ms, the same
for every server measured).

Bounded: stops group_wait + --wait seconds after the last POST.  Prints a
summary and a "RESULT key=value ..." line; exit 0 if every group arrived.
"""
import argparse
import http.client
import http.server
import json
import sys
import threading
import time

arrivals = {}
lock = threading.Lock()


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n)
        t = time.monotonic()
        try:
            doc = json.loads(body)
            name = doc.get("groupLabels", {}).get("alertname")
        except ValueError:
            name = None
        with lock:
            if name and name not in arrivals:
                arrivals[name] = t
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def quantile(xs, q):
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * (len(s) - 1) + 0.5))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--sink-port", type=int, required=True)
    ap.add_argument("--group-wait", type=float, required=True)
    ap.add_argument("--groups", type=int, default=100)
    ap.add_argument("--spacing", type=float, default=0.02)
    ap.add_argument("--wait", type=float, default=10.0)
    ap.add_argument("--tag", default=str(int(time.time())))
    a = ap.parse_args()
    if not a.url.startswith("http://127.") and not a.url.startswith("http://localhost:"):
        sys.exit("latency.py: only loopback targets")
    hostport = a.url[len("http://"):].split("/")[0]
    host, port = hostport.rsplit(":", 1)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", a.sink_port), Sink)
    threading.Thread(target=srv.serve_forever, daemon=True).start()

    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    ends = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() + 3600))
    sent, errors = {}, 0
    for i in range(a.groups):
        name = "Lat-%s-%d" % (a.tag, i)
        # startsAt = now: Alertmanager flushes a new group at once, without
        # group_wait, when its alert started more than group_wait ago.
        wall = time.time()
        starts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(wall)) + \
            ".%03dZ" % int((wall % 1) * 1000)
        body = json.dumps([{"labels": {"alertname": name, "job": "bench", "severity": "critical"},
                            "annotations": {"summary": "latency probe"},
                            "startsAt": starts, "endsAt": ends}]).encode()
        t = time.monotonic()
        try:
            conn.request("POST", "/api/v2/alerts", body, {"Content-Type": "application/json"})
            r = conn.getresponse()
            r.read()
            if r.status == 200:
                sent[name] = t
            else:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(host, int(port), timeout=5)
        time.sleep(a.spacing)
    deadline = time.monotonic() + a.group_wait + a.wait
    while time.monotonic() < deadline:
        with lock:
            if all(n in arrivals for n in sent):
                break
        time.sleep(0.01)
    srv.shutdown()
    with lock:
        ov = [(arrivals[n] - sent[n] - a.group_wait) * 1e3 for n in sent if n in arrivals]
    missing = len(sent) - len(ov)
    if ov:
        p50, p99, lo, hi = quantile(ov, 0.5), quantile(ov, 0.99), min(ov), max(ov)
        print("overhead after group_wait: p50 %.3f ms, p99 %.3f ms, min %.3f, max %.3f "
              "(%d groups, %d missing, %d POST errors)" % (p50, p99, lo, hi, len(ov), missing,
                                                          errors))
        print("RESULT groups=%d received=%d post_errors=%d p50_ms=%.3f p99_ms=%.3f min_ms=%.3f "
              "max_ms=%.3f" % (len(sent), len(ov), errors, p50, p99, lo, hi))
    else:
        print("no webhook arrived (%d POSTed, %d POST errors)" % (len(sent), errors))
        print("RESULT groups=%d received=0 post_errors=%d" % (len(sent), errors))
    return 0 if ov and not missing and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
