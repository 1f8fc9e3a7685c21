#!/usr/bin/env bash
# Benchmark (issue 16 part 3): the vulnerability database built from the
# largest real OSV data at hand (osv.dev's Debian 44,152 and Alpine 3,655
# exports and Debian ELTS' 1,712 records, ../shared/testdata/osv-large), its
# size and bytes per advisory, then a scan of 10 inventories of 500 real
# packages (samples of this machine's dpkg-query list) with `vulndb check`,
# side by side with a reference: a Python scanner that loads the same OSV
# JSON into memory and compares versions with libapt's
# apt_pkg.version_compare (python3-apt).  Prints both times, peak RSS, the
# ratios, and whether the two found the same (package, advisory) pairs.
# Not a test: no thresholds.
#   bash tests/bench/bench_vuln.sh [ECOSYSTEM]     (default Debian:12)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
EA=$TOP/${EDGEAUDIT_OUT:-out}/x86_64/edgeaudit
S=${EDGEAUDIT_SHARED_TESTDATA:-$TOP/../shared/testdata}/osv-large
ECO=${1:-Debian:12}
T=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
[ -f "$S/Debian.tar.xz" ] || { echo "../shared/testdata/osv-large is absent" >&2; exit 2; }
command -v dpkg-query >/dev/null || { echo "needs dpkg-query (a Debian machine)" >&2; exit 2; }
$PY -c 'import apt_pkg' 2>/dev/null || { echo "needs python3-apt (apt-get install python3-apt)" >&2; exit 2; }

mkdir -p "$T/osv"
for a in Debian Alpine Debian-ELTS; do tar -xJf "$S/$a.tar.xz" -C "$T/osv"; done
openssl ecparam -name prime256v1 -genkey -noout -out "$T/key.pem" 2>/dev/null
openssl ec -in "$T/key.pem" -pubout -out "$T/pub.pem" 2>/dev/null

/usr/bin/time -f '%e %M' -o "$T/build.t" "$EA" vulndb build --osv "$T/osv/Debian" \
	--osv "$T/osv/Alpine" --osv "$T/osv/Debian-ELTS" --out "$T/vuln.db" --sign-key "$T/key.pem" \
	2>"$T/build.err" || true
read -r bt brss < <(tail -n 1 "$T/build.t")
size=$(stat -c %s "$T/vuln.db")
nadv=$("$EA" vulndb info "$T/vuln.db" --key "$T/pub.pem" | sed -n 's/^advisories: //p')
raw=$(du -sb "$T/osv" | cut -f1)
echo "database: $(grep -o '[0-9]* records read.*' "$T/build.err" | head -1)"
echo "database: $size bytes for $nadv advisories = $((size / nadv)) bytes per advisory (the JSON: $raw bytes, $((raw / size))x)"
echo "build (the vendor's machine): ${bt} s, peak RSS ${brss} KiB"

# 10 inventories of 500 packages sampled from this machine's packages
dpkg-query -W -f '${Package} ${Version} ${source:Package} ${source:Version}\n' >"$T/host.list"
$PY - "$T/host.list" "$T" <<'PY'
import random, sys
lines = open(sys.argv[1]).read().splitlines()
for i in range(10):
    rnd = random.Random(i)
    pick = rnd.sample(lines, min(500, len(lines)))
    open(f"{sys.argv[2]}/inv{i}.list", "w").write("\n".join(sorted(pick)) + "\n")
PY

ea_rss=0
s=$(date +%s%N)
for i in $(seq 0 9); do
	/usr/bin/time -f '%M' -o "$T/t$i" "$EA" vulndb check --vulndb "$T/vuln.db" --vulndb-key "$T/pub.pem" \
		--ecosystem "$ECO" --packages "$T/inv$i.list" >"$T/ea$i.hits" 2>/dev/null || true
	r=$(tail -n 1 "$T/t$i"); [ "$r" -gt "$ea_rss" ] && ea_rss=$r
done
e=$(date +%s%N)
ea_ms=$(((e - s) / 1000000))

cat >"$T/ref.py" <<'PY'
# The reference: every record loaded into memory, the OSV evaluation with
# libapt's version order, (package, advisory) pairs per inventory.  Copies of
# one id (the Debian and Alpine exports both hold the records naming both)
# are all read: the union of what they say.
import apt_pkg, functools, json, os, sys
apt_pkg.init_system()
eco, osv, out = sys.argv[1], sys.argv[2], sys.argv[3]
base = eco.split(":")[0]
db = {}
for d, _, files in os.walk(osv):
    for f in files:
        try: r = json.load(open(os.path.join(d, f)))
        except Exception: continue
        if r.get("withdrawn") or not isinstance(r.get("affected"), list): continue
        for a in r["affected"]:
            p = a.get("package") or {}
            if p.get("ecosystem") not in (eco, base): continue
            rs = a.get("ranges") if isinstance(a.get("ranges"), list) else []
            db.setdefault(p["name"], []).append((r["id"], rs, a.get("versions") or []))
def key(e):
    k, v = next(iter(e.items()))
    return (0, "") if (k == "introduced" and v == "0") else (1, v)
def cmp_ev(x, y):
    if key(x)[0] != key(y)[0]: return key(x)[0] - key(y)[0]
    if key(x)[0] == 0: return 0
    return apt_pkg.version_compare(key(x)[1], key(y)[1])
def affected(v, rs, vs):
    for r in rs:
        if r.get("type") != "ECOSYSTEM": continue
        ev = sorted(r["events"], key=functools.cmp_to_key(cmp_ev))
        aff, limits, below = False, False, False
        for e in ev:
            k, x = next(iter(e.items()))
            c = 1 if (k == "introduced" and x == "0") else apt_pkg.version_compare(v, x)
            if k == "introduced" and c >= 0: aff = True
            elif k == "fixed" and c >= 0: aff = False
            elif k == "last_affected" and c > 0: aff = False
            elif k == "limit": limits = True; below |= c < 0
        if aff and (not limits or below): return True
    return any(apt_pkg.version_compare(v, x) == 0 for x in vs)
ids = {i for l in db.values() for (i, _, _) in l}
for n, inv in enumerate(sys.argv[4:]):
    pairs = set()
    for line in open(inv):
        f = line.split()
        if len(f) < 2: continue
        src = f[2] if len(f) > 2 else f[0]
        ver = f[3] if len(f) > 3 else f[1]
        for (i, rs, vs) in db.get(src, []):
            if affected(ver, rs, vs): pairs.add((f[0], i))
    with open(f"{out}/ref{n}.pairs", "w") as o:
        for p in sorted(pairs): o.write("%s %s\n" % p)
with open(f"{out}/ids", "w") as o: o.write("\n".join(sorted(ids)) + "\n")
PY
s=$(date +%s%N)
/usr/bin/time -f '%M' -o "$T/ref.t" $PY "$T/ref.py" "$ECO" "$T/osv" "$T" "$T"/inv?.list
e=$(date +%s%N)
ref_ms=$(((e - s) / 1000000))
ref_rss=$(tail -n 1 "$T/ref.t")

# edgeaudit's findings back to (package, advisory) pairs: the id and the
# merged ids (aliases that are advisories of the database)
same=0 total=0
for i in $(seq 0 9); do
	$PY - "$T/ea$i.hits" "$T/ids" >"$T/ea$i.pairs" <<'PY'
import sys
ids = set(open(sys.argv[2]).read().split())
pairs = set()
for line in open(sys.argv[1]):
    f = line.split()
    names = [f[2]] + [a for w in f if w.startswith("aliases=") for a in w[8:].split(",")]
    pairs.update((f[0], n) for n in names if n in ids)
for p in sorted(pairs): print("%s %s" % p)
PY
	total=$((total + $(wc -l <"$T/ref$i.pairs")))
	if cmp -s "$T/ea$i.pairs" "$T/ref$i.pairs"; then same=$((same + 1))
	else diff "$T/ea$i.pairs" "$T/ref$i.pairs" | sed -n 's/^[<>]/  inventory '"$i"': &/p' | head -5; fi
done
hits=$(cat "$T"/ea?.hits | wc -l)
echo "scan of 10 inventories x 500 packages ($ECO): edgeaudit ${ea_ms} ms (all 10), peak RSS ${ea_rss} KiB; $hits findings"
echo "reference (Python + libapt, all JSON in memory): ${ref_ms} ms, peak RSS ${ref_rss} KiB"
$PY -c "print('ratios: time %.2fx, memory %.2fx (reference / edgeaudit)' % ($ref_ms / max($ea_ms, 1), $ref_rss / max($ea_rss, 1)))"
echo "agreement: $same of 10 inventories with the same (package, advisory) pairs ($total pairs in all)"
