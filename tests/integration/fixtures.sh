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
