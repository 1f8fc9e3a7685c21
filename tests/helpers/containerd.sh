# containerd.sh: the configuration of a private containerd (sourced).
# ctrd_config DIR [SOCKET]: print a config.toml whose root, state and sockets
# all lie in DIR (socket: DIR/containerd.sock unless given), with the CRI
# plugin and the snapshotters this machine cannot run disabled.  Recipe:
# ../shared/notes/real-engines.md.
ctrd_config() {
	local dir=$1 sock=${2:-$1/containerd.sock}
	cat <<-EOF
	version = 2
	root = "$dir/root"
	state = "$dir/state"
	disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.btrfs"]
	[grpc]
	  address = "$sock"
	[ttrpc]
	  address = "$sock.ttrpc"
	[debug]
	  address = "$dir/debug.sock"
	[metrics]
	  address = ""
	EOF
}

# A private containerd for a test, in $CT (set by the caller), its pid in
# $CPID.  start_ctrd: start it and wait for its socket (0) or give up (1).
# stop_ctrd: end it (SIGTERM, then SIGKILL after 5 s).
start_ctrd() {
	mkdir -p "$CT"
	ctrd_config "$CT" >"$CT/config.toml"
	containerd --config "$CT/config.toml" >>"$CT/log" 2>&1 &
	CPID=$!
	for _ in $(seq 100); do
		ctr -a "$CT/containerd.sock" version >/dev/null 2>&1 && return 0
		kill -0 "$CPID" 2>/dev/null || break
		sleep 0.1
	done
	return 1
}
stop_ctrd() {
	[ -n "${CPID:-}" ] || return 0
	kill "$CPID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$CPID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$CPID" 2>/dev/null
	wait "$CPID" 2>/dev/null
	CPID=
}
