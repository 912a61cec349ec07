#!/usr/bin/python3
"""smtpd_double.py -- loopback SMTP receiver for the router's tests
(receivers.md 4.2 and Appendix A; Debian's python3-aiosmtpd, so run it with
/usr/bin/python3).

Two listeners on 127.0.0.1: --port requires STARTTLS, --smtps-port is
implicit TLS (0 = off).  AUTH PLAIN/LOGIN is required, and offered only
over TLS.  Recipients tempfail*@ -> 451, permfail*@ -> 550.  Every accepted
message is saved as OUTDIR/NNNN.eml plus NNNN.json (envelope, auth user,
TLS flag, listener port).  AUTH LOGIN prompts "Username:"/"Password:" as
real servers do.  With --transcript FILE every command is appended to FILE
as "PORT SESSION tls=0|1 VERB [ARG]" (AUTH with its mechanism and the
outcome, never the credentials), so tests can check the order of the
dialogue (STARTTLS before AUTH).  Prints "ready" when listening; SIGTERM
stops it."""
import argparse
import json
import os
import signal
import ssl
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

SMTP.AuthLoginUsernameChallenge = "Username:"
SMTP.AuthLoginPasswordChallenge = "Password:"


class Transcript:
    def __init__(self, path):
        self.path, self.lock, self.n = path, threading.Lock(), 0

    def next_id(self):
        with self.lock:
            self.n += 1
            return self.n

    def write(self, line):
        if self.path:
            with self.lock, open(self.path, "a") as f:
                f.write(line + "\n")


def recording_smtp(transcript):
    class RecordingSMTP(SMTP):
        def _rec(self, verb, arg=""):
            if not hasattr(self, "_sid"):
                self._sid = transcript.next_id()
            port = (self.transport.get_extra_info("sockname") or (None, None))[1]
            tls = (self.transport.get_extra_info("ssl_object") is not None
                   or self.session.ssl is not None)
            transcript.write("%s %d tls=%d %s%s" % (port, self._sid, tls, verb,
                                                    (" " + arg) if arg else ""))

        async def smtp_EHLO(self, hostname):
            self._rec("EHLO", hostname)
            return await super().smtp_EHLO(hostname)

        async def smtp_HELO(self, hostname):
            self._rec("HELO", hostname)
            return await super().smtp_HELO(hostname)

        async def smtp_STARTTLS(self, arg):
            self._rec("STARTTLS")
            return await super().smtp_STARTTLS(arg)

        async def smtp_AUTH(self, arg):
            mech = (arg or "").split(" ", 1)[0].upper()
            r = await super().smtp_AUTH(arg)
            self._rec("AUTH", "%s %s" % (mech, "ok" if self.session.authenticated else "failed"))
            return r

        async def smtp_MAIL(self, arg):
            self._rec("MAIL", arg)
            return await super().smtp_MAIL(arg)

        async def smtp_RCPT(self, arg):
            self._rec("RCPT", arg)
            return await super().smtp_RCPT(arg)

        async def smtp_DATA(self, arg):
            self._rec("DATA")
            return await super().smtp_DATA(arg)

        async def smtp_QUIT(self, arg):
            self._rec("QUIT")
            return await super().smtp_QUIT(arg)
    return RecordingSMTP


class RecordingController(Controller):
    def __init__(self, handler, transcript, **kw):
        self.smtp_class = recording_smtp(transcript)
        super().__init__(handler, **kw)

    def factory(self):
        return self.smtp_class(self.handler, **self.SMTP_kwargs)


class Capture:
    def __init__(self, outdir):
        self.outdir, self.lock, self.n = outdir, threading.Lock(), 0
        os.makedirs(outdir, exist_ok=True)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("tempfail"):
            return "451 4.3.0 temporary failure requested by test"
        if local.startswith("permfail"):
            return "550 5.1.1 permanent failure requested by test"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.n += 1
            base = os.path.join(self.outdir, "%04d" % self.n)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        meta = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                "auth_user": session.auth_data.login.decode() if session.auth_data else None,
                "tls": session.ssl is not None
                or server.transport.get_extra_info("sslcontext") is not None,
                "helo": session.host_name,
                "port": (server.transport.get_extra_info("sockname") or (None, None))[1]}
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        return "250 2.0.0 queued as %04d" % self.n


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = auth_data.login.decode() == user and auth_data.password.decode() == password
        return AuthResult(success=ok, handled=False, auth_data=auth_data)
    return authenticator


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--smtps-port", type=int, default=0)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--user", default="router")
    ap.add_argument("--password", default="s3cret")
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--transcript", default=None)
    a = ap.parse_args()
    transcript = Transcript(a.transcript)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(a.cert, a.key)
    handler = Capture(a.outdir)
    common = dict(server_hostname="mx.test",
                  authenticator=make_authenticator(a.user, a.password),
                  auth_required=True, auth_require_tls=True,
                  data_size_limit=10 * 1024 * 1024)
    ctrls = [RecordingController(handler, transcript, hostname=a.host, port=a.port, tls_context=ctx,
                        require_starttls=True, **common)]
    if a.smtps_port:
        # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; this
        # listener is TLS from the first byte.
        ctrls.append(RecordingController(handler, transcript, hostname=a.host, port=a.smtps_port, ssl_context=ctx,
                                **dict(common, auth_require_tls=False)))
    for c in ctrls:
        c.start()
    print("ready", a.host, a.port, a.smtps_port, flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for c in ctrls:
        c.stop()


if __name__ == "__main__":
    main()
