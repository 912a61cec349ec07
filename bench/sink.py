#!/usr/bin/env python3
"""sink.py -- a webhook sink for bench/run.sh: answers every POST with 200.

    sink.py --port P --count FILE [--max-seconds S]

Listens on 127.0.0.1:P, reads each POST body, answers 200 and appends one
line to FILE, so the caller can wait until a notification has arrived.
Other methods get 501 (which is how run.sh sees that it listens).  Exits by
itself after --max-seconds (default 900), so a killed run.sh leaves nothing
behind for long.
"""
import argparse
import http.server
import threading


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", required=True)
    ap.add_argument("--max-seconds", type=float, default=900.0)
    args = ap.parse_args()

    class Sink(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            with open(args.count, "a") as f:
                f.write("POST %s\n" % self.path)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Sink)
    t = threading.Timer(args.max_seconds, srv.shutdown)
    t.daemon = True
    t.start()
    srv.serve_forever()


if __name__ == "__main__":
    main()
