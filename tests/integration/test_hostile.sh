#!/usr/bin/env bash
# Hostile stores (issue 8): tests/hostile/gen.sh builds stores from real
# producers' output and damages them (links, special files, .. names, huge
# and deep JSON, out-of-range numbers, duplicate keys, bombs, hostile tar
# headers and tar-split records, bbolt cycles).  Each is audited under a hard
# wall limit; one TAP line per store says: no crash (exit 0..3), no hang
# (timeout 60), peak RSS under 64 MiB, the specific finding, and the rest of
# the store still audited.  With EA pointing at the ASan build (out/san), the
# RSS limit is not judged (shadow memory) and any sanitizer report fails.
. "$(dirname "$0")/lib.sh"

for tool in umoci skopeo gzip zstd timeout; do
	command -v $tool >/dev/null || { skip "hostile stores" "$tool is not installed (build.sh test installs it)"; exit 0; }
done
[ -x /usr/bin/time ] || { skip "hostile stores" "/usr/bin/time is not installed (package time)"; exit 0; }
trap 'rm -rf "$T"' EXIT
san=0
case "$EA" in */san/*) san=1 ;; esac
LIMIT_KIB=65536

# The generator refuses any folder but an empty edgeaudit-* one under TMPDIR.
mkdir -p "$T/h"
start=$SECONDS
if ! bash "$TOP/tests/hostile/gen.sh" "$T/h" 2>"$T/gen.log"; then
	not_ok "the hostile-store generator ran" "$(tail -n 15 "$T/gen.log")"
	exit 0
fi
n=$(wc -l <"$T/h/cases.tsv")
[ "$n" -ge 30 ] && ok "the generator built $n hostile stores ($((SECONDS - start)) s)" ||
	not_ok "at least 30 hostile stores" "only $n: $(tail -n 5 "$T/gen.log")"

# shellcheck disable=SC2054 # setpriv takes a comma-separated list
NODAC=(setpriv --bounding-set -dac_override,-dac_read_search --)
while IFS=$'\t' read -r name spec id subject check runner; do
	pre=()
	if [ "$runner" = nodac ]; then
		command -v setpriv >/dev/null || { skip "hostile $name" "setpriv (util-linux) is missing"; continue; }
		pre=("${NODAC[@]}")
	fi
	t0=$(date +%s%N)
	/usr/bin/time -f %M -o "$T/rss" timeout -k 5 60 "${pre[@]}" "$EA" images --store "$spec" >"$T/out.json" 2>"$T/err"
	rc=$?
	ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	rss=$(tail -n 1 "$T/rss" 2>/dev/null)
	case $rss in ''|*[!0-9]*) rss=0 ;; esac
	why=()
	[ $rc -eq 124 ] || [ $rc -eq 137 ] && why+=("hung: killed after 60 s")
	[ $rc -gt 3 ] && [ $rc -ne 124 ] && [ $rc -ne 137 ] && why+=("crashed or failed: exit $rc ($(head -c 300 "$T/err"))")
	[ $san -eq 0 ] && [ "$rss" -ge $LIMIT_KIB ] && why+=("peak RSS $rss KiB, over $LIMIT_KIB")
	[ $san -eq 1 ] && grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$T/err" &&
		why+=("sanitizer: $(grep -m1 -E 'ERROR|runtime error' "$T/err" | head -c 300)")
	# The finding, and the rest of the store.
	verdict=$($PY - "$T/out.json" "$id" "$subject" "$check" <<'PYEOF' 2>&1
import json, sys
path, fid, subj, check = sys.argv[1:]
try:
    r = json.load(open(path))
except Exception as e:
    print('report is not JSON: %s' % e); sys.exit(0)
hit = [f for f in r['findings'] if f['id'] == fid and (subj == '*' or f['subject'] == subj)]
problems = []
if not hit:
    problems.append('no %s finding on %s; got %s' % (fid, subj, sorted(set((f['id'], f['subject'][:90]) for f in r['findings']))[:8]))
imgs = r.get('images', [])
if check == 'good':
    if not any('good' in i.get('names', []) and i.get('verdict') == 'pass' for i in imgs):
        problems.append('image good not verified: %s' % [(i.get('names', [])[:2], i.get('verdict')) for i in imgs])
elif check == 'good-docker':
    if not any('localhost/good:1' in i.get('names', []) and i.get('verdict') == 'pass' for i in imgs):
        problems.append('localhost/good:1 not verified: %s' % [(i.get('names', [])[:2], i.get('verdict')) for i in imgs])
elif check == 'listed':
    if not imgs:
        problems.append('no image listed')
elif check == 'blobscan':
    if not any(s.get('blob_files', 0) > 0 for s in r.get('stores', [])):
        problems.append('the blob scan did not run')
print('; '.join(problems) if problems else 'ok')
PYEOF
)
	[ "$verdict" = ok ] || why+=("$verdict")
	desc="hostile $name: $id, exit $rc, ${ms} ms, peak RSS $((rss / 1024)) MiB"
	case $check in good|good-docker) desc="$desc, the good image still verified" ;; listed) desc="$desc, images still listed" ;;
		blobscan) desc="$desc, blob scan still ran" ;; esac
	[ "$runner" = nodac ] && desc="$desc (run without CAP_DAC_OVERRIDE: mode 000 is unreadable)"
	if [ ${#why[@]} -eq 0 ]; then ok "$desc"; else not_ok "$desc" "${why[@]}"; fi
done <"$T/h/cases.tsv"

# Issue 15: the two gzip engines (ISA-L, zlib) give the same answers on every
# file of the corpus (tests/unit/test_inflate_diff.c; its own corpus of real
# producers' streams is tests/integration/test_inflate_diff.sh).
ut="$OUTDIR/x86_64/unit_tests"
if [ ! -x "$ut" ]; then
	skip "hostile corpus: ISA-L and zlib agree" "no $ut"
else
	out=$(EDGEAUDIT_INFLATE_DIFF="$T/h" "$ut" inflate_diff_isal_zlib 2>&1)
	if grep -q '^ok 1 - inflate_diff_isal_zlib # SKIP' <<<"$out"; then
		skip "hostile corpus: ISA-L and zlib agree" "ISA-L is not in this build"
	elif grep -q '^ok 1 - inflate_diff_isal_zlib$' <<<"$out" && grep -q ' 0 differences' <<<"$out"; then
		ok "hostile corpus: ISA-L and zlib give the same answers ($(grep -o '[0-9]* files, [0-9]* cases' <<<"$out"))"
	else
		not_ok "hostile corpus: ISA-L and zlib give the same answers" "$(tail -n 30 <<<"$out")"
	fi
fi
