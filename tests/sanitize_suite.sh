#!/usr/bin/env bash
# tests/sanitize_suite.sh SUITE: run one integration suite with EA set to
# the ASan + UBSan build (out/san/edgeaudit, glibc, leak detection on), then
# read what the sanitizers wrote (issue 8: the integration suite under ASan
# with zero errors and zero leaks).
#   tests/sanitize_suite.sh --self-test: the log reader catches a leak, a
#   heap overflow and undefined behaviour of small ASan + UBSan programs.
#
# Every run of the sanitizer build logs to $L/san.<pid> (verbosity=1 makes
# the runtime write there even when all is well, so the files count the
# runs).  The suite's own TAP lines pass through; one more line says how
# many runs there were and whether any logged an ASan, UBSan or LeakSanitizer
# report.  Under strace (ptrace) LeakSanitizer cannot run: those runs are
# counted apart, their memory errors still caught by ASan.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
suite=${1:?usage: tests/sanitize_suite.sh tests/integration/test_X.sh | --self-test}
OUT=${EDGEAUDIT_OUT:-out}
san=$(cd "$top" && cd "$OUT" && pwd)/san/edgeaudit
name=$(basename -- "$suite" .sh)
L=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-san.XXXXXX")
[ -n "${EDGEAUDIT_SAN_KEEP:-}" ] || trap 'rm -rf "$L"' EXIT
# runs as another user (setpriv --reuid 65534) log here too
chmod 1777 "$L"
export ASAN_OPTIONS="log_path=$L/san:verbosity=1:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="log_path=$L/san:print_stacktrace=1:halt_on_error=1"

# read_logs: count the runs in $L and list those with a report in $bad
read_logs() {
	runs=0 ptraced=0 bad=""
	local f
	for f in "$L"/san.*; do
		[ -e "$f" ] || continue
		runs=$((runs + 1))
		if grep -q 'LeakSanitizer does not work under ptrace' "$f"; then
			ptraced=$((ptraced + 1))
			grep -qE 'ERROR: AddressSanitizer|runtime error' "$f" || continue
		fi
		if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error|SUMMARY: ' "$f"; then
			bad="$bad$(basename "$f"): $(grep -m1 -E 'ERROR|runtime error' "$f" | head -c 300)"$'\n'
		fi
	done
}

if [ "$suite" = --self-test ]; then
	# A small program built as out/san/edgeaudit is (clang, ASan + UBSan,
	# UBSan fatal): its leak, heap overflow and float-to-integer overflow
	# must each leave exactly one report; a clean run none.
	cc=${SAN_CC:-clang}
	if ! command -v "$cc" >/dev/null; then echo "ok - asan self-test # SKIP $cc is not installed"; exit 0; fi
	cat >"$L/p.c" <<'CEOF'
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	char *p = malloc(8);
	if (argc < 2) { free(p); return 0; }
	if (!strcmp(argv[1], "leak")) { p = malloc(32); return p[0] = 0; }
	if (!strcmp(argv[1], "overflow")) { p[8] = 1; }
	if (!strcmp(argv[1], "ub") && argc > 2) { long l = (long)atof(argv[2]); free(p); return (int)(l & 1); }
	free(p);
	return 0;
}
CEOF
	if ! "$cc" -O0 -g -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -o "$L/p" "$L/p.c" 2>"$L/cc.log"; then
		echo "ok - asan self-test # SKIP $cc cannot build with ASan/UBSan: $(head -c 200 "$L/cc.log")"
		exit 0
	fi
	fails=""
	for what in clean leak overflow ub; do
		rm -f "$L"/san.*
		case $what in clean) "$L/p" ;; ub) "$L/p" ub 2e91 ;; *) "$L/p" $what ;; esac >/dev/null 2>&1
		read_logs
		n=$(printf '%s' "$bad" | grep -c .)
		want=1; [ $what = clean ] && want=0
		[ "$runs" -eq 1 ] && [ "$n" -eq "$want" ] || fails="$fails $what(runs=$runs reports=$n)"
	done
	[ -z "$fails" ] && echo "ok - asan self-test: the log reader counts a clean run and finds a leak, a heap overflow and a float-to-integer overflow" ||
		echo "not ok - asan self-test:$fails"
	exit 0
fi

if [ ! -x "$san" ]; then
	echo "ok - asan $name # SKIP $san is not built (./build.sh test builds it)"
	exit 0
fi
export EA=$san EDGEAUDIT_SAN_LOGS=$L
bash "$suite"
rc=$?
read_logs
what="$runs runs of the ASan+UBSan build ($ptraced under strace, where leaks cannot be checked)"
if [ "$runs" -eq 0 ]; then
	echo "ok - asan $name: the suite ran no edgeaudit # SKIP nothing to check"
elif [ -z "$bad" ]; then
	echo "ok - asan $name: $what: no ASan, UBSan or leak report"
else
	echo "not ok - asan $name: $what: sanitizer reports"
	printf '%s' "$bad" | head -n 10 | sed 's/^/#   /'
fi
exit $rc
