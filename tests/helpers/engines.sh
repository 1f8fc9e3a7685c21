# engines.sh: real container engines for the /proc tests (sourced after
# tests/integration/lib.sh).  Recipes: ../shared/notes/real-engines.md.
# Every daemon runs with its own data, state and socket under $T; images are
# built here from busybox-static with umoci and skopeo, never pulled.  All
# that is started is recorded and stopped by eng_cleanup, by PID, also when
# the test fails or is interrupted (install_cleanup sets the traps).

. "$(dirname "${BASH_SOURCE[0]}")/containerd.sh"

ENG_PIDS=()      # daemons we started
ENG_CLEAN=()     # commands that stop what we made (run in reverse order)

eng_cleanup() {
	local i
	for ((i = ${#ENG_CLEAN[@]} - 1; i >= 0; i--)); do eval "${ENG_CLEAN[$i]}" >/dev/null 2>&1; done
	ENG_CLEAN=()
	for p in "${ENG_PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null || continue
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$p" 2>/dev/null
	done
	ENG_PIDS=()
	# Mounts a daemon left below $T (overlay snapshots, shm, netns): the
	# folder cannot be removed while they exist.  Only ours, deepest first.
	if [ -n "${T:-}" ]; then
		awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r |
			while read -r m; do umount -l "$m" 2>/dev/null; done
	fi
}

install_cleanup() {
	trap 'eng_cleanup; rm -rf "$T"' EXIT
	trap 'exit 130' INT TERM HUP
}

# eng_need CMD...: all present, else print the missing ones and fail.
eng_need() {
	local m=() c
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || m+=("$c"); done
	[ ${#m[@]} -eq 0 ] && return 0
	echo "${m[*]}"
	return 1
}

# The probe helper (static: it also runs inside busybox containers).
eng_build_probe() { # -> $T/probe
	gcc -O2 -static -mno-red-zone -Wall -Wextra -I"$TOP/src" -I"$TOP/src/proc" -I"$TOP/tests/helpers" -o "$T/probe" \
		"$TOP/tests/helpers/seccomp_probe.c" "$TOP/src/proc/seccomp_nr.c" "$TOP/src/proc/seccomp_syscalls.c" >"$T/probe.log" 2>&1
}

# A busybox root filesystem with the probe in /bin.
eng_rootfs() { # DIR
	local d=$1 n
	mkdir -p "$d"/{bin,etc,tmp,proc,dev,sys}
	cp /bin/busybox "$d/bin/busybox"
	for n in $(/bin/busybox --list); do [ "$n" = busybox ] || ln -sf busybox "$d/bin/$n"; done
	echo 'root:x:0:0:root:/:/bin/sh' >"$d/etc/passwd"
	echo 'root:x:0:' >"$d/etc/group"
	[ -x "$T/probe" ] && cp "$T/probe" "$d/bin/probe"
	return 0
}

# Image localhost/bb:1 as an OCI layout, a docker archive and an OCI archive.
eng_image() { # -> $T/layout, $T/img.tar, $T/img-oci.tar
	eng_rootfs "$T/rootfs" &&
	umoci init --layout "$T/layout" &&
	umoci new --image "$T/layout:bb" &&
	umoci unpack --image "$T/layout:bb" "$T/ubundle" >/dev/null &&
	cp -a "$T/rootfs/." "$T/ubundle/rootfs/" &&
	umoci repack --image "$T/layout:bb" "$T/ubundle" >/dev/null &&
	umoci config --image "$T/layout:bb" --config.cmd /bin/sh >/dev/null &&
	umoci gc --layout "$T/layout" &&
	skopeo copy -q "oci:$T/layout:bb" "docker-archive:$T/img.tar:localhost/bb:1" &&
	skopeo copy -q "oci:$T/layout:bb" "oci-archive:$T/img-oci.tar:localhost/bb:1" &&
	rm -rf "$T/ubundle"
}

eng_wait() { # TRIES CMD...: retry CMD every 0.2 s
	local n=$1; shift
	for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
	return 1
}

eng_docker_start() { # -> $D (the client command)
	dockerd --iptables=false --ip6tables=false --bridge=none --ip-masq=false \
		--storage-driver=vfs --data-root "$T/docker" --exec-root "$T/dexec" \
		-H "unix://$T/docker.sock" --pidfile "$T/dockerd.pid" >"$T/dockerd.log" 2>&1 &
	ENG_PIDS+=($!)
	D="/usr/bin/docker -H unix://$T/docker.sock"
	eng_wait 150 $D version
}

eng_ctrd_start() { # -> $C
	mkdir -p "$T/ctrd"
	ctrd_config "$T/ctrd" >"$T/ctrd/config.toml"
	containerd --config "$T/ctrd/config.toml" >"$T/ctrd/log" 2>&1 &
	ENG_PIDS+=($!)
	C="ctr -a $T/ctrd/containerd.sock"
	eng_wait 150 $C version
}

eng_podman() { # -> $P
	P="podman --root $T/pstore --runroot $T/prun --storage-driver vfs --cgroup-manager cgroupfs --events-backend file --tmpdir $T/ptmp"
}

# A runc bundle of the busybox rootfs running ARGS; PROFILE (a file with a
# linux.seccomp object, or "") is copied in.
eng_runc_bundle() { # DIR PROFILE ARGS...
	local b=$1 prof=$2; shift 2
	mkdir -p "$b"
	cp -a "$T/rootfs" "$b/rootfs"
	( cd "$b" && runc spec ) || return 1
	$PY - "$b/config.json" "$prof" "$@" <<-'PYEOF'
	import json, sys
	path, prof, args = sys.argv[1], sys.argv[2], sys.argv[3:]
	c = json.load(open(path))
	c["process"]["terminal"] = False
	c["process"]["args"] = args
	if prof:
	    c["linux"]["seccomp"] = json.load(open(prof))
	json.dump(c, open(path, "w"), indent=1)
	PYEOF
}

# pid of a process whose parent is PPID and name NAME (the container's init
# is the child of its shim).
eng_child() { # PPID NAME
	local p
	for p in $(pgrep -P "$1" 2>/dev/null); do
		[ "$(cat /proc/$p/comm 2>/dev/null)" = "$2" ] && { echo "$p"; return 0; }
	done
	return 1
}

# jq-like checks on a report: ea_py REPORT EXPR (r = the report; p(pid) =
# the process object; f(id) = findings with that id).
ea_py() {
	$PY - "$1" "$2" <<-'PYEOF'
	import json, os, sys
	r = json.load(open(sys.argv[1]))
	def p(pid):
	    for x in r["processes"]:
	        if x["pid"] == int(pid):
	            return x
	    return {}
	def f(fid, subj=None):
	    return [x for x in r["findings"] if x["id"] == fid and (subj is None or subj in x["subject"])]
	v = eval(sys.argv[2])
	print(v)
	sys.exit(0 if v not in (False, None, 0, [], "") else 1)
	PYEOF
}

# The report's view of PID, field by field against /proc/PID/status
# decoded here in Python (caps, seccomp, no_new_privs, filters, name).
eng_cmp_status() { # REPORT PID
	$PY - "$1" "$2" <<-'PYEOF'
	import json, sys
	r = json.load(open(sys.argv[1])); pid = int(sys.argv[2])
	p = [x for x in r["processes"] if x["pid"] == pid][0]
	st = {}
	for line in open("/proc/%d/status" % pid):
	    k, _, v = line.partition(":")
	    st[k] = v.strip()
	names = ["CHOWN","DAC_OVERRIDE","DAC_READ_SEARCH","FOWNER","FSETID","KILL","SETGID","SETUID","SETPCAP",
	         "LINUX_IMMUTABLE","NET_BIND_SERVICE","NET_BROADCAST","NET_ADMIN","NET_RAW","IPC_LOCK","IPC_OWNER",
	         "SYS_MODULE","SYS_RAWIO","SYS_CHROOT","SYS_PTRACE","SYS_PACCT","SYS_ADMIN","SYS_BOOT","SYS_NICE",
	         "SYS_RESOURCE","SYS_TIME","SYS_TTY_CONFIG","MKNOD","LEASE","AUDIT_WRITE","AUDIT_CONTROL","SETFCAP",
	         "MAC_OVERRIDE","MAC_ADMIN","SYSLOG","WAKE_ALARM","BLOCK_SUSPEND","AUDIT_READ","PERFMON","BPF",
	         "CHECKPOINT_RESTORE"]
	last = r["kernel"]["cap_last_cap"]
	def decode(lst):
	    if lst and lst[0] == "ALL":
	        m = (1 << (last + 1)) - 1
	        for n in lst[1:]:
	            m &= ~(1 << names.index(n[5:]))
	        return m
	    return sum(1 << names.index(n[4:]) for n in lst)
	errs = []
	for key, field in (("eff", "CapEff"), ("prm", "CapPrm"), ("bnd", "CapBnd"), ("amb", "CapAmb"), ("inh", "CapInh")):
	    if decode(p["caps"][key]) != int(st[field], 16):
	        errs.append("%s %s != %s" % (key, p["caps"][key], st[field]))
	modes = {"0": "disabled", "1": "strict", "2": "filter"}
	if p["seccomp"] != modes[st["Seccomp"]]: errs.append("seccomp")
	if p["no_new_privs"] != (st["NoNewPrivs"] == "1"): errs.append("nnp")
	if p["seccomp_filters"] != int(st["Seccomp_filters"]): errs.append("filters")
	if p["name"] != st["Name"] or p["ppid"] != int(st["PPid"]): errs.append("name/ppid")
	print("\n".join(errs) or "same")
	sys.exit(1 if errs else 0)
	PYEOF
}

# Descendants of PID named NAME (breadth first), one per line.
eng_desc() { # PID NAME
	local q=("$1") p c
	while [ ${#q[@]} -gt 0 ]; do
		p=${q[0]}; q=("${q[@]:1}")
		for c in $(pgrep -P "$p" 2>/dev/null); do
			[ "$(cat /proc/$c/comm 2>/dev/null)" = "$2" ] && echo "$c"
			q+=("$c")
		done
	done
}

# The bundle profile's evaluation equals the kernel filter's (deep), action
# by action on every architecture both cover.
eng_profile_equals_filter() { # REPORT PID
	$PY - "$1" "$2" <<-'PYEOF'
	import json, sys
	r = json.load(open(sys.argv[1])); pid = int(sys.argv[2])
	x = [p for p in r["processes"] if p["pid"] == pid][0]
	cid = x["container"]["id"]
	prof = [p["container"]["profile"] for p in r["processes"] if p.get("container", {}).get("id") == cid and "profile" in p["container"]][0]
	deep = x["deep"]["eval"]
	def flat(ev):
	    return {(a, n): act for a, g in ev.items() if a != "args_checked" for act, names in g.items() for n in names}
	fp, fd = flat(prof), flat(deep)
	diff = sorted(k for k in set(fp) | set(fd) if fp.get(k) != fd.get(k))
	for k in diff[:20]:
	    print(k, "profile:", fp.get(k), "filter:", fd.get(k))
	print(len(fp), "compared,", len(diff), "differ")
	sys.exit(1 if diff or not fp else 0)
	PYEOF
}

# No process on the machine is in a ptrace stop (state t) after a scan.
eng_none_stopped() {
	local s bad=0
	for s in /proc/[0-9]*/status; do
		grep -qE '^State:\s+t' "$s" 2>/dev/null && { echo "stopped: $s"; bad=1; }
	done
	return $bad
}
