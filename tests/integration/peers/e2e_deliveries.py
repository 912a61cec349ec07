#!/usr/bin/env python3
"""e2e_deliveries.py -- what the doubles received, as one line per delivery.

    e2e_deliveries.py REQUESTS_JSONL MAIL_DIR

Reads the HTTPS double's requests (Slack at /services/, Teams Workflows at
/workflows/) and the SMTP double's NNNN.eml files, and prints, oldest first:

    T RECEIVER STATUS TITLE

T is the arrival time (Unix seconds; for mail the file's mtime), RECEIVER
slack|teams|email, STATUS firing|resolved (from the "[FIRING:n]" or
"[RESOLVED]" at the start of Alertmanager's default title/subject) or
"unknown", TITLE the Slack attachment title, the Teams card's first text
block or the mail's decoded Subject.  Missing files, a request line
still being written and a mail without its NNNN.json yet count as not
received yet.  Exits 1 on anything it cannot parse (a broken body is a
test failure, not something to skip).
"""
import email
import email.policy
import json
import os
import sys


def status_of(title):
    if title.startswith("[FIRING:"):
        return "firing"
    if title.startswith("[RESOLVED]"):
        return "resolved"
    return "unknown"


def main():
    reqs, maildir = sys.argv[1], sys.argv[2]
    out = []
    if os.path.exists(reqs):
        text = open(reqs).read()
        # A line still being written (no newline yet) is read next time.
        for line in text[: text.rfind("\n") + 1].splitlines():
            if not line.strip():
                continue
            r = json.loads(line)
            if r["path"].startswith("/services/"):
                title = json.loads(r["body"])["attachments"][0]["title"]
                out.append((r["t"], "slack", title))
            elif r["path"].startswith("/workflows/"):
                card = json.loads(r["body"])["attachments"][0]["content"]
                out.append((r["t"], "teams", card["body"][0]["text"]))
    if os.path.isdir(maildir):
        for name in sorted(os.listdir(maildir)):
            path = os.path.join(maildir, name)
            # The double writes NNNN.json after NNNN.eml is complete.
            if not name.endswith(".eml") or not os.path.exists(path[:-4] + ".json"):
                continue
            with open(path, "rb") as f:
                m = email.message_from_bytes(f.read(), policy=email.policy.default)
            out.append((os.path.getmtime(path), "email", str(m["Subject"])))
    for t, recv, title in sorted(out):
        print("%.3f %s %s %s" % (t, recv, status_of(title), " ".join(title.split())))


if __name__ == "__main__":
    main()
