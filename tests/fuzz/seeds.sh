#!/usr/bin/env bash
# tests/fuzz/seeds.sh OUTDIR: seed corpora for every harness, made from the
# real fixtures the tests use (../shared/testdata, tests/unit/data) and from
# stores made by the real tools (umoci, skopeo, gzip, zstd, tar-split).
# Each harness's seeds go to OUTDIR/<harness>/; harnesses that take an
# option byte get it as the first byte of each seed.  Missing tools or
# fixtures only mean fewer seeds.
set -u
out=${1:?usage: seeds.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
S=${EDGEAUDIT_SHARED_TESTDATA:-$top/../shared/testdata}
PY=/usr/bin/python3
mk() { mkdir -p "$out/$1"; }
# put HARNESS NAME OPTBYTE FILE: the seed = one option byte + the file
put() { { printf "\\x$(printf %02x "$3")"; cat "$4"; } >"$out/$1/$2"; }
w=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-seeds.XXXXXX")
trap 'rm -rf "$w"' EXIT
for h in "$here"/fuzz_*.c; do mk "$(basename "$h" .c)"; done

# ---------------------------------------------------------------- a small image made by umoci / skopeo
lay="$w/lay"
if command -v umoci >/dev/null; then
	umoci init --layout "$lay" >/dev/null 2>&1
	umoci new --image "$lay:app" >/dev/null 2>&1
	umoci config --image "$lay:app" --architecture amd64 --os linux --config.cmd /bin/sh >/dev/null 2>&1
	printf 'edge\n' >"$w/hostname"; printf 'hello, world\n' >"$w/hello"
	umoci insert --image "$lay:app" "$w/hostname" /etc/hostname >/dev/null 2>&1
	umoci insert --image "$lay:app" "$w/hello" /hello.txt >/dev/null 2>&1
	umoci config --image "$lay:app" --tag other --config.cmd /bin/true >/dev/null 2>&1
	umoci gc --layout "$lay" >/dev/null 2>&1
fi
if command -v skopeo >/dev/null && [ -f "$lay/index.json" ]; then
	skopeo copy -q "oci:$lay:app" "oci-archive:$w/app-oci.tar:localhost/app:1" >/dev/null 2>&1
	skopeo copy -q "oci:$lay:app" "docker-archive:$w/app-docker.tar:localhost/app:1" >/dev/null 2>&1
	skopeo copy -q --dest-compress-format zstd "oci:$lay:app" "oci:$w/zlay:app" >/dev/null 2>&1
fi

# ---------------------------------------------------------------- fuzz_oci
for l in "$lay" "$w/zlay" "$S"/oci-layouts/go-containerregistry/* "$S"/oci-layouts/containers-image/* \
	"$S"/notation/notation-e2e/registry/oci_layout/*; do
	[ -f "$l/index.json" ] || continue
	nm=$(basename "$(dirname "$l")")-$(basename "$l")
	case $l in "$w"/*) nm=made-$(basename "$l") ;; esac
	$PY "$here/mkseeds.py" oci "$l" "$out/fuzz_oci/$nm" 0 1 2 4 8 2>/dev/null
done

# ---------------------------------------------------------------- fuzz_archive, fuzz_tar
if [ -f "$w/app-oci.tar" ]; then put fuzz_archive oci-app 0 "$w/app-oci.tar"; put fuzz_tar oci-app 1 "$w/app-oci.tar"; fi
if [ -f "$w/app-docker.tar" ]; then put fuzz_archive docker-app 1 "$w/app-docker.tar"; put fuzz_tar docker-app 1 "$w/app-docker.tar"; fi
for f in "$S"/oci-layouts/go-containerregistry-tarball/*.tar "$S"/oci-layouts/containers-image-docker-archive-almostempty.tar; do
	[ -f "$f" ] && [ "$(stat -c %s "$f")" -le 262144 ] || continue
	put fuzz_archive "$(basename "$f")" 1 "$f"; put fuzz_tar "$(basename "$f")" 0 "$f"
done
for f in "$S"/tar-split/archive-tar/*.tar "$S"/tar-split/containers-storage-broken.tar; do
	[ -f "$f" ] && [ "$(stat -c %s "$f")" -le 262144 ] && put fuzz_tar "$(basename "$f")" 0 "$f"
done

# ---------------------------------------------------------------- fuzz_inflate
printf 'hello, world\n%.0s' $(seq 200) >"$w/text"
if command -v gzip >/dev/null; then
	gzip -9 -c "$w/text" >"$w/t.gz"; put fuzz_inflate text.gz 1 "$w/t.gz"; put fuzz_inflate text.gz.sniff 0 "$w/t.gz"
	cat "$w/t.gz" "$w/t.gz" >"$w/t2.gz"; put fuzz_inflate members.gz 1 "$w/t2.gz"
	head -c 200000 /dev/zero | gzip -9 -c >"$w/z.gz"; put fuzz_inflate zeros.gz 5 "$w/z.gz"
fi
if command -v zstd >/dev/null; then
	zstd -q -19 -c "$w/text" >"$w/t.zst"; put fuzz_inflate text.zst 2 "$w/t.zst"
	head -c 200000 /dev/zero | zstd -q -c >"$w/z.zst"; put fuzz_inflate zeros.zst 6 "$w/z.zst"
	# a skippable frame, then a real one
	{ printf '\x50\x2a\x4d\x18\x04\x00\x00\x00abcd'; cat "$w/t.zst"; } >"$w/s.zst"; put fuzz_inflate skippable.zst 2 "$w/s.zst"
fi
for f in "$S"/tar-split/asm/*.gz "$S"/tar-split/asm/1c51*; do [ -f "$f" ] && put fuzz_inflate "$(basename "$f")" 1 "$f"; done

# ---------------------------------------------------------------- fuzz_tarsplit
# The layer folder fuzz_tarsplit.c makes, as a tar (same names, modes, content).
$PY - "$w/layer.tar" <<'PYEOF'
import io, sys, tarfile
t = tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT)
def add(name, typ, data=b'', mode=0o644, link=''):
    i = tarfile.TarInfo(name); i.type = typ; i.mode = mode; i.uid = i.gid = 0; i.mtime = 1700000000
    i.linkname = link; i.size = len(data)
    t.addfile(i, io.BytesIO(data) if data else None)
add('empty', tarfile.DIRTYPE, mode=0o755)
add('etc', tarfile.DIRTYPE, mode=0o755)
add('etc/hostname', tarfile.REGTYPE, b'edge\n')
add('hello.txt', tarfile.REGTYPE, b'hello, world\n')
add('link', tarfile.SYMTYPE, mode=0o777, link='hello.txt')
t.close()
PYEOF
if command -v tar-split >/dev/null; then
	n=0
	for f in "$w/layer.tar" "$S"/tar-split/asm/*.gz "$S"/tar-split/archive-tar/*.tar; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		case $f in *.gz) gzip -dc "$f" >"$w/in.tar" 2>/dev/null || continue ;; *) cp "$f" "$w/in.tar" ;; esac
		tar-split disasm --no-stdout --output "$w/ts.json.gz" - <"$w/in.tar" >/dev/null 2>&1 || continue
		gzip -dc "$w/ts.json.gz" >"$w/ts.json" 2>/dev/null || continue
		[ "$(stat -c %s "$w/ts.json")" -le 131072 ] || continue
		put fuzz_tarsplit "ts-$n-$(basename "$f")" 0 "$w/ts.json"
		[ "$f" = "$w/layer.tar" ] && { put fuzz_tarsplit layer.check 4 "$w/ts.json"; put fuzz_tarsplit layer.gz 1 "$w/ts.json.gz"; }
	done
fi

# ---------------------------------------------------------------- fuzz_bbolt
if [ -f "$top/tests/unit/data/containerd-meta.db.gz" ]; then
	gzip -dc "$top/tests/unit/data/containerd-meta.db.gz" >"$out/fuzz_bbolt/containerd-meta.db"
	# the same file one byte longer: the fd reader (odd sizes)
	{ cat "$out/fuzz_bbolt/containerd-meta.db"; printf '\0'; } >"$out/fuzz_bbolt/containerd-meta.db.fd"
fi
$PY "$here/mkseeds.py" bbolt "$out/fuzz_bbolt"
cp "$out"/fuzz_bbolt/*.db "$out/fuzz_containerd/" 2>/dev/null

# ---------------------------------------------------------------- fuzz_x509
find "$S" -type f \( -name '*.pem' -o -name '*.crt' -o -name '*.der' -o -name '*.cer' \) 2>/dev/null | sort | head -n 60 |
	while read -r f; do [ "$(stat -c %s "$f")" -le 65536 ] && put fuzz_x509 "$(echo "$f" | md5sum | cut -c1-10)-$(basename "$f")" 0 "$f"; done
find "$S" -type f \( -name '*.pub' -o -name '*.key' \) 2>/dev/null | sort | head -n 30 |
	while read -r f; do grep -q PRIVATE "$f" 2>/dev/null && continue; put fuzz_x509 "key-$(basename "$f")" 1 "$f"; done
mapfile -t jsons < <(find "$S/cosign" -name '*.json' 2>/dev/null | head -n 40)
$PY "$here/mkseeds.py" certs "${jsons[@]}" "$out/fuzz_x509"

# ---------------------------------------------------------------- signatures
C=$S/cosign/containers-image-signature/fixtures
for f in "$C"/dir-img-cosign-*/signature-*; do
	[ -f "$f" ] || continue
	nm=$(basename "$(dirname "$f")")-$(basename "$f")
	put fuzz_cosign "$nm.0" 0 "$f"; put fuzz_cosign "$nm.1" 1 "$f"; put fuzz_cosign "$nm.3" 3 "$f"
done
find "$S/cosign" -name '*.sigstore.json' -o -name 'bundle-*.json' 2>/dev/null | while read -r f; do
	[ "$(stat -c %s "$f")" -le 131072 ] || continue
	put fuzz_bundle "$(echo "$f" | md5sum | cut -c1-10).1" 1 "$f"
done
for f in "$S"/cosign/sigstore-conformance/bundle-verify/rekor2-*/bundle.sigstore.json; do
	[ -f "$f" ] && put fuzz_bundle "$(basename "$(dirname "$f")").3" 3 "$f"
done
$PY "$here/mkseeds.py" jws "$S/notation" "$out/fuzz_jws"
# verify-blob: the conformance suite's blob bundles, a cosign signature, trusted
# roots and a ClientTrustConfig around one (fuzz_blob.c's option byte)
for f in "$S"/cosign/sigstore-conformance/bundle-verify/*/bundle.sigstore.json; do
	[ -f "$f" ] && [ "$(stat -c %s "$f")" -le 131072 ] && put fuzz_blob "$(basename "$(dirname "$f")")" 0 "$f"
done
for f in "$C"/dir-img-cosign-*/signature-1; do [ -f "$f" ] && put fuzz_blob "sig-$(basename "$(dirname "$f")")" 5 "$f"; done
for f in "$S"/cosign/root-signing/trusted_root.json "$S"/cosign/sigstore-go/testing-data/trusted-roots/*.json; do
	[ -f "$f" ] || continue
	put fuzz_blob "troot-$(basename "$f")" 3 "$f"
	{ printf '{"mediaType":"application/vnd.dev.sigstore.clienttrustconfig.v0.1+json","trustedRoot":'; cat "$f"
	  printf ',"signingConfig":{}}'; } >"$w/ctc.json"
	put fuzz_blob "ctc-$(basename "$f")" 3 "$w/ctc.json"
done

# ---------------------------------------------------------------- JSON documents
n=0
find "$S/cosign" "$S/notation" "$S/seccomp" -name '*.json' 2>/dev/null | sort | while read -r f; do
	[ "$(stat -c %s "$f")" -le 65536 ] || continue
	n=$((n + 1)); cp "$f" "$out/fuzz_canonjson/$n-$(basename "$f")"
done
for f in "$S"/cosign/root-signing/trusted_root.json "$S"/cosign/sigstore-go/examples/trusted-root-public-good.json \
	"$S"/cosign/cosign/trusted_root_pgi.json "$S"/cosign/sigstore-go/testing-data/trusted-roots/*.json; do
	[ -f "$f" ] && put fuzz_policy "troot-$(basename "$f")" 1 "$f"
done
for f in "$S"/notation/notation-e2e/config/trustpolicies/*.json; do [ -f "$f" ] && put fuzz_policy "tp-$(basename "$f")" 2 "$f"; done
# our own policy (README "Signature policy"), naming the files fuzz_policy.c puts beside it
cat >"$w/p1.json" <<'EOF'
{"schema":"edgeaudit/signature-policy/v1","trustedRoot":"trusted_root.json",
 "keys":[{"name":"release","path":"keys/cosign.pub"}],
 "identities":[{"name":"ci","subject":"https://github.com/org/repo/.github/workflows/release.yml@refs/heads/main","issuer":"https://token.actions.githubusercontent.com"}],
 "notation":{"trustPolicy":"notation/trustpolicy.json","trustStore":"notation/store"},
 "images":[{"names":["localhost/*"],"signedBy":["release","ci"],"checkReference":true},
           {"names":["registry.example/*"],"mode":"audit","signedBy":["notation"]},
           {"names":["*"],"require":false}]}
EOF
put fuzz_policy policy-full 0 "$w/p1.json"
printf '{"schema":"edgeaudit/signature-policy/v1","images":[{"names":["*"],"signedBy":["notation"]}]}' >"$w/p2.json"
put fuzz_policy policy-min 0 "$w/p2.json"

# ---------------------------------------------------------------- small strings
for d in "sha256:$(printf x | sha256sum | cut -c1-64)" "sha512:$(printf x | sha512sum | cut -c1-128)" \
	"sha256:../../etc/passwd" "blake3:abcd" "SHA256:00" "sha256:$(printf x | sha256sum | cut -c1-64 | tr a-f A-F)"; do
	printf '%s' "$d" >"$out/fuzz_digest/$(printf '%s' "$d" | md5sum | cut -c1-10)"
done
for t in 2023-11-14T22:13:20Z 2023-11-14T22:13:20.123456789+05:30 1999-12-31t23:59:60z 2020-02-29T00:00:00-00:00; do
	printf '%s' "$t" >"$out/fuzz_rfc3339/$t"
done
for v in 0 1 2; do printf "\\x0$v%s" "$(printf 'hello, world' | base64)" >"$out/fuzz_b64/hello.$v"; done
printf '\x01aGVsbG8td29ybGQ' >"$out/fuzz_b64/url"
printf '\x00aGVs\nbG8=\r\n' >"$out/fuzz_b64/wrapped"

# ---------------------------------------------------------------- package databases
# fuzz_pkgdb: the real databases of ../shared/testdata/osv (option: kind | chunk << 3);
# fuzz_layerdb: layer tars GNU tar writes of roots holding them, with whiteouts.
for f in "$S"/osv/dpkg/* "$S"/osv/pkgdb-samples/*.status; do
	[ -f "$f" ] && put fuzz_pkgdb "dpkg-$(basename "$f")" $((0 | 7 << 3)) "$f"
done
for f in "$S"/osv/apk/* "$S"/osv/pkgdb-samples/*.installed; do
	[ -f "$f" ] && put fuzz_pkgdb "apk-$(basename "$f")" $((1 | 3 << 3)) "$f"
done
for f in "$S"/osv/pkgdb-samples/alpine-*/os-release /etc/os-release /usr/lib/os-release; do
	[ -f "$f" ] && put fuzz_pkgdb "osr-$(echo "$f" | md5sum | cut -c1-8)" 3 "$f"
done
if [ -d "$S/osv/dpkg" ]; then
	r="$w/pkgroot"; mkdir -p "$r/var/lib/dpkg/status.d" "$r/lib/apk/db" "$r/etc" "$r/usr/lib"
	cp "$S/osv/dpkg/osv-scalibr-valid-status" "$r/var/lib/dpkg/status" 2>/dev/null
	cp "$S/osv/dpkg/syft-status.d-deinstall" "$r/var/lib/dpkg/status.d/k" 2>/dev/null
	cp "$S/osv/apk/syft-multiple-2-installed" "$r/lib/apk/db/installed" 2>/dev/null
	printf 'ID=debian\nVERSION_ID="12"\n' >"$r/usr/lib/os-release"; ln -s ../usr/lib/os-release "$r/etc/os-release"
	: >"$r/var/lib/dpkg/.wh..wh..opq"; : >"$r/lib/apk/db/.wh.triggers"
	tar --create --file "$w/pkg.tar" -C "$r" . 2>/dev/null && put fuzz_layerdb pkg 16 "$w/pkg.tar"
	tar --create --format=pax --file "$w/pkg-pax.tar" -C "$r" . 2>/dev/null && put fuzz_layerdb pkg-pax 200 "$w/pkg-pax.tar"
fi

# ---------------------------------------------------------------- /proc, seccomp, the config file
# /proc/<pid>/status of this machine's processes, as the kernel writes them.
mk fuzz_proc_status
for p in /proc/[0-9]*; do
	pid=${p#/proc/}
	[ "$(ls "$out/fuzz_proc_status" | wc -l)" -ge 20 ] && break
	cat "$p/status" >"$out/fuzz_proc_status/status-$pid" 2>/dev/null || rm -f "$out/fuzz_proc_status/status-$pid"
done
# The hand-assembled filters the unit tests check against the kernel's
# answers, as fuzz_seccomp_bpf reads them: split byte, struct sc_data, code.
mk fuzz_seccomp_bpf
if [ -f "$top/tests/helpers/known_filters.h" ] && command -v "${FUZZ_CC:-clang}" >/dev/null; then
	cat >"$w/kf.c" <<'CEOF'
#include <stdio.h>
#include <string.h>
#include "known_filters.h"
struct data { int nr; unsigned arch; unsigned long long ip, args[6]; };
int main(int argc, char **argv)
{
	static const int nrs[] = {165, 101, 321, 272, 250, 308, 246, 0, 400};
	for (size_t i = 0; i < sizeof kf_all / sizeof kf_all[0]; i++)
		for (size_t k = 0; k < sizeof nrs / sizeof nrs[0]; k++) {
			char path[512];
			snprintf(path, sizeof path, "%s/%s-%d", argv[1], kf_all[i].name, nrs[k]);
			FILE *f = fopen(path, "wb");
			struct data d = {nrs[k], 0xc000003eu, 0, {0x10000000, 0, 0, 0, 0, 0}};
			unsigned char split = (unsigned char)(k == 0 && i + 1 < sizeof kf_all / sizeof kf_all[0] ? kf_all[i].n : 0);
			fwrite(&split, 1, 1, f);
			fwrite(&d, sizeof d, 1, f);
			fwrite(kf_all[i].p, sizeof kf_all[i].p[0], kf_all[i].n, f);
			if (split) fwrite(kf_all[i + 1].p, sizeof kf_all[i + 1].p[0], kf_all[i + 1].n, f);
			fclose(f);
		}
	(void)argc;
	return 0;
}
CEOF
	"${FUZZ_CC:-clang}" -I"$top/tests/helpers" -o "$w/kf" "$w/kf.c" && "$w/kf" "$out/fuzz_seccomp_bpf"
fi
mk fuzz_seccomp_profile
for f in "$S"/seccomp/*.json; do [ -f "$f" ] && put fuzz_seccomp_profile "$(basename "$f")" 0 "$f"; done
mk fuzz_config
[ -f "$top/board/config.example.json" ] && put fuzz_config example 0 "$top/board/config.example.json" && put fuzz_config example.check 1 "$top/board/config.example.json"
printf '{"format":"text","fail_on":"low","budget_ms":900,"store":["oci:/cfg"],"no_proc":true,"key":"/k.pub","metrics":"/m/e.prom"}' >"$w/c1"
put fuzz_config options 0 "$w/c1"
printf '{"format": "text",\n "jobs": "two",\n "bogus": 1\n' >"$w/c2"
put fuzz_config errors 0 "$w/c2"
printf '{"metrics": "e.txt", "out": "/r.json"}' >"$w/c3"
put fuzz_config metrics_name 1 "$w/c3"
# ---------------------------------------------------------------- OSV records, the vulnerability database
# Real records (osv.dev's exports), the all.zip osv.dev publishes, and
# databases the product builds from them.
for f in "$S"/osv/records/*.json "$S"/osv-large/sample/*/*.json "$S"/osv-large/exact-samples/osv.dev-testdata/*.json; do
	[ -f "$f" ] && put fuzz_osv "rec-$(basename "$f")" 0 "$f"
done
for f in "$S"/osv-large/exact-samples/vuls-data-update-allzip/*.zip; do
	[ -f "$f" ] && put fuzz_osv "zip-$(basename "$f")" 1 "$f"
done
ea=$top/${EDGEAUDIT_OUT:-out}/x86_64/edgeaudit
if [ -x "$ea" ] && [ -d "$S/osv/records" ]; then
	"$ea" vulndb build --osv "$S/osv/records" --out "$out/fuzz_vulndb/records" 2>/dev/null
	"$ea" vulndb build --osv "$S/osv-large/exact-samples/vuls-data-update-allzip" --out "$out/fuzz_vulndb/allzip" 2>/dev/null
fi
# ---------------------------------------------------------------- the host baseline
# Baselines made by the product (a small tree with every entry type, odd
# names, a link out of it), cut into pieces the fuzzer can grow from.
mk fuzz_baseline
ea=$top/${EDGEAUDIT_OUT:-out}/x86_64/edgeaudit
if [ -x "$ea" ]; then
	b=$w/btree
	mkdir -p "$b/usr/bin" "$b/etc/a b" "$b/dev"
	printf 'x' >"$b/etc/a b/c"; printf '\x7fELF' >"$b/usr/bin/p"; chmod 4755 "$b/usr/bin/p"
	ln -s ../../../etc/passwd "$b/etc/out"; mkfifo "$b/etc/fifo"; touch "$b/etc/$(printf 'n\001\377')"
	command -v setcap >/dev/null && setcap cap_net_raw+ep "$b/usr/bin/p" 2>/dev/null
	[ "$(id -u)" = 0 ] && mknod "$b/dev/null" c 1 3
	"$ea" baseline create --root "$b" --out "$out/fuzz_baseline/tree" 2>/dev/null
	"$ea" baseline create --root "$b" --path /etc --path /usr --exclude '*/fifo' --out "$out/fuzz_baseline/paths" 2>/dev/null
	head -c 300 "$out/fuzz_baseline/tree" >"$out/fuzz_baseline/cut"
fi
# ---------------------------------------------------------------- fuzz_checkpoint
# the signed-note checkpoints Rekor v1 and v2 wrote into the conformance bundles
$PY - "$S/cosign/sigstore-conformance/bundle-verify" "$out/fuzz_checkpoint" <<'PYEOF' 2>/dev/null
import glob, json, os, sys
for f in sorted(glob.glob(sys.argv[1] + "/*/bundle.sigstore.json")):
    try:
        for i, e in enumerate(json.load(open(f))["verificationMaterial"].get("tlogEntries", [])):
            cp = e["inclusionProof"]["checkpoint"]["envelope"]
            name = "%s-%d" % (os.path.basename(os.path.dirname(f)), i)
            open(os.path.join(sys.argv[2], name), "w").write(cp)
    except (KeyError, ValueError, TypeError):
        pass
PYEOF
for h in "$out"/*/; do echo "# seeds $(basename "$h"): $(ls "$h" | wc -l)"; done
exit 0
