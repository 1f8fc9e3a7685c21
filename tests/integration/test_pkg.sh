#!/usr/bin/env bash
# What is installed (issue 16, parts 1 and 2): the package databases read
# while each layer's tar streams by, the layers applied in order (whiteouts,
# opaque folders), the host root read the same way, and the SBOMs.
# References are other tools: dpkg-query on the same databases, the apk
# database files themselves, a Debian root debootstrap made, an Alpine
# layout from ../shared, images written by umoci and GNU tar; the SBOMs
# checked by the published CycloneDX schema (ajv) and packageurl-js.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
trap 'stop_dockerd; rm -rf "$T"' EXIT

OSV=$SHARED/osv
NM=${EDGEAUDIT_NODE_MODULES:-$TOP/tests/node_modules}
CACHE=${EDGEAUDIT_CACHE:-${HOME:-/root}/.cache/edgeaudit}

# inv_of JSONFILE SUBJECT: "name version" lines of one SBOM subject (CycloneDX)
inv_of() {
	$PY - "$1" "$2" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["components"]:
    if c["name"] == sys.argv[2]:
        for p in c["components"]:
            print(p["name"], p["version"])
PYEOF
}
# prop_of JSONFILE SUBJECT PROPERTY: one edgeaudit property of a subject
prop_of() {
	$PY - "$1" "$2" "$3" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
for c in d["components"]:
    if c["name"] == sys.argv[2]:
        print(next((p["value"] for p in c["properties"] if p["name"] == sys.argv[3]), ""))
PYEOF
}
# dpkg-query's list of what is installed ("ii": install ok installed; "hi": held)
dpkg_ref() {
	local o; o=$(dpkg-query --admindir="$1" -W -f '${db:Status-Abbrev}|${Package} ${Version}\n') || return 1
	printf '%s\n' "$o" | sed -n 's/^[ih]i |//p' | LC_ALL=C sort
}
same_list() { # NAME WANT_FILE GOT_FILE
	local d; d=$(diff <(LC_ALL=C sort "$2") <(LC_ALL=C sort "$3"))
	if [ -z "$d" ] && [ -s "$2" ]; then ok "$1 ($(wc -l <"$2") packages)"
	else not_ok "$1" "want $(wc -l <"$2"), got $(wc -l <"$3")" "${d:0:1500}"; fi
}
has_finding() { # ID TEXT: a finding with this id whose message holds TEXT
	json_get "$OUT" "any(f['id']=='$1' and '''$2''' in f['message'] for f in r['findings'])" | grep -q True
}
# a root folder holding one database file at its path
root_with() { # DIR REL SRC
	mkdir -p "$1/$(dirname "$2")" && cp "$3" "$1/$2"
}

# ---------------------------------------------------------------- databases

if [ ! -d "$OSV" ]; then
	skip "package databases of ../shared/testdata/osv" "$OSV is absent"
else
	# dpkg: every fixture against dpkg-query on the same file
	for f in "$OSV"/dpkg/osv-scalibr-valid-status "$OSV"/dpkg/trivy-ubuntu1804-status \
		"$OSV"/pkgdb-samples/*.status; do
		n=$(basename "$f"); R=$T/r-$n
		root_with "$R" var/lib/dpkg/status "$f"
		run_ea sbom --root "$R" -o "$T/$n.cdx.json"
		inv_of "$T/$n.cdx.json" "$R" >"$T/$n.got"
		if ! dpkg_ref "$R/var/lib/dpkg" >"$T/$n.want" 2>"$T/$n.dpkgerr"; then
			# dpkg refuses the file: so must we, with a finding naming it
			[ $RC -eq 3 ] && grep -q "pkg.db_malformed.*var/lib/dpkg/status: line" <<<"$ERR" &&
				ok "dpkg status $n: dpkg-query refuses it, pkg.db_malformed names it" ||
				not_ok "dpkg status $n: dpkg-query refuses it" "rc=$RC $ERR"
		elif [ $RC -eq 0 ]; then same_list "dpkg status $n = dpkg-query -W (installed)" "$T/$n.want" "$T/$n.got"
		else not_ok "dpkg status $n = dpkg-query -W (installed)" "rc=$RC $ERR"; fi
	done
	# apk: every P:/V: pair of the file itself
	for f in "$OSV"/apk/alpine-3.17-layer-installed "$OSV"/apk/syft-multiple-2-installed \
		"$OSV"/pkgdb-samples/*.installed "$OSV"/pkgdb-samples/alpine-*-image/installed; do
		n=$(basename "$(dirname "$f")")-$(basename "$f"); R=$T/r-$n
		root_with "$R" lib/apk/db/installed "$f"
		run_ea sbom --root "$R" -o "$T/$n.cdx.json"
		inv_of "$T/$n.cdx.json" "$R" >"$T/$n.got"
		awk -F: '/^P:/{p=substr($0,3)} /^V:/{v=substr($0,3)} /^$/{if(p!="")print p" "v; p=""; v=""} END{if(p!="")print p" "v}' "$f" | LC_ALL=C sort -u >"$T/$n.all"
		# an entry without V: makes apk-tools refuse the database: a finding
		grep -v ' $' "$T/$n.all" >"$T/$n.want"
		if ! cmp -s "$T/$n.all" "$T/$n.want"; then
			[ $RC -eq 3 ] && grep -q "pkg.db_malformed.*lib/apk/db/installed: line" <<<"$ERR" &&
				same_list "apk installed $n: the entries with P: and V:, and pkg.db_malformed for the one without" "$T/$n.want" "$T/$n.got" ||
				not_ok "apk installed $n: an entry without V:" "rc=$RC $ERR"
		elif [ $RC -eq 0 ]; then same_list "apk installed $n = its P:/V: entries" "$T/$n.want" "$T/$n.got"
		else not_ok "apk installed $n = its P:/V: entries" "rc=$RC $ERR"; fi
	done
	# the Alpine sample images: os-release and alpine-release to the OSV ecosystem
	for v in 3.10.4:v3.10 3.11:v3.11; do
		d=$OSV/pkgdb-samples/alpine-${v%%:*}-image; R=$T/ar-${v%%:*}
		[ -d "$d" ] || continue
		root_with "$R" lib/apk/db/installed "$d/installed"
		root_with "$R" etc/os-release "$d/os-release"
		root_with "$R" etc/alpine-release "$d/alpine-release"
		run_ea audit --no-stores --no-proc --root "$R"
		eco=$(json_get "$OUT" "r['host_inventory'].get('ecosystem')")
		[ "$eco" = "Alpine:${v#*:}" ] && ok "alpine ${v%%:*} sample: ecosystem $eco" ||
			not_ok "alpine ${v%%:*} sample: ecosystem" "got '$eco'"
	done
	# distroless status.d: one stanza file per package; only "install ok installed"
	R=$T/r-statusd
	root_with "$R" var/lib/dpkg/status.d/tzdata <(awk '/^Package: tzdata$/,/^$/' "$OSV"/dpkg/syft-status.d-multiple)
	root_with "$R" var/lib/dpkg/status.d/deinstall "$OSV"/dpkg/syft-status.d-deinstall
	root_with "$R" var/lib/dpkg/status.d/tzdata.md5sums /dev/null
	run_ea sbom --root "$R" -o "$T/sd.json"
	inv_of "$T/sd.json" "$R" >"$T/sd.got"
	# the reference: dpkg-query on the stanza files joined into one status
	mkdir -p "$T/sdadm"; for f in "$R"/var/lib/dpkg/status.d/{tzdata,deinstall}; do cat "$f"; echo; done >"$T/sdadm/status"
	dpkg_ref "$T/sdadm" >"$T/sd.want"
	[ "$RC" = 0 ] && same_list "status.d files (.md5sums aside) = dpkg-query on them joined" "$T/sd.want" "$T/sd.got" ||
		not_ok "status.d files" "rc=$RC $ERR"
	# malformed databases: a finding naming the file, never a crash or a silent list
	for c in "dpkg/syft-status.d-corrupt var/lib/dpkg/status.d/apt" \
		"dpkg/syft-status.d-multiple var/lib/dpkg/status.d/multi" \
		"apk/syft-corrupt-installed lib/apk/db/installed" \
		"apk/trivy-apk-installed lib/apk/db/installed"; do
		set -- $c; R=$T/bad-$(basename "$1")
		root_with "$R" "$2" "$OSV/$1"
		run_ea audit --no-stores --no-proc --root "$R"
		st=$(json_get "$OUT" "r['host_inventory']['status']")
		if [ $RC -eq 3 ] && has_finding pkg.db_malformed "$2: line" && [ "$st" = malformed ]; then
			ok "malformed $1: pkg.db_malformed naming $2, inventory malformed, exit 3"
		else
			not_ok "malformed $1: pkg.db_malformed naming $2" "rc=$RC status=$st" "${OUT:0:800}"
		fi
	done
	# what the corrupt apk database still holds is listed, beside the finding
	run_ea sbom --root "$T/bad-syft-corrupt-installed" -o "$T/bad.json"
	n=$(inv_of "$T/bad.json" "$T/bad-syft-corrupt-installed" | wc -l)
	[ "$RC" = 3 ] && [ "$n" = 1 ] && ok "sbom of a corrupt apk database: its valid entry, exit 3" ||
		not_ok "sbom of a corrupt apk database" "rc=$RC entries=$n"
fi

# an RPM database (made by rpm itself: sqlite on Debian 12's rpm 4.18): said, not inventoried
if command -v rpm >/dev/null && command -v umoci >/dev/null; then
	R=$T/r-rpm; mkdir -p "$R/var/lib/rpm"
	rpm --dbpath "$R/var/lib/rpm" --initdb
	db=$(cd "$R" && ls var/lib/rpm/rpmdb.sqlite var/lib/rpm/Packages var/lib/rpm/Packages.db 2>/dev/null | head -n 1)
	run_ea audit --no-stores --no-proc --root "$R"
	st=$(json_get "$OUT" "r['host_inventory']['status']")
	[ $RC -eq 3 ] && [ "$st" = unsupported ] && [ -n "$db" ] && has_finding vuln.inventory_unsupported "$db" &&
		ok "rpm --initdb's $db: vuln.inventory_unsupported, status unsupported, exit 3" ||
		not_ok "rpm database: vuln.inventory_unsupported" "rc=$RC status=$st db=$db"
	# the same as an image layer (GNU tar, umoci)
	tar --create --file "$T/rpm.tar" -C "$R" . && umoci init --layout "$T/rl" && umoci new --image "$T/rl:r" &&
		umoci raw add-layer --image "$T/rl:r" "$T/rpm.tar"
	# Not compared with the report baseline: an RPM-only image is incomplete
	# now (its packages are not known), on purpose; the baseline said pass.
	EA_DIFF_BASE='' run_ea images --store "oci:$T/rl"
	st=$(json_get "$OUT" "r['images'][0]['inventory']['status']")
	[ $RC -eq 3 ] && [ "$st" = unsupported ] && has_finding vuln.inventory_unsupported "$db" &&
		ok "an image with only an RPM database: unsupported, incomplete" ||
		not_ok "an image with only an RPM database" "rc=$RC status=$st"
else
	skip "rpm database" "rpm or umoci is not installed (build.sh test installs them)"
fi
# no database at all: status none, no finding, not "ok"
mkdir -p "$T/r-empty/etc"
run_ea audit --no-stores --no-proc --root "$T/r-empty"
st=$(json_get "$OUT" "r['host_inventory']['status']")
[ $RC -eq 0 ] && [ "$st" = none ] && ok "a root without a package database: status none" ||
	not_ok "a root without a package database: status none" "rc=$RC status=$st"

# the host itself (--root /): the same readers, against dpkg-query on this machine
if [ -f /var/lib/dpkg/status ] && command -v dpkg-query >/dev/null; then
	run_ea sbom --root / -o "$T/host.json"
	inv_of "$T/host.json" / >"$T/host.got"
	dpkg_ref /var/lib/dpkg >"$T/host.want"
	[ $RC -eq 0 ] && same_list "--root /: this machine's packages = dpkg-query -W" "$T/host.want" "$T/host.got" ||
		not_ok "--root /: this machine's packages" "rc=$RC $ERR"
else
	skip "--root /" "this machine has no dpkg database"
fi

# ---------------------------------------------------------------- the Alpine layout

AL=$SHARED/oci-layouts/notation-go-alpine
if [ -d "$AL" ] && [ -f "$OSV/apk/alpine-3.17-layer-installed" ]; then
	run_ea sbom --store "oci:$AL" -o "$T/al.json"
	name=$($PY -c "import json; print(json.load(open('$T/al.json'))['components'][0]['name'])")
	inv_of "$T/al.json" "$name" >"$T/al.got"
	awk -F: '/^P:/{p=substr($0,3)} /^V:/{print p" "substr($0,3)}' "$OSV/apk/alpine-3.17-layer-installed" >"$T/al.want"
	same_list "alpine layout: the layer's lib/apk/db/installed, read as its tar streams by" "$T/al.want" "$T/al.got"
	eco=$(prop_of "$T/al.json" "$name" edgeaudit:osv_ecosystem)
	[ "$eco" = Alpine:v3.17 ] && ok "alpine layout: ecosystem Alpine:v3.17" || not_ok "alpine layout: ecosystem" "got '$eco'"
else
	skip "alpine layout" "$AL or the osv fixtures are absent"
fi

# ---------------------------------------------------------------- a debootstrap image

deb_root() { # the Debian root, made once per cache with debootstrap (minbase)
	DEB=$CACHE/pkgroot/bookworm-minbase
	[ -f "$DEB/var/lib/dpkg/status" ] && return 0
	command -v debootstrap >/dev/null || return 1
	local src m
	for src in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
		[ -r "$src" ] || continue
		# this machine's own Debian mirror (never a host name written here)
		m=$(awk '/^URIs:/{u=$2} /^Suites:/ && !/-security/ && u {print u; exit}
			/^deb / && !/security/ {print $2; exit}' "$src")
		[ -n "$m" ] && break
	done
	[ -n "$m" ] || return 1
	mkdir -p "$CACHE/pkgroot"; rm -rf "$DEB.tmp"
	debootstrap --variant=minbase bookworm "$DEB.tmp" "$m" >"$T/debootstrap.log" 2>&1 || return 1
	mv "$DEB.tmp" "$DEB"
}

if [ "$(id -u)" != 0 ]; then
	skip "debootstrap image" "debootstrap and umoci's image of a root need root"
elif ! command -v umoci >/dev/null; then
	skip "debootstrap image" "umoci is not installed (build.sh test installs it)"
elif ! deb_root; then
	skip "debootstrap image" "no Debian root: debootstrap missing or failed ($(tail -n 2 "$T/debootstrap.log" 2>/dev/null | tr '\n' ' '))"
else
	L=$T/lay
	umoci init --layout "$L" && umoci new --image "$L:deb" && umoci unpack --image "$L:deb" "$T/b" >/dev/null
	cp -a "$DEB/." "$T/b/rootfs/"
	umoci repack --image "$L:deb" "$T/b"
	# umoci writes the whiteout: status deleted in a second layer
	rm "$T/b/rootfs/var/lib/dpkg/status"
	umoci repack --image "$L:deb-rm" "$T/b"
	rm -rf "$T/b"
	# layers GNU tar writes, appended verbatim
	mklayer() { # TAG DIR: the image deb plus DIR as a layer
		tar --create --file "$T/$1.tar" --numeric-owner -C "$2" . &&
			umoci tag --image "$L:deb" "$1" && umoci raw add-layer --image "$L:$1" "$T/$1.tar"
	}
	mkdir -p "$T/l-ub/var/lib/dpkg" "$T/l-opq/var/lib/dpkg/status.d" "$T/l-whd/var/lib"
	cp "$OSV/dpkg/trivy-ubuntu1804-status" "$T/l-ub/var/lib/dpkg/status" 2>/dev/null ||
		dpkg-query --admindir="$DEB/var/lib/dpkg" -s bash >"$T/l-ub/var/lib/dpkg/status"
	: >"$T/l-opq/var/lib/dpkg/.wh..wh..opq"
	dpkg-query --admindir="$DEB/var/lib/dpkg" -s bash >"$T/l-opq/var/lib/dpkg/status.d/bash"
	: >"$T/l-whd/var/lib/.wh.dpkg"
	mklayer deb-ub "$T/l-ub"; mklayer deb-opq "$T/l-opq"; mklayer deb-whd "$T/l-whd"
	umoci gc --layout "$L"

	run_ea images --store "oci:$L" --out "$T/deb-report.json"
	[ $RC -eq 0 ] && ok "debootstrap images verify (exit 0)" || not_ok "debootstrap images verify" "rc=$RC ${OUT:0:600}"
	check "the report with inventories validates against tests/report.schema.json" validate_report "$T/deb-report.json"
	run_ea sbom --store "oci:$L" -o "$T/deb.json"
	subj() { $PY -c "import json; print([c['name'] for c in json.load(open('$T/deb.json'))['components'] if c['name'] == '$1' or c['name'].endswith(':$1')][0])"; }
	inv_of "$T/deb.json" "$(subj deb)" >"$T/deb.got"
	dpkg_ref "$DEB/var/lib/dpkg" >"$T/deb.want"
	same_list "debootstrap image: inventory = dpkg-query -W on the same root" "$T/deb.want" "$T/deb.got"
	eco=$(prop_of "$T/deb.json" "$(subj deb)" edgeaudit:osv_ecosystem)
	[ "$eco" = Debian:12 ] && ok "debootstrap image: ecosystem Debian:12 (os-release through its link)" ||
		not_ok "debootstrap image: ecosystem" "got '$eco'"
	st=$(prop_of "$T/deb.json" "$(subj deb-rm)" edgeaudit:inventory_status)
	n=$(inv_of "$T/deb.json" "$(subj deb-rm)" | wc -l)
	[ "$st" = none ] && [ "$n" = 0 ] && ok "umoci's whiteout of var/lib/dpkg/status: no database left (status none)" ||
		not_ok "umoci's whiteout of var/lib/dpkg/status" "status=$st packages=$n"
	if [ -f "$OSV/dpkg/trivy-ubuntu1804-status" ]; then
		inv_of "$T/deb.json" "$(subj deb-ub)" >"$T/ub.got"
		mkdir -p "$T/ubadm"; cp "$OSV/dpkg/trivy-ubuntu1804-status" "$T/ubadm/status"
		dpkg_ref "$T/ubadm" >"$T/ub.want"
		same_list "a later layer replacing var/lib/dpkg/status: the upper one counts" "$T/ub.want" "$T/ub.got"
	fi
	got=$(inv_of "$T/deb.json" "$(subj deb-opq)" | tr '\n' ' ')
	want=$(dpkg-query --admindir="$DEB/var/lib/dpkg" -W -f '${Package} ${Version} ' bash)
	[ "$got" = "$want" ] && ok "an opaque var/lib/dpkg: only the upper layer's status.d/bash" ||
		not_ok "an opaque var/lib/dpkg" "got '$got' want '$want'"
	st=$(prop_of "$T/deb.json" "$(subj deb-whd)" edgeaudit:inventory_status)
	[ "$st" = none ] && ok "a whiteout of the folder var/lib/dpkg: status none" || not_ok "whiteout of var/lib/dpkg" "status=$st"

	# the same image through skopeo's other transports: one reading each
	for tr in oci-archive docker-archive dir; do
		case $tr in dir) dst=$T/deb-$tr ;; *) dst=$T/deb-$tr.tar ;; esac
		skopeo copy -q "oci:$L:deb" "$tr:$dst$([ $tr = dir ] || echo :localhost/deb:1)" >/dev/null 2>&1 || {
			skip "debootstrap image as $tr" "skopeo copy failed"; continue; }
		run_ea images --store "$tr:$dst"
		n=$(json_get "$OUT" "r['images'][0].get('inventory',{}).get('packages')")
		[ "$n" = "$(wc -l <"$T/deb.want")" ] && ok "debootstrap image as $tr: $n packages" ||
			not_ok "debootstrap image as $tr" "packages=$n want $(wc -l <"$T/deb.want")"
	done

	# the engine stores: layers extracted on disk, reassembled from tar-split
	skopeo copy -q "oci:$L:deb" "containers-storage:[vfs@$T/cs+$T/csrun]localhost/deb:1" >/dev/null 2>&1 &&
		run_ea images --store "containers-storage:$T/cs" &&
		n=$(json_get "$OUT" "[i.get('inventory',{}).get('packages') for i in r['images']]") &&
		[ "$n" = "[$(wc -l <"$T/deb.want")]" ] && ok "debootstrap image in containers/storage (vfs): $n packages" ||
		not_ok "debootstrap image in containers/storage" "packages=${n:-} rc=$RC"
	if command -v dockerd >/dev/null && skopeo copy -q "oci:$L:deb" "docker-archive:$T/deb-d.tar:localhost/deb:1" >/dev/null 2>&1 &&
		start_dockerd dpk vfs; then
		$D load -i "$T/deb-d.tar" >/dev/null
		stop_dockerd
		run_ea images --store "docker:$DROOT"
		n=$(json_get "$OUT" "[i.get('inventory',{}).get('packages') for i in r['images']]")
		[ "$n" = "[$(wc -l <"$T/deb.want")]" ] && ok "debootstrap image in dockerd's store (vfs): $n packages" ||
			not_ok "debootstrap image in dockerd's store" "packages=$n rc=$RC"
	else
		skip "debootstrap image in dockerd's store" "dockerd is not installed or did not start"
	fi

	# SBOMs against the published schema and a purl parser
	if [ -f "$NM/@cyclonedx/cyclonedx-library/package.json" ] && [ -d "$NM/ajv" ] && [ -d "$NM/packageurl-js" ]; then
		for fmt in cyclonedx spdx; do
			run_ea sbom --store "oci:$L" --root "$DEB" --format $fmt --out "$T/all.$fmt.json"
			v=$(NODE_PATH=$NM node "$TOP/tests/sbom/validate.js" $fmt "$T/all.$fmt.json" 2>&1 >"$T/all.$fmt.purls")
			n=$(wc -l <"$T/all.$fmt.purls")
			[ $RC -eq 0 ] && [ -z "$v" ] && [ "$n" -gt 200 ] &&
				ok "sbom --format $fmt: valid$([ $fmt = cyclonedx ] && echo ' against the CycloneDX 1.6 schema'), $n package URLs parse back" ||
				not_ok "sbom --format $fmt validates" "rc=$RC n=$n" "${v:0:1500}"
		done
		grep -q '^zlib1g 1:1.2.13.dfsg-1 pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12$' "$T/all.cyclonedx.purls" &&
			ok "purl of an epoch version: pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12" ||
			not_ok "purl of zlib1g" "$(grep zlib1g "$T/all.cyclonedx.purls")"
		# a tampered document fails the same validator (the check can fail)
		$PY -c "import json; d=json.load(open('$T/all.cyclonedx.json')); d['components'][0]['type']='box'; json.dump(d, open('$T/bad.cdx.json','w'))"
		NODE_PATH=$NM node "$TOP/tests/sbom/validate.js" cyclonedx "$T/bad.cdx.json" >/dev/null 2>&1 &&
			not_ok "the schema check refuses a component type the schema lacks" ||
			ok "the schema check refuses a component type the schema lacks"
	else
		skip "sbom schema validation" "tests/node_modules lacks @cyclonedx/cyclonedx-library, ajv or packageurl-js (.ci/run installs them)"
	fi
	# the document goes through fsx_write_atomic (temp, fsync, rename): a
	# folder that is not there is exit 2, no partial file
	run_ea sbom --store "oci:$L" --out "$T/nodir/x.json"
	[ $RC -eq 2 ] && [ ! -e "$T/nodir" ] && ok "sbom --out into a missing folder: exit 2, nothing written" ||
		not_ok "sbom --out into a missing folder" "rc=$RC"
fi
