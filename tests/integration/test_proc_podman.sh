#!/usr/bin/env bash
# /proc audit of podman containers (issue 6): podman with its own root and
# runroot under $T (no daemon; conmon is the monitor), the default profile
# (containers/common's, which leaves mount, unshare, setns... to the
# capability checks) and seccomp=unconfined.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/engines.sh"
install_cleanup
CMP="$PY $TOP/tests/helpers/compare_probe.py"

if [ "$(id -u)" != 0 ]; then skip "podman containers" "needs root"; exit 0; fi
if miss=$(eng_need podman conmon runc umoci skopeo busybox gcc); then :; else
	skip "podman containers" "missing: $miss (build.sh test installs podman, conmon, runc, umoci, skopeo, busybox-static)"
	exit 0
fi
eng_build_probe || { not_ok "the probe helper builds" "$(cat "$T/probe.log")"; exit 1; }
eng_image >"$T/image.log" 2>&1 || { not_ok "the test image builds" "$(tail -5 "$T/image.log")"; exit 1; }
eng_podman
mkdir -p "$T/ptmp"
ENG_CLEAN+=("$P rm -f -t 0 pdflt punconf")
$P load -i "$T/img.tar" >"$T/load.log" 2>&1 || { not_ok "podman load" "$(tail -3 "$T/load.log")"; exit 1; }
# Without the two --ulimit flags podman fails here ("error setting rlimit").
prun() { $P run -d --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@" localhost/bb:1 sleep 600 >>"$T/run.log" 2>&1; }
prun --name pdflt && prun --name punconf --security-opt seccomp=unconfined
if ! $P inspect pdflt >/dev/null 2>&1; then
	skip "podman containers" "podman cannot run a container here: $(tail -3 "$T/run.log" | tr '\n' ' ')"
	exit 0
fi
PD=$($P inspect -f '{{.State.Pid}}' pdflt)
PU=$($P inspect -f '{{.State.Pid}}' punconf)
ID=$($P inspect -f '{{.Id}}' pdflt)
IMG=$($P inspect -f '{{.Image}}' pdflt)

run_ea proc --deep --out "$T/r.json"
check "the report validates against the schema" validate_report "$T/r.json"
check "no process is left stopped after --deep" eng_none_stopped
check "pdflt: seccomp, no_new_privs, caps equal /proc/$PD/status" eng_cmp_status "$T/r.json" $PD
check "punconf: seccomp, no_new_privs, caps equal /proc/$PU/status" eng_cmp_status "$T/r.json" $PU
check "pdflt: podman container ${ID:0:12} named pdflt, bundle from conmon" ea_py "$T/r.json" \
	'p('$PD')["container"]["runtime"] == "podman" and p('$PD')["container"]["id"] == "'$ID'" and p('$PD')["container"]["name"] == "pdflt" and p('$PD')["container"]["bundle"] == "'"$T/pstore/vfs-containers/$ID/userdata"'"'
check "pdflt: the image it runs (containers.json, images.json)" ea_py "$T/r.json" \
	'p('$PD')["container"]["image"] == {"id": "sha256:'"${IMG#sha256:}"'", "name": "localhost/bb:1"}'
check "pdflt: podman's filter is $(ea_py "$T/r.json" 'p('$PD')["deep"]["filter_insns"]' 2>/dev/null) instructions (notes: 1158)" \
	ea_py "$T/r.json" 'len(p('$PD')["deep"]["filter_insns"]) == 1'
check "pdflt: podman's default leaves mount, unshare, setns to capabilities: proc.filter_allows_dangerous" ea_py "$T/r.json" \
	'(lambda m: all(s in m for s in ("mount", "unshare", "setns")))(f("proc.filter_allows_dangerous", "'$ID'")[0]["message"])'
check "pdflt: ... and not bpf, init_module, kexec_load" ea_py "$T/r.json" \
	'all(s in p('$PD')["deep"]["eval"]["x86_64"]["errno:1"] for s in ("bpf", "init_module", "kexec_load"))'
check "pdflt: the bundle's profile says what the filter does" eng_profile_equals_filter "$T/r.json" $PD
check "pdflt: NoNewPrivs 0 is proc.no_new_privs_off" ea_py "$T/r.json" 'f("proc.no_new_privs_off", "'$ID'")'
check "punconf: proc.no_seccomp" ea_py "$T/r.json" 'p('$PU')["seccomp"] == "disabled" and f("proc.no_seccomp", "podman:")'

$P exec pdflt /bin/probe run >"$T/d.probe" 2>&1
check "pdflt: the kernel's answer equals edgeaudit's for every dangerous syscall ($(grep -c . "$T/d.probe") lines)" \
	$CMP "$T/r.json" $PD "$T/d.probe" trace
