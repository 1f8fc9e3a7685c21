#!/usr/bin/env bash
# Deadline (issue 12): --budget-ms and SIGINT/SIGTERM stop work in flight (a
# blob being hashed or inflated, a long Layers list), not only between blobs;
# what was stopped is unchecked (audit.interrupted), never ok, never pass.  A
# blob whose size differs from its descriptor is a finding without being read.
# No wall-clock thresholds except generous "bounded" ones (budget + 2 s).
. "$(dirname "$0")/lib.sh"
MK="$PY $TOP/tests/tools/mkdeadline.py"

# ms_since START_NS
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# timed ARGS...: run_ea, leaving the wall time in $WALL (ms)
timed() { local s; s=$(date +%s%N); run_ea "$@"; WALL=$(ms_since "$s"); }
ids() { json_get "$OUT" "sorted(set(f['id'] for f in r['findings']))"; }

$MK oci "$T/r96" random $((96 << 20)) >/dev/null
$MK oci "$T/g1" sparse $((1 << 30)) >/dev/null
$MK oci "$T/gz" random $((32 << 20)) gzip >/dev/null
$MK legacy "$T/l32k.tar" 32000

# (a) a 96 MiB layer under a 30 ms budget: stopped in flight, incomplete.
timed images --no-config --store "oci:$T/r96" --budget-ms 30
got=$(json_get "$OUT" "(r['verdict'], r['interrupted']['reason'], 'audit.interrupted' in [f['id'] for f in r['findings']], r['images'][0]['verdict'], r['images'][0]['layers'][0]['blob'], any('stopped (budget or signal) after' in u['reason'] for u in r['unchecked']))" 2>&1)
want="('incomplete', 'budget', True, 'incomplete', 'interrupted', True)"
[ $RC -eq 3 ] && [ "$got" = "$want" ] && [ "$WALL" -le 2030 ] &&
	ok "96 MiB layer, --budget-ms 30: stopped in flight (${WALL} ms), audit.interrupted, incomplete, exit 3" ||
	not_ok "96 MiB layer under --budget-ms 30" "rc=$RC wall=${WALL}ms" "got  $got" "want $want"

# (b) the control: no budget, the same layer passes.
timed images --no-config --store "oci:$T/r96"
[ $RC -eq 0 ] && [ "$(json_get "$OUT" "(r['verdict'], r['interrupted'])")" = "('pass', None)" ] &&
	ok "96 MiB layer, no budget: pass (${WALL} ms)" || not_ok "96 MiB control" "rc=$RC $(ids)"

# (c) a 1 GiB layer (sparse) under --budget-ms 100: the overshoot.
timed images --no-config --store "oci:$T/g1" --budget-ms 100
echo "# overshoot $((WALL - 100)) ms (1 GiB layer, --budget-ms 100, wall clock incl. exec and report; duration_ms $(json_get "$OUT" "r['duration_ms']"))"
[ $RC -eq 3 ] && [ "$(json_get "$OUT" "(r['verdict'], r['images'][0]['layers'][0]['blob'])")" = "('incomplete', 'interrupted')" ] &&
	[ "$WALL" -le 2100 ] && ok "1 GiB layer, --budget-ms 100: exit 3, ends within budget + 2 s" ||
	not_ok "1 GiB layer under --budget-ms 100" "rc=$RC wall=${WALL}ms $(ids)"

# ... and the same stop inside the gzip inflater (a 32 MiB random gzip layer).
timed images --no-config --store "oci:$T/gz" --budget-ms 10
[ $RC -eq 3 ] && [ "$(json_get "$OUT" "(r['verdict'], r['images'][0]['layers'][0]['blob'], r['images'][0]['layers'][0]['diff_id_check'])")" = "('incomplete', 'interrupted', 'unchecked')" ] &&
	[ "$WALL" -le 2010 ] && ok "gzip layer, --budget-ms 10: stopped while inflating (${WALL} ms), diffID unchecked, exit 3" ||
	not_ok "gzip layer under --budget-ms 10" "rc=$RC wall=${WALL}ms $(ids)"
run_ea images --no-config --store "oci:$T/gz"
[ $RC -eq 0 ] && ok "gzip layer, no budget: pass" || not_ok "gzip control" "rc=$RC $(ids)"

# (d) a legacy docker-archive listing 32,000 missing layers.
timed images --no-config --store "docker-archive:$T/l32k.tar" --budget-ms 3000
{ [ $RC -eq 1 ] || [ $RC -eq 3 ]; } && [ "$WALL" -le 5000 ] &&
	ok "32,000 missing layers, --budget-ms 3000: ends within budget + 2 s (${WALL} ms), exit $RC" ||
	not_ok "32,000 layers under --budget-ms 3000" "rc=$RC wall=${WALL}ms"
timed images --no-config --store "docker-archive:$T/l32k.tar"
echo "# 32,000 missing layers without a budget: ${WALL} ms (the layer cache is a hash table; it was 83 s)"
got=$(json_get "$OUT" "(r['verdict'], r['summary']['high'], r['summary']['unlisted'])")
[ $RC -eq 1 ] && [ "$got" = "('fail', 32000, 12000)" ] && [ "$WALL" -le 30000 ] &&
	ok "32,000 missing layers, no budget: every layer judged (32,000 blob.missing), bounded time" ||
	not_ok "32,000 layers without budget" "rc=$RC wall=${WALL}ms got $got"
timed images --no-config --store "docker-archive:$T/l32k.tar" --budget-ms 1
got=$(json_get "$OUT" "(r['verdict'], [u['part'] for u in r['unchecked']][:1])")
[ $RC -eq 3 ] && [[ "$got" == "('incomplete', ['"*"docker-archive:$T/l32k.tar"* ]] &&
	ok "32,000 missing layers, --budget-ms 1: what was left is unchecked, exit 3" ||
	not_ok "32,000 layers under --budget-ms 1" "rc=$RC got $got"

# (e) SIGTERM 200 ms into a long run (two passes over the 1 GiB layer):
# ends within 1 s of the signal, the report written, incomplete.
for sig in TERM INT; do
	rm -f "$T/sig.json"
	# job control on: a background job of a script starts with SIGINT
	# ignored, and edgeaudit keeps a signal ignored at start ignored
	set -m
	"$EA" images --no-config --jobs 1 --store "oci:$T/g1" --store "oci:$T/g1/" --out "$T/sig.json" 2>"$T/sig.err" &
	pid=$!
	set +m
	sleep 0.2
	s=$(date +%s%N)
	kill -$sig $pid
	wait $pid
	rc=$?
	after=$(ms_since "$s")
	got=$(json_get "$(cat "$T/sig.json" 2>/dev/null)" "(r['verdict'], r['interrupted']['reason'], r['interrupted']['detail'], 'audit.interrupted' in [f['id'] for f in r['findings']])" 2>&1)
	want="('incomplete', 'signal', 'SIG$sig', True)"
	[ $rc -eq 3 ] && [ "$got" = "$want" ] && [ "$after" -le 1000 ] &&
		ok "SIG$sig 200 ms into hashing 1 GiB: ended ${after} ms after the signal, report written, incomplete" ||
		not_ok "SIG$sig in flight" "rc=$rc after=${after}ms" "got  $got" "want $want" "$(head -c 500 "$T/sig.err")"
done
check "the interrupted report validates against the schema" validate_report "$T/sig.json"
rm -f "$T/sig2.json"
"$EA" images --no-config --store "docker-archive:$T/l32k.tar" --out "$T/sig2.json" 2>/dev/null &
pid=$!
sleep 0.2
s=$(date +%s%N)
kill -TERM $pid
wait $pid
rc=$?
after=$(ms_since "$s")
{ [ $rc -eq 1 ] || [ $rc -eq 3 ]; } && [ "$after" -le 1000 ] &&
	[ "$(json_get "$(cat "$T/sig2.json")" "r['interrupted']['reason'] if r['interrupted'] else 'done before the signal'")" != "" ] &&
	ok "SIGTERM during the 32,000-layer archive: ended ${after} ms after it, report written (exit $rc)" ||
	not_ok "SIGTERM during the 32,000-layer archive" "rc=$rc after=${after}ms"

# (f) an 8 GiB sparse blob whose descriptor says another size: a finding, not read.
$MK oci "$T/s8" random 65536 >"$T/s8.digest"
L=$(cat "$T/s8.digest")
truncate -s 8G "$T/s8/blobs/sha256/${L#sha256:}"
timed images --no-config --store "oci:$T/s8"
got=$(json_get "$OUT" "(r['verdict'], [f['id'] for f in r['findings'] if f['subject']=='$L'], any('content not read' in f['message'] for f in r['findings']), r['images'][0]['layers'][0]['blob'])")
want="('fail', ['blob.size_mismatch'], True, 'size_mismatch')"
[ $RC -eq 1 ] && [ "$got" = "$want" ] && [ "$WALL" -le 5000 ] &&
	ok "8 GiB sparse blob behind a 65 KiB descriptor: blob.size_mismatch, not read (${WALL} ms), exit 1" ||
	not_ok "8 GiB size mismatch" "rc=$RC wall=${WALL}ms" "got  $got" "want $want"
