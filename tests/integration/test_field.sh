#!/usr/bin/env bash
# Field and boot use (issue 7): the config file, the budget and the stop
# signals, progress, --log kmsg|syslog, signed reports, and the text report
# on an 80x24 terminal (tmux).  No wall-clock thresholds except the budget's
# generous "ends near the budget" and hard timeouts against hangs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

ROOT=0; [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && ROOT=1
# wait_for FILE REGEX SECONDS: until FILE has a line matching REGEX.
wait_for() {
	local i=0
	while [ $i -lt $(($3 * 10)) ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

# ---------------------------------------------------------------- help texts
wide=""
for c in audit images proc verify report config baseline; do
	n=$("$EA" "$c" --help | awk 'length($0) > 80' | wc -l)
	[ "$n" -eq 0 ] || wide="$wide $c"
done
[ -z "$wide" ] && ok "every command's --help fits 80 columns" || not_ok "help wider than 80 columns" "$wide"

# ---------------------------------------------------------------- config
cat >"$T/good.json" <<'EOF'
{
  "comment": "precedence test",
  "format": "text",
  "fail_on": "info",
  "no_proc": true,
  "store": ["/nonexistent/store-a"]
}
EOF
run_ea config check --config "$T/good.json"
[ $RC -eq 0 ] && [[ "$OUT" == *"good.json: warning: store[0]: /nonexistent/store-a: No such file or directory"* || "$OUT" == *"good.json:6:13: warning: store[0]"* ]] &&
	[[ "$OUT" == *"good.json: ok (4 settings)" ]] && ok "config check: valid (exit 0), a missing store is a warning with its line" || not_ok "config check valid" "rc=$RC $OUT"
printf '{\n  "format": "text",\n  "fail-on": "high",\n  "jobs": 2,\n}\n' >"$T/bad.json"
run_ea config check "$T/bad.json"
[ $RC -eq 2 ] && [[ "$OUT" == *"bad.json:5:1: JSON syntax: a comma before } (JSON allows no trailing comma)"* ]] &&
	ok "config check: a syntax error is FILE:LINE:COLUMN with the reason (exit 2)" || not_ok "config check syntax" "rc=$RC $OUT"
printf '{\n  "format": "text",\n  "fail-on": "high"\n}\n' >"$T/bad2.json"
run_ea audit --config "$T/bad2.json"
[ $RC -eq 2 ] && [[ "$ERR" == *"bad2.json:3:3: unknown key \"fail-on\" (did you mean \"fail_on\"?)"* ]] && [ -z "$OUT" ] &&
	ok "audit with a bad config: exit 2, the error names line and column, no report" || not_ok "audit bad config" "rc=$RC $ERR"
run_ea audit --config "$T/none.json"
[ $RC -eq 2 ] && [[ "$ERR" == *"none.json"*"No such file"* ]] && ok "--config FILE that does not exist: exit 2" || not_ok "--config missing" "rc=$RC $ERR"
mkfifo "$T/fifo.json"
out=$(timeout 10 "$EA" config check --config "$T/fifo.json" 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$out" == *"not a regular file"* ]] && ok "a FIFO as config: refused at once, no hang" || not_ok "config FIFO" "rc=$rc $out"

# Precedence: options, then config, then defaults.
run_ea audit --config "$T/good.json"
[ $RC -eq 1 ] && [[ "$OUT" == "edgeaudit "* ]] && [[ "$OUT" == *"VERDICT: FAIL (exit 1)"* ]] && [[ "$OUT" == *store-a* ]] &&
	ok "config applies: text format, fail_on info (exit 1), its store" || not_ok "config applies" "rc=$RC ${OUT:0:300}"
run_ea audit --config "$T/good.json" --format json --fail-on high --store /nonexistent/store-b
v=$(json_get "$OUT" '(r["fail_on"], [s for s in r["findings"] if "store-a" in s["subject"]] == [], any("store-b" in f["subject"] for f in r["findings"]), "proc" not in r["checked"] and all(u["part"] != "proc" for u in r["unchecked"]))' 2>&1)
[ $RC -eq 3 ] && [ "$v" = "('high', True, True, True)" ] && ok "options win over the config (format, fail-on, the whole store list); the rest of the config stays (no_proc)" ||
	not_ok "precedence" "rc=$RC $v"
if [ $ROOT = 1 ]; then
	# The default path, /etc/edgeaudit/config.json, in a private /etc.
	o=$(unshare --mount --fork sh -c "mount -t tmpfs none /etc && mkdir /etc/edgeaudit && cp '$T/good.json' /etc/edgeaudit/config.json &&
		'$EA' audit; echo rc=\$?; '$EA' audit --no-config --no-proc --store /nonexistent/store-c; echo rc=\$?; '$EA' config check" 2>&1)
	[[ "$o" == *"VERDICT: FAIL (exit 1)"*"rc=1"*'"verdict":"incomplete"'*"rc=3"*"/etc/edgeaudit/config.json: ok (4 settings)"* ]] &&
		ok "the default /etc/edgeaudit/config.json is read; --no-config ignores it; config check takes it" || not_ok "default config path" "$o"
else
	skip "default config path" "needs root and unshare"
fi
# Every verdict of config check agrees with the JSON Schema.
i=0 disagree=""
for c in '{"format":"text"}' '{"fail-on":"high"}' '{"jobs":0}' '{"jobs":64}' '{"store":["bogus:/x"]}' '{"store":["oci:/x","/y"]}' \
	'{"store":"oci:/x"}' '{"no_proc":true,"no_stores":true}' '{"no_proc":true}' '{"format":"yaml"}' '{"budget_ms":-1}' \
	'{"budget_ms":1.5}' '{"progress":"yes"}' '{"log":"kmsg"}' '{"log":"journal"}' '{"sign_key":""}' '{"$schema":"x","comment":"y"}'; do
	i=$((i + 1)); printf '%s\n' "$c" >"$T/s$i.json"
	"$EA" config check "$T/s$i.json" >/dev/null 2>&1; a=$?
	$PY - "$TOP/board/config.schema.json" "$T/s$i.json" <<'PYEOF'
import json, sys, jsonschema
try:
    jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1]))); sys.exit(0)
except jsonschema.ValidationError:
    sys.exit(2)
PYEOF
	[ $? -eq $a ] || disagree="$disagree $c"
done
[ -z "$disagree" ] && ok "config check and board/config.schema.json agree on $i configs" || not_ok "config check vs schema" "$disagree"

# ---------------------------------------------------------------- budget
# A store too large for the budget: 64 uncompressed layers of 64 MiB (sparse
# files, digests computed by the generator), verified one blob at a time.
$PY "$TOP/tests/boot/mkbigstore.py" "$T/big" 64 64
base_layout
fresh "$T/small"
budget=500 margin=2500
start=$(date +%s%N)
run_ea images --no-config --store "oci:$T/big" --store "oci:$T/small" --jobs 1 --budget-ms $budget --out "$T/budget.json"
wall=$((($(date +%s%N) - start) / 1000000))
got=$(json_get "$(cat "$T/budget.json")" '(r["verdict"], r["interrupted"]["reason"], r["interrupted"]["detail"], r["duration_ms"] <= '$((budget + margin))', any(u["part"].endswith("blobs of oci:'"$T/big"'") for u in r["unchecked"]), any(u["part"] == "store oci:'"$T/small"'" and "budget of '$budget' ms" in u["reason"] for u in r["unchecked"]), [f["id"] for f in r["findings"] if f["subject"] == "store oci:'"$T/small"'"])' 2>&1)
want="('incomplete', 'budget', 'budget of $budget ms spent', True, True, True, ['audit.interrupted'])"
if [ $RC -eq 3 ] && [ "$got" = "$want" ] && [ $wall -le $((budget + margin)) ]; then
	ok "budget: a store too large for --budget-ms $budget ends near the budget (${wall} ms), incomplete, exit 3, what was left named"
else
	not_ok "budget" "rc=$RC wall=${wall}ms" "got  $got" "want $want"
fi
check "budget: the interrupted report validates against the schema" validate_report "$T/budget.json"
run_ea audit --no-config --store "oci:$T/big" --jobs 1 --budget-ms 300 --format text
[ $RC -eq 3 ] && [[ "$OUT" == *"INTERRUPTED: budget of 300 ms spent; work left is listed as not checked"* ]] &&
	[[ "$OUT" == *"not checked: proc: the budget of 300 ms was spent before it started"* ]] &&
	ok "budget: audit stops before /proc, the text says INTERRUPTED under the verdict" || not_ok "budget text" "rc=$RC" "$OUT"
# The same store without a budget passes: the budget, not the store, made it incomplete.
run_ea images --no-config --store "oci:$T/big" --store "oci:$T/small"
[ $RC -eq 0 ] && [ "$(json_get "$OUT" 'r["verdict"], r["interrupted"]')" = "pass None" ] && ok "without a budget the same stores pass (interrupted: null)" ||
	not_ok "no budget" "rc=$RC $(json_get "$OUT" 'r["verdict"], r["unchecked"]')"

# ---------------------------------------------------------------- signals
# SIGTERM mid-run (after the first progress line: a second into the big
# store): the report file is whole, valid, marked interrupted, names the rest.
echo previous >"$T/term.json"
"$EA" images --no-config --store "oci:$T/big" --store "oci:$T/small" --jobs 1 --progress --out "$T/term.json" 2>"$T/term.err" &
pid=$!
if wait_for "$T/term.err" '^edgeaudit: [0-9]+ s: ' 30; then
	kill -TERM $pid
	timeout 60 tail --pid=$pid -f /dev/null; wait $pid; rc=$?
	left=$(find "$T" -maxdepth 1 -name '.term.json.tmp*' | wc -l)
	got=$(json_get "$(cat "$T/term.json")" '(r["verdict"], r["interrupted"]["reason"], r["interrupted"]["detail"], any(u["part"] == "store oci:'"$T/small"'" and u["reason"] == "SIGTERM came before it started" for u in r["unchecked"]))' 2>&1)
	[ $rc -eq 3 ] && [ "$got" = "('incomplete', 'signal', 'SIGTERM', True)" ] && [ "$left" -eq 0 ] && validate_report "$T/term.json" >/dev/null &&
		ok "SIGTERM mid-run: exit 3, the report is whole and valid, marked interrupted (SIGTERM), names the store not started" ||
		not_ok "SIGTERM" "rc=$rc left=$left $got" "$(head -c 300 "$T/term.json")"
	# The progress lines it printed meanwhile.
	bad=$(grep -vcE '^edgeaudit: [0-9]+ s: store [0-9]+/2 oci:.* \([0-9]+ findings so far\)$' "$T/term.err" || true)
	long=$(awk 'length($0) > 80' "$T/term.err" | wc -l)
	ctl=$(LC_ALL=C grep -c $'[\r\033]' "$T/term.err" || true)
	incr=$(sed -n 's/^edgeaudit: \([0-9]*\) s: .*/\1/p' "$T/term.err" | awk 'NR > 1 && $1 <= p { bad = 1 } { p = $1 } END { print bad ? "no" : "yes" }')
	[ "$bad" -eq 0 ] && [ "$long" -eq 0 ] && [ "$ctl" -eq 0 ] && [ "$incr" = yes ] &&
		ok "--progress: plain lines, <= 80 columns, no CR or escape, at most one per second ($(wc -l <"$T/term.err") lines)" ||
		not_ok "progress lines" "bad=$bad long=$long ctl=$ctl increasing=$incr" "$(head -n 5 "$T/term.err")"
else
	kill $pid 2>/dev/null; wait $pid
	not_ok "SIGTERM mid-run" "no progress line within 30 s" "$(cat "$T/term.err")"
fi
# SIGINT (Ctrl-C at the console) likewise.  A job started with & by a
# script has SIGINT ignored (and edgeaudit keeps an ignored signal ignored):
# start it with the default disposition, as a terminal's foreground job has.
# (Only behind &: exec keeps $! the edgeaudit process.)
with_sigint() { exec $PY -c 'import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' "$@"; }
with_sigint "$EA" images --no-config --store "oci:$T/big" --jobs 1 --progress --out "$T/int.json" 2>"$T/int.err" &
pid=$!
wait_for "$T/int.err" '^edgeaudit: ' 30; kill -INT $pid; wait $pid; rc=$?
[ $rc -eq 3 ] && [ "$(json_get "$(cat "$T/int.json")" 'r["interrupted"]["detail"]')" = SIGINT ] && ok "SIGINT mid-run: exit 3, report marked interrupted (SIGINT)" || not_ok "SIGINT" "rc=$rc"
# A second signal ends it at once; the report file keeps its old content.
# (Stopped with SIGSTOP so that both signals are pending when it resumes.)
echo previous >"$T/twice.json"
with_sigint "$EA" images --no-config --store "oci:$T/big" --jobs 1 --progress --out "$T/twice.json" 2>"$T/twice.err" &
pid=$!
wait_for "$T/twice.err" '^edgeaudit: ' 30; kill -STOP $pid; kill -TERM $pid; kill -INT $pid; kill -CONT $pid
wait $pid; rc=$?
[ $rc -ge 129 ] && [ "$(cat "$T/twice.json")" = previous ] && ok "a second signal ends edgeaudit at once (exit $rc); the old report file is untouched" || not_ok "second signal" "rc=$rc $(head -c 100 "$T/twice.json")"
# Without --progress and with stderr not a terminal: silence.
run_ea images --no-config --store "oci:$T/big" --jobs 1 --budget-ms 1500
[ -z "$ERR" ] && ok "no progress lines when stderr is not a terminal (default)" || not_ok "progress default off" "$ERR"
# A SIGHUP ignored on entry (nohup) stays ignored.
(trap '' HUP; exec "$EA" images --no-config --store "oci:$T/small" --store "oci:$T/big" --progress --out "$T/hup.json" 2>"$T/hup.err") &
pid=$!
wait_for "$T/hup.err" '^edgeaudit: ' 30; kill -HUP $pid; wait $pid; rc=$?
[ $rc -eq 0 ] && [ "$(json_get "$(cat "$T/hup.json")" 'r["interrupted"]')" = None ] && ok "SIGHUP ignored on entry (nohup) stays ignored: the audit completes" || not_ok "nohup" "rc=$rc"

# ---------------------------------------------------------------- --log kmsg|syslog
fresh "$T/tampered"
layer=$(info_get "$T/tampered" "['layers'][0]")
printf 'X' | dd of="$T/tampered/blobs/sha256/${layer#sha256:}" bs=1 seek=100 conv=notrunc 2>/dev/null
if [ $ROOT = 1 ]; then
	: >"$T/kmsg"
	o=$(unshare --mount --fork sh -c "mount --bind '$T/kmsg' /dev/kmsg && exec '$EA' images --no-config --store 'oci:$T/tampered' --log kmsg --out '$T/k.json'" 2>&1); rc=$?
	if [ $rc -eq 1 ] && grep -qx "<11>edgeaudit: verdict FAIL (exit 1): 1 critical, [0-9]* high, 0 medium, 0 low, [0-9]* info; report $T/k.json" "$T/kmsg" &&
		grep -q "^<11>edgeaudit: CRIT blob.digest_mismatch $layer: " "$T/kmsg" && [ "$(wc -l <"$T/kmsg")" -le 10 ] && [ -z "$o" ]; then
		ok "--log kmsg: the summary and each critical finding (naming its digest) as kernel log records, user.err"
	else
		not_ok "--log kmsg" "rc=$rc $o" "$(cat "$T/kmsg")"
	fi
	# A FIFO where /dev/kmsg should be: no hang, a warning, the verdict stands.
	mkfifo "$T/kfifo"
	o=$(timeout 20 unshare --mount --fork sh -c "mount --bind '$T/kfifo' /dev/kmsg && exec '$EA' images --no-config --store 'oci:$T/small' --log kmsg" 2>&1 >/dev/null); rc=$?
	[ $rc -eq 0 ] && [[ "$o" == *"warning: --log kmsg: /dev/kmsg"* ]] && ok "--log kmsg to a FIFO nobody reads: no hang, a warning, exit code unchanged" || not_ok "kmsg FIFO" "rc=$rc $o"
	# syslog: a datagram socket at /dev/log in a private /dev.
	cat >"$T/syslogd.py" <<'PYEOF'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
s.settimeout(10)
end, out = None, open(sys.argv[1], "w")
while True:
    try:
        m = s.recv(4096).decode()
    except socket.timeout:
        break
    out.write(m + "\n"); out.flush()
    s.settimeout(1)
PYEOF
	o=$(unshare --mount --fork sh -c "mount -t tmpfs none /dev && mknod -m 666 /dev/null c 1 3 && ($PY '$T/syslogd.py' '$T/syslog.txt' &) &&
		i=0; while [ ! -e '$T/syslog.txt.ready' ] && [ \$i -lt 100 ]; do sleep 0.1; i=\$((i+1)); done;
		'$EA' images --no-config --store 'oci:$T/tampered' --log syslog >/dev/null; echo rc=\$?; sleep 2" 2>&1)
	if [[ "$o" == *"rc=1"* ]] && grep -qE "^<11>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} edgeaudit\[[0-9]+\]: verdict FAIL \(exit 1\)" "$T/syslog.txt" &&
		grep -qE "^<11>.* edgeaudit\[[0-9]+\]: CRIT blob.digest_mismatch $layer" "$T/syslog.txt"; then
		ok "--log syslog: RFC 3164 datagrams to /dev/log, the summary and the critical finding"
	else
		not_ok "--log syslog" "$o" "$(cat "$T/syslog.txt" 2>/dev/null)"
	fi
	o=$(unshare --mount --fork sh -c "mount -t tmpfs none /dev && exec '$EA' images --no-config --store 'oci:$T/small' --log syslog" 2>&1 >/dev/null); rc=$?
	[ $rc -eq 0 ] && [[ "$o" == *"warning: --log syslog: /dev/log"* ]] && ok "--log syslog without a syslog: a warning, exit code unchanged" || not_ok "syslog missing" "rc=$rc $o"
else
	skip "--log kmsg|syslog" "needs root and unshare (private /dev)"
fi

# ---------------------------------------------------------------- signed reports
openssl ecparam -name prime256v1 -genkey -noout -out "$T/dev.pem" 2>/dev/null
openssl ec -in "$T/dev.pem" -pubout -out "$T/dev.pub" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/dev8.pem" 2>/dev/null
openssl pkey -in "$T/dev8.pem" -pubout -out "$T/dev8.pub" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$T/other.pem" 2>/dev/null
openssl ec -in "$T/other.pem" -pubout -out "$T/other.pub" 2>/dev/null
run_ea images --no-config --store "oci:$T/small" --out "$T/r.json" --sign-key "$T/dev.pem"
base64 -d "$T/r.json.sig" >"$T/r.sig.der" 2>/dev/null
if [ $RC -ne 2 ] && [ "$(wc -l <"$T/r.json.sig")" -eq 1 ] &&
	openssl dgst -sha256 -verify "$T/dev.pub" -signature "$T/r.sig.der" "$T/r.json" >/dev/null 2>&1; then
	ok "--sign-key: REPORT.sig is one base64 line that openssl dgst -sha256 -verify accepts"
else
	not_ok "--sign-key + openssl" "rc=$RC $ERR" "$(openssl dgst -sha256 -verify "$T/dev.pub" -signature "$T/r.sig.der" "$T/r.json" 2>&1)"
fi
fpr=sha256:$(openssl pkey -pubin -in "$T/dev.pub" -outform DER | sha256sum | cut -c1-64)
run_ea report verify "$T/r.json" --key "$T/dev.pub"
[ $RC -eq 0 ] && [ "$OUT" = "$T/r.json: good signature by key $fpr" ] && ok "report verify: good signature (exit 0), names the key's fingerprint" || not_ok "report verify good" "rc=$RC $OUT $ERR"
cp "$T/r.json" "$T/t.json"; cp "$T/r.json.sig" "$T/t.json.sig"
# The verdict changed to a better one, nothing else.
$PY -c 'import re, sys; p = sys.argv[1]; s = open(p).read(); v = re.search("\"verdict\":\"([a-z]+)\"", s).group(1)
open(p, "w").write(s.replace("\"verdict\":\"%s\"" % v, "\"verdict\":\"%s\"" % ("pass" if v != "pass" else "fail"), 1))' "$T/t.json"
cmp -s "$T/r.json" "$T/t.json" && echo "# t.json was not changed"
run_ea report verify "$T/t.json" --key "$T/dev.pub"
openssl dgst -sha256 -verify "$T/dev.pub" -signature "$T/r.sig.der" "$T/t.json" >/dev/null 2>&1; orc=$?
[ $RC -eq 1 ] && [[ "$OUT" == *"BAD SIGNATURE"* ]] && [ $orc -ne 0 ] && ok "a tampered report (its verdict changed) is refused: exit 1 (openssl agrees)" || not_ok "tampered report" "rc=$RC orc=$orc $OUT"
run_ea report verify "$T/r.json" --key "$T/other.pub"
[ $RC -eq 1 ] && ok "another key's public key: refused (exit 1)" || not_ok "other key" "rc=$RC $OUT"
rm -f "$T/t.json.sig"
run_ea report verify "$T/t.json" --key "$T/dev.pub"
[ $RC -eq 1 ] && [[ "$OUT" == *"NOT VERIFIED: no signature"* ]] && ok "no signature file: not verified (exit 1)" || not_ok "missing sig" "rc=$RC $OUT"
run_ea report verify "$T/r.json" --key "$T/dev.pem"
[ $RC -eq 2 ] && ok "a private key where the public key belongs: usage error (exit 2)" || not_ok "bad key" "rc=$RC $ERR"
run_ea report verify "$T/r.json"
[ $RC -eq 2 ] && ok "report verify without --key: usage error (exit 2)" || not_ok "no --key" "rc=$RC"
openssl dgst -sha256 -sign "$T/dev.pem" -out "$T/ossl.der" "$T/r.json"
run_ea report verify "$T/r.json" --key "$T/dev.pub" --signature "$T/ossl.der"
[ $RC -eq 0 ] && ok "report verify accepts openssl's raw DER signature (--signature)" || not_ok "openssl DER" "rc=$RC $OUT"
run_ea images --no-config --store "oci:$T/small" --format text --out "$T/r.txt" --sign-key "$T/dev8.pem"
run_ea report verify "$T/r.txt" --key "$T/dev8.pub"
[ $RC -eq 0 ] && ok "a PKCS#8 key signs a text report; it verifies" || not_ok "pkcs8 text" "rc=$RC $OUT $ERR"
run_ea audit --no-config --no-proc --store "oci:$T/small" --sign-key "$T/dev.pem"
[ $RC -eq 2 ] && [[ "$ERR" == *"--sign-key needs --out"* ]] && ok "--sign-key without --out: usage error (exit 2)" || not_ok "sign without out" "rc=$RC $ERR"
openssl genrsa -out "$T/rsa.pem" 2048 2>/dev/null
rm -f "$T/rsa.json" "$T/rsa.json.sig"
run_ea images --no-config --store "oci:$T/small" --out "$T/rsa.json" --sign-key "$T/rsa.pem"
[ $RC -eq 2 ] && [[ "$ERR" == *"not an EC P-256 key"* ]] && [ -s "$T/rsa.json" ] && [ ! -e "$T/rsa.json.sig" ] &&
	ok "an RSA signing key: exit 2, the report is written, no signature" || not_ok "rsa key" "rc=$RC $ERR"
if command -v strace >/dev/null; then
	strace -f -qq -e trace=open,openat,creat -o "$T/strace.log" "$EA" images --no-config --store "oci:$T/small" --out "$T/s.json" --sign-key "$T/dev.pem" >/dev/null 2>&1
	w=$(grep -E 'O_WRONLY|O_RDWR|creat\(' "$T/strace.log" | grep -v "$T/\.s\.json\.tmp\|$T/\.s\.json\.sig\.tmp" | no_san_logs || true)
	[ -z "$w" ] && ok "strace: signing opens nothing for writing but the report's and the signature's temp files" || not_ok "strace sign" "$w"
fi

# ---------------------------------------------------------------- text at 80x24
# Many findings: the summary still fits 22 lines, so on a 24-line console
# the verdict stays on screen with the command line and the next prompt.
args=()
for i in $(seq 1 30); do args+=(--store "/nonexistent/store-number-$i-with-a-rather-long-name-to-cut"); done
run_ea images --no-config "${args[@]}" --format text
long=$(printf '%s\n' "$OUT" | awk 'length($0) > 80' | wc -l)
rows=$(printf '%s\n' "$OUT" | wc -l)
[ $RC -eq 3 ] && [ "$long" -eq 0 ] && [ "$rows" -le 22 ] && printf '%s\n' "$OUT" | grep -q '^and [0-9]* more findings: see the JSON report$' &&
	ok "text: 32 findings fit 22 lines of 80 columns, the rest counted" || not_ok "text fit" "rc=$RC long=$long rows=$rows" "$OUT"
if command -v tmux >/dev/null; then
	sock=edgeaudit-test-$$
	tm() { tmux -L "$sock" "$@"; }
	printf '%s\n' "#!/bin/sh" "exec \"$EA\" images --no-config $(printf '%q ' "${args[@]}") --format text" >"$T/many.sh"
	# tmux_run TERM CMD: run CMD in a fresh 80x24 pane with TERM; the screen
	# (wrapped lines joined, escape sequences kept) lands in $T/screen.
	tmux_run() {
		tm kill-server 2>/dev/null
		tm new-session -d -x 80 -y 24 -s ea "env -i PATH=/usr/bin:/bin TERM=$1 PS1='$ ' sh"
		tm send-keys -t ea "$2; echo EXIT=\$?" Enter
		local i=0
		while [ $i -lt 200 ]; do
			tm capture-pane -t ea -p -J | grep -q '^EXIT=[0-9]' && break
			sleep 0.1; i=$((i + 1))
		done
		tm capture-pane -t ea -p -J -e >"$T/screen"
		tm capture-pane -t ea -p >"$T/screen.plain"
		tm kill-server 2>/dev/null
	}
	tmux_run dumb "sh $T/many.sh"
	wide=$(awk 'length($0) > 80' "$T/screen" | wc -l)
	if grep -q '^EXIT=3' "$T/screen" && grep -q '^VERDICT: INCOMPLETE (exit 3)$' "$T/screen.plain" && [ "$wide" -eq 0 ] && ! grep -q $'\033' "$T/screen"; then
		ok "tmux 80x24, TERM=dumb: the verdict stays on screen, no line wraps, no escape codes"
	else
		not_ok "tmux TERM=dumb" "wide=$wide" "$(cat -v "$T/screen")"
	fi
	# The same capture does see colour when the terminal has it (the check above can fail).
	tmux_run xterm-256color "$EA images --no-config --store /nonexistent/x --format text"
	grep -q $'\033\\[' "$T/screen" && grep -q '^EXIT=3' "$T/screen" && ok "tmux 80x24, TERM=xterm-256color: the verdict in colour (the capture sees escape codes)" ||
		not_ok "tmux colour control" "$(cat -v "$T/screen")"
	tmux_run xterm-256color "NO_COLOR=1 $EA images --no-config --store /nonexistent/x --format text"
	! grep -q $'\033\\[' "$T/screen" && grep -q '^EXIT=3' "$T/screen" && ok "NO_COLOR turns colour off on a colour terminal" || not_ok "NO_COLOR" "$(cat -v "$T/screen")"
	# --progress on the terminal: plain lines, nothing redrawn in place.
	tmux_run dumb "$EA images --no-config --store oci:$T/big --jobs 1 --budget-ms 2500 --progress --format text"
	n=$(grep -cE '^edgeaudit: [0-9]+ s: store 1/1 oci:' "$T/screen.plain")
	[ "$n" -ge 1 ] && grep -q '^EXIT=3' "$T/screen" && ! grep -q $'\033' "$T/screen" && ok "tmux: --progress lines are plain lines on the terminal ($n)" ||
		not_ok "tmux progress" "$(cat -v "$T/screen")"
else
	skip "text on an 80x24 terminal" "tmux is not installed"
fi

# ---------------------------------------------------------------- sanitizers
# The same paths under ASan+UBSan (leaks too): config errors, signing and
# verifying, a budget cut with progress, a signal, a log that is not there.
SAN=$OUTDIR/san/edgeaudit
if [ -x "$SAN" ]; then
	# (in the sanitizer pass its log_path stays: reports land there, read at the end)
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1:abort_on_error=0:exitcode=99
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1:exitcode=99
	san_fail=""
	san() { # WANT_RC ARGS...
		local want=$1; shift
		"$SAN" "$@" >"$T/san.out" 2>"$T/san.err"; local rc=$?
		if [ $rc -ne "$want" ] || grep -q 'Sanitizer\|runtime error' "$T/san.err"; then san_fail="$san_fail [$* -> $rc: $(head -c 300 "$T/san.err")]"; fi
	}
	san 2 config check "$T/bad.json"
	san 2 audit --config "$T/bad2.json"
	san 0 config check "$TOP/board/config.example.json"
	san 0 images --no-config --store "oci:$T/small" --out "$T/san.json" --sign-key "$T/dev.pem" --log syslog
	san 0 report verify "$T/san.json" --key "$T/dev.pub"
	san 1 report verify "$T/t.json" --key "$T/dev.pub"
	san 3 images --no-config --store "oci:$T/big" --store "oci:$T/small" --budget-ms 1200 --progress --format text
	"$SAN" images --no-config --store "oci:$T/big" --jobs 1 --progress --out "$T/san-term.json" 2>"$T/san-term.err" &
	pid=$!
	wait_for "$T/san-term.err" '^edgeaudit: ' 30; kill -TERM $pid; wait $pid; rc=$?
	{ [ $rc -eq 3 ] && ! grep -q 'Sanitizer\|runtime error' "$T/san-term.err"; } || san_fail="$san_fail [SIGTERM -> $rc]"
	[ -z "$san_fail" ] && ok "sanitizers: config errors, sign/verify, budget with progress, SIGTERM, a missing log: clean" || not_ok "sanitizers" "$san_fail"
else
	skip "sanitizers over the field paths" "$SAN not built (./build.sh test builds it)"
fi
