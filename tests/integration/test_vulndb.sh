#!/usr/bin/env bash
# Known vulnerabilities (issue 16 part 3): `vulndb build` from real OSV
# records (osv.dev's exports in ../shared/testdata/osv-large: folders, the
# all.zip osv.dev publishes, and zips written by Python's zipfile, the
# writer of osv-large/make_allzip.py), `vulndb info`, `vulndb check` of this
# machine's own packages (dpkg-query) with every hit re-checked by real
# dpkg --compare-versions, and `audit --vulndb`: signature first
# (vulndb.untrusted), build date (vulndb.loaded), age (vulndb.stale),
# hostile databases and archives (bounded, named, no crash).
. "$(dirname "$0")/lib.sh"
# Every run here uses options the report baseline does not have.
unset EA_DIFF_BASE

S=$SHARED/osv-large
if [ ! -d "$S/sample" ]; then
	skip "vulndb suite" "../shared/testdata/osv-large is absent"
	exit 0
fi
openssl ecparam -name prime256v1 -genkey -noout -out "$T/key.pem" 2>/dev/null
openssl ec -in "$T/key.pem" -pubout -out "$T/pub.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$T/other.pem" 2>/dev/null
openssl ec -in "$T/other.pem" -pubout -out "$T/other.pub" 2>/dev/null
export SOURCE_DATE_EPOCH=$(date +%s)

# ---------------------------------------------------------------- build
run_ea vulndb build --osv "$S/sample" --out "$T/s.db" --sign-key "$T/key.pem"
if [ "$RC" = 3 ] && grep -q 'left out ELA-669-1: affected\[0\].ranges is not a list' <<<"$ERR" &&
	[ -s "$T/s.db" ] && [ -s "$T/s.db.sig" ]; then
	ok "build: the real samples, ELTS's malformed ELA-669-1 named and left out (exit 3), the rest written and signed"
else
	not_ok "build: real samples" "rc=$RC" "$ERR"
fi
run_ea vulndb info "$T/s.db" --key "$T/pub.pem"
n=$(find "$S/sample" -name '*.json' | wc -l)
if [ "$RC" = 0 ] && grep -q '^signature: good, key sha256:' <<<"$OUT" &&
	grep -q "^records read: $n\$" <<<"$OUT" && grep -q '^malformed: 1$' <<<"$OUT"; then
	ok "info: signature good, $n records read, 1 malformed"
else
	not_ok "info" "rc=$RC" "$OUT" "$ERR"
fi

# The same records in a zip written by Python's zipfile (deflated, and
# stored), in the folder walk's order: the same database, byte for byte.
$PY - "$S/sample" "$T/d.zip" "$T/s0.zip" <<'PY'
import os, sys, zipfile
root, out, out0 = sys.argv[1:4]
names = []
def walk(d, rel):
    for n in sorted(os.listdir(d), key=lambda s: s.encode()):
        p = os.path.join(d, n)
        if os.path.isdir(p): walk(p, rel + n + "/")
        elif n.endswith(".json"): names.append((p, rel + n))
walk(root, "")
for o, m in ((out, zipfile.ZIP_DEFLATED), (out0, zipfile.ZIP_STORED)):
    with zipfile.ZipFile(o, "w", m) as z:
        for p, a in names: z.write(p, a)
PY
run_ea vulndb build --osv "$T/d.zip" --out "$T/z.db"
rc1=$RC
run_ea vulndb build --osv "$T/s0.zip" --out "$T/z0.db"
if [ "$rc1" = 3 ] && [ "$RC" = 3 ] && cmp -s "$T/s.db" "$T/z.db" && cmp -s "$T/s.db" "$T/z0.db"; then
	ok "build: zipfile's deflated and stored all.zip give the folder's database byte for byte"
else
	not_ok "build: zip = folder" "rc=$rc1/$RC" "$(cmp "$T/s.db" "$T/z.db" 2>&1)"
fi
run_ea vulndb build --osv "$S/exact-samples/vuls-data-update-allzip/debian-all.zip" \
	--osv "$S/exact-samples/vuls-data-update-allzip/alpine-all.zip" --out "$T/a.db"
run_ea vulndb info "$T/a.db"
if grep -q '^records read: 5$' <<<"$OUT" && grep -q '^advisories: 5$' <<<"$OUT" &&
	grep -q '^signature: NOT CHECKED' <<<"$OUT"; then
	ok "build: osv.dev-format all.zip files (Go's zip writer): 5 records, 5 advisories"
else
	not_ok "build: real all.zip" "$OUT" "$ERR"
fi
run_ea vulndb build --osv "$S/sample" --ecosystem Alpine --out "$T/alp.db"
run_ea vulndb info "$T/alp.db"
if grep -q '^out of scope: [1-9]' <<<"$OUT"; then
	ok "build: --ecosystem Alpine leaves the Debian-only records out (counted)"
else
	not_ok "build: --ecosystem" "$OUT"
fi

# Hostile archives: truncated, a corrupt entry (CRC), an entry declaring
# more than it holds, not a zip at all.  Named, bounded, never a crash.
cp "$T/d.zip" "$T/crc.zip"
$PY - "$T/crc.zip" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
# the first local header's data: flip a byte in the middle of it
n, x = struct.unpack("<HH", b[26:30]); size = struct.unpack("<I", b[18:22])[0]
b[30 + n + x + size // 2] ^= 0xff
open(sys.argv[1], "wb").write(b)
PY
head -c 3000 "$T/d.zip" >"$T/trunc.zip"
printf 'PK\003\004 not really a zip' >"$T/fake.zip"
hostile_ok=1 msgs=""
for z in crc trunc fake; do
	timeout 20 "$EA" vulndb build --osv "$T/$z.zip" --out "$T/$z.db" >/dev/null 2>"$T/$z.err"
	rc=$?
	case $z:$rc in crc:3 | trunc:2 | fake:2) ;; *) hostile_ok=0 ;; esac
	msgs="$msgs $z:$rc:$(head -c 200 "$T/$z.err")"
done
if [ $hostile_ok = 1 ] && grep -q 'left out' "$T/crc.err"; then
	ok "build: hostile zips: a corrupt entry named and left out (exit 3); truncated or fake refused (exit 2)"
else
	not_ok "build: hostile zips" "$msgs"
fi

# ---------------------------------------------------------------- check
if command -v dpkg-query >/dev/null && [ -f "$S/Debian.tar.xz" ] && grep -q '^VERSION_ID="12"' /etc/os-release; then
	mkdir -p "$T/osv" && tar -xJf "$S/Debian.tar.xz" -C "$T/osv"
	# Debian:13's advisories against this Debian 12 machine's packages: most
	# of trixie's fixes are newer than bookworm's versions, so most decisions
	# carry a fixed version for real dpkg to judge.
	run_ea vulndb build --osv "$T/osv" --ecosystem Debian:13 --out "$T/d13.db" --sign-key "$T/key.pem"
	dpkg-query -W -f '${Package} ${Version} ${source:Package} ${source:Version}\n' >"$T/host.list"
	/usr/bin/time -f '%M' -o "$T/rss" "$EA" vulndb check --vulndb "$T/d13.db" --vulndb-key "$T/pub.pem" \
		--ecosystem Debian:13 --packages "$T/host.list" >"$T/hits" 2>"$T/check.err"
	rc=$?
	# every hit with a fixed version: real dpkg agrees the installed source version is older
	bad=0 n=0
	while read -r pkg ver id fixed rest; do
		fixed=${fixed#fixed=}
		[ "$fixed" = - ] && continue
		src=$(sed -n 's/.* source=[^@]*@\([^ ]*\).*/\1/p' <<<"$rest")
		n=$((n + 1))
		dpkg --compare-versions "${src:-$ver}" lt "$fixed" || { bad=$((bad + 1)); echo "$pkg $ver $id $fixed" >>"$T/bad"; }
	done <"$T/hits"
	rss=$(tail -n 1 "$T/rss")
	# the memory bound, except under ASan (its shadow memory is not ours)
	small=1; [ -z "$SAN_LOGS" ] && [ "$rss" -ge 16384 ] && small=0
	if [ "$rc" -le 1 ] && [ "$bad" = 0 ] && [ "$n" -gt 100 ] && [ $small = 1 ]; then
		ok "check: this machine's $(wc -l <"$T/host.list") packages (dpkg-query) against osv.dev's Debian:13 advisories: $(wc -l <"$T/hits") hits, dpkg --compare-versions agrees on all $n with a fix (peak RSS $rss KiB)"
	else
		not_ok "check: host packages" "rc=$rc bad=$bad n=$n rss=$rss" "$(head -5 "$T/bad" 2>/dev/null)" "$(cat "$T/check.err")"
	fi
else
	skip "check: host packages against Debian:13's advisories" "not a Debian 12 machine with dpkg-query, or no Debian.tar.xz"
fi

# Alpine 3.11.5's real package database (osv/pkgdb-samples; package,
# version, origin taken with awk: a test-only loader, the readers are
# src/pkg's) against osv.dev's Alpine export and against the set converted
# from Alpine's secdb: osv-large/README.md states both give the same 45
# findings on it; so do we, the same (package, CVE) pairs.
P=$SHARED/osv/pkgdb-samples/alpine-3.11-image/installed
if [ -f "$P" ] && [ -f "$S/Alpine.tar.xz" ] && [ -f "$S/derived/Alpine-secdb-derived.tar.xz" ]; then
	mkdir -p "$T/alp" && tar -xJf "$S/Alpine.tar.xz" -C "$T/alp" &&
		tar -xJf "$S/derived/Alpine-secdb-derived.tar.xz" -C "$T/alp"
	awk -F: '/^P:/{p=$2} /^V:/{v=substr($0,3)} /^o:/{o=$2} /^$/{if(p!="")print p, v, o; p=""} END{if(p!="")print p, v, o}' \
		"$P" >"$T/a311.list"
	for set in Alpine Alpine-secdb-derived; do
		"$EA" vulndb build --osv "$T/alp/$set" --out "$T/$set.db" --sign-key "$T/key.pem" 2>/dev/null
		"$EA" vulndb check --vulndb "$T/$set.db" --vulndb-key "$T/pub.pem" --ecosystem Alpine:v3.11 \
			--packages "$T/a311.list" 2>/dev/null | awk '{sub(/^ALPINE-/, "", $3); print $1, $3}' |
			sort >"$T/$set.pairs"
	done
	if [ "$(wc -l <"$T/Alpine.pairs")" = 45 ] && cmp -s "$T/Alpine.pairs" "$T/Alpine-secdb-derived.pairs"; then
		ok "check: Alpine 3.11.5's $(wc -l <"$T/a311.list") packages: the 45 findings the data's README states, the same from osv.dev's export and from the secdb set"
	else
		not_ok "check: Alpine 3.11.5" "$(wc -l <"$T/Alpine.pairs") / $(wc -l <"$T/Alpine-secdb-derived.pairs")" "$(diff "$T/Alpine.pairs" "$T/Alpine-secdb-derived.pairs" | head -5)"
	fi
else
	skip "check: Alpine 3.11.5 against both Alpine sets" "osv/pkgdb-samples or osv-large's Alpine archives are absent"
fi

# The same packages read by edgeaudit's own readers, wired into the audit:
# a root (audit --root) and an image written by umoci (images --store oci:)
# with that database file and release file; every (package, advisory) pair
# of their vuln.package findings is one of `vulndb check`'s 45 and none is
# missing.  An image without any package database is said so
# (vuln.not_inventoried), never "no known vulnerabilities".
vuln_pairs() { # report -> "package advisory" lines, sorted
	$PY -c '
import json, sys
r = json.load(open(sys.argv[1]))
for f in r["findings"]:
    if f["id"] == "vuln.package":
        a = f["advisory"]
        print(f["package"], a[len("ALPINE-"):] if a.startswith("ALPINE-") else a)
' "$1" | sort
}
if [ -s "$T/Alpine.pairs" ]; then
	R=$T/a311root
	mkdir -p "$R/lib/apk/db" "$R/etc"
	cp "$P" "$R/lib/apk/db/installed"
	cp "$(dirname "$P")/alpine-release" "$R/etc/alpine-release" 2>/dev/null || echo 3.11.5 >"$R/etc/alpine-release"
	run_ea audit --no-proc --no-stores --root "$R" --vulndb "$T/Alpine.db" --vulndb-key "$T/pub.pem" --out "$T/root.json"
	vuln_pairs "$T/root.json" >"$T/root.pairs"
	if cmp -s "$T/root.pairs" "$T/Alpine.pairs" && [ "$RC" = 1 ]; then
		ok "audit --root --vulndb: the 45 (package, advisory) pairs of vulndb check, from edgeaudit's own apk reader (exit 1)"
	else
		not_ok "audit --root --vulndb" "rc $RC, $(wc -l <"$T/root.pairs") pairs" "$(diff "$T/root.pairs" "$T/Alpine.pairs" | head -5)"
	fi
	if command -v umoci >/dev/null; then
		tar --create --file "$T/a311.tar" -C "$R" lib etc &&
			umoci init --layout "$T/al" && umoci new --image "$T/al:a311" &&
			umoci raw add-layer --image "$T/al:a311" "$T/a311.tar" &&
			umoci new --image "$T/al:empty" && umoci raw add-layer --image "$T/al:empty" /dev/null 2>/dev/null ||
			{ mkdir -p "$T/e/x" && tar --create --file "$T/e.tar" -C "$T/e" x && umoci raw add-layer --image "$T/al:empty" "$T/e.tar"; }
		run_ea images --store "oci:$T/al" --vulndb "$T/Alpine.db" --vulndb-key "$T/pub.pem" --out "$T/img.json"
		vuln_pairs "$T/img.json" >"$T/img.pairs"
		if cmp -s "$T/img.pairs" "$T/Alpine.pairs" && [ "$RC" = 1 ]; then
			ok "images --vulndb: an umoci image of the same packages gives the same 45 pairs (exit 1)"
		else
			not_ok "images --vulndb" "rc $RC, $(wc -l <"$T/img.pairs") pairs" "$(diff "$T/img.pairs" "$T/Alpine.pairs" | head -5)"
		fi
		n=$($PY -c 'import json,sys; print(sum(f["id"] == "vuln.not_inventoried" and f["severity"] == "info" for f in json.load(open(sys.argv[1]))["findings"]))' "$T/img.json")
		if [ "$n" = 1 ]; then ok "images --vulndb: the image with no package database is said so (vuln.not_inventoried, info)"
		else not_ok "images --vulndb: vuln.not_inventoried" "$n findings, want 1"; fi
		out=$("$EA" images --store "oci:$T/al" --vulndb "$T/Alpine.db" --vulndb-key "$T/pub.pem" --format text 2>&1)
		if grep -q "known vulnerabilit" <<<"$out"; then
			ok "images --vulndb --format text: the summary groups them per image ($(grep -m1 'known vulnerabilit' <<<"$out" | cut -c1-70)...)"
		else
			not_ok "images --vulndb --format text" "${out:0:600}"
		fi
	else
		skip "images --vulndb on an umoci image" "umoci missing"
	fi
	# The policy's vulnerabilities member: one advisory accepted (reason,
	# expiry), everything below high below the threshold: listed under
	# vulnerabilities_accepted, not findings; the findings and the list add
	# up to the 45; an acceptance past its day is a finding again.
	acc=$(awk 'NR == 1 { print $2 }' "$T/Alpine.pairs")
	pol() { # EXPIRES -> a policy file
		printf '{"schema": "edgeaudit/signature-policy/v1", "images": [{"names": ["nothing.example/*"]}],
 "vulnerabilities": {"minSeverity": "high", "accept": [{"id": "%s", "reason": "not reachable: test", "expires": "%s"}]}}\n' "$acc" "$1" >"$T/vpol.json"
	}
	acc_check() {
		pol 2999-12-31
		run_ea audit --no-proc --no-stores --root "$R" --policy "$T/vpol.json" --vulndb "$T/Alpine.db" --vulndb-key "$T/pub.pem" --out "$T/acc.json"
		validate_report "$T/acc.json" || return 1
		$PY - "$T/acc.json" "$acc" <<'PYEOF' || return 1
import json, sys
r = json.load(open(sys.argv[1])); acc = sys.argv[2]
f = [x for x in r["findings"] if x["id"] == "vuln.package"]
a = r.get("vulnerabilities_accepted") or []
strip = lambda s: s[len("ALPINE-"):] if s.startswith("ALPINE-") else s
mine = [x for x in a if x["why"] == "accepted"]
assert len(mine) == 1 and strip(mine[0]["advisory"]) == acc and mine[0]["reason"] == "not reachable: test" and mine[0]["expires"] == "2999-12-31", mine
assert all(x["why"] == "below_threshold" and x["advisory_severity"] in ("low", "medium", "none", "unknown") for x in a if x["why"] != "accepted"), a
assert all(x["severity"] in ("high", "critical") for x in f), [x["severity"] for x in f]
assert not any(strip(x["advisory"]) == acc for x in f)
assert len(f) + len(a) == 45, (len(f), len(a))
print(len(f), len(a))
PYEOF
		pol 2001-01-01
		run_ea audit --no-proc --no-stores --root "$R" --policy "$T/vpol.json" --vulndb "$T/Alpine.db" --vulndb-key "$T/pub.pem"
		printf '%s' "$OUT" | $PY -c '
import json, sys
r = json.load(sys.stdin); acc = sys.argv[1]
f = [x for x in r["findings"] if x["id"] == "vuln.package" and x["advisory"].endswith(acc)]
assert len(f) == 1 and "expired" in f[0]["message"], f
' "$acc"
	}
	check "policy: an accepted advisory and those below minSeverity are listed under vulnerabilities_accepted, not findings (45 in all); past its expiry day it is a finding again" acc_check
fi

# The same database and list on the ARM targets (qemu-user): the same hits.
printf 'bash 5.0-4\nopen-vm-tools 2:10.1.5-5055683-4+deb9u5\napk-tools 2.12.5-r0\n' >"$T/small.list"
"$EA" vulndb check --vulndb "$T/s.db" --vulndb-key "$T/pub.pem" --ecosystem Debian:12 \
	--packages "$T/small.list" >"$T/x86.hits" 2>/dev/null
for t in aarch64 armv7; do
	q=qemu-$([ $t = armv7 ] && echo arm || echo aarch64)-static
	if ! command -v "$q" >/dev/null || [ ! -x "$OUTDIR/$t/edgeaudit" ]; then
		skip "check on $t" "no $q or no $OUTDIR/$t/edgeaudit (./build.sh --target all)"
		continue
	fi
	"$q" "$OUTDIR/$t/edgeaudit" vulndb check --vulndb "$T/s.db" --vulndb-key "$T/pub.pem" \
		--ecosystem Debian:12 --packages "$T/small.list" >"$T/$t.hits" 2>/dev/null
	if [ -s "$T/x86.hits" ] && cmp -s "$T/x86.hits" "$T/$t.hits"; then
		ok "check on $t (qemu): a database built on x86_64 gives the same hits"
	else
		not_ok "check on $t" "$(cat "$T/x86.hits")" "$(cat "$T/$t.hits")"
	fi
done

# ---------------------------------------------------------------- the box
run_ea audit --no-config --no-stores --no-proc --vulndb "$T/s.db" --vulndb-key "$T/pub.pem"
ids=$(json_get "$OUT" "' '.join(f['id'] for f in r['findings'])" 2>/dev/null)
if [ "$RC" = 0 ] && grep -q 'vulndb.loaded' <<<"$ids" && ! grep -q 'vulndb.stale\|vulndb.untrusted' <<<"$ids" &&
	validate_report <(printf '%s' "$OUT"); then
	ok "audit --vulndb: signature good, build date reported (vulndb.loaded), no root to match (exit 0), report valid"
else
	not_ok "audit --vulndb" "rc=$RC" "$ids" "$ERR"
fi
run_ea audit --no-config --no-stores --no-proc --vulndb "$T/s.db" --vulndb-key "$T/other.pub"
ids=$(json_get "$OUT" "' '.join(f['id'] for f in r['findings'])" 2>/dev/null)
if [ "$RC" = 1 ] && grep -q 'vulndb.untrusted' <<<"$ids" && ! grep -q 'vulndb.loaded' <<<"$ids"; then
	ok "audit --vulndb: another key's database is vulndb.untrusted, nothing read"
else
	not_ok "audit: other key" "rc=$RC" "$ids"
fi
cp "$T/s.db" "$T/nosig.db"
run_ea audit --no-config --no-stores --no-proc --vulndb "$T/nosig.db" --vulndb-key "$T/pub.pem"
if [ "$RC" = 1 ] && grep -q 'vulndb.untrusted' <<<"$OUT" && grep -q 'no signature' <<<"$OUT"; then
	ok "audit --vulndb: no FILE.sig is vulndb.untrusted"
else
	not_ok "audit: no signature" "rc=$RC" "$OUT"
fi
cp "$T/s.db" "$T/alt.db" && cp "$T/s.db.sig" "$T/alt.db.sig"
printf 'X' | dd of="$T/alt.db" bs=1 seek=200 conv=notrunc 2>/dev/null
run_ea audit --no-config --no-stores --no-proc --vulndb "$T/alt.db" --vulndb-key "$T/pub.pem"
if [ "$RC" = 1 ] && grep -q 'vulndb.untrusted' <<<"$OUT" && grep -q 'BAD SIGNATURE' <<<"$OUT"; then
	ok "audit --vulndb: one byte changed after signing is vulndb.untrusted"
else
	not_ok "audit: altered" "rc=$RC" "$OUT"
fi
# signed but malformed (truncated, then signed): read as hostile anyway
head -c 1000 "$T/s.db" >"$T/cut.db"
openssl dgst -sha256 -sign "$T/key.pem" "$T/cut.db" | base64 -w0 >"$T/cut.db.sig"
run_ea audit --no-config --no-stores --no-proc --vulndb "$T/cut.db" --vulndb-key "$T/pub.pem"
if [ "$RC" = 1 ] && grep -q 'vulndb.malformed' <<<"$OUT"; then
	ok "audit --vulndb: a truncated database signed with openssl dgst is vulndb.malformed"
else
	not_ok "audit: signed malformed" "rc=$RC" "$OUT"
fi
SOURCE_DATE_EPOCH=$((SOURCE_DATE_EPOCH - 40 * 86400)) "$EA" vulndb build --osv "$S/sample/Debian" \
	--out "$T/old.db" --sign-key "$T/key.pem" 2>/dev/null
run_ea audit --no-config --no-stores --no-proc --vulndb "$T/old.db" --vulndb-key "$T/pub.pem"
st1=$(grep -c 'vulndb.stale' <<<"$OUT")
printf '{"no_stores": true, "no_proc": true, "vulndb": "%s", "vulndb_key": "%s", "vulndb_max_age_days": 60}\n' \
	"$T/old.db" "$T/pub.pem" >"$T/c.json"
run_ea audit --config "$T/c.json"
st2=$(grep -c 'vulndb.stale' <<<"$OUT")
run_ea config check --config "$T/c.json"
rc3=$RC
if [ "$st1" = 1 ] && [ "$st2" = 0 ] && [ "$rc3" = 0 ]; then
	ok "audit --vulndb: a 40-day-old database is vulndb.stale by default, not with vulndb_max_age_days 60 (config check accepts it)"
else
	not_ok "audit: stale" "default=$st1 60days=$st2 config-check=$rc3" "$ERR"
fi
run_ea audit --no-config --no-stores --no-proc --vulndb "$T/s.db"
rc1=$RC err1=$ERR
printf '{"vulndb": "%s"}\n' "$T/s.db" >"$T/c2.json"
run_ea config check --config "$T/c2.json"
if [ "$rc1" = 2 ] && [ "$RC" = 2 ] && grep -q -- '--vulndb needs --vulndb-key' <<<"$err1" &&
	grep -q 'vulndb needs vulndb_key' <<<"$OUT$ERR"; then
	ok "--vulndb without --vulndb-key is a usage error (option and config)"
else
	not_ok "vulndb without key" "rc=$rc1/$RC" "$ERR"
fi
