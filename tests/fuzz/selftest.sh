#!/usr/bin/env bash
# tests/fuzz/selftest.sh: the fuzz runner's classification (classify.sh)
# against fake harnesses, small shell scripts that behave as libFuzzer does
# when a harness crashes with a reproducer, exits 1 without one, is killed
# by SIGKILL (once, or every time), overruns its time, prints libFuzzer's
# out-of-memory or timeout report, dies in LLVMFuzzerInitialize before
# libFuzzer's first line (as fuzz_jws did without its fixture), is missing or
# not executable.  Each goes through run_one and fz_tap as a real harness
# does; the case passes when its class is the one expected, its TAP line is
# "ok" only for class ok, a retry is named, and a crash is never run twice.
# One TAP line per case; exit 1 when any fails.  Needs no compiler.
set -u
here=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-fuzzself.XXXXXX")
trap 'rm -rf "$W"' EXIT
export FUZZ_GRACE=1 FUZZ_RETRY=1
# shellcheck source=tests/fuzz/classify.sh
. "$here/classify.sh"
FZ=$W/fz REGRESS=$W/regress secs=1
dict_for() { :; }
len_for() { :; }
mkdir -p "$FZ/bin" "$REGRESS"

# fake NAME BODY: a harness script; $art is its -artifact_prefix, $runs the
# file counting its runs, banner prints libFuzzer's first lines, unit NAME
# writes a reproducer and libFuzzer's line naming it.
fake() {
	cat >"$FZ/bin/$1" <<EOF
#!/usr/bin/env bash
ulimit -c 0
art=.; for a; do case \$a in -artifact_prefix=*) art=\${a#*=} ;; esac; done
runs=$W/$1.runs; echo x >>"\$runs"; try=\$(wc -l <"\$runs")
banner() { echo "INFO: Running with entropic power schedule (0xFF, 100)."; echo "INFO: Seed: 1234"; }
unit() { echo data >"\$art\$1"; echo "artifact_prefix='\$art'; Test unit written to \$art\$1"; }
done_ok() { echo "#4096	DONE   cov: 10 ft: 20 corp: 3/9b lim: 4 exec/s: 4096 rss: 30Mb"; echo "stat::number_of_executed_units: 4096"; echo "Done 4096 runs in 1 second(s)"; exit 0; }
$2
EOF
	chmod +x "$FZ/bin/$1"
}

fake ok 'banner; done_ok'
fake crash 'banner; echo "==42==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x602000000011"; unit crash-da39a3ee; echo "SUMMARY: AddressSanitizer: heap-buffer-overflow"; exit 1'
fake deadly 'banner; echo "==42== ERROR: libFuzzer: deadly signal"; unit crash-5ba93c9d; echo "SUMMARY: libFuzzer: deadly signal"; exit 77'
fake leak 'banner; echo "==42==ERROR: LeakSanitizer: detected memory leaks"; unit leak-adc83b19; echo "SUMMARY: AddressSanitizer: 30 byte(s) leaked in 3 allocation(s)."; exit 77'
fake exit1 'banner; echo "#2	INITED cov: 10 ft: 10 corp: 1/1b"; exit 1'
fake leak_at_exit 'banner; echo "#4096	DONE   cov: 10 ft: 20 corp: 3/9b"; echo "==42==ERROR: LeakSanitizer: detected memory leaks"; echo "SUMMARY: AddressSanitizer: 64 byte(s) leaked in 1 allocation(s)."; exit 23'
fake odd_exit 'banner; exit 3'
fake unit_gone 'banner; echo "==42==ERROR: AddressSanitizer: SEGV on unknown address"; echo "artifact_prefix=/nonexistent/; Test unit written to /nonexistent/crash-00"; exit 1'
fake sigkill 'banner; echo "#2	INITED cov: 10 ft: 10 corp: 1/1b"; kill -KILL $$'
fake sigkill_once '[ "$try" = 1 ] && { banner; kill -KILL $$; }; banner; done_ok'
fake killed_then_crash '[ "$try" = 1 ] && { banner; kill -KILL $$; }; banner; echo "==42==ERROR: AddressSanitizer: stack-overflow"; unit crash-0badc0de; exit 1'
fake report_then_killed 'banner; echo "==42==ERROR: AddressSanitizer: heap-use-after-free"; kill -KILL $$'
fake interrupted 'banner; echo "==42== libFuzzer: run interrupted; exiting"; exit 72'
fake sigsegv_noreport 'banner; kill -SEGV $$'
fake oom 'banner; echo "==42== ERROR: libFuzzer: out-of-memory (used: 2100Mb; exceeds: 2048Mb)"; echo "   To change the out-of-memory limit use -rss_limit_mb=<N>"; echo "SUMMARY: libFuzzer: out-of-memory"; exit 71'
fake oom_unit 'banner; echo "==42== ERROR: libFuzzer: out-of-memory (malloc(4294967296))"; unit oom-1c2d3e4f; echo "SUMMARY: libFuzzer: out-of-memory"; exit 71'
fake lf_timeout 'banner; echo "ALARM: working on the last Unit for 20 seconds"; echo "==42== ERROR: libFuzzer: timeout after 20 seconds"; echo "SUMMARY: libFuzzer: timeout"; exit 70'
fake timeout_unit 'banner; echo "ALARM: working on the last Unit for 20 seconds"; unit timeout-9f8e7d6c; echo "SUMMARY: libFuzzer: timeout"; exit 70'
fake overrun 'banner; sleep 30; done_ok'
fake init_abort 'kill -ABRT $$'
fake init_message 'echo "init_message: harness setup failed: trust store x509/ca/e2e holds no certificate" >&2; kill -ABRT $$'
fake init_exit0 'echo "not a libFuzzer binary"; exit 0'
fake slow_unit 'banner; echo "Slowest unit: 11 s:"; unit slow-unit-77aa; done_ok'
fake regress_crash 'banner; for a; do case $a in -*) ;; *) echo "Running: $a"; case $a in *bad*) echo "==42==ERROR: UndefinedBehaviorSanitizer: SEGV"; unit crash-ee11; exit 1 ;; esac; echo "Executed $a in 0 ms" ;; esac; done; exit 0'
fake regress_clean 'banner; case " $* " in *" -runs=1 "*) for a; do case $a in -*) ;; *) echo "Running: $a" ;; esac; done; exit 0 ;; esac; done_ok'
mkdir -p "$REGRESS/regress_crash" "$REGRESS/regress_clean"
echo a >"$REGRESS/regress_crash/good-input"
echo b >"$REGRESS/regress_crash/zz-bad-input"
echo a >"$REGRESS/regress_clean/fixed-input"
echo 'not a script' >"$FZ/bin/not_executable"
chmod -x "$FZ/bin/not_executable"
# missing: no such file at all

bad=0
# case NAME CLASS [RUNS [MATCH...]]: run_one NAME must give CLASS, run the
# fake RUNS times (default 1) and say each MATCH (a pattern) in its TAP lines.
case_() {
	local name=$1 want=$2 wruns=${3:-1} r class tap runs why=""
	shift 3
	run_one "$name"
	r=$(cat "$FZ/logs/$name.result")
	class=${r%% *}
	tap=$(fz_tap "$name" "$r" "$secs" "$FZ/bin/$name")
	runs=0
	[ -f "$W/$name.runs" ] && runs=$(wc -l <"$W/$name.runs")
	[ "$class" = "$want" ] || why="class $class, not $want"
	case $want in
	ok) [[ $tap == "ok - "* ]] || why="${why:+$why; }TAP line is not ok" ;;
	*) [[ $tap == "not ok - fuzz $name: $want"* ]] || why="${why:+$why; }TAP line is not \"not ok ... $want\"" ;;
	esac
	case $name in missing | not_executable) ;; *) [ "$runs" = "$wruns" ] || why="${why:+$why; }ran $runs times, not $wruns" ;; esac
	if [ "$want" != ok ] && [ ! -f "$FZ/failed/$name.log" ]; then why="${why:+$why; }no log kept in failed/"; fi
	local m
	for m in "$@"; do [[ $tap == *$m* ]] || why="${why:+$why; }TAP lines lack \"$m\""; done
	if [ -z "$why" ]; then
		echo "ok - fuzz runner self-test: $name is $want"
	else
		echo "not ok - fuzz runner self-test: $name is $want"
		echo "#   $why"
		echo "#   result: $r"
		printf '%s\n' "$tap" | sed 's/^/#   tap: /'
		bad=1
	fi
}

case_ ok ok 1
case_ crash crash 1 "reproducer: $FZ/crashes/crash/crash-da39a3ee" "replay: $FZ/bin/crash $FZ/crashes/crash/crash-da39a3ee" "heap-buffer-overflow" "#   | SUMMARY"
case_ deadly crash 1 "deadly signal" "exit 77"
case_ leak crash 1 "leak-adc83b19"
case_ oom_unit crash 1 "oom-1c2d3e4f"
case_ timeout_unit crash 1 "timeout-9f8e7d6c"
case_ exit1 error 1 "exit 1; no crash report"
case_ leak_at_exit error 1 "LeakSanitizer" "exit 23"
case_ odd_exit error 1 "not an exit code of libFuzzer's"
case_ unit_gone error 1 "not there"
case_ sigkill killed 2 "SIGKILL" "retried once"
case_ sigkill_once ok 2 "retried once" "SIGKILL"
case_ killed_then_crash crash 2 "crash-0badc0de" "retried once"
case_ interrupted killed 2 "run interrupted" "retried once"
case_ sigsegv_noreport killed 1 "SIGSEGV"
case_ report_then_killed killed 1 "SIGKILL" "heap-use-after-free"
case_ oom oom 1 "out-of-memory"
case_ lf_timeout timeout 1 "timeout after 20 seconds"
case_ overrun timeout 1 "watchdog"
case_ init_abort nostart 1 "SIGABRT" "before libFuzzer's first line" "empty"
case_ init_message nostart 1 "SIGABRT" "holds no certificate"
case_ init_exit0 nostart 1 "exit 0"
case_ missing nostart 0 "could not be run"
case_ not_executable nostart 0 "could not be run"
case_ slow_unit ok 1 "slow unit kept"
case_ regress_crash crash 1 "reproducer: $REGRESS/regress_crash/zz-bad-input" "regression input"
case_ regress_clean ok 2
exit $bad
