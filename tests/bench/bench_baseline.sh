#!/usr/bin/env bash
# Benchmark (issue 17 part 2): the host baseline against AIDE on the same
# tree, with the same attributes (permissions, owner, size, link target, file
# type, SHA-256, extended attributes and capabilities): `baseline create`
# against `aide --init`, `audit --baseline` against `aide --check`, median of
# 3 warm runs each, and both peak RSS.  Not a test: no thresholds.
#   bash tests/bench/bench_baseline.sh [FILES]     (default 50000)
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
EA=$TOP/${EDGEAUDIT_OUT:-out}/x86_64/edgeaudit
N=${1:-50000}
T=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/lib.sh"
command -v aide >/dev/null || { echo "aide is not installed (apt-get install aide)" >&2; exit 2; }

# A tree shaped like a root filesystem's /usr: folders of 100 entries, mostly
# small files (a few KiB, some up to 256 KiB), a link every 20 files, a few
# executables.
W=$T/tree
$PY - "$W" "$N" <<'PYEOF'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rnd = random.Random(17)
blob = os.urandom(1 << 18)
made = 0
d = 0
while made < n:
    folder = os.path.join(root, "usr", "lib%d" % (d // 50), "pkg%d" % d)
    os.makedirs(folder)
    for i in range(100):
        if made >= n:
            break
        p = os.path.join(folder, "f%d" % i)
        if i % 20 == 19:
            os.symlink("f%d" % (i - 1), p)
        else:
            size = min(int(rnd.lognormvariate(7.5, 1.2)), len(blob))
            off = rnd.randrange(len(blob) - size + 1)
            with open(p, "wb") as f:
                f.write(blob[off:off + size])
            if i % 10 == 0:
                os.chmod(p, 0o755)
        made += 1
    d += 1
PYEOF
files=$(find "$W" | wc -l)
mib=$(du -sm "$W" | cut -f1)
openssl ecparam -name prime256v1 -genkey -noout -out "$T/key.pem" 2>/dev/null
openssl ec -in "$T/key.pem" -pubout -out "$T/pub.pem" 2>/dev/null
Wre=$(printf '%s' "$W" | sed 's/[.[\*^$()+?{|]/\\&/g')
cat >"$T/aide.conf" <<EOF
database_in=file:$T/aide.db
database_out=file:$T/aide.db.new
gzip_dbout=no
report_url=stdout
Files = p+u+g+s+l+ftype+sha256+xattrs+caps
Dirs = p+u+g+l+ftype+xattrs+caps
$Wre f,l,c,b,p,s Files
$Wre d Dirs
EOF

find "$W" -type f -exec cat {} + >/dev/null # page cache warm for both
create_ea() { "$EA" baseline create --root "$W" --out "$T/bl" --sign-key "$T/key.pem"; }
create_aide() { aide --config "$T/aide.conf" --init && mv "$T/aide.db.new" "$T/aide.db"; }
audit_ea() { "$EA" audit --no-config --no-stores --no-proc --baseline "$T/bl" --baseline-key "$T/pub.pem" --out "$T/r.json"; }
check_aide() { aide --config "$T/aide.conf" --check; }
create_ea 2>/dev/null
create_aide >/dev/null
audit_ea && check_aide >/dev/null || { echo "a pristine tree did not pass" >&2; exit 1; }

rss() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1; }
c1=$(t_ms create_ea) c2=$(t_ms create_aide)
a1=$(t_ms audit_ea) a2=$(t_ms check_aide)
r1=$(rss "$EA" baseline create --root "$W" --out "$T/bl" --sign-key "$T/key.pem")
r2=$(rss aide --config "$T/aide.conf" --init)
r3=$(rss "$EA" audit --no-config --no-stores --no-proc --baseline "$T/bl" --baseline-key "$T/pub.pem" --out "$T/r.json")
r4=$(rss aide --config "$T/aide.conf" --check)
b1=$(stat -c %s "$T/bl") b2=$(stat -c %s "$T/aide.db")
ratio() { $PY -c "print(f'{$1/$2:.2f}x')"; }
echo "tree: $files entries, $mib MiB (page cache warm)"
echo "record: edgeaudit baseline create ${c1} ms, aide --init ${c2} ms: edgeaudit $(ratio "$c2" "$c1") as fast"
echo "check:  edgeaudit audit --baseline ${a1} ms, aide --check ${a2} ms: edgeaudit $(ratio "$a2" "$a1") as fast"
echo "peak RSS: create ${r1} KiB vs aide --init ${r2} KiB; audit ${r3} KiB vs aide --check ${r4} KiB"
echo "database: baseline $b1 bytes ($((b1 / files)) per entry, signed), aide.db $b2 bytes ($((b2 / files)) per entry, uncompressed)"
