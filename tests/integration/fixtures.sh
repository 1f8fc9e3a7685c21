# Fixture builders for integration tests (sourced after lib.sh).  Every store
# is made by a real producer (umoci, skopeo, the zstd tool, dockerd); the
# tests only tamper with what those wrote.  Built once per test run in $T.

# A tiny busybox root filesystem.
mk_rootfs() {
	local d=$1
	mkdir -p "$d/bin" "$d/etc" "$d/tmp"
	cp /bin/busybox "$d/bin/busybox"
	for n in sh ls cat echo sleep true false id; do ln -sf busybox "$d/bin/$n"; done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$d/etc/passwd"
	echo 'root:x:0:' >"$d/etc/group"
}

# mk_umoci_layout LAYOUT TAG [ARCH]: three layers (rootfs, then two inserted files).
mk_umoci_layout() {
	local lay=$1 tag=$2 arch=${3:-amd64} w="$T/umoci-work.$RANDOM"
	[ -d "$T/rootfs" ] || mk_rootfs "$T/rootfs"
	mkdir -p "$w"
	[ -f "$lay/oci-layout" ] || umoci init --layout "$lay" >/dev/null
	umoci new --image "$lay:$tag" >/dev/null
	umoci config --image "$lay:$tag" --architecture "$arch" --os linux >/dev/null
	umoci unpack --rootless --image "$lay:$tag" "$w/bundle" >/dev/null 2>&1 || umoci unpack --image "$lay:$tag" "$w/bundle" >/dev/null
	cp -a "$T/rootfs/." "$w/bundle/rootfs/"
	umoci repack --image "$lay:$tag" "$w/bundle" >/dev/null
	umoci config --image "$lay:$tag" --config.cmd /bin/sh >/dev/null
	echo "edgeaudit fixture $tag" >"$w/extra.txt"
	umoci insert --image "$lay:$tag" "$w/extra.txt" /etc/extra.txt >/dev/null
	head -c 300000 /dev/urandom >"$w/blob.bin"
	umoci insert --image "$lay:$tag" "$w/blob.bin" /opt/blob.bin >/dev/null
	umoci gc --layout "$lay" >/dev/null
	rm -rf "$w"
}

# fresh COPY: a pristine copy of the base umoci layout.
base_layout() {
	if [ ! -d "$T/base" ]; then mk_umoci_layout "$T/base" bb; fi
}
# whiteout_layout DIR: the base image with bin/false deleted in a fourth
# layer, as umoci repack writes the whiteout.  DIR must be under $T.
whiteout_layout() {
	case "$1" in "$T"/?*) ;; *) echo "fatal: whiteout_layout: '$1' is not under $T" >&2; exit 1 ;; esac
	base_layout
	cp -a "$T/base" "$1"
	umoci unpack --image "$1:bb" "$1-bundle" >/dev/null
	rm "$1-bundle/rootfs/bin/false"
	umoci repack --image "$1:bb" "$1-bundle" >/dev/null
	umoci gc --layout "$1" >/dev/null
}
# extracted_layer_tampers PREFIX STORE-KEY DRIVER: the tampers of files in
# an engine's extracted layer folders that every engine store reader must
# catch (a byte changed, which also breaks the diffID; a file added; one
# removed; a mode and an owner changed).  Uses the suite's fresh_store,
# ldir (layer folder by index) and expect_fail.
extracted_layer_tampers() {
	local pre=$1 key=$2 d=$3 L
	fresh_store "$key"; L=$(ldir "$d" 0) || exit 1; printf 'X' | dd of="$L/bin/busybox" bs=1 seek=5000 conv=notrunc status=none
	expect_fail "a byte changed in a layer file" "$S" layer.file_modified "$L/bin/busybox"
	has_finding layer.diffid_mismatch "$L" && ok "$pre tamper: the same layer no longer hashes to its diffID" || not_ok "diffid mismatch too" "$(findings_of)"

	fresh_store "$key"; L=$(ldir "$d" 0) || exit 1; echo evil >"$L/bin/evil"
	expect_fail "a file added to a layer folder" "$S" layer.file_added "$L/bin/evil"

	fresh_store "$key"; L=$(ldir "$d" 1) || exit 1; rm "$L/etc/extra.txt"
	expect_fail "a file removed from a layer folder" "$S" layer.file_missing "$L/etc/extra.txt"

	fresh_store "$key"; L=$(ldir "$d" 0) || exit 1; chmod 4755 "$L/bin/busybox"
	expect_fail "a file chmod-ed (setuid)" "$S" layer.file_attr_mismatch "$L/bin/busybox"

	fresh_store "$key"; L=$(ldir "$d" 1) || exit 1; chown 1000:1000 "$L/etc/extra.txt"
	expect_fail "a file chown-ed" "$S" layer.file_attr_mismatch "$L/etc/extra.txt"
}
fresh() {
	rm -rf "$1"
	cp -a "$T/base" "$1"
}
ocimut() { $PY "$TOP/tests/tools/ocimut.py" "$@"; }
# info_get LAYOUT KEY: manifest | config | layers[0] ...
info_get() { ocimut "$1" info | $PY -c "import json,sys; i=json.load(sys.stdin); print(i$2)"; }

# start_dockerd NAME DRIVER: a private dockerd (own data root, exec root,
# socket), as ../shared/notes/real-engines.md describes.  Sets D (the client
# command), DROOT, DPID.  Returns 1 if it did not come up.
start_dockerd() {
	local name=$1 driver=${2:-vfs} i
	DROOT="$T/$name-root"
	mkdir -p "$DROOT" "$T/$name-exec"
	# A short exec root: containerd's socket paths must stay under 108 bytes.
	DEXEC=$(mktemp -d /tmp/eadx.XXXXXX)
	dockerd --iptables=false --ip6tables=false --bridge=none --ip-masq=false \
		--storage-driver="$driver" --data-root "$DROOT" --exec-root "$DEXEC" \
		-H "unix://$DEXEC/docker.sock" --pidfile "$DEXEC/dockerd.pid" >"$T/$name-dockerd.log" 2>&1 &
	DPID=$!
	D="/usr/bin/docker -H unix://$DEXEC/docker.sock"
	for i in $(seq 1 60); do
		$D version >/dev/null 2>&1 && return 0
		kill -0 "$DPID" 2>/dev/null || return 1
		sleep 0.5
	done
	return 1
}
stop_dockerd() {
	[ -n "${DPID:-}" ] || return 0
	kill "$DPID" 2>/dev/null
	for _ in $(seq 1 40); do kill -0 "$DPID" 2>/dev/null || break; sleep 0.25; done
	kill -9 "$DPID" 2>/dev/null
	# containerd-shim and friends started by this daemon
	pkill -f "$DEXEC" 2>/dev/null || true
	rm -rf "$DEXEC"
	DPID=
}
