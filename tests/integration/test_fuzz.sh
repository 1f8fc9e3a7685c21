#!/usr/bin/env bash
# Fuzzing (issue 8), the CI-sized run: every libFuzzer harness in tests/fuzz
# (ASan + UBSan) replays its regression inputs, then fuzzes for a few seconds
# from its seeds and corpus.  One TAP line per harness: "ok" only when it
# ran its time and exited clean; a crash is "not ok" with the reproducer's
# path and a replay command; a harness that died without a reproducer is
# "not ok" naming how (killed, oom, timeout, nostart, error: classify.sh).
# Either way the failed run's log is kept in $FUZZ_OUT/failed/ and its last
# 30 lines are shown here.  The runner's classification is checked first
# against fake harnesses (tests/fuzz/selftest.sh).  The long campaign and its
# figures are in tests/fuzz/README.md.  FUZZ_SECONDS overrides the time per harness.
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/fuzz/classify.sh
. "$TOP/tests/fuzz/classify.sh"

bash "$TOP/tests/fuzz/selftest.sh"

secs=${FUZZ_SECONDS:-12}
if ! command -v clang >/dev/null; then
	skip "fuzz harnesses" "clang is not installed (build.sh test installs clang and libclang-rt-14-dev)"
	exit 0
fi
# run.sh's own output is kept beside the harnesses' logs.
FZ=$(cd "$TOP" && mkdir -p "${FUZZ_OUT:-$OUTDIR/fuzz}" && cd "${FUZZ_OUT:-$OUTDIR/fuzz}" && pwd)
bash "$TOP/tests/fuzz/run.sh" "$secs" >"$FZ/run.out" 2>"$FZ/run.err"
rc=$?
n=0
while read -r _ name rest; do
	name=${name%:}
	n=$((n + 1))
	fz_tap "$name" "$rest" "$secs" "$FZ/bin/$name"
done < <(grep -E '^fuzz [^ ]+: ' "$FZ/run.out")
if [ $n -eq 0 ]; then
	not_ok "tests/fuzz/run.sh ran the harnesses" "exit $rc; its output: $FZ/run.out, $FZ/run.err" "$(tail -n 20 "$FZ/run.err")"
elif [ $rc -ne 0 ] && ! grep -qE '^fuzz [^ ]+: (crash|killed|oom|timeout|nostart|error|build)' "$FZ/run.out"; then
	not_ok "tests/fuzz/run.sh exited $rc" "its output: $FZ/run.out, $FZ/run.err" "$(tail -n 20 "$FZ/run.err")"
fi

# Issue 12: the tar header reader against Go's archive/tar on the corpus the
# fuzzer kept (and its seeds): each input the index reads cleanly must read
# the same in Go (names after path.Clean, kinds, sizes and content of
# regular files); an early stop must list Go's first members; an ambiguity
# is a finding (fail closed).  The oracle runs out of process.
if ! command -v go >/dev/null; then
	skip "fuzz_tar against Go's archive/tar" "go is not installed (build.sh test installs golang-go)"
elif [ ! -x "$FZ/bin/fuzz_tar" ]; then
	skip "fuzz_tar against Go's archive/tar" "the fuzz_tar harness was not built"
elif ! (cd "$TOP/tests/tools/tarlist" && GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off GOCACHE=$T/gocache GOPATH=$T/gopath \
	go build -o "$T/tarlist" .) >"$T/go.log" 2>&1; then
	not_ok "fuzz_tar against Go's archive/tar: the oracle builds" "$(tail -n 5 "$T/go.log")"
else
	mkdir -p "$T/tardiff"
	mapfile -t inputs < <(find "$FZ/corpus/fuzz_tar" "$FZ/seeds/fuzz_tar" -type f 2>/dev/null | sort | head -n "${TAR_DIFF_MAX:-3000}")
	if [ ${#inputs[@]} -eq 0 ]; then
		skip "fuzz_tar against Go's archive/tar" "no corpus or seeds for fuzz_tar"
	else
		res=$($PY "$TOP/tests/fuzz/tar_go_diff.py" "$FZ/bin/fuzz_tar" "$T/tarlist" "$T/tardiff" "${inputs[@]}" 2>&1)
		if [ $? -eq 0 ]; then ok "fuzz_tar against Go's archive/tar: ${res#tar_go_diff: }"; else not_ok "fuzz_tar against Go's archive/tar" "$res"; fi
	fi
fi
