#!/usr/bin/env bash
# Benchmark (issue 12): how far past --budget-ms a run ends when the budget
# runs out while a 1 GiB layer (sparse, uncompressed) is being hashed, and
# what the polling costs.  Not a test: no thresholds.
#   bash tests/bench/bench_deadline.sh [BUDGET_MS...]     (default 10 30 100 300)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
EA=$TOP/${EDGEAUDIT_OUT:-out}/x86_64/edgeaudit
T=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
budgets=("$@")
[ ${#budgets[@]} -gt 0 ] || budgets=(10 30 100 300)

$PY "$TOP/tests/tools/mkdeadline.py" oci "$T/g1" sparse $((1 << 30)) >/dev/null
run() { # BUDGET -> "wall_ms duration_ms exit"
	local s e rc
	s=$(date +%s%N)
	rc=0; "$EA" images --no-config --jobs 1 --store "oci:$T/g1" --budget-ms "$1" >"$T/r.json" 2>/dev/null || rc=$?
	e=$(date +%s%N)
	echo "$(( (e - s) / 1000000 )) $($PY -c "import json; print(json.load(open('$T/r.json'))['duration_ms'])") $rc"
}
echo "1 GiB layer (sparse, uncompressed), --jobs 1, 5 runs per budget"
printf '%-10s %-28s %-28s %s\n' budget_ms "overshoot wall (min/med/max)" "overshoot duration_ms" exits
for b in "${budgets[@]}"; do
	w=() d=() x=()
	for i in 1 2 3 4 5; do
		read -r wall dur rc < <(run "$b")
		w+=($((wall - b))); d+=($((dur - b))); x+=("$rc")
	done
	ws=$(printf '%s\n' "${w[@]}" | sort -n | tr '\n' ' '); ds=$(printf '%s\n' "${d[@]}" | sort -n | tr '\n' ' ')
	printf '%-10s %-28s %-28s %s\n' "$b" "$(echo $ws | awk '{print $1"/"$3"/"$5" ms"}')" "$(echo $ds | awk '{print $1"/"$3"/"$5" ms"}')" "${x[*]}"
done
# The poll's cost: with no budget ea_stop_requested() reads a flag; with a
# budget far away it also reads the clock, once per 256 KiB hashed.
nob=$(t_ms "$EA" images --no-config --jobs 1 --store "oci:$T/g1")
far=$(t_ms "$EA" images --no-config --jobs 1 --store "oci:$T/g1" --budget-ms 600000)
echo "full 1 GiB hash: ${nob} ms without a budget, ${far} ms with --budget-ms 600000 (4,096 clock reads)"
