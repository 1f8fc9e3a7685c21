#!/usr/bin/env bash
# Read-only proof (issue 8): every hostile store from tests/hostile/gen.sh
# and the pristine umoci / skopeo fixtures are audited in full (`audit
# --no-proc --out`), each run under strace.  Then:
#  1. every file of every store has the same type, mode, owner, size, mtime
#     and sha256 as before (a snapshot taken before the first run);
#  2. in the strace logs, no open for writing (O_WRONLY, O_RDWR, O_CREAT,
#     O_TRUNC) and no call that changes a file (rename, unlink, mkdir,
#     chmod, chown, truncate, link, symlink, utimes, xattrs) except the
#     report's own: its temp file beside it, the rename onto it, and the
#     folder opened read-only for fsync.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

for tool in umoci skopeo strace sha256sum; do
	command -v $tool >/dev/null || { skip "read-only proof" "$tool is not installed (build.sh test installs it)"; exit 0; }
done
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/h" "$T/reports" "$T/st"
if ! bash "$TOP/tests/hostile/gen.sh" "$T/h" 2>"$T/gen.log"; then
	not_ok "the hostile-store generator ran" "$(tail -n 10 "$T/gen.log")"
	exit 0
fi
# The pristine fixtures: a umoci layout, skopeo's oci-archive and docker-archive.
base_layout
mkdir -p "$T/fx"
skopeo copy -q "oci:$T/base:bb" "oci-archive:$T/fx/bb-oci.tar:localhost/bb:1" >/dev/null 2>&1
skopeo copy -q "oci:$T/base:bb" "docker-archive:$T/fx/bb-docker.tar:localhost/bb:1" >/dev/null 2>&1
cp -a "$T/base" "$T/fx/layout"
{
	cut -f2 "$T/h/cases.tsv"
	printf 'oci:%s\noci-archive:%s\ndocker-archive:%s\n' "$T/fx/layout" "$T/fx/bb-oci.tar" "$T/fx/bb-docker.tar"
} >"$T/specs"
nspecs=$(wc -l <"$T/specs")

# Snapshot of everything the audits may read: the stores and fixtures.
# (Devices, FIFOs and sockets are listed by type and mode, never read.)
snapshot() {
	(cd "$T/h/stores" && find . -printf '%p %y %m %U:%G %s %T@\n' | LC_ALL=C sort
	 find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
	(cd "$T/fx" && find . -printf '%p %y %m %U:%G %s %T@\n' | LC_ALL=C sort
	 find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum)
}
snapshot >"$T/before"
nfiles=$(grep -c ' f ' "$T/before")

i=0
while read -r spec; do
	i=$((i + 1))
	# --jobs 2: the threaded path too; -f follows every thread.
	timeout -k 5 120 strace -f -qq -o "$T/st/$i.log" \
		-e trace=open,openat,openat2,creat,truncate,ftruncate,rename,renameat,renameat2,unlink,unlinkat,rmdir,mkdir,mkdirat,link,linkat,symlink,symlinkat,chmod,fchmod,fchmodat,chown,fchown,lchown,fchownat,utime,utimes,utimensat,futimesat,setxattr,lsetxattr,fsetxattr,removexattr,lremovexattr,fremovexattr,mknod,mknodat \
		"$EA" audit --no-proc --jobs 2 --store "$spec" --out "$T/reports/$i.json" >/dev/null 2>"$T/st/$i.err"
	echo "$? $spec" >>"$T/rcs"
done <"$T/specs"

snapshot >"$T/after"
if cmp -s "$T/before" "$T/after"; then
	ok "read-only: $nspecs full audits left every file of every store as it was ($nfiles files: type, mode, owner, size, mtime, sha256)"
else
	not_ok "read-only: files unchanged by the audits" "$(diff "$T/before" "$T/after" | head -n 12)"
fi

bad_rc=$(awk '$1 > 3' "$T/rcs")
[ -z "$bad_rc" ] && ok "every audit ended with an exit code 0..3 (no crash, no hang)" || not_ok "exit codes" "$bad_rc"

# Every mutating call in the traces must be the report's: the temp file
# $T/reports/.N.json.tmp.XXXXXX (created, chmod-ed, renamed onto N.json),
# and the reports folder opened read-only to fsync it.
cat >"$T/checker.py" <<'PYEOF'
import os, re, sys
st, rep = sys.argv[1:]
mut = re.compile(r'^\d+\s+(\w+)\((.*)\)\s+=\s+(-?\d+)')
# a call another thread interrupted: "123 openat(..., O_RDONLY <unfinished ...>"
unf = re.compile(r'^\d+\s+(\w+)\((.*)\s+<unfinished \.\.\.>$')
bad, seen = [], 0
for fn in sorted(os.listdir(st)):
    if not fn.endswith('.log'):
        continue
    n = fn[:-4]
    report = os.path.join(rep, n + '.json')
    tmp = re.compile(re.escape(os.path.join(rep, '.' + n + '.json.tmp.')) + r'\w{6}$')
    for line in open(os.path.join(st, fn), errors='replace'):
        m = mut.match(line)
        if m:
            call, args, rc = m.groups()
        else:
            m = unf.match(line.rstrip('\n'))
            if not m:
                continue
            (call, args), rc = m.groups(), '0'  # its result comes later: judge the call
        if int(rc) < 0:
            continue  # refused: changed nothing
        paths = re.findall(r'"((?:[^"\\]|\\.)*)"', args)
        if call in ('open', 'openat', 'openat2', 'creat'):
            writes = call == 'creat' or re.search(r'O_WRONLY|O_RDWR|O_CREAT|O_TRUNC', args)
            if not writes:
                continue
            seen += 1
            if not (paths and tmp.match(paths[-1])):
                bad.append('%s: %s' % (fn, line.strip()[:200]))
        elif call in ('rename', 'renameat', 'renameat2'):
            seen += 1
            if not (len(paths) == 2 and tmp.match(paths[0]) and paths[1] == report):
                bad.append('%s: %s' % (fn, line.strip()[:200]))
        elif call == 'fchmod':
            seen += 1  # on the temp file's fd (mkostemp's 0600 -> 0644): nothing else is opened for writing
        else:
            seen += 1
            bad.append('%s: %s' % (fn, line.strip()[:200]))
print(seen)
for b in bad[:20]:
    print(b)
PYEOF
$PY "$T/checker.py" "$T/st" "$T/reports" >"$T/writes"
nmut=$(head -n 1 "$T/writes")
# The check itself: a decoy run that writes into a store must be caught.
mkdir -p "$T/decoy/st" "$T/decoy/rep"
strace -f -qq -o "$T/decoy/st/1.log" -e trace=openat,open,creat touch "$T/decoy/x" 2>/dev/null
decoy=$($PY "$T/checker.py" "$T/decoy/st" "$T/decoy/rep" 2>&1 | wc -l)
if [ "$decoy" -lt 2 ]; then
	not_ok "strace check: a decoy write outside the report is caught" "the checker saw nothing in $T/decoy"
elif [ "$(wc -l <"$T/writes")" -eq 1 ]; then
	ok "strace: in $nspecs runs, the $nmut writing calls all concern the report (its temp file, the rename onto it); a decoy write elsewhere is caught"
else
	not_ok "strace: only the report is written" "$(tail -n +2 "$T/writes" | head -n 10)"
fi
nrep=$(find "$T/reports" -maxdepth 1 -name '[0-9]*.json' | wc -l)
leftover=$(find "$T/reports" -maxdepth 1 -name '*.tmp.*' | wc -l)
[ "$nrep" -eq "$nspecs" ] && [ "$leftover" -eq 0 ] && ok "each run wrote its report ($nrep), no temp file left behind" ||
	not_ok "reports written" "$nrep of $nspecs, $leftover temp files left"
