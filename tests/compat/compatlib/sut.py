"""sut.py -- one system under test: Alertmanager 0.25 or alertrouter.

Starts the binary on 127.0.0.1 with a private storage directory and log
file, waits for /-/ready, speaks the v2 API the timeline needs (alerts,
silences) and stops the process by its PID.  Alertmanager is started with
clustering disabled (`--cluster.listen-address=`): with HA on, every flush
would first wait for gossip to settle and the timings would not be its
single-node ones.
"""

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

# Both sides are told the same external URL, so payloads compare equal.
EXTERNAL_URL = "http://alertmanager.compat.test:9093"

# Every process started and not yet stopped, so that an interrupted suite
# can kill exactly those (kill_all, by PID).
_live = set()
_live_lock = threading.Lock()


def kill_all():
    with _live_lock:
        procs = list(_live)
    for p in procs:
        try:
            p.kill()
        except OSError:
            pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _listen_inodes(port):
    """Socket inodes listening on TCP `port` (IPv4 or IPv6), from /proc."""
    inodes = set()
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f, None)
                for line in f:
                    cols = line.split()
                    if len(cols) > 9 and cols[3] == "0A" and \
                            int(cols[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(cols[9])
        except OSError:
            pass
    return inodes


def owns_port(pid, port):
    """Whether process `pid` holds the listening socket of `port`.  A port
    picked by free_port() can be taken by a neighbour (another scenario's
    server) before our process binds it; then /-/ready answers 200 from the
    wrong process, and our own exits with a bind error a moment later."""
    inodes = _listen_inodes(port)
    if not inodes:
        return False
    fd_dir = "/proc/%d/fd" % pid
    try:
        for fd in os.listdir(fd_dir):
            try:
                link = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if link.startswith("socket:[") and link[8:-1] in inodes:
                return True
    except OSError:
        return False
    return False


def http(method, url, body=None, timeout=5.0):
    """Returns (status, body bytes); status 0 means no HTTP answer."""
    data = None
    headers = {}
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (OSError, urllib.error.URLError) as e:
        return 0, str(e).encode()


class Sut:
    """kind is "am" or "router"; binary is its path; workdir is private."""

    def __init__(self, kind, binary, workdir, am_flags=None):
        self.kind = kind
        # Alertmanager's extra flags; also for a "router" that is really an
        # Alertmanager (run.py --router-is-am, the harness's self-test).
        self.am_flags = kind == "am" if am_flags is None else am_flags
        self.binary = binary
        self.workdir = workdir
        self.proc = None
        self.port = None
        self.log_path = os.path.join(workdir, kind + ".log")

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def argv(self, config_path):
        args = [
            self.binary,
            "--config.file=" + config_path,
            "--storage.path=" + os.path.join(self.workdir, self.kind + "-data"),
            "--web.listen-address=127.0.0.1:%d" % self.port,
            "--web.external-url=" + EXTERNAL_URL,
        ]
        if self.am_flags:
            args += ["--cluster.listen-address=", "--log.level=debug"]
        else:
            # alertrouter retries HTTP 429 after Retry-After by default (a
            # deliberate improvement); the suite pins Alertmanager 0.25's
            # give-up (scenario 13), so ask for that.
            args += ["--notify.retry-rate-limited=false"]
        return args

    def start(self, config_path, ready_secs=10.0):
        """Starts and waits for readiness; returns None or an error string.
        A port taken between free_port() and the bind gets two retries."""
        err = None
        for _ in range(3):
            self.port = free_port()
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(self.argv(config_path), stdout=log,
                                         stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL)
            log.close()
            with _live_lock:
                _live.add(self.proc)
            err = self._wait_ready(ready_secs)
            if err is None:
                return None
            exited = self.proc.poll() is not None
            self.stop()
            if not exited:  # alive but not ready: a second try would not help
                break
        return err

    def _wait_ready(self, secs):
        deadline = time.monotonic() + secs
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return "%s exited with status %d before ready (log: %s)" % (
                    self.kind, self.proc.returncode, self.log_path)
            status, _ = http("GET", self.url + "/-/ready", timeout=1.0)
            if status == 200 and owns_port(self.proc.pid, self.port):
                return None
            time.sleep(0.05)
        return "%s not ready within %.0fs (log: %s)" % (self.kind, secs, self.log_path)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        with _live_lock:
            _live.discard(self.proc)
        self.proc = None

    def post_alerts(self, alerts):
        return http("POST", self.url + "/api/v2/alerts", alerts)

    def post_silence(self, silence):
        """Returns (status, silence id or None)."""
        status, body = http("POST", self.url + "/api/v2/silences", silence)
        sid = None
        if status == 200:
            try:
                sid = json.loads(body).get("silenceID")
            except ValueError:
                pass
        return status, sid

    def expire_silence(self, sid):
        status, _ = http("DELETE", self.url + "/api/v2/silence/" + sid)
        return status
