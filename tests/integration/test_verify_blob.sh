#!/usr/bin/env bash
# verify-blob: files and their detached sigstore signatures, with cosign
# verify-blob's flags.  Producers: @sigstore/sign with an openssl TSA and a
# local Rekor as witnesses, openssl keys and signatures
# (tests/sigstore/blob_fixtures.js); the published blob bundles of the
# sigstore conformance suite over a.txt; a 1 GiB sparse file hashed as a
# stream (peak RSS measured).  edgeaudit is run directly (the report
# baseline predates the command), each report checked against the schema
# and issue 12's invariant.
. "$(dirname "$0")/lib.sh"

vb() { # ARGS...: $OUT $ERR $RC
	OUT=$("$EA" verify-blob --no-config "$@" 2>"$T/stderr"); RC=$?; ERR=$(cat "$T/stderr")
	report_invariant verify-blob "$@"
}
want() { # NAME RC [FINDING] -- ARGS...
	local name=$1 rc=$2 fid=${3:-}
	shift 4 # NAME RC FINDING --
	vb "$@"
	if [ "$RC" -ne "$rc" ]; then not_ok "verify-blob: $name exits $rc" "got $RC" "${ERR:0:300}" "${OUT:0:800}"; return 1; fi
	if [ -n "$fid" ] && [ "$fid" != - ] && ! printf '%s' "$OUT" | grep -q "\"id\":\"$fid\""; then
		not_ok "verify-blob: $name reports $fid" "${OUT:0:800}"; return 1
	fi
	if [ "$rc" -ne 2 ]; then
		printf '%s' "$OUT" >"$T/r.json"
		validate_report "$T/r.json" >"$T/v.log" 2>&1 || { not_ok "verify-blob: $name report valid" "$(cat "$T/v.log")"; return 1; }
	fi
	[ "$fid" = - ] && fid=""
	ok "verify-blob: $name (exit $rc${fid:+ $fid})"
}

# ---------------------------------------------------------------- usage
echo hello >"$T/f"
want "no file" 2 "" -- --bundle "$T/f" --key "$T/f"
want "both --bundle and --signature" 2 "" -- "$T/f" --bundle "$T/f" --signature "$T/f" --key "$T/f"
want "--certificate without --signature" 2 "" -- "$T/f" --bundle "$T/f" --certificate "$T/f" --key "$T/f"
want "an identity needs --trusted-root (no TUF offline)" 2 "" -- "$T/f" --bundle "$T/f" \
	--certificate-identity a --certificate-oidc-issuer b
want "identity without an issuer" 2 "" -- "$T/f" --bundle "$T/f" --trusted-root "$T/f" --certificate-identity a
want "--key with an identity" 2 "" -- "$T/f" --bundle "$T/f" --key "$T/f" --certificate-identity a \
	--certificate-oidc-issuer b
want "two files" 2 "" -- "$T/f" "$T/f" --bundle "$T/f" --key "$T/f"

if ! command -v node >/dev/null || ! command -v openssl >/dev/null; then
	skip "verify-blob: producers" "node or openssl missing"
	exit 0
fi
if [ ! -d "$TOP/tests/node_modules/@sigstore/sign" ]; then
	skip "verify-blob: producers" "tests/node_modules lacks @sigstore/sign (npm install: see .ci/run)"
	exit 0
fi
FX=$T/fx
if ! NODE_PATH=$TOP/tests/node_modules node "$TOP/tests/sigstore/blob_fixtures.js" "$FX" >"$T/fx.log" 2>&1; then
	not_ok "verify-blob: fixtures generated" "$(tail -n 20 "$T/fx.log")"
	exit 0
fi
ok "verify-blob: fixtures generated ($(wc -l <"$FX/cases.tsv") cases)"

# the policies (tlogThreshold, timestampThreshold) against the schema
check "verify-blob: policies valid against tests/policy.schema.json" "$PY" - "$TOP/tests/policy.schema.json" "$FX/policies" <<'PYEOF'
import glob, json, sys, jsonschema
v = jsonschema.Draft7Validator(json.load(open(sys.argv[1])))
bad = [(f, e.message) for f in sorted(glob.glob(sys.argv[2] + "/*.json")) for e in v.iter_errors(json.load(open(f)))]
doc = {"schema": "edgeaudit/signature-policy/v1", "images": [{"names": ["*"], "require": False, "tlogThreshold": 9}]}
if not list(v.iter_errors(doc)): bad.append("schema accepts tlogThreshold 9")
print(bad); sys.exit(1 if bad else 0)
PYEOF

# ---------------------------------------------------------------- the matrix
cd "$FX" || exit 1
while IFS=$'\t' read -r name rc fid args; do
	IFS=$'\t' read -r -a A <<<"$args"
	want "$name" "$rc" "$fid" -- "${A[@]}"
done <cases.tsv

# the skipped timestamp is listed, the good one is the signing time
skipped_listed() {
	vb fw.bin --bundle b/ts-good-and-other.json --policy policies/tsa-only.json
	printf '%s' "$OUT" | $PY -c '
import json, sys
s = json.load(sys.stdin)["blobs"][0]["signatures"][0]
assert s["verified"] and s.get("signed_at"), s
assert s.get("timestamps_skipped", "").startswith("#1 signature.tlog_mismatch"), s'
}
check "verify-blob: a skipped timestamp is listed (timestamps_skipped)" skipped_listed
# shellcheck disable=SC1003 # a trailing backslash, on purpose
for re in '\d+' '(?i)ci' 'x\'; do
	want "RE2-only regexp $re is a usage error, never a looser match" 2 "" -- fw.bin --bundle b/tlog-and-other-ts.json \
		--trusted-root trusted_root.json --certificate-identity-regexp "$re" --certificate-oidc-issuer https://issuer.example
done
text_form() {
	vb fw.bin --bundle b/p384-key.json --key pki/p384.pub --format text
	[ "$RC" -eq 0 ] && printf '%s\n' "$OUT" | grep -qx 'blob fw.bin: signature verified, key:key' || { echo "$OUT"; return 1; }
	vb other.bin --bundle b/p384-key.json --key pki/p384.pub --format text
	[ "$RC" -eq 1 ] && printf '%s\n' "$OUT" | grep -qx 'blob other.bin: signature NOT verified' || { echo "$OUT"; return 1; }
}
check "verify-blob: --format text names the blob and its verdict" text_form

# ---------------------------------------------------------------- Ed25519 keys
# Pure Ed25519 signs the file's bytes (openssl pkeyutl -rawin, as cosign
# sign-blob with an Ed25519 key): verified in a second streamed pass over
# the file; another file's signature, or another key, is refused.
openssl genpkey -algorithm ed25519 -out "$T/ed.key" 2>/dev/null
openssl pkey -in "$T/ed.key" -pubout -out "$T/ed.pub" 2>/dev/null
openssl genpkey -algorithm ed25519 2>/dev/null | openssl pkey -pubout -out "$T/ed2.pub" 2>/dev/null
openssl pkeyutl -sign -rawin -inkey "$T/ed.key" -in fw.bin -out "$T/ed.sig.der" 2>/dev/null
base64 -w0 "$T/ed.sig.der" >"$T/ed.sig"
ed_ok() {
	vb fw.bin --signature "$T/ed.sig" --key "$T/ed.pub"
	[ "$RC" -eq 0 ] || { echo "rc $RC ${OUT:0:400}"; return 1; }
}
check "verify-blob: an Ed25519 key's signature over the file verifies (exit 0)" ed_ok
ed_other() {
	vb other.bin --signature "$T/ed.sig" --key "$T/ed.pub"
	[ "$RC" -eq 1 ] || { echo "another file: rc $RC ${OUT:0:300}"; return 1; }
	vb fw.bin --signature "$T/ed.sig" --key "$T/ed2.pub"
	[ "$RC" -eq 1 ] || { echo "another key: rc $RC ${OUT:0:300}"; return 1; }
}
check "verify-blob: an Ed25519 signature over another file, or by another key, is refused (exit 1)" ed_other

# ---------------------------------------------------------------- a FIFO, a folder
mkfifo "$T/fifo"
want "a FIFO is refused, never waited on" 1 store.special_file -- "$T/fifo" --signature sig/p256.sig --key pki/p256.pub
want "a folder is refused" 1 store.special_file -- "$T" --signature sig/p256.sig --key pki/p256.pub

# ---------------------------------------------------------------- size
# A 1 GiB sparse file: hashed as a stream; peak RSS stays small (< 16 MiB).
large() {
	truncate -s 1G "$T/big" || return 1
	printf 'tail' >>"$T/big"
	openssl dgst -sha256 -sign pki/p256.key -out "$T/big.der" "$T/big" || return 1
	base64 -w0 "$T/big.der" >"$T/big.sig"
	NODE_PATH=$TOP/tests/node_modules node "$TOP/tests/sigstore/blob_fixtures.js" --large "$T/big" pki/p256.key "$T/big.bundle.json" || return 1
	local rss rc
	for how in "--signature $T/big.sig" "--bundle $T/big.bundle.json"; do
		# shellcheck disable=SC2086
		/usr/bin/time -f %M -o "$T/rss" "$EA" verify-blob --no-config "$T/big" $how --key pki/p256.pub >"$T/big.json"
		rc=$?; rss=$(tail -n 1 "$T/rss")
		RSS="$RSS ${how%% *}:${rss}KiB"
		[ "$rc" -eq 0 ] && [ "$rss" -lt 16384 ] || { echo "$how: exit $rc, peak RSS $rss KiB"; return 1; }
		grep -q '"size":1073741828' "$T/big.json" || return 1
	done
}
RSS=""
if [ ! -x /usr/bin/time ]; then skip "verify-blob: 1 GiB file" "/usr/bin/time missing"
elif large >"$T/large.log" 2>&1; then ok "verify-blob: a 1 GiB file, streamed, peak RSS < 16 MiB ($RSS)"
else not_ok "verify-blob: a 1 GiB file, streamed" "$(tail -n 5 "$T/large.log")"; fi
rm -f "$T/big"

# ---------------------------------------------------------------- published bundles
# The conformance suite's bundle-verify cases are blob bundles over a.txt:
# every one, Rekor v2 (Ed25519 checkpoints) included, passes or fails as
# the suite says through the command a technician runs.
CONF=$SHARED/cosign/sigstore-conformance/bundle-verify
if [ ! -d "$CONF" ]; then
	skip "verify-blob: conformance bundles" "$CONF absent"
	exit 0
fi
DEF_ID=https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main
DEF_ISS=https://token.actions.githubusercontent.com
n=0 bad=0
for d in "$CONF"/*/; do
	c=$(basename "$d")
	[ -f "$d/bundle.sigstore.json" ] || continue
	art=$CONF/a.txt; [ -f "$d/artifact" ] && art=$d/artifact
	tr=$SHARED/cosign/root-signing/trusted_root.json; [ -f "$d/trusted_root.json" ] && tr=$d/trusted_root.json
	if [ -f "$d/key.pub" ]; then args=(--key "$d/key.pub" --trusted-root "$tr")
	else
		id=$DEF_ID iss=$DEF_ISS
		[ -f "$d/identity" ] && id=$(cat "$d/identity")
		[ -f "$d/issuer" ] && iss=$(cat "$d/issuer")
		args=(--trusted-root "$tr" --certificate-identity "$id" --certificate-oidc-issuer "$iss")
	fi
	vb "$art" --bundle "$d/bundle.sigstore.json" "${args[@]}"
	n=$((n + 1))
	case $c in
	# refused (1), a trusted root refused (2), or an unknown bundle version
	# (3: cannot be checked); never verified
	*_fail) [ "$RC" -eq 1 ] || [ "$RC" -eq 2 ] || { [ "$RC" -eq 3 ] && printf '%s' "$OUT" | grep -q '"signature.unsupported_'; } ||
		{ bad=$((bad + 1)); echo "# $c: must fail, exit $RC"; } ;;
	*) [ "$RC" -eq 0 ] || { bad=$((bad + 1)); echo "# $c: must verify, exit $RC ${OUT:0:300}"; } ;;
	esac
done
[ "$bad" -eq 0 ] && ok "verify-blob: $n conformance blob bundles (Rekor v1 and v2) pass or fail as the suite says" ||
	not_ok "verify-blob: conformance blob bundles" "$bad of $n wrong"
