#!/usr/bin/env python3
"""report_diff.py A.json B.json: are two edgeaudit JSON reports the same
report, apart from when they ran and how long they took?

Drops every member named "started", "duration_ms" or "after_ms" (at any
depth: the run's start time, its duration, when an interrupted run
stopped), then compares what is left: members by name, arrays in order,
values exactly.  Prints each difference as a path and the two values;
exit 0 when there is none, 1 when there is one, 2 when a file is not a
JSON document.  Used to prove that a refactoring leaves reports
byte-identical (run the old and the new binary on the same stores); also
hooked into tests/integration/lib.sh's run_ea by EA_DIFF_BASE.
"""
import json
import sys

TIMING = {"started", "duration_ms", "after_ms"}


def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if k not in TIMING}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v


def diff(a, b, path, out):
    if type(a) is not type(b):
        out.append("%s: %s != %s" % (path or "$", json.dumps(a)[:300], json.dumps(b)[:300]))
    elif isinstance(a, dict):
        before = len(out)
        for k in sorted(set(a) | set(b)):
            p = "%s.%s" % (path, k)
            if k not in b:
                out.append("%s: only in A: %s" % (p, json.dumps(a[k])[:300]))
            elif k not in a:
                out.append("%s: only in B: %s" % (p, json.dumps(b[k])[:300]))
            else:
                diff(a[k], b[k], p, out)
        if len(out) == before and list(a) != list(b):
            out.append("%s: member order %s != %s" % (path or "$", list(a), list(b)))
    elif isinstance(a, list):
        for i in range(max(len(a), len(b))):
            p = "%s[%d]" % (path, i)
            if i >= len(b):
                out.append("%s: only in A: %s" % (p, json.dumps(a[i])[:300]))
            elif i >= len(a):
                out.append("%s: only in B: %s" % (p, json.dumps(b[i])[:300]))
            else:
                diff(a[i], b[i], p, out)
    elif a != b:
        out.append("%s: %s != %s" % (path or "$", json.dumps(a)[:300], json.dumps(b)[:300]))


def load(p):
    try:
        with open(p, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        print("%s: not a JSON report: %s" % (p, e), file=sys.stderr)
        sys.exit(2)


def main():
    if len(sys.argv) != 3:
        print("usage: report_diff.py A.json B.json", file=sys.stderr)
        return 2
    out = []
    diff(strip(load(sys.argv[1])), strip(load(sys.argv[2])), "", out)
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
