#!/usr/bin/env bash
# The /proc audit without container engines (issue 6): what the report says
# about processes equals what the kernel says in /proc; sandboxes made with
# unshare; kernel facts; a fork storm during the scan; bounded output.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/engines.sh"
install_cleanup

# A sleeper of our own, to compare field by field.
sleep 300 &
S=$!
ENG_CLEAN+=("kill $S")

run_ea proc --out "$T/r.json"
cp "$T/r.json" "$T/keep.json" 2>/dev/null
if [ -s "$T/r.json" ] && { [ $RC -eq 0 ] || [ $RC -eq 1 ] || [ $RC -eq 3 ]; }; then
	ok "proc writes a report (exit $RC)"
else
	not_ok "proc writes a report" "rc=$RC $ERR"
fi
check "proc's report validates against tests/report.schema.json" validate_report "$T/r.json"
check "proc marks the part checked" ea_py "$T/r.json" '"proc" in r["checked"]'

check "a process's caps, seccomp, no_new_privs equal its status file" eng_cmp_status "$T/r.json" $S
check "edgeaudit's own process is in the report" ea_py "$T/r.json" 'len([x for x in r["processes"] if x["name"] == "edgeaudit"]) == 1'
check "a host process shares every host namespace" ea_py "$T/r.json" 'set(p('$S')["host_ns"]) >= {"pid","net","mnt","ipc","uts"}'
check "no kernel thread is listed as a process" ea_py "$T/r.json" 'not [x for x in r["processes"] if x["name"] in ("kthreadd","ksoftirqd/0")]'
# (Other containers may run on this machine: only our own sleeper is judged.)
check "a host process is no container and gets no finding" ea_py "$T/r.json" \
	'"container" not in p('$S') and not [x for x in r["findings"] if "pid '$S')" in x["message"] or "pid '$S' " in x["message"]]'

# Kernel facts, each against the file it comes from.
kf() { # KEY FILE
	local want; want=$(cat "$2" 2>/dev/null || echo None)
	ea_py "$T/r.json" "str(r['kernel']['sysctl']['$1']) == '$want'"
}
check "kernel facts: kptr_restrict" kf kptr_restrict /proc/sys/kernel/kptr_restrict
check "kernel facts: perf_event_paranoid" kf perf_event_paranoid /proc/sys/kernel/perf_event_paranoid
check "kernel facts: unprivileged_bpf_disabled" kf unprivileged_bpf_disabled /proc/sys/kernel/unprivileged_bpf_disabled
check "kernel facts: yama ptrace_scope" kf yama_ptrace_scope /proc/sys/kernel/yama/ptrace_scope
check "kernel facts: seccomp actions" ea_py "$T/r.json" "' '.join(r['kernel']['seccomp_actions_avail']) == '$(cat /proc/sys/kernel/seccomp/actions_avail)'"
check "kernel facts: cap_last_cap" ea_py "$T/r.json" "r['kernel']['cap_last_cap'] == $(cat /proc/sys/kernel/cap_last_cap)"
if [ "$(cat /proc/sys/kernel/kptr_restrict)" = 0 ]; then
	check "kptr_restrict=0 is a proc.kernel_hardening finding" ea_py "$T/r.json" 'f("proc.kernel_hardening") and "kptr_restrict" in f("proc.kernel_hardening")[0]["message"]'
else
	check "kptr_restrict set: no kptr finding" ea_py "$T/r.json" 'not [x for x in f("proc.kernel_hardening") if "kptr" in x["message"]]'
fi

# A sandbox: own pid, mount and network namespaces, and a user namespace
# with a mapping; not a container, so no container findings.
if unshare --fork --pid --mount --net --mount-proc sleep 300 >/dev/null 2>&1 &
then
	U=$!
	ENG_CLEAN+=("kill $U")
	sleep 0.5
	UP=$(pgrep -P $U sleep || echo $U)
	run_ea proc --pid "$UP" --out "$T/u.json"
	check "--pid lists only that process" ea_py "$T/u.json" '[x["pid"] for x in r["processes"]] == ['$UP']'
	check "an unshare'd process shares user/ipc but not pid, net, mnt" ea_py "$T/u.json" \
		'"net" not in p('$UP')["host_ns"] and "pid" not in p('$UP')["host_ns"] and "mnt" not in p('$UP')["host_ns"] and "user" in p('$UP')["host_ns"] and p('$UP').get("ns_pid") == 1'
	check "a sandbox is not a container" ea_py "$T/u.json" '"container" not in p('$UP')'
else
	skip "unshare sandbox" "unshare failed here"
fi
unshare --user --map-root-user --fork sleep 300 &
UU=$!
ENG_CLEAN+=("kill $UU")
sleep 0.3
UUP=$(pgrep -P $UU sleep || echo $UU)
run_ea proc --pid "$UUP" --out "$T/uu.json"
check "a user namespace's uid_map is reported" ea_py "$T/uu.json" \
	'p('$UUP')["userns_map"]["uid"] == [[0, 0, 1]] and "user" not in p('$UUP')["host_ns"]'

# --pid of a process that does not exist (pid_max itself never does):
# incomplete, named.
NP=$(cat /proc/sys/kernel/pid_max)
[ "$NP" -gt 4194304 ] && NP=4194304
run_ea proc --pid "$NP" --out "$T/n.json"
[ $RC -eq 3 ] && ea_py "$T/n.json" 'f("proc.unreadable", "pid '$NP'")' >/dev/null &&
	ok "--pid of a missing process is incomplete (exit 3) and named" || not_ok "--pid missing" "rc=$RC"

# Text output: 80 columns, ASCII.
run_ea proc --format text
if [ -n "$OUT" ] && printf '%s\n' "$OUT" | awk 'length > 80 { bad = 1 } END { exit bad }' &&
	! printf '%s' "$OUT" | LC_ALL=C grep -q '[^[:print:][:space:]]'; then
	ok "text output fits 80 columns, ASCII"
else
	not_ok "text output fits 80 columns, ASCII" "$OUT"
fi

# Deep without root: says so (incomplete), never pretends.
if command -v setpriv >/dev/null; then
	setpriv --reuid 65534 --regid 65534 --clear-groups "$EA" proc --deep --pid $$ >"$T/nr.json" 2>/dev/null
	RC=$?
	[ $RC -eq 3 ] && ea_py "$T/nr.json" 'f("proc.deep_unavailable")' >/dev/null &&
		ok "--deep as non-root is proc.deep_unavailable (exit 3)" || not_ok "--deep non-root" "rc=$RC $(head -c 500 "$T/nr.json")"
	setpriv --reuid 65534 --regid 65534 --clear-groups "$EA" proc >"$T/nr2.json" 2>/dev/null
	check "as non-root, other users' unreadable namespaces are proc.unreadable, the scan goes on" \
		ea_py "$T/nr2.json" 'f("proc.unreadable") and len(r["processes"]) > 3'
else
	skip "--deep as non-root" "setpriv is missing"
fi

# A fork storm during the scan: exited processes are skipped without noise,
# the scan always ends, the report stays valid.
storm() {
	local end=$((SECONDS + 8))
	while [ $SECONDS -lt $end ]; do
		for _ in 1 2 3 4 5 6 7 8; do (/bin/true &) ; done
	done
}
storm &
ST=$!
ENG_CLEAN+=("kill $ST")
bad=0 noise=0
for i in $(seq 15); do
	"$EA" proc --deep >"$T/s.json" 2>"$T/s.err"
	rc=$?
	{ [ $rc -eq 1 ] || [ $rc -eq 0 ] || [ $rc -eq 3 ]; } || { bad=1; echo "# run $i: rc=$rc $(head -c 300 "$T/s.err")"; }
	validate_report "$T/s.json" >/dev/null || { bad=1; echo "# run $i: invalid report"; }
	# Only pid 1 may be unreadable here (a sandbox hides its namespaces);
	# a process that exited mid-scan must not be.
	$PY - "$T/s.json" <<-'PYEOF' || noise=1
	import json, sys
	r = json.load(open(sys.argv[1]))
	for x in r["findings"]:
	    if x["id"] in ("proc.unreadable", "proc.filter_unreadable") and "pids 1)" not in x["message"]:
	        print("#", x); sys.exit(1)
	PYEOF
done
kill $ST 2>/dev/null; wait $ST 2>/dev/null
[ $bad -eq 0 ] && ok "15 scans during a fork storm all end with a valid report" || not_ok "fork storm: scans"
[ $noise -eq 0 ] && ok "processes exiting mid-scan are skipped silently" || not_ok "fork storm: noise"
