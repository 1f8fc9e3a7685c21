#!/usr/bin/env bash
# baseline_summary.sh LOG: the report-baseline comparison of the integration
# pass, as TAP: how many reports were compared and found the same, how many
# were left out (not JSON, a budget) and that none differed (each DIFF was
# already a "not ok" of its suite; it is counted here once more as the
# comparison's own result).  No comparison at all is a failure: the proof
# would be empty.
set -u
log=$1
same=$(grep -c '^same ' "$log" 2>/dev/null); same=${same:-0}
diff=$(grep -c '^DIFF ' "$log" 2>/dev/null); diff=${diff:-0}
skip=$(grep -c '^skip ' "$log" 2>/dev/null); skip=${skip:-0}
if [ "$same" -eq 0 ]; then
	echo "not ok - no report was compared with the baseline's ($log)"
elif [ "$diff" -gt 0 ]; then
	echo "not ok - $diff of $((same + diff)) reports differ from the baseline's ($skip left out)"
	grep '^DIFF ' "$log" | head -n 20 | cut -c1-400 | sed 's/^/# /'
else
	echo "ok - $same reports the same as the report baseline's ($skip left out: not JSON, under a budget, or newer than the baseline)"
fi
