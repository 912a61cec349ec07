"""sink.py -- the webhook receiver both systems under test deliver to.

One HTTP server per system under test, on 127.0.0.1 and a port the kernel
picks.  Every POST is recorded with its arrival time (monotonic clock, so
offsets from the scenario start are exact), path and body.  What the sink
answers is planned per path: a queue of status codes consumed one per
request, 200 once the queue is empty; a scenario step fills the queue
("answer 500 to the next 2 requests on /flaky", "answer 500 until t=4s").
"""

import http.server
import threading
import time


class _Handler(http.server.BaseHTTPRequestHandler):
    # Go's client keeps connections alive; HTTP/1.1 with Content-Length on
    # every answer lets it, which is what a real receiver does.
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        arrived = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        status = self.server.sink.take_answer(self.path)
        self.server.sink.record(
            {
                "mono": arrived,
                "path": self.path,
                "body": body,
                "answer": status,
                "content_type": self.headers.get("Content-Type", ""),
                "user_agent": self.headers.get("User-Agent", ""),
            }
        )
        reply = b"ok\n" if status < 300 else ("sink: planned %d\n" % status).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self):
        self.send_response(405)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, fmt, *args):  # quiet: the recording is the log
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Sink:
    """A recording webhook receiver; start() binds, stop() shuts down."""

    def __init__(self):
        self._lock = threading.Lock()
        self._plans = {}
        self._records = []
        self._server = None
        self._thread = None
        self.port = None

    def start(self):
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.sink = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def plan(self, path, status, count=None, until=None):
        """The next count requests on path, or all of them until the
        monotonic time until, are answered with status."""
        with self._lock:
            self._plans.setdefault(path, []).append([status, count, until])

    def take_answer(self, path):
        now = time.monotonic()
        with self._lock:
            queue = self._plans.get(path, [])
            while queue:
                status, count, until = queue[0]
                if until is not None and now >= until:
                    queue.pop(0)
                    continue
                if count is not None:
                    queue[0][1] -= 1
                    if queue[0][1] <= 0:
                        queue.pop(0)
                return status
            return 200

    def record(self, rec):
        with self._lock:
            self._records.append(rec)

    def records(self):
        with self._lock:
            return list(self._records)
