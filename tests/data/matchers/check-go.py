#!/usr/bin/env python3
"""check-go.py -- verify go-compat.tsv against Go itself, through amtool.

Alertmanager 0.25's amtool compiles matcher regexes with Go's regexp package
exactly as the server does (^(?:re)$).  For every line of go-compat.tsv this
script asks amtool for Go's answer: `amtool check-config` for compile errors,
`amtool config routes test` (one route per pattern, continue: true) for
matches, and prints every line whose expectation differs.  Exit 1 if any.

    tests/data/matchers/check-go.py [tests/data/matchers/go-compat.tsv]

Subjects holding a NUL byte cannot be passed on a command line and are
reported as skipped.
"""
import json, os, subprocess, sys, tempfile

def go_unquote(s):
    if len(s) < 2 or not (s.startswith('"') and s.endswith('"')):
        return s
    return json.loads(s.replace("\\v", "\\u000b").replace("\\a", "\\u0007")
                      .replace("\\x", "\\u00").replace("\\b", "\\u0008"))

def classic_quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'

def load(path):
    cases = []
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.rstrip("\n")
        if not line or line.startswith("#"):
            continue
        pat, subj, want = line.split("\t")
        cases.append((n, go_unquote(pat), go_unquote(subj), want))
    return cases

def amtool(*args, stderr=True):
    r = subprocess.run(["amtool", *args], capture_output=True, text=True)
    return r.stdout + (r.stderr if stderr else "")

def config(patterns):
    routes = [{"receiver": "r%d" % i, "continue": True,
               "matchers": ["l=~" + classic_quote(p)]} for i, p in enumerate(patterns)]
    recv = [{"name": "d"}] + [{"name": "r%d" % i} for i in range(len(patterns))]
    return json.dumps({"route": {"receiver": "d", "routes": routes}, "receivers": recv})

def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "go-compat.tsv")
    cases = load(path)
    tmp = tempfile.mkdtemp()
    cfg = os.path.join(tmp, "c.yml")
    compile_err = {}
    for p in sorted({c[1] for c in cases}):
        open(cfg, "w").write(config([p]))
        out = amtool("check-config", cfg)
        if "FAILED:" in out:
            compile_err[p] = out.split("FAILED: ", 1)[1].split("\n", 1)[0].strip()
    good = sorted({c[1] for c in cases if c[1] not in compile_err})
    index = {p: i for i, p in enumerate(good)}
    open(cfg, "w").write(config(good))
    bad = skipped = 0
    for n, pat, subj, want in cases:
        if pat in compile_err:
            got = "error: " + compile_err[pat]
        elif "\0" in subj:
            skipped += 1
            continue
        else:
            out = amtool("config", "routes", "test", "--config.file=" + cfg, "l=" + classic_quote(subj),
                         stderr=False)
            recv = out.strip().split("\n")[-1].split(",")
            got = "1" if "r%d" % index[pat] in recv else "0"
        if got != want:
            bad += 1
            print("line %d: %r on %r: file says %s, Go says %s" % (n, pat, subj, want, got))
    print("%d cases, %d differ from Go, %d skipped" % (len(cases), bad, skipped))
    return 1 if bad else 0

sys.exit(main())
