#!/usr/bin/env python3
"""webhook_sink.py -- a webhook receiver that records every delivery.

    webhook_sink.py --port P --out FILE [--answer PATH=CODE ...]

Appends one JSON line per POST to FILE, flushed at once:
    {"t": <unix time>, "path": "/hook", "code": 200, "status": "firing",
     "groupKey": "...", "alerts": [["firing", {"alertname": "A"}], ...]}
Answers 200, or CODE for a request on PATH (--answer /down=500).
If FILE.answers exists, each of its lines "PATH CODE" overrides --answer
(re-read on every request, so a test can change answers while running).
Stdlib only; serves until killed.
"""
import argparse
import http.server
import json
import os
import threading
import time

lock = threading.Lock()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--answer", action="append", default=[])
    args = ap.parse_args()
    fixed = {}
    for a in args.answer:
        p, c = a.split("=", 1)
        fixed[p] = int(c)

    def answer_for(path):
        codes = dict(fixed)
        try:
            with open(args.out + ".answers") as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2:
                        codes[parts[0]] = int(parts[1])
        except OSError:
            pass
        return codes.get(path, 200)

    class Sink(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n)
            code = answer_for(self.path)
            try:
                doc = json.loads(body)
            except ValueError:
                doc = {}
            rec = {
                "t": time.time(),
                "path": self.path,
                "code": code,
                "status": doc.get("status"),
                "groupKey": doc.get("groupKey"),
                "alerts": [[a.get("status"), a.get("labels")] for a in doc.get("alerts", [])],
            }
            with lock:
                with open(args.out, "a") as f:
                    f.write(json.dumps(rec, sort_keys=True) + "\n")
                    f.flush()
                    os.fsync(f.fileno())
            self.send_response(code)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Sink)
    srv.serve_forever()


if __name__ == "__main__":
    main()
