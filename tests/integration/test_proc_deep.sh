#!/usr/bin/env bash
# --deep (issue 6): edgeaudit reads each filtered process's seccomp programs
# with ptrace and runs them in its own interpreter.  Here the kernel is the
# judge: tests/helpers/seccomp_probe runs every dangerous syscall under the
# same programs (a marker filter keeps anything from really running) and
# its answers must equal edgeaudit's, syscall by syscall, on x86_64 and on
# i386 (int 0x80).  Also: stacked filters and their order, a process that is
# already traced, bubblewrap's --seccomp, and no process ever left stopped.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/engines.sh"
install_cleanup
CMP="$PY $TOP/tests/helpers/compare_probe.py"

if [ "$(id -u)" != 0 ]; then
	skip "deep: everything" "needs root (ptrace, PTRACE_SECCOMP_GET_FILTER)"
	exit 0
fi
if [ "$(uname -m)" != x86_64 ]; then
	skip "deep: kernel probe" "the probe helper runs on x86_64 hosts only"
	exit 0
fi
if ! eng_build_probe; then
	not_ok "the probe helper builds" "$(cat "$T/probe.log")"
	exit 1
fi
ok "the probe helper builds"
for f in deny alu stack_a stack_b; do "$T/probe" gen $f >"$T/$f.bpf"; done

# hold FILTER... : a sleeper under these filters; its pid in $HP.
HOLD_PIDS=()
hold() {
	"$T/probe" hold "$@" -- sleep 600 >/dev/null 2>&1 &
	HP=$!
	ENG_CLEAN+=("kill $HP")
	HOLD_PIDS+=($HP)
	eng_wait 50 grep -q '^Seccomp:.*2' /proc/$HP/status
}

# Our own filters: edgeaudit on a holder vs the kernel on the probe.
for set in "deny" "alu" "stack_a stack_b"; do
	files=()
	for f in $set; do files+=("$T/$f.bpf"); done
	hold "${files[@]}"
	H=$HP
	"$EA" proc --deep --pid "$H" >"$T/h.json" 2>"$T/h.err"
	"$T/probe" run --filters "${files[@]}" >"$T/h.probe" 2>&1
	check "filter '$set': edgeaudit's interpreter equals the kernel, every syscall, x86_64 and i386" \
		$CMP "$T/h.json" "$H" "$T/h.probe" errno
	check "filter '$set': the probe ran the i386 syscalls too" grep -q '^i386 mount ' "$T/h.probe"
	if [ "$set" = "stack_a stack_b" ]; then
		check "stacked filters: index 0 is the first installed (5, then 7 instructions)" \
			ea_py "$T/h.json" 'p('$H')["deep"]["filter_insns"] == [5, 7]'
		check "stacked filters: between two ERRNOs the newest wins (mount -> errno:20)" \
			ea_py "$T/h.json" '"mount" in p('$H')["deep"]["eval"]["x86_64"]["errno:20"]'
		check "Seccomp_filters in the report is 2" ea_py "$T/h.json" 'p('$H')["seccomp_filters"] == 2'
	fi
	if [ "$set" = deny ]; then
		check "ERRNO(5000) is reported as the kernel clamps it (errno:4095)" \
			ea_py "$T/h.json" '"keyctl" in p('$H')["deep"]["eval"]["x86_64"]["errno:4095"]'
		check "an argument check is named (unshare looks at CLONE_NEWUSER)" \
			ea_py "$T/h.json" 'p('$H')["deep"]["eval"]["args_checked"]["x86_64"] == ["unshare"]'
		check "the held process runs on after the read (not stopped, not traced)" \
			sh -c "grep -q '^State:.*S (sleeping)' /proc/$H/status && grep -q '^TracerPid:.0' /proc/$H/status"
		DENY_H=$H
	fi
done

# bubblewrap loads raw programs with --seccomp / --add-seccomp-fd: the probe
# runs under bwrap's filter (TRACE marker); a sleeper under the same one is
# what edgeaudit reads.
if command -v bwrap >/dev/null; then
	BW="bwrap --ro-bind / / --dev /dev --proc /proc --unshare-pid --die-with-parent"
	$BW --seccomp 9 sleep 6101 9<"$T/deny.bpf" >/dev/null 2>&1 &
	BW1=$!
	ENG_CLEAN+=("kill $BW1")
	$BW --add-seccomp-fd 8 --add-seccomp-fd 9 sleep 6102 8<"$T/stack_a.bpf" 9<"$T/stack_b.bpf" >/dev/null 2>&1 &
	BW2=$!
	ENG_CLEAN+=("kill $BW2")
	sleep 0.5
	B1=$(eng_desc $BW1 sleep | head -1)
	B2=$(eng_desc $BW2 sleep | head -1)
	"$EA" proc --deep >"$T/b.json" 2>/dev/null
	$BW --seccomp 9 "$T/probe" run 9<"$T/deny.bpf" >"$T/b1.probe" 2>&1
	$BW --add-seccomp-fd 8 --add-seccomp-fd 9 "$T/probe" run 8<"$T/stack_a.bpf" 9<"$T/stack_b.bpf" >"$T/b2.probe" 2>&1
	check "bwrap --seccomp: edgeaudit equals the kernel" $CMP "$T/b.json" "$B1" "$T/b1.probe" trace
	check "bwrap --add-seccomp-fd x2: edgeaudit equals the kernel" $CMP "$T/b.json" "$B2" "$T/b2.probe" trace
	check "bwrap's stacked filters are read in install order" ea_py "$T/b.json" 'p('$B2')["deep"]["filter_insns"] == [5, 7]'
	check "a bwrap sandbox is not a container: no findings for it" ea_py "$T/b.json" \
		'"container" not in p('$B1') and not [x for x in r["findings"] if "pid '$B1'" in x["message"]]'
else
	skip "bwrap --seccomp" "bubblewrap is not installed"
fi

# A process someone else traces: its filters cannot be read; said, not guessed.
if command -v strace >/dev/null; then
	strace -f -o /dev/null "$T/probe" hold "$T/deny.bpf" -- sleep 6103 >/dev/null 2>&1 &
	SP=$!
	sleep 0.5
	TP=$(pgrep -P $SP | head -1)
	ENG_CLEAN+=("kill $SP $TP")
	run_ea proc --deep --pid "$TP" --out "$T/t.json"
	check "an already traced process is proc.filter_unreadable (incomplete, exit 3)" \
		ea_py "$T/t.json" '"traced" in p('$TP')["deep_problem"] and f("proc.filter_unreadable", "pid '$TP'") and '$RC' == 3'
else
	skip "traced process" "strace is not installed"
fi

# A process stopped by job control (SIGSTOP) is read and left as it was:
# stopped, untraced, and it runs again on SIGCONT.
hold "$T/deny.bpf"
kill -STOP $HP
eng_wait 25 grep -q '^State:.*T (stopped)' /proc/$HP/status
run_ea proc --deep --pid $HP --out "$T/st.json"
check "a stopped process: its filter is read, it stays stopped (T), untraced" sh -c \
	"$PY -c 'import json,sys; r=json.load(open(\"$T/st.json\")); sys.exit(0 if r[\"processes\"][0][\"deep\"][\"filter_insns\"] == [28] else 1)' &&
	 grep -q '^State:.*T (stopped)' /proc/$HP/status && grep -q '^TracerPid:.0\$' /proc/$HP/status"
kill -CONT $HP
check "... and runs again on SIGCONT" eng_wait 25 grep -q '^State:.*S (sleeping)' /proc/$HP/status

# Ctrl-C (SIGINT) and SIGTERM at any moment of a deep scan never leave a
# process stopped or traced: signals wait until the detach.
for i in $(seq 40); do hold "$T/deny.bpf"; done
leftover=0
for delay in 0.001 0.003 0.006 0.01 0.02 0.04; do
	for sig in INT TERM; do
		# In a shell of its own and a session of its own, SIGINT not inherited as
		# ignored (a background job in a script ignores it): the signal reaches
		# edgeaudit and nothing else, and this script's job table stays clean.
		bash -c 'setsid env --default-signal=INT,TERM "$1" proc --deep >/dev/null 2>&1 & e=$!
			sleep "$2"; kill -"$3" $e 2>/dev/null; wait $e 2>/dev/null; exit 0' _ "$EA" $delay $sig
		for s in /proc/[0-9]*/status; do
			if grep -qE '^State:\s+t' "$s" 2>/dev/null; then leftover=1; echo "# stopped: $s after $sig at $delay"; fi
		done
	done
done
# Every held sleeper untraced.
for p in "${HOLD_PIDS[@]}"; do
	grep -q '^TracerPid:.0$' /proc/$p/status 2>/dev/null || { leftover=1; echo "# traced: $p"; }
done
[ $leftover -eq 0 ] && ok "SIGINT/SIGTERM during --deep leave no process stopped or traced (12 tries)" || not_ok "signals during --deep"

# 40 processes with one filter: read 40 times, evaluated once (same answer).
run_ea proc --deep --out "$T/many.json"
check "40 sleepers under one filter all get the same evaluation" ea_py "$T/many.json" \
	'len({json.dumps(x["deep"]["eval"], sort_keys=True) for x in r["processes"] if x.get("name") == "sleep" and x.get("deep") and x["deep"]["filter_insns"] == [28]}) == 1'
check "deep report validates against the schema" validate_report "$T/many.json"
