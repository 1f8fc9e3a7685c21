#!/usr/bin/env bash
# The CLI and report contract (issue 2): commands, options, formats, exit codes.
. "$(dirname "$0")/lib.sh"

run_ea --version
[ $RC -eq 0 ] && [[ "$OUT" == "edgeaudit $(cat "$TOP/src/VERSION")" ]] && ok "--version prints the version" || not_ok "--version prints the version" "$OUT"

for c in audit images proc verify; do
	run_ea "$c" --help
	[ $RC -eq 0 ] && [[ "$OUT" == "usage: edgeaudit $c"* ]] && ok "$c --help prints its usage" || not_ok "$c --help prints its usage" "$OUT"
done

run_ea audit --bogus
[ $RC -eq 2 ] && [[ "$ERR" == *"--bogus"* ]] && ok "an unknown option is a usage error (exit 2)" || not_ok "unknown option exit 2" "rc=$RC $ERR"
run_ea images --store bogus:/x
[ $RC -eq 2 ] && [[ "$ERR" == *"unknown store type"* ]] && ok "an unknown store type is a usage error" || not_ok "unknown store type" "rc=$RC $ERR"
run_ea audit --format yaml
[ $RC -eq 2 ] && ok "--format other than json/text is a usage error" || not_ok "--format yaml" "rc=$RC"
run_ea proc --store oci:/x
[ $RC -eq 2 ] && ok "proc does not take --store" || not_ok "proc --store" "rc=$RC"
run_ea audit --no-proc --no-stores
[ $RC -eq 2 ] && ok "--no-proc with --no-stores leaves nothing: usage error" || not_ok "--no-proc --no-stores" "rc=$RC"
run_ea verify --image x
[ $RC -eq 2 ] && ok "verify without --store is a usage error" || not_ok "verify without store" "rc=$RC"

# JSON report: one line, valid against the schema, every part of the audit run.
run_ea audit
printf '%s\n' "$OUT" >"$T/r.json"
[ "$(wc -l <"$T/r.json")" -eq 1 ] && ok "JSON report is one line" || not_ok "JSON report is one line"
check "audit's JSON report validates against tests/report.schema.json" validate_report "$T/r.json"
checked=$(json_get "$OUT" '" ".join(r["checked"])')
n_ni=$(json_get "$OUT" 'sum(1 for f in r["findings"] if f["id"]=="audit.not_implemented")')
if [[ "$checked" == *stores* ]] && [[ "$checked" == *signatures* ]] && [[ "$checked" == *proc* ]] && [ "$n_ni" -eq 0 ]; then
	ok "audit runs every part (stores, signatures, proc): nothing is reported as not implemented"
else
	not_ok "audit runs every part" "checked=$checked not_implemented=$n_ni"
fi
# A part that cannot be checked makes the verdict incomplete (exit 3), never pass.
run_ea audit --no-proc --store "oci:$T/gone"
[ $RC -eq 3 ] && [ "$(json_get "$OUT" 'r["verdict"]')" = incomplete ] && ok "a part that cannot be checked makes the verdict incomplete with exit 3" ||
	not_ok "incomplete verdict" "rc=$RC"

# --fail-on info turns the info findings into a failure (exit 1).
run_ea audit --fail-on info
[ $RC -eq 1 ] && [ "$(json_get "$OUT" 'r["verdict"]')" = fail ] && ok "--fail-on info fails on info findings (exit 1)" || not_ok "--fail-on info" "rc=$RC"

# A named store that does not exist: a finding naming it, never silence.
run_ea images --store oci:"$T/none"
sub=$(json_get "$OUT" '[f["subject"] for f in r["findings"] if f["id"]=="store.not_found"]')
[ $RC -eq 3 ] && [[ "$sub" == *"$T/none"* ]] && ok "a missing store is a store.not_found finding naming it" || not_ok "missing store" "rc=$RC $sub"

# A bare path that is no store.
mkdir -p "$T/plain"
run_ea images --store "$T/plain"
[[ "$(json_get "$OUT" '[f["id"] for f in r["findings"]]')" == *store.unknown_type* ]] && ok "a bare path that is no store is store.unknown_type" || not_ok "unknown_type" "$OUT"

# Text report: 80 columns, ASCII, no escape codes when not a terminal.
run_ea audit --format text
printf '%s\n' "$OUT" >"$T/r.txt"
long=$(awk 'length($0) > 80' "$T/r.txt" | wc -l)
nonascii=$(LC_ALL=C grep -c '[^ -~]' "$T/r.txt" || true)
if [ "$long" -eq 0 ] && [ "$nonascii" -eq 0 ] && head -n2 "$T/r.txt" | grep -q '^VERDICT: INCOMPLETE (exit 3)$'; then
	ok "text report: verdict first, <= 80 columns, plain ASCII"
else
	not_ok "text report format" "long=$long nonascii=$nonascii" "$(head -n3 "$T/r.txt")"
fi
# Under a terminal with TERM=dumb: still no escape codes.
if command -v script >/dev/null; then
	TERM=dumb script -qec "$EA audit --format text" /dev/null >"$T/tty.txt" 2>&1
	grep -q $'\033' "$T/tty.txt" && not_ok "TERM=dumb on a terminal: no escape codes" || ok "TERM=dumb on a terminal: no escape codes"
	TERM=xterm script -qec "$EA audit --format text" /dev/null >"$T/tty2.txt" 2>&1
	grep -q $'\033\[' "$T/tty2.txt" && ok "a colour terminal gets the verdict in colour" || not_ok "colour on a terminal" "$(head -c 300 "$T/tty2.txt")"
else
	skip "TERM=dumb on a terminal: no escape codes" "script(1) not installed"
fi

# --out: atomic write, no temp file left, valid JSON; unwritable folder: exit 2.
mkdir -p "$T/rep"
echo "previous" >"$T/rep/report.json"
run_ea audit --out "$T/rep/report.json"
left=$(ls -A "$T/rep" | grep -v '^report.json$' | wc -l)
[ $RC -eq 3 ] && [ -z "$OUT" ] && [ "$left" -eq 0 ] && validate_report "$T/rep/report.json" >/dev/null &&
	ok "--out replaces the file atomically and leaves no temp file" || not_ok "--out" "rc=$RC left=$left"
run_ea audit --out "$T/no/such/dir/r.json"
[ $RC -eq 2 ] && [[ "$ERR" == *"cannot write the report"* ]] && ok "--out to a missing folder: exit 2 with a message" || not_ok "--out missing folder" "rc=$RC $ERR"
# Under strace the only file opened for writing is the report's temp file.
if command -v strace >/dev/null; then
	strace -f -qq -e trace=open,openat,creat -o "$T/strace.log" "$EA" audit --out "$T/rep/r2.json" >/dev/null 2>&1
	w=$(grep -E 'O_WRONLY|O_RDWR|creat\(' "$T/strace.log" | grep -v "$T/rep/.r2.json.tmp" | no_san_logs || true)
	[ -z "$w" ] && ok "strace: nothing but the report's temp file is opened for writing" || not_ok "strace writes" "$w"
else
	skip "strace: nothing opened for writing" "strace not installed"
fi

# Empty environment, no /tmp, read-only root: chroot into an empty read-only tree.
if san_skip_static "runs static with an empty environment, no /tmp, read-only root"; then
	:
elif [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	mkdir -p "$T/root/proc" "$T/root/sbin"
	cp "$EA" "$T/root/sbin/edgeaudit"
	unshare --mount --fork sh -c "mount --bind '$T/root' '$T/root' && mount -o remount,bind,ro '$T/root' && \
		mount -t proc proc '$T/root/proc' && exec env -i "$(command -v chroot)" '$T/root' /sbin/edgeaudit audit --no-stores --format text" \
		>"$T/chroot.txt" 2>&1
	rc=$?
	[ $rc -eq 3 ] && grep -q '^VERDICT: INCOMPLETE' "$T/chroot.txt" && ok "runs static with an empty environment, no /tmp, read-only root" ||
		not_ok "empty env / ro root" "rc=$rc" "$(head -c 500 "$T/chroot.txt")"
else
	skip "empty env / ro root" "needs root and unshare"
fi
