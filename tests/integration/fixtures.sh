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
fresh() {
	rm -rf "$1"
	cp -a "$T/base" "$1"
}
ocimut() { $PY "$TOP/tests/tools/ocimut.py" "$@"; }
# info_get LAYOUT KEY: manifest | config | layers[0] ...
info_get() { ocimut "$1" info | $PY -c "import json,sys; i=json.load(sys.stdin); print(i$2)"; }
