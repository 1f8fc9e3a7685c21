# Shared by the benchmark scripts (sourced).
PY=/usr/bin/python3
# t_ms CMD...: the median of 3 wall-clock runs of CMD, in ms.
t_ms() {
	local a=() i s e
	for i in 1 2 3; do
		s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
		a+=($(( (e - s) / 1000000 )))
	done
	printf '%s\n' "${a[@]}" | sort -n | sed -n 2p
}
