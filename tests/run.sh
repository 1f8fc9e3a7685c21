#!/usr/bin/env bash
# tests/run.sh: run every test suite against the built tree and end with
# "N passed, N failed, N skipped".  Suites print TAP lines; this counts them.
#   tests/run.sh [FILTER]   only suites whose name contains FILTER
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
filter=${1:-}
OUT=${EDGEAUDIT_OUT:-out}
export EDGEAUDIT_OUT="$OUT"
export EDGEAUDIT_TESTS="$top/tests"
export EDGEAUDIT_SHARED_TESTDATA=${EDGEAUDIT_SHARED_TESTDATA:-$top/../shared/testdata}
[ -d "$EDGEAUDIT_SHARED_TESTDATA" ] || echo "# note: $EDGEAUDIT_SHARED_TESTDATA is absent: tests that read it will skip"
log=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-run.XXXXXX")
trap 'rm -rf "$log"' EXIT
pass=0 fail=0 skipped=0

suite() { # NAME CMD...
	local name=$1; shift
	[ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && return 0
	echo "# suite $name"
	local start=$SECONDS out="$log/$(echo "$name" | tr -c 'a-zA-Z0-9_\n' _)"
	"$@" >"$out" 2>&1
	local rc=$?
	local p f s
	p=$(grep -E '^ok ' "$out" | grep -vc '# SKIP')
	s=$(grep -cE '^ok .*# SKIP' "$out")
	f=$(grep -cE '^not ok ' "$out")
	# A suite that died without reporting a failure still fails.
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited $rc without reporting a failure" >>"$out"; f=1
	fi
	if [ "$((p + f + s))" -eq 0 ]; then
		echo "not ok - $name ran no test" >>"$out"; f=1
	fi
	grep -E '^(ok|not ok) ' "$out" | sed "s/^/  [$name] /"
	[ "$f" -gt 0 ] && { echo "  [$name] --- output ---"; grep -vE '^(ok|1\.\.)' "$out" | head -n 60 | sed 's/^/  | /'; }
	echo "# suite $name: $p passed, $f failed, $s skipped ($((SECONDS - start)) s)"
	pass=$((pass + p)); fail=$((fail + f)); skipped=$((skipped + s))
}

qemu_for() { case $1 in aarch64) echo qemu-aarch64-static ;; armv7) echo qemu-arm-static ;; esac; }

suite unit-x86_64 $OUT/x86_64/unit_tests
suite unit-sanitizers env ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 $OUT/san/unit_tests
for a in aarch64 armv7; do
	q=$(qemu_for $a)
	if command -v "$q" >/dev/null && [ -x "$OUT/$a/unit_tests" ]; then
		suite "unit-$a-qemu" "$q" "$OUT/$a/unit_tests"
	else
		[ -z "$filter" ] && { echo "ok - unit-$a-qemu # SKIP $q or $OUT/$a/unit_tests missing"; skipped=$((skipped + 1)); }
	fi
done
# The report baseline: the integration pass runs each edgeaudit command
# twice, with this tree and with a build of REPORT_BASELINE, and compares
# the reports (lib.sh run_ea, tests/tools/report_diff.py): a refactoring
# must leave every report as it was.  A change meant to alter reports moves
# the pin to the commit that makes it.  History: d4a8dbb3 (the commit
# before the typed model: issue 13's proof, 216 reports the same), then
# container drift and the host baseline (issue 17), which add to the
# stores' entries and findings on purpose, with drift's allow list.
REPORT_BASELINE=4b9b6d9f84d9c50a6e750ef0275e67d3f9befeba
if [ "${EDGEAUDIT_REPORT_BASELINE:-1}" != 0 ]; then
	base_dir=$OUT/baseline-$REPORT_BASELINE
	suite report-baseline bash tests/tools/build_baseline.sh "$REPORT_BASELINE" "$base_dir"
	if [ -x "$base_dir/edgeaudit" ]; then
		export EA_DIFF_BASE=$(cd "$base_dir" && pwd)/edgeaudit EA_DIFF_LOG=$log/ea-diff.log
		# What came after the pin on purpose: commands and options it
		# does not know (those runs are skipped, and counted), report
		# members and finding ids it does not write (left out of the
		# comparison: report_diff.py --added); everything else is compared.
		# Issue 14: verify-blob, its blobs and timestamps_skipped, and the
		# threshold finding.  Issue 16 (what is installed): the sbom command
		# and --root; each image's inventory object, the host's, and the
		# pkg.* and vuln.inventory_unsupported findings; the vulnerability
		# database (vulndb, --vulndb), its findings and accepted list.
		export EA_DIFF_NEW_WORDS="verify-blob sbom --root vulndb --vulndb"
		export EA_DIFF_ADDED="blobs timestamps_skipped signature.threshold_unmet inventory host_inventory pkg. vuln. vulndb. vulnerabilities_accepted"
		# Issue 15: ISA-L's inflate words a corrupt deflate body otherwise
		# than zlib (same id, severity and subject: only the message).
		export EA_DIFF_REWORDED="layer.decompress_error"
		: >"$EA_DIFF_LOG"
	fi
fi
for t in tests/integration/test_*.sh; do
	suite "$(basename "$t" .sh)" bash "$t"
done
if [ -n "${EA_DIFF_BASE:-}" ]; then
	suite report-baseline-compared bash tests/tools/baseline_summary.sh "$EA_DIFF_LOG"
	unset EA_DIFF_BASE EA_DIFF_LOG
fi
# Issue 8's proof: the integration suites again with EA = the ASan + UBSan
# build, every run's sanitizer log read (tests/sanitize_suite.sh).  Left
# out: build and layout (no EA), board and boot (they copy the static binary into
# other roots), fuzz (its own sanitizer build), readonly (every run under
# strace, where LeakSanitizer cannot work: test_hostile audits the same
# stores untraced), crashsafe (its runs end by SIGKILL, where no sanitizer
# can report).  EDGEAUDIT_SAN_PASS=0 leaves the pass out.
if [ "${EDGEAUDIT_SAN_PASS:-1}" != 0 ]; then
	suite asan-self-test bash tests/sanitize_suite.sh --self-test
	for t in tests/integration/test_*.sh; do
		n=$(basename "$t" .sh)
		case $n in test_build | test_layout | test_board | test_boot | test_crashsafe | test_fuzz | test_readonly) continue ;; esac
		suite "asan-${n#test_}" bash tests/sanitize_suite.sh "$t"
	done
fi

echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
