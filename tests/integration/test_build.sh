#!/usr/bin/env bash
# The build's promises (issue 2): three truly static, stripped binaries.
. "$(dirname "$0")/lib.sh"
for t in x86_64 aarch64 armv7; do
	b="$OUTDIR/$t/edgeaudit"
	if [ ! -x "$b" ]; then not_ok "$t binary exists" "no $b"; continue; fi
	f=$(file -b "$b")
	if [[ "$f" == *"statically linked"* ]] && [[ "$f" == *stripped* ]] && [[ "$f" != *"not stripped"* ]] && ! readelf -l "$b" | grep -q INTERP; then
		ok "$t binary is static (no PT_INTERP) and stripped ($(stat -c %s "$b") bytes)"
	else
		not_ok "$t binary is static and stripped" "$f"
	fi
done
# The ARM builds run under qemu-user (smoke).
for t in aarch64:qemu-aarch64-static armv7:qemu-arm-static; do
	a=${t%%:*} q=${t#*:}
	if ! command -v "$q" >/dev/null; then skip "$a smoke run" "$q not installed"; continue; fi
	out=$("$q" "$OUTDIR/$a/edgeaudit" --version 2>&1)
	[[ "$out" == "edgeaudit $(cat "$TOP/src/VERSION")" ]] && ok "$a binary runs under $q" || not_ok "$a binary runs under $q" "$out"
	out=$("$q" "$OUTDIR/$a/edgeaudit" audit --no-stores --format text 2>&1); rc=$?
	[ $rc -eq 3 ] && [[ "$out" == *"VERDICT: INCOMPLETE"* ]] && ok "$a audit --format text runs under qemu" || not_ok "$a audit under qemu" "rc=$rc $out"
done
# Every finding id in the catalog is documented in the README.
missing=$(grep -oE '^\s*\{"[a-z]+\.[a-z_]+"' "$TOP/src/report/findings.c" | grep -oE '[a-z]+\.[a-z_]+' | while read -r id; do
	grep -q "\`$id\`" "$TOP/README.md" || echo "$id"; done)
[ -z "$missing" ] && ok "every finding id is documented in the README" || not_ok "finding ids documented" $missing
