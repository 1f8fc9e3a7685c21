#!/usr/bin/env python3
"""report_diff.py [--live] [--added SPEC] A.json B.json: are two edgeaudit JSON reports the
same report, apart from when they ran and how long they took?

Drops every member named "started", "duration_ms" or "after_ms" (at any
depth: the run's start time, its duration, when an interrupted run
stopped), then compares what is left: objects member by member (by name:
member order is no part of a JSON object's meaning), arrays in order,
values exactly.  Prints each difference as a path and the two values;
exit 0 when there is none, 1 when there is one, 2 when a file is not a
JSON document.  Used to prove that a refactoring leaves reports the same
(run the old and the new binary on the same stores); hooked into
tests/integration/lib.sh's run_ea by EA_DIFF_BASE, which tests/run.sh sets
to a build of the commit pinned there (the report baseline).

--live: for two reports of a live /proc taken one after the other (the
`proc` and `audit` commands): processes are compared one by one for those
both reports hold, a process being its pid, parent pid and name (others
came or went between the runs, or reused a pid), and the
proc.* findings, the summary and the verdict, which follow from the
processes, are left out.

--added SPEC: what this tree (A, the first report) adds on purpose since
the pin, so that the rest is still compared: SPEC is a space-separated
list of member names (members of those names are left out of both, at any
depth) and finding ids or id prefixes ending in "." (A's findings of those
ids are left out, and A's summary counts lowered by their severities).  Set by tests/run.sh next to REPORT_BASELINE; anything
else only in A is still a difference.

--reworded IDS: findings of these ids (space-separated) are compared
without their "message": their wording changed on purpose since the pin
(ISA-L's inflate words a corrupt deflate body otherwise than zlib); id,
severity, subject and every other member are still compared.
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
        for k in sorted(set(a) | set(b)):
            p = "%s.%s" % (path, k)
            if k not in b:
                out.append("%s: only in A: %s" % (p, json.dumps(a[k])[:300]))
            elif k not in a:
                out.append("%s: only in B: %s" % (p, json.dumps(b[k])[:300]))
            else:
                diff(a[k], b[k], p, out)
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


def drop_added(a, spec):
    """A without what SPEC names as added on purpose (see --added)."""
    names = {w for w in spec if not w.endswith(".") and "." not in w}
    ids = [w for w in spec if "." in w]

    def is_new(fid):
        return any(fid == w or (w.endswith(".") and fid.startswith(w)) for w in ids)

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items() if k not in names}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return v

    if not isinstance(a, dict):
        return a
    kept = []
    for f in a.get("findings") or []:
        if isinstance(f, dict) and is_new(str(f.get("id", ""))):
            sev = f.get("severity")
            summ = a.get("summary")
            if isinstance(summ, dict) and isinstance(summ.get(sev), int):
                summ[sev] -= 1
        else:
            kept.append(f)
    if "findings" in a:
        a["findings"] = kept
    return walk(a)


def drop_messages(a, ids):
    """A with the message of each finding of these ids left out."""
    if isinstance(a, dict):
        for f in a.get("findings") or []:
            if isinstance(f, dict) and f.get("id") in ids:
                f.pop("message", None)
    return a


def load(p):
    try:
        with open(p, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError) as e:
        print("%s: not a JSON report: %s" % (p, e), file=sys.stderr)
        sys.exit(2)


def live(a, b):
    """The parts of two live reports that must be equal (see --live)."""
    # a process is its pid, parent and name: a pid reused between the runs
    # by another program is another process
    def key(p):
        return (p.get("pid") or 0, p.get("ppid") or 0, str(p.get("name")))
    pa = {key(p): p for p in a.get("processes") or []}
    pb = {key(p): p for p in b.get("processes") or []}
    common = sorted(set(pa) & set(pb))
    for r, by in ((a, pa), (b, pb)):
        r["processes"] = [by[p] for p in common]
        r["findings"] = [f for f in r.get("findings") or []
                         if not str(f.get("id", "")).startswith("proc.")]
        for k in ("summary", "verdict"):
            r.pop(k, None)
    return a, b


def main():
    args = sys.argv[1:]
    is_live = bool(args) and args[0] == "--live"
    if is_live:
        args = args[1:]
    added = []
    if len(args) > 1 and args[0] == "--added":
        added = args[1].split()
        args = args[2:]
    reworded = set()
    if len(args) > 1 and args[0] == "--reworded":
        reworded = set(args[1].split())
        args = args[2:]
    if len(args) != 2:
        print("usage: report_diff.py [--live] [--added SPEC] [--reworded IDS] A.json B.json",
              file=sys.stderr)
        return 2
    a, b = strip(load(args[0])), strip(load(args[1]))
    if added:
        a, b = drop_added(a, added), drop_added(b, added)
    if reworded:
        a, b = drop_messages(a, reworded), drop_messages(b, reworded)
    if is_live and isinstance(a, dict) and isinstance(b, dict):
        a, b = live(a, b)
    out = []
    diff(a, b, "", out)
    for line in out:
        print(line)
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
