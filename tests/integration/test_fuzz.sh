#!/usr/bin/env bash
# Fuzzing (issue 8), the CI-sized run: every libFuzzer harness in tests/fuzz
# (ASan + UBSan) replays its regression inputs, then fuzzes for a few seconds
# from its seeds and corpus.  One TAP line per harness; a crash is "not ok"
# with the reproducer's path.  The long campaign and its figures are in
# tests/fuzz/README.md.  FUZZ_SECONDS overrides the time per harness.
. "$(dirname "$0")/lib.sh"

secs=${FUZZ_SECONDS:-12}
if ! command -v clang >/dev/null; then
	skip "fuzz harnesses" "clang is not installed (build.sh test installs clang and libclang-rt-14-dev)"
	exit 0
fi
bash "$TOP/tests/fuzz/run.sh" "$secs" >"$T/fuzz.out" 2>"$T/fuzz.err"
rc=$?
n=0
while read -r _ name rest; do
	name=${name%:}
	n=$((n + 1))
	case $rest in
	ok*) ok "fuzz $name: ${secs} s, no crash (${rest#ok })" ;;
	skip*) skip "fuzz $name" "${rest#skip }" ;;
	crash*) not_ok "fuzz $name: crash" "reproducer: ${rest#crash }" "replay: $OUTDIR/fuzz/bin/$name <reproducer>" ;;
	*) not_ok "fuzz $name" "$rest" ;;
	esac
done < <(grep -E '^fuzz [^ ]+: ' "$T/fuzz.out")
if [ $n -eq 0 ]; then
	not_ok "tests/fuzz/run.sh ran the harnesses" "exit $rc" "$(tail -n 20 "$T/fuzz.err")"
elif [ $rc -ne 0 ] && ! grep -q ': crash' "$T/fuzz.out"; then
	not_ok "tests/fuzz/run.sh exited $rc" "$(tail -n 20 "$T/fuzz.err")"
fi
