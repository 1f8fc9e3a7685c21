#!/usr/bin/env bash
# Benchmark (issue 6): `edgeaudit proc` over N extra processes (default
# 1,000 sleepers) against `cat /proc/[0-9]*/status >/dev/null` over the same
# /proc, and `edgeaudit proc --deep` when the sleepers each carry a seccomp
# filter (one ptrace attach, read and detach per process).  Not a test: no
# thresholds; run by hand as root:  bash tests/bench/bench_proc.sh [N]
# EA_BASE=/path/to/an/older/edgeaudit: that binary is timed too, in the same
# run over the same processes (a before/after figure on a busy machine).
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
EA=$TOP/${EDGEAUDIT_OUT:-out}/x86_64/edgeaudit
N=${1:-1000}
T=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-bench.XXXXXX")
PIDS=()
cleanup() {
	# Stop every sleeper we started, by pid.
	[ ${#PIDS[@]} -gt 0 ] && kill "${PIDS[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
PY=/usr/bin/python3

# median of 7 wall-clock runs of a shell command, in microseconds
t_us() {
	local a=() i s e
	for i in 1 2 3 4 5 6 7; do
		s=$(date +%s%N); bash -c "$1" >/dev/null 2>&1 || true; e=$(date +%s%N)
		a+=($(( (e - s) / 1000 )))
	done
	printf '%s\n' "${a[@]}" | sort -n | sed -n 4p
}
ratio() { $PY -c "print(f'{$1/$2:.2f}x')"; }
nproc_now() { ls -d /proc/[0-9]* | wc -l; }

[ -x "$EA" ] || { echo "build first: $EA is missing" >&2; exit 2; }
echo "edgeaudit proc benchmark: $(uname -r), $(nproc) cores"
echo "processes before: $(nproc_now)"

for _ in $(seq "$N"); do sleep 3600 & PIDS+=($!); done
sleep 1
echo "processes with $N sleepers: $(nproc_now)"
base=$(t_us 'cat /proc/[0-9]*/status >/dev/null')
ea=$(t_us "$EA proc --out $T/r.json")
"$EA" proc --out "$T/r.json" || true
listed=$($PY -c "import json; print(len(json.load(open('$T/r.json'))['processes']))")
size=$(stat -c %s "$T/r.json")
ea_text=$(t_us "$EA proc --format text")
echo "cat /proc/[0-9]*/status:        ${base} us"
echo "edgeaudit proc (JSON to file):  ${ea} us  ($listed processes listed, report $size bytes)"
echo "edgeaudit proc --format text:   ${ea_text} us"
echo "ratio edgeaudit/cat:            $(ratio "$ea" "$base")"
# CPU time (task-clock, 9 runs): steadier than the wall on a busy machine.
cpu_ms() { perf stat -x, -e task-clock -r 9 bash -c "$1 || true" 2>&1 >/dev/null | awk -F, '/task-clock/ { printf "%.1f", $1 }'; }
if command -v perf >/dev/null && perf stat -e task-clock true >/dev/null 2>&1; then
	cb=$(cpu_ms 'cat /proc/[0-9]*/status >/dev/null')
	ce=$(cpu_ms "$EA proc --out $T/r.json")
	echo "CPU time (task-clock): cat ${cb} ms, edgeaudit proc ${ce} ms, ratio $(ratio "$ce" "$cb")"
	[ -n "${EA_BASE:-}" ] && cx=$(cpu_ms "$EA_BASE proc --out $T/rb.json") &&
		echo "CPU time (task-clock): EA_BASE proc ${cx} ms, ratio $(ratio "$cx" "$cb")"
fi
if [ -n "${EA_BASE:-}" ]; then
	eb=$(t_us "$EA_BASE proc --out $T/rb.json")
	echo "EA_BASE proc (JSON to file):    ${eb} us, ratio EA_BASE/cat: $(ratio "$eb" "$base")"
fi
kill "${PIDS[@]}" 2>/dev/null || true
wait 2>/dev/null || true
PIDS=()

# The same number of processes, each under one seccomp filter (--deep).
if [ "$(id -u)" = 0 ] && command -v gcc >/dev/null; then
	gcc -O2 -static -mno-red-zone -I"$TOP/src" -I"$TOP/src/proc" -I"$TOP/tests/helpers" -o "$T/probe" \
		"$TOP/tests/helpers/seccomp_probe.c" "$TOP/src/proc/seccomp_nr.c" "$TOP/src/proc/seccomp_syscalls.c"
	"$T/probe" gen deny >"$T/deny.bpf"
	for _ in $(seq "$N"); do "$T/probe" hold "$T/deny.bpf" -- sleep 3600 & PIDS+=($!); done
	sleep 1
	deep=$(t_us "$EA proc --deep --out $T/d.json")
	shallow=$(t_us "$EA proc --out $T/s.json")
	"$EA" proc --deep --out "$T/d.json" || true
	read_n=$($PY -c "import json; print(sum(1 for p in json.load(open('$T/d.json'))['processes'] if 'deep' in p))")
	echo "--deep, $N filtered sleepers:   ${deep} us  (filters read from $read_n processes; without --deep ${shallow} us)"
	echo "per filtered process (deep):    $(( (deep - shallow) / N )) us"
else
	echo "--deep: skipped (needs root and gcc)"
fi
