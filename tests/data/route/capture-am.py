#!/usr/bin/env python3
"""capture-am.py -- regenerates groupkeys.tsv from a real Alertmanager 0.25.

Starts a webhook sink and prometheus-alertmanager on 127.0.0.1 (random
ports, cluster off, temporary storage) with nested.yml, posts every label
set of cases.json, waits for the webhook payloads and writes one TSV row per
case: config name, labels (JSON), the receivers it reached and the groupKey
of each payload (JSON arrays, sorted by receiver).  Both processes are
stopped by PID.  Usage: capture-am.py > groupkeys.tsv"""
import http.server, json, os, socket, subprocess, sys, tempfile, threading, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
AM = "/usr/bin/prometheus-alertmanager"

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

got = []  # (receiver path, payload)
class Sink(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        got.append((self.path.strip("/"), json.loads(body)))
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass

def main():
    sport, aport = free_port(), free_port()
    srv = http.server.HTTPServer(("127.0.0.1", sport), Sink)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    tmp = tempfile.mkdtemp()
    cfg = open(os.path.join(HERE, "nested.yml")).read().replace("SINKPORT", str(sport))
    open(os.path.join(tmp, "am.yml"), "w").write(cfg)
    am = subprocess.Popen([AM, "--config.file=" + os.path.join(tmp, "am.yml"),
                           "--storage.path=" + tmp, "--cluster.listen-address=",
                           "--web.listen-address=127.0.0.1:%d" % aport],
                          stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "am.log"), "w"))
    try:
        base = "http://127.0.0.1:%d" % aport
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/-/ready", timeout=1); break
            except Exception:
                time.sleep(0.05)
        cases = json.load(open(os.path.join(HERE, "cases.json")))
        body = json.dumps([{"labels": c} for c in cases]).encode()
        req = urllib.request.Request(base + "/api/v2/alerts", body,
                                     {"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5)
        time.sleep(4)  # group_wait is 1s
        ver = subprocess.run([AM, "--version"], capture_output=True, text=True)
        print("# Captured from %s by tests/data/route/capture-am.py (webhook groupKey)."
              % (ver.stdout or ver.stderr).splitlines()[0])
        print("# config\tlabels (JSON)\treceivers (JSON, sorted)\tgroup keys (JSON, same order)")
        for c in cases:
            hits = sorted((r, p["groupKey"]) for r, p in got
                          for a in p["alerts"] if a["labels"] == c)
            print("nested\t%s\t%s\t%s" % (json.dumps(c, ensure_ascii=False),
                                          json.dumps([h[0] for h in hits]),
                                          json.dumps([h[1] for h in hits], ensure_ascii=False)))
    finally:
        am.terminate()
        try:
            am.wait(5)
        except subprocess.TimeoutExpired:
            am.kill()
        srv.shutdown()

main()
