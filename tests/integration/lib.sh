# Shared helpers for integration tests (sourced).  Each test prints one TAP
# line: "ok - NAME", "not ok - NAME" or "ok - NAME # SKIP reason".
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUTDIR=$(cd "$TOP" && cd "${EDGEAUDIT_OUT:-out}" 2>/dev/null && pwd || echo "$TOP/out")
EA=${EA:-$OUTDIR/x86_64/edgeaudit}
SHARED=${EDGEAUDIT_SHARED_TESTDATA:-$TOP/../shared/testdata}
PY=/usr/bin/python3
# Set by tests/sanitize_suite.sh when EA is the ASan+UBSan build: its runtime
# writes logs there (not the tool: the strace checks leave them out), and
# the build links glibc dynamically, so tests that copy EA into an empty
# root leave that to the static binary's pass (san_skip_static).
SAN_LOGS=${EDGEAUDIT_SAN_LOGS:-}
san_skip_static() { # NAME: 0 (and a SKIP line) when EA is the dynamic sanitizer build
	[ -n "$SAN_LOGS" ] || return 1
	skip "$1" "EA is the dynamic ASan build: this test of the static binary runs in the normal pass"
}
# no_san_logs: drop the sanitizer runtime's own log files from strace lines
no_san_logs() { if [ -n "$SAN_LOGS" ]; then grep -vF "\"$SAN_LOGS/san."; else cat; fi; }
T=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
skip() { echo "ok - $1 # SKIP $2"; }
# check NAME CMD...: pass when CMD exits 0; its output is shown on failure.
check() {
	local name=$1; shift
	local outp; outp=$("$@" 2>&1) && ok "$name" || not_ok "$name" "${outp:0:2000}"
}
# run_ea ARGS...: run edgeaudit, leaving stdout in $OUT, stderr in $ERR, code in $RC.
run_ea() {
	OUT=$("$EA" "$@" 2>"$T/stderr"); RC=$?; ERR=$(cat "$T/stderr")
	report_invariant "$@"
	[ -z "${EA_DIFF_BASE:-}" ] || report_diff_base "$@"
}
# EA_DIFF_BASE=/path/to/another/edgeaudit: run_ea also runs that binary with
# the same arguments (--out FILE becomes FILE.base) and compares the two
# JSON reports with tests/tools/report_diff.py (timestamps and durations
# left out) and the two exit codes: a "not ok" line when they differ, and
# one line per comparison in $EA_DIFF_LOG (default $TMPDIR/ea-diff.log).
# tests/run.sh sets it to the report baseline (a build of a pinned commit)
# for the integration pass: issue 13's proof that the typed model renders
# every fixture's report as before.  Runs that read the live /proc (`proc`,
# `audit`) are compared with --live (same pids only; exit codes may
# differ with what ran in between).  --metrics FILE is not passed on (the
# baseline predates it): the report must be the same with it as without.
# EA_DIFF_NEW_WORDS (commands and options newer than the baseline: such a
# run is skipped, and logged so) and EA_DIFF_ADDED (report members and
# finding ids added on purpose since: report_diff.py --added) and
# EA_DIFF_REWORDED (finding ids whose message wording changed on purpose:
# --reworded) are set by tests/run.sh next to the pin.
report_diff_base() {
	local rc=$RC a prev="" f="" args=() bout brc d live="" log=${EA_DIFF_LOG:-${TMPDIR:-/tmp}/ea-diff.log}
	case ${1:-} in proc | audit) live=--live ;; esac
	case " $* " in *" --budget-ms"*) echo "skip (a budget: timing decides what is checked) $*" >>"$log"; return 0 ;; esac
	for a in "$@"; do
		case " ${EA_DIFF_NEW_WORDS:-} " in *" ${a%%=*} "*)
			echo "skip (${a%%=*} is newer than the baseline) $*" >>"$log"; return 0 ;; esac
	done
	for a in "$@"; do
		case $prev in --metrics) prev=; continue ;; esac
		case $a in --metrics | --metrics=*) prev=$a; continue ;; esac
		if [ "$prev" = --out ]; then f=$a; a=$a.base; fi
		case $a in --out=*) f=${a#--out=}; a=--out=$f.base ;; esac
		args+=("$a"); prev=$a
	done
	bout=$("$EA_DIFF_BASE" "${args[@]}" 2>/dev/null </dev/null); brc=$?
	if [ -n "$f" ]; then
		[ -f "$f" ] && [ -f "$f.base" ] || { echo "skip (no report file) $*" >>"$log"; RC=$rc; return 0; }
		cp "$f" "$T/diff.a"; cp "$f.base" "$T/diff.b"; rm -f "$f.base"
		[ "$(head -c 1 "$T/diff.a")" = "{" ] || { echo "skip (not JSON) $*" >>"$log"; RC=$rc; return 0; }
	else
		case $OUT in "{"*) ;; *) echo "skip (not JSON) $*" >>"$log"; RC=$rc; return 0 ;; esac
		printf '%s' "$OUT" >"$T/diff.a"; printf '%s' "$bout" >"$T/diff.b"
	fi
	d=$($PY "$TOP/tests/tools/report_diff.py" $live ${EA_DIFF_ADDED:+--added "$EA_DIFF_ADDED"} ${EA_DIFF_REWORDED:+--reworded "$EA_DIFF_REWORDED"} "$T/diff.a" "$T/diff.b" 2>&1)
	[ -n "$live" ] || [ "$rc" = "$brc" ] || d="exit code $rc != $brc${d:+; $d}"
	if [ -z "$d" ]; then echo "same $*" >>"$log"
	else
		echo "DIFF $* :: ${d:0:2000}" >>"$log"
		not_ok "report differs from EA_DIFF_BASE's" "edgeaudit $*" "${d:0:2000}"
	fi
	RC=$rc
}
# Issue 12's invariant, asserted on every report run_ea sees (stdout or
# --out FILE): an image whose verdict is not "pass" comes with findings that
# make the run's verdict (and exit code) not "pass" either.  Silent when it
# holds; a "not ok" line when it does not.  Left out under --fail-on (the
# user then lets high findings pass).
report_invariant() {
	local a f="" prev=""
	for a in "$@"; do
		[ "$prev" = --out ] && f=$a
		[ "$a" = --fail-on ] && return 0
		case $a in --out=*) f=${a#--out=} ;; esac
		prev=$a
	done
	local rc=$RC
	if [ -n "$f" ]; then [ -f "$f" ] || return 0; else case $OUT in "{"*) ;; *) return 0 ;; esac; fi
	local bad
	bad=$( { [ -n "$f" ] && cat "$f" || printf '%s' "$OUT"; } | $PY -c '
import json, sys
try:
    r = json.load(sys.stdin)
except Exception:
    sys.exit(0)
if not isinstance(r, dict) or "verdict" not in r:
    sys.exit(0)
rc = int(sys.argv[1])
bad = [i for i in r.get("images", []) if i.get("verdict") != "pass"]
if bad and r["verdict"] == "pass":
    print("image %s is %s but the report passes" % ((bad[0].get("names") or [bad[0].get("manifest_digest")])[0], bad[0].get("verdict")))
want = {"pass": 0, "fail": 1, "incomplete": 3}.get(r["verdict"])
if want is not None and rc in (0, 1, 3) and rc != want:
    print("report verdict %s but exit code %d" % (r["verdict"], rc))
' "$rc")
	[ -z "$bad" ] || not_ok "report invariant (issue 12): $bad" "edgeaudit $*"
	RC=$rc
}
# json_get JSON EXPR: evaluate a python expression on the parsed report `r`.
json_get() { printf '%s' "$1" | $PY -c "import json,sys; r=json.load(sys.stdin); print($2)"; }
validate_report() { # FILE -> 0 if valid against tests/report.schema.json
	$PY - "$TOP/tests/report.schema.json" "$1" <<'PYEOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
jsonschema.Draft7Validator.check_schema(schema)
errs = sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=str)
for e in errs[:5]:
    print("schema:", list(e.absolute_path), e.message[:300])
sys.exit(1 if errs else 0)
PYEOF
}
