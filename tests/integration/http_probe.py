#!/usr/bin/env python3
"""http_probe.py -- raw-socket HTTP probes for the t_http_*.sh tests.

Usage: http_probe.py COMMAND PORT [ARGS...]; prints one result line that
the shell test compares.  Only 127.0.0.1; every loop is bounded in count
and time; sockets are closed on exit.
"""
import re
import resource
import socket
import sys
import time

HOST = "127.0.0.1"


def connect(port, timeout=5.0):
    s = socket.create_connection((HOST, port), timeout=timeout)
    s.settimeout(timeout)
    return s


def read_until_close(s, timeout=3.0, limit=1 << 20):
    """Everything the server sends until it closes (or timeout/limit)."""
    s.settimeout(timeout)
    data = b""
    deadline = time.monotonic() + timeout
    try:
        while len(data) < limit and time.monotonic() < deadline:
            chunk = s.recv(65536)
            if not chunk:
                return data, "closed"
            data += chunk
    except socket.timeout:
        return data, "open"
    except ConnectionResetError:
        return data, "reset"
    return data, "open"


def statuses(data):
    return [int(m) for m in re.findall(rb"HTTP/1\.[01] (\d{3})", data)]


def read_response(s, timeout=3.0):
    """One response with Content-Length; returns (status, headers, body)."""
    s.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("closed before headers")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    n = int(hdrs.get("content-length", "0"))
    while len(rest) < n:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("closed in body")
        rest += chunk
    return status, hdrs, rest[:n], rest[n:]


def get(path, extra=""):
    return ("GET %s HTTP/1.1\r\nHost: t\r\n%s\r\n" % (path, extra)).encode()


def cmd_raw(port, data):
    """Sends DATA (Python escapes allowed) and prints the status codes."""
    s = connect(port)
    s.sendall(data.encode("latin-1").decode("unicode_escape").encode("latin-1"))
    out, how = read_until_close(s, timeout=6.0)
    print(" ".join(map(str, statuses(out))) or "none", how)


def cmd_bigheader(port, size):
    s = connect(port)
    try:
        s.sendall(get("/-/healthy", "X-Big: " + "a" * int(size) + "\r\n"))
    except (BrokenPipeError, ConnectionResetError):
        pass
    out, how = read_until_close(s)
    print(" ".join(map(str, statuses(out))) or "none")


def cmd_keepalive(port, n):
    """N requests one after another on one connection."""
    s = connect(port)
    codes = []
    for _ in range(int(n)):
        s.sendall(get("/-/healthy"))
        st, _, body, _ = read_response(s)
        codes.append("%d:%s" % (st, body.decode()))
    print(" ".join(codes))


def cmd_keepidle(port, wait):
    """A request, WAIT seconds of silence, a second request on the same
    connection: the header deadline must not cut an idle keep-alive."""
    s = connect(port)
    s.sendall(get("/-/healthy"))
    a = read_response(s)[0]
    time.sleep(float(wait))
    s.sendall(get("/-/ready"))
    try:
        b = read_response(s)[0]
    except (EOFError, OSError):
        b = "closed"
    print(a, b)


def cmd_pipeline(port, n):
    """N requests in one write; the last asks to close."""
    n = int(n)
    paths = ["/-/healthy", "/-/ready", "/health", "/nope"]
    data = b"".join(get(paths[i % len(paths)]) for i in range(n - 1))
    data += get("/-/healthy", "Connection: close\r\n")
    s = connect(port)
    s.sendall(data)
    out, how = read_until_close(s, timeout=5.0)
    print(" ".join(map(str, statuses(out))), how)


def cmd_slowloris(port, conns, interval, maxsecs):
    """CONNS connections each dribble a request, one byte per INTERVAL s,
    never finishing the headers.  Prints how many the server closed and
    the latest close time, or 'open' ones left when MAXSECS ran out."""
    conns, interval, maxsecs = int(conns), float(interval), float(maxsecs)
    payload = get("/-/healthy", "X-Slow: " + "z" * 4000 + "\r\n")[:-2]
    socks = [connect(port) for _ in range(conns)]
    t0 = time.monotonic()
    closed = {}
    pos = 0
    while len(closed) < conns and time.monotonic() - t0 < maxsecs:
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                s.send(payload[pos:pos + 1])
                s.setblocking(False)
                try:
                    if s.recv(1) == b"":
                        closed[i] = time.monotonic() - t0
                except BlockingIOError:
                    pass
                s.setblocking(True)
            except OSError:
                closed[i] = time.monotonic() - t0
        pos += 1
        time.sleep(interval)
    for s in socks:
        s.close()
    late = max(closed.values()) if closed else 0.0
    early = min(closed.values()) if closed else 0.0
    print("closed %d/%d first %.1f last %.1f bytes %d" % (len(closed), conns, early, late, pos))


def cmd_idle(port, n):
    """Opens N connections that send nothing, then a normal request on a
    new one; prints its status and how many idle ones are still open."""
    n = int(n)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 256), hard))
    socks = [connect(port) for _ in range(n)]
    time.sleep(0.5)
    s = connect(port)
    s.sendall(get("/-/healthy", "Connection: close\r\n"))
    st = read_response(s)[0]
    s.close()
    alive = 0
    for x in socks:
        x.setblocking(False)
        try:
            if x.recv(1) != b"":
                alive += 1
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    for x in socks:
        x.close()
    print("status %d alive %d/%d" % (st, alive, n))


def cmd_perip(port, n):
    """Opens N connections; prints how many the server closed at once."""
    n = int(n)
    socks = [connect(port) for _ in range(n)]
    time.sleep(0.5)
    closed = 0
    for x in socks:
        x.setblocking(False)
        try:
            if x.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    for x in socks:
        x.close()
    print("closed %d/%d" % (closed, n))


def cmd_limit(port, n):
    """At the global limit MHD stops accepting (the kernel queues new
    connections): opens N idle connections, sends a request on one more,
    checks that it is not answered within 1 s, closes the N, and prints
    what the waiting request finally got."""
    socks = [connect(port) for _ in range(int(n))]
    time.sleep(0.3)
    s = connect(port)
    s.sendall(get("/-/healthy", "Connection: close\r\n"))
    out, how = read_until_close(s, timeout=1.0)
    first = "answered" if out else "queued"
    for x in socks:
        x.close()
    out2, _ = read_until_close(s, timeout=3.0)
    print(first, " ".join(map(str, statuses(out + out2))) or "none")


def cmd_hold(port, secs):
    """Holds connections in every state (idle, half a header, half a
    body) for SECS seconds, so that the router is stopped mid-request."""
    socks = [connect(port) for _ in range(3)]
    half = connect(port)
    half.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: t\r\nX-Half: ")
    body = connect(port)
    body.sendall(b"POST /-/healthy HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n"
                 + b"x" * 50000)
    time.sleep(float(secs))
    for x in socks + [half, body]:
        x.close()
    print("held")


def cmd_chunked(port, mib):
    """Sends a chunked body of MIB MiB (no Content-Length): the server must
    stop it at the body limit; prints how it ended."""
    s = connect(port)
    s.sendall(b"POST /-/healthy HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"10000\r\n" + b"z" * 65536 + b"\r\n"
    sent, total, how = 0, int(float(mib) * 16), "sent-all"
    t0 = time.monotonic()
    try:
        while sent < total and time.monotonic() - t0 < 10:
            s.sendall(chunk)
            sent += 1
        s.sendall(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        how = "closed"
    out, end = read_until_close(s, timeout=3.0)
    print(how if how == "closed" else end, " ".join(map(str, statuses(out))) or "none")


def main():
    cmd, port, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    globals()["cmd_" + cmd](port, *args)


if __name__ == "__main__":
    main()
