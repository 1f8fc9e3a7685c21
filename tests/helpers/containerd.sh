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
