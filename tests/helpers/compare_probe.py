#!/usr/bin/env python3
"""compare_probe.py REPORT.json PID PROBE_OUTPUT [MODE]

Compares what edgeaudit's own interpreter says a process's seccomp filters
do (REPORT.json from `edgeaudit proc --deep`, the process PID) with what the
kernel did when tests/helpers/seccomp_probe ran each dangerous syscall under
the same filters (PROBE_OUTPUT).  MODE is "trace" (the probe ran under the
process's own filters with a TRACE marker: permitted -> errno:38) or
"errno" (the probe installed the filters itself after an ERRNO(200) marker:
permitted -> errno:200).  Prints one line per difference and a summary;
exits 0 only when every probed syscall agrees and at least one was probed.
"""
import json
import sys


def expected(action, mode):
    marker = "errno:38" if mode == "trace" else "errno:200"
    if action in ("allow", "log", "trace", "user_notif"):
        return marker
    if action in ("kill_thread", "kill_process", "trap"):
        return "sigsys"
    if action == "errno:0":
        return "ran"
    return action  # errno:N


def main():
    report, pid, probe = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    mode = sys.argv[4] if len(sys.argv) > 4 else "trace"
    r = json.load(open(report))
    procs = [p for p in r["processes"] if p["pid"] == pid]
    if not procs or "deep" not in procs[0]:
        print("no deep evaluation for pid %d (%s)" % (pid, procs[0].get("deep_problem") if procs else "absent"))
        return 1
    ev = procs[0]["deep"]["eval"]
    ours = {}
    for arch, groups in ev.items():
        if arch == "args_checked":
            continue
        for action, names in groups.items():
            for n in names:
                ours[(arch, n)] = action
    n = bad = 0
    for line in open(probe):
        if line.startswith("#") or not line.strip():
            continue
        arch, name, obs = line.split()
        if (arch, name) not in ours:
            print("%s %s: probed (%s) but not in the report" % (arch, name, obs))
            bad += 1
            continue
        n += 1
        want = expected(ours[(arch, name)], mode)
        if obs != want:
            bad += 1
            print("%s %s: edgeaudit says %s (kernel should show %s), kernel showed %s" %
                  (arch, name, ours[(arch, name)], want, obs))
    print("%d syscalls compared, %d differ" % (n, bad))
    return 0 if n > 0 and bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
