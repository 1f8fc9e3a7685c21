# shellcheck shell=bash
# tests/fuzz/classify.sh (sourced): run one libFuzzer harness and say how it
# ended, for run.sh, its self-test (selftest.sh) and test_fuzz.sh's TAP lines.
#
# Every run of a harness (the replay of regress/ and the fuzzing) goes
# through fz_attempt, under a watchdog (`timeout`, the run's time plus
# FUZZ_GRACE seconds), with stdout and stderr in one log; fz_classify then
# reads the exit status, the signal if it died by one, and libFuzzer's
# crash-report lines ("==ERROR", "deadly signal", "SUMMARY:", "Test unit
# written to").  The first word of a result is its class:
#
#   ok       libFuzzer started (its "INFO: Seed:" line) and exited 0
#   crash    a reproducer was written: libFuzzer's "Test unit written to
#            FILE" (crash-, leak-, timeout- or oom- unit) and FILE is there;
#            or a regression input failing again (the input is the reproducer)
#   killed   died by a signal with no crash report (SIGKILL: the kernel's OOM
#            killer or a CI limit; SIGTERM or SIGINT, which libFuzzer reports
#            as "run interrupted"); the kernel log's OOM kill is named when
#            dmesg is readable
#   oom      libFuzzer's "out-of-memory" (-rss_limit_mb) report, no unit
#   timeout  libFuzzer's "timeout" report with no unit, or the watchdog ended
#            a run that overshot -max_total_time by FUZZ_GRACE seconds
#   nostart  never fuzzed: no binary, an exec error, or it died (or exited)
#            before libFuzzer's first line, e.g. in LLVMFuzzerInitialize
#   error    any other non-zero exit without a reproducer (a leak report at
#            exit, a libFuzzer usage error, an exit code libFuzzer never uses)
#
# Only "ok" passes.  A run killed by SIGKILL, SIGTERM or SIGINT that printed
# no crash report is run once more (FUZZ_RETRY=0: never); the result says so
# and keeps the first run's log.  A run that wrote a reproducer or printed a
# crash report is never run again: a retry cannot hide a crash.

FZ_GRACE=${FUZZ_GRACE:-60}
FZ_RETRY=${FUZZ_RETRY:-1}
# libFuzzer's own exit codes: sanitizer report (1), LeakSanitizer at exit
# (23), timeout (70), out-of-memory (71), interrupted (72), -error_exitcode (77)
FZ_LIBFUZZER_CODES=" 0 1 23 70 71 72 77 "

fz_signame() { # N -> SIGxxx (or "signal N")
	local n; n=$(kill -l "$1" 2>/dev/null) && echo "SIG$n" || echo "signal $1"
}

# The kernel's OOM-kill lines for a command name (comm: 15 characters), when
# dmesg is readable; nothing otherwise (never required).
fz_oom_kills() {
	dmesg 2>/dev/null | grep -E "Killed process [0-9]+ \(${1:0:15}\)" || true
}

# fz_attempt LOG LIMIT CMD...: run CMD under the watchdog, its output in LOG.
# Sets FZ_RC (exit status; 128+N when it died by signal N) and FZ_SECS.
fz_attempt() {
	local log=$1 limit=$2 start=$SECONDS
	shift 2
	FZ_OOM_BEFORE=$(fz_oom_kills "$(basename "$1")" | wc -l)
	# (the shell's own "Killed" notice is not wanted: the result says it)
	{ timeout -k 10 "$limit" "$@" >"$log" 2>&1 </dev/null; } 2>/dev/null
	FZ_RC=$?
	FZ_SECS=$((SECONDS - start))
}

# fz_classify NAME LOG RC SECS LIMIT: sets FZ_CLASS, FZ_UNIT (the reproducer,
# class crash), FZ_KIND (the unit's kind), FZ_DETAIL (the status, which
# crash-report lines were seen, libFuzzer's first error line) and FZ_SIG.
fz_classify() {
	local name=$1 log=$2 rc=$3 secs=$4 limit=$5
	local status marks="" m line unit gone="" started=0
	FZ_CLASS="" FZ_UNIT="" FZ_KIND="" FZ_SIG="" FZ_REPORT=""
	if [ "$rc" -gt 128 ] && [ "$rc" -le 192 ]; then
		FZ_SIG=$(fz_signame $((rc - 128)))
		status="killed by $FZ_SIG (exit $rc)"
	else
		status="exit $rc"
	fi
	for m in '==[0-9]*== ?ERROR' 'deadly signal' 'SUMMARY:' 'Test unit written to'; do
		if grep -qE "$m" "$log" 2>/dev/null; then
			case $m in ==*) m="==ERROR" ;; esac
			marks="$marks${marks:+, }\"$m\""
		fi
	done
	FZ_REPORT=$marks
	marks=${marks:+crash report: $marks}
	line=$(grep -m1 -E '==[0-9]*== ?ERROR|ERROR:|runtime error|deadly signal|ALARM|out-of-memory|LeakSanitizer|run interrupted|failed to run' "$log" 2>/dev/null | cut -c1-160)
	grep -q '^INFO: Seed: ' "$log" 2>/dev/null && started=1
	# The last unit written that is not a slow unit (those are kept, not failures).
	while read -r unit; do
		case $(basename "$unit") in slow-unit-*) continue ;; esac
		if [ -f "$unit" ]; then FZ_UNIT=$unit gone=""; else FZ_UNIT="" gone=$unit; fi
	done < <(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" 2>/dev/null)
	FZ_DETAIL="$status; ${marks:-no crash report}${line:+; $line}${gone:+; libFuzzer named $gone but it is not there}"

	if [ -n "$FZ_UNIT" ]; then
		FZ_CLASS=crash
		FZ_KIND=$(basename "$FZ_UNIT" | sed -n 's/^\([a-z]*\)-.*/\1/p')
		FZ_KIND=${FZ_KIND:-crash}
	elif [ "$rc" = 124 ] || { [ "$rc" = 137 ] && [ "$secs" -ge "$limit" ]; }; then
		FZ_CLASS=timeout
		FZ_DETAIL="the watchdog ended it after $secs s (limit $limit s: the run's time + FUZZ_GRACE); $FZ_DETAIL"
	elif [ "$rc" = 126 ] || [ "$rc" = 127 ]; then
		FZ_CLASS=nostart
		FZ_DETAIL="could not be run; $FZ_DETAIL"
	elif [ "$started" = 0 ]; then
		FZ_CLASS=nostart
		if [ -s "$log" ]; then
			FZ_DETAIL="ended before libFuzzer's first line (in LLVMFuzzerInitialize or at load); $FZ_DETAIL; first line: $(head -n1 "$log" | cut -c1-160)"
		else
			FZ_DETAIL="ended before libFuzzer's first line (in LLVMFuzzerInitialize or at load), printing nothing; $FZ_DETAIL"
		fi
	elif [ "$rc" = 0 ]; then
		FZ_CLASS=ok
	elif grep -qE 'out-of-memory|rss_limit_mb|rss limit' "$log"; then
		FZ_CLASS=oom
	elif grep -qE 'ERROR: libFuzzer: timeout|ALARM: working on the last Unit' "$log" || [ "$rc" = 70 ]; then
		FZ_CLASS=timeout
	elif [ -n "$FZ_SIG" ] || grep -q 'libFuzzer: run interrupted' "$log"; then
		FZ_CLASS=killed
		[ -n "$FZ_SIG" ] || FZ_DETAIL="libFuzzer caught SIGINT or SIGTERM; $FZ_DETAIL"
		if [ "$FZ_SIG" = SIGKILL ]; then
			local k; k=$(fz_oom_kills "$name" | tail -n +$((FZ_OOM_BEFORE + 1)) | tail -n1)
			FZ_DETAIL="$FZ_DETAIL${k:+; kernel log: ${k:0:200}}"
		fi
	else
		FZ_CLASS=error
		case $FZ_LIBFUZZER_CODES in *" $rc "*) ;; *) FZ_DETAIL="$FZ_DETAIL (not an exit code of libFuzzer's)" ;; esac
	fi
}

# fz_retryable: the last run was killed from outside (SIGKILL, or SIGTERM or
# SIGINT, which libFuzzer reports as "run interrupted") and printed no crash
# report: nothing else is run again.
fz_retryable() {
	[ "$FZ_CLASS" = killed ] && [ -z "$FZ_UNIT" ] && [ -z "$FZ_REPORT" ] &&
		case ${FZ_SIG:-SIGTERM} in SIGKILL | SIGTERM | SIGINT) true ;; *) false ;; esac
}

# fz_run_once H: the regress/ replay, then SECONDS of fuzzing; sets FZ_CLASS
# and FZ_RESULT (the result line without the retry note) and leaves the log
# of the run that decided in FZ_LOG.  Uses FZ, secs, REGRESS, dict_for, len_for.
fz_run_once() {
	local h=$1 bin="$FZ/bin/$1" log="$FZ/logs/$1.log"
	local corpus="$FZ/corpus/$h" seeds="$FZ/seeds/$h" art="$FZ/crashes/$h/"
	mkdir -p "$corpus" "$seeds" "$art"
	FZ_LOG=$log.regress
	# 1. regressions: each kept reproducer must run clean now
	if [ -d "$REGRESS/$h" ] && [ -n "$(ls -A "$REGRESS/$h" 2>/dev/null)" ]; then
		local n; n=$(ls -A "$REGRESS/$h" | wc -l)
		fz_attempt "$FZ_LOG" $((30 * n + FZ_GRACE)) "$bin" -runs=1 -timeout=30 -rss_limit_mb=2048 \
			-artifact_prefix="$art" "$REGRESS/$h"/*
		fz_classify "$h" "$FZ_LOG" "$FZ_RC" "$FZ_SECS" $((30 * n + FZ_GRACE))
		fz_status "$h" regress
		if [ "$FZ_CLASS" != ok ]; then
			local input; input=$(sed -n 's/^Running: //p' "$FZ_LOG" | tail -n1)
			if [ -n "$input" ] && grep -qE '==[0-9]*== ?ERROR|deadly signal|SUMMARY:|runtime error' "$FZ_LOG"; then
				# the input that was running when it failed is the reproducer
				FZ_CLASS=crash
				FZ_RESULT="crash $input (regression input; $FZ_DETAIL)"
			else
				FZ_RESULT="$FZ_CLASS (regression replay: $FZ_DETAIL)"
			fi
			return
		fi
	fi
	# 2. fuzz
	FZ_LOG=$log
	if [ "$secs" -eq 0 ]; then
		FZ_CLASS=ok
		FZ_RESULT="ok execs=0 cov=0 ft=0 corpus=$(ls "$corpus" | wc -l) secs=0 (replay only)"
		return
	fi
	# shellcheck disable=SC2046
	fz_attempt "$log" $((secs + FZ_GRACE)) "$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art" $(dict_for "$h") $(len_for "$h") "$corpus" "$seeds"
	fz_classify "$h" "$log" "$FZ_RC" "$FZ_SECS" $((secs + FZ_GRACE))
	fz_status "$h" fuzz
	case $FZ_CLASS in
	ok)
		local last execs cov ft slow
		last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n1)
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
		cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
		ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
		slow=$(sed -n 's/.*Test unit written to \(.*slow-unit-.*\)$/\1/p' "$log" | tail -n1)
		FZ_RESULT="ok execs=${execs:-0} cov=${cov:-0} ft=${ft:-0} corpus=$(ls "$corpus" | wc -l) secs=$FZ_SECS${slow:+ (slow unit kept: $slow)}"
		;;
	crash) FZ_RESULT="crash $FZ_UNIT ($FZ_KIND unit; $FZ_DETAIL)" ;;
	*) FZ_RESULT="$FZ_CLASS ($FZ_DETAIL)" ;;
	esac
}

# fz_status H PHASE: one line per run of a harness in $FZ/logs/<h>.status.
fz_status() {
	printf 'try=%s phase=%s class=%s rc=%s signal=%s secs=%s unit=%s report=%s\n' "${FZ_TRY:-1}" "$2" "$FZ_CLASS" \
		"$FZ_RC" "${FZ_SIG:-none}" "$FZ_SECS" "${FZ_UNIT:-none}" \
		"$(grep -qE '==[0-9]*== ?ERROR|deadly signal|SUMMARY:|Test unit written to' "$FZ_LOG" && echo yes || echo no)" \
		>>"$FZ/logs/$1.status"
}

# run_one H: fz_run_once, run again once when an outside signal killed it;
# writes $FZ/logs/<h>.result (one line); a failed run's log is kept as
# $FZ/failed/<h>.log (a first try's that was retried: <h>.try1.log).
run_one() {
	local h=$1 res="$FZ/logs/$1.result" note=""
	mkdir -p "$FZ/logs" "$FZ/failed"
	rm -f "$FZ/failed/$h.log" "$FZ/failed/$h.try1.log" "$FZ/logs/$h.status"
	FZ_TRY=1
	fz_run_once "$h"
	if [ "$FZ_RETRY" -gt 0 ] && fz_retryable; then
		cp "$FZ_LOG" "$FZ/failed/$h.try1.log"
		note="retried once; the first run: $FZ_DETAIL; its log $FZ/failed/$h.try1.log"
		FZ_TRY=2
		fz_run_once "$h"
	fi
	if [ "$FZ_CLASS" != ok ]; then
		cp "$FZ_LOG" "$FZ/failed/$h.log"
		FZ_RESULT="$FZ_RESULT; log $FZ/failed/$h.log"
	fi
	echo "$FZ_RESULT${note:+ [$note]}" >"$res"
}

# fz_tap NAME RESULT SECS BIN: the TAP lines for one harness's result line:
# "ok" only for class ok; every other class "not ok" naming it, with the
# kept log's path and its last 30 lines as comments.
fz_tap() {
	local name=$1 r=$2 secs=$3 bin=$4
	local class=${r%% *} rest="" log=""
	[ "$r" = "$class" ] || rest=${r#* }
	case $r in *"; log "*) log=${r##*; log }; log=${log%%)*}; log=${log%% \[*} ;; esac
	case $class in
	ok) echo "ok - fuzz $name: $secs s, no crash ($rest)" ;;
	skip) echo "ok - fuzz $name # SKIP $rest" ;;
	crash)
		local unit=${rest%% (*}
		echo "not ok - fuzz $name: crash, reproducer written ${rest#"$unit "}"
		echo "#   reproducer: $unit"
		echo "#   replay: $bin $unit"
		;;
	killed | oom | timeout | nostart | error) echo "not ok - fuzz $name: $class, no reproducer $rest" ;;
	build) echo "not ok - fuzz $name: does not build $rest" ;;
	*) echo "not ok - fuzz $name: unexpected result: $r" ;;
	esac
	case $class in ok | skip) return 0 ;; esac
	if [ -n "$log" ] && [ -f "$log" ]; then
		if [ -s "$log" ]; then
			echo "#   log: $log (last 30 lines)"
			tail -n 30 "$log" | cut -c1-300 | sed 's/^/#   | /'
		else
			echo "#   log: $log (empty: the harness printed nothing)"
		fi
	else
		echo "#   log: ${log:-none} (not there)"
	fi
}
