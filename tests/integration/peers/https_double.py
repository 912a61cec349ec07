#!/usr/bin/env python3
"""https_double.py -- a loopback HTTPS receiver for the router's tests.

Stands in for Slack, Teams and webhook receivers (receivers.md 4.3, App. B).
Python stdlib only; binds 127.0.0.1 only.

Every request is appended to OUTDIR/requests.jsonl as one JSON object:
{"t", "method", "path", "headers", "body", "body_len"}; TLS handshakes that
fail (a client that does not trust us) go to OUTDIR/tls_errors.jsonl.

What it answers, first match wins:
  1. a reply queued with POST /_control/queue (a JSON list, FIFO), e.g.
     [{"status":429,"headers":{"Retry-After":"2"},"body":"..."},{"drop":true}]
  2. per-request controls in the query string, so concurrent requests do
     not race for a queue:
       status=N          answer N (default 200)
       retry_after=V     send "Retry-After: V" verbatim
       retry_after_in=S  send Retry-After as an HTTP-date S seconds ahead
       delay=S           sleep S seconds before answering (float)
       drop=1            close the connection without any answer
       body_bytes=N      answer N bytes of "x"
       content_type=T    Content-Type of the answer
  3. defaults by path: /services/ 200 "ok" (Slack webhook);
     /api/chat.postMessage 200 {"ok":true,...} with a Bearer token, else
     200 {"ok":false,"error":"not_authed"} (Slack Web API); /workflows/ 202,
     or 413 above 28 KB (Teams); anything else 200 {"status":"ok"}.

Usage: https_double.py --cert C --key K --outdir D [--port P] [--client-ca CA]
       [--plain] [--body-max N].  --body-max: bytes of each body recorded
       (default 4096).  Port 0 picks a free port; the chosen port is printed as
       "ready PORT" on stdout.  --client-ca demands a client certificate
       signed by CA (mutual TLS).  SIGTERM stops it.
"""
import argparse
import email.utils
import json
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LOCK = threading.Lock()
CONTROL_KEYS = {"status", "retry_after", "retry_after_in", "delay", "drop", "body_bytes",
                "content_type"}
QUEUE = []


def append_jsonl(path, rec):
    with LOCK, open(path, "a") as f:
        f.write(json.dumps(rec) + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", ctype="application/json", headers=None):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        if body:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass
        self.connection.close()

    def _handle(self):
        n = int(self.headers.get("Content-Length", "0") or "0")
        raw = self.rfile.read(n) if n > 0 else b""
        if self.path == "/_control/queue":
            with LOCK:
                QUEUE.extend(json.loads(raw))
            return self._send(204)
        append_jsonl(os.path.join(self.server.outdir, "requests.jsonl"), {
            "t": time.time(), "method": self.command, "path": self.path,
            "headers": dict(self.headers), "body_len": len(raw),
            "body": raw[:self.server.body_max].decode("utf-8", "replace")})
        with LOCK:
            scripted = QUEUE.pop(0) if QUEUE else None
        if scripted is None:
            # Only our control keys: a real URL's own query (Teams'
            # ?api-version=1&sig=...) is not a script.
            q = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()
                 if k in CONTROL_KEYS}
            if q:
                scripted = {"status": int(q.get("status", "200")), "headers": {}}
                if "retry_after" in q:
                    scripted["headers"]["Retry-After"] = q["retry_after"]
                if "retry_after_in" in q:
                    at = time.time() + float(q["retry_after_in"])
                    scripted["headers"]["Retry-After"] = email.utils.formatdate(at, usegmt=True)
                if "delay" in q:
                    scripted["delay"] = float(q["delay"])
                if q.get("drop") == "1":
                    scripted["drop"] = True
                if "body_bytes" in q:
                    scripted["body"] = "x" * int(q["body_bytes"])
                    scripted["content_type"] = "text/plain"
                if "content_type" in q:
                    scripted["content_type"] = q["content_type"]
                scripted.setdefault("body", '{"status":"ok"}')
        if scripted is not None:
            time.sleep(scripted.get("delay", 0))
            if scripted.get("drop"):
                return self._drop()
            return self._send(scripted.get("status", 200), scripted.get("body", ""),
                              scripted.get("content_type", "application/json"),
                              scripted.get("headers"))
        path = urlsplit(self.path).path
        if path.startswith("/services/"):
            return self._send(200, "ok", "text/html")
        if path.startswith("/api/chat.postMessage"):
            if not self.headers.get("Authorization", "").startswith("Bearer "):
                return self._send(200, '{"ok":false,"error":"not_authed"}',
                                  "application/json; charset=utf-8")
            return self._send(200, '{"ok":true,"channel":"C0TEST","ts":"1700000000.000100"}',
                              "application/json; charset=utf-8")
        if path.startswith("/workflows/"):
            if len(raw) > 28 * 1024:
                return self._send(413, '{"error":"payload too large"}')
            return self._send(202)
        return self._send(200, '{"status":"ok"}')

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops SYNs when 100 clients connect at once,
    # which shows up as 1 s stalls (FINDINGS 2).
    request_queue_size = 512

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, on the connection's own thread, not
        # in accept(): otherwise 100 handshakes would queue up one by one.
        if self.tls is not None:
            try:
                request = self.tls.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                append_jsonl(os.path.join(self.outdir, "tls_errors.jsonl"),
                             {"t": time.time(), "error": str(e)})
                return
        self.RequestHandlerClass(request, client_address, self)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--client-ca")
    ap.add_argument("--plain", action="store_true", help="HTTP without TLS")
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--body-max", type=int, default=4096)
    a = ap.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.outdir = a.outdir
    srv.body_max = a.body_max
    srv.tls = None
    if not a.plain:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        if a.client_ca:
            ctx.load_verify_locations(a.client_ca)
            ctx.verify_mode = ssl.CERT_REQUIRED
        srv.tls = ctx
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=srv.shutdown).start())
    print("ready", srv.server_address[1], flush=True)
    srv.serve_forever()
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
