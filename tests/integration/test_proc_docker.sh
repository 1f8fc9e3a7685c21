#!/usr/bin/env bash
# /proc audit of Docker containers (issue 6): a dockerd of the test's own
# (data root, exec root, socket under $T) runs five containers: the default
# profile, seccomp=unconfined, a custom profile, no-new-privileges with the
# host's pid namespace, and a privileged-like one (every capability but
# SYS_RESOURCE, which this machine's root lacks, no filter, host network).
# The report must say for each what /proc and the kernel say, the findings
# must match, and the kernel's answers under each filter (the probe, run
# with docker exec) must equal edgeaudit's interpreter.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/engines.sh"
install_cleanup
CMP="$PY $TOP/tests/helpers/compare_probe.py"

if [ "$(id -u)" != 0 ]; then skip "docker containers" "needs root"; exit 0; fi
if miss=$(eng_need dockerd /usr/bin/docker umoci skopeo busybox gcc); then :; else
	skip "docker containers" "missing: $miss (build.sh test installs docker.io, umoci, skopeo, busybox-static)"
	exit 0
fi
eng_build_probe || { not_ok "the probe helper builds" "$(cat "$T/probe.log")"; exit 1; }
eng_image >"$T/image.log" 2>&1 || { not_ok "the test image builds" "$(tail -5 "$T/image.log")"; exit 1; }
if ! eng_docker_start; then
	skip "docker containers" "dockerd does not start here: $(tail -3 "$T/dockerd.log" | tr '\n' ' ')"
	exit 0
fi
ENG_CLEAN+=("$D rm -f dflt unconf custom nnp priv")
$D load -i "$T/img.tar" >/dev/null || { not_ok "docker load" "$($D load -i "$T/img.tar" 2>&1)"; exit 1; }

cat >"$T/custom.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [
  {"names": ["mount", "umount2"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
  {"names": ["ptrace"], "action": "SCMP_ACT_KILL"},
  {"names": ["kexec_load"], "action": "SCMP_ACT_TRAP"},
  {"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]}
 ]}
EOF
run() { $D run -d --network none "$@" localhost/bb:1 sleep 600 >/dev/null 2>"$T/run.err" || { echo "# docker run $*: $(cat "$T/run.err")"; return 1; }; }
run --name dflt &&
run --name unconf --security-opt seccomp=unconfined &&
run --name custom --security-opt "seccomp=$T/custom.json" &&
run --name nnp --security-opt no-new-privileges --pid host &&
$D run -d --name priv --network host --cap-add ALL --cap-drop SYS_RESOURCE --security-opt seccomp=unconfined \
	localhost/bb:1 sleep 600 >/dev/null 2>"$T/run.err" || echo "# priv: $(cat "$T/run.err")"
declare -A PID ID
for c in dflt unconf custom nnp priv; do
	PID[$c]=$($D inspect -f '{{.State.Pid}}' $c 2>/dev/null)
	ID[$c]=$($D inspect -f '{{.Id}}' $c 2>/dev/null)
	if [ -z "${PID[$c]}" ] || [ "${PID[$c]}" = 0 ]; then not_ok "container $c runs" "$(cat "$T/run.err")"; fi
done

run_ea proc --deep --out "$T/r.json"
check "the report validates against the schema" validate_report "$T/r.json"
check "no process is left stopped after --deep" eng_none_stopped
for c in dflt unconf custom nnp priv; do
	p=${PID[$c]}
	[ -n "$p" ] && [ "$p" != 0 ] || continue
	check "$c: seccomp, no_new_privs, caps equal /proc/$p/status" eng_cmp_status "$T/r.json" $p
	check "$c: docker container ${ID[$c]:0:12} named $c, bundle and runc state found" ea_py "$T/r.json" \
		'p('$p')["container"]["runtime"] == "docker" and p('$p')["container"]["id"] == "'"${ID[$c]}"'" and p('$p')["container"]["name"] == "'$c'" and os.path.isfile(p('$p')["container"]["bundle"] + "/config.json") and os.path.isdir(p('$p')["container"]["state"])'
	check "$c: the image it runs is localhost/bb:1 ($($D inspect -f '{{.Image}}' $c | cut -c1-19))" ea_py "$T/r.json" \
		'p('$p')["container"]["image"] == {"id": "'"$($D inspect -f '{{.Image}}' $c)"'", "name": "localhost/bb:1"}'
done
S="docker:"
# Findings, container by container.
check "dflt: filtered (Docker's default), no proc.no_seccomp" ea_py "$T/r.json" 'p('${PID[dflt]}')["seccomp"] == "filter" and not f("proc.no_seccomp", "'"${ID[dflt]}"'")'
check "dflt: NoNewPrivs 0 is proc.no_new_privs_off" ea_py "$T/r.json" 'f("proc.no_new_privs_off", "'"${ID[dflt]}"'")'
check "dflt: the default filter allows no escape-class syscall, ptrace is risky" ea_py "$T/r.json" \
	'not f("proc.filter_allows_dangerous", "'"${ID[dflt]}"'") and "ptrace" in f("proc.filter_allows_risky", "'"${ID[dflt]}"'")[0]["message"]'
check "dflt: Docker's default filter is $(ea_py "$T/r.json" 'p('${PID[dflt]}')["deep"]["filter_insns"]' 2>/dev/null) instructions (notes: 974 here)" \
	ea_py "$T/r.json" 'len(p('${PID[dflt]}')["deep"]["filter_insns"]) == 1'
check "dflt: the bundle's profile says what the filter does, syscall by syscall" eng_profile_equals_filter "$T/r.json" ${PID[dflt]}
check "unconf: seccomp=unconfined is proc.no_seccomp" ea_py "$T/r.json" 'p('${PID[unconf]}')["seccomp"] == "disabled" and f("proc.no_seccomp", "'"${ID[unconf]}"'")'
check "custom: mount errno:13, ptrace kill, kexec_load trap, unshare checks its flags" ea_py "$T/r.json" \
	'(lambda e: "mount" in e["errno:13"] and "ptrace" in e["kill_thread"] and "kexec_load" in e["trap"] and "unshare" in e["errno:1"])(p('${PID[custom]}')["deep"]["eval"]["x86_64"]) and p('${PID[custom]}')["deep"]["eval"]["args_checked"]["x86_64"] == ["unshare"]'
check "custom: a default-allow profile lets setns and bpf run: proc.filter_allows_dangerous" ea_py "$T/r.json" \
	'(lambda m: "setns" in m and "bpf" in m)(f("proc.filter_allows_dangerous", "'"${ID[custom]}"'")[0]["message"]) and f("proc.profile_allows_dangerous", "'"${ID[custom]}"'")'
check "custom: the bundle's profile says what the filter does" eng_profile_equals_filter "$T/r.json" ${PID[custom]}
check "nnp: no-new-privileges: NoNewPrivs 1, no proc.no_new_privs_off" ea_py "$T/r.json" \
	'p('${PID[nnp]}')["no_new_privs"] is True and not f("proc.no_new_privs_off", "'"${ID[nnp]}"'")'
check "nnp: --pid host is proc.host_pid_ns" ea_py "$T/r.json" '"pid" in p('${PID[nnp]}')["host_ns"] and f("proc.host_pid_ns", "'"${ID[nnp]}"'")'
check "dflt: own pid and net namespaces, no host namespace finding" ea_py "$T/r.json" \
	'"pid" not in p('${PID[dflt]}')["host_ns"] and "net" not in p('${PID[dflt]}')["host_ns"] and not f("proc.host_pid_ns", "'"${ID[dflt]}"'") and not f("proc.host_net_ns", "'"${ID[dflt]}"'")'
if [ -n "${PID[priv]}" ] && [ "${PID[priv]}" != 0 ]; then
	check "priv: CAP_SYS_ADMIN, CAP_SYS_MODULE, other escape caps, no filter, host network: all found" ea_py "$T/r.json" \
		'all(f(i, "'"${ID[priv]}"'") for i in ("proc.cap_sys_admin", "proc.cap_sys_module", "proc.cap_dangerous", "proc.no_seccomp", "proc.host_net_ns"))'
	check "priv: caps are all Docker knows but SYS_RESOURCE" ea_py "$T/r.json" \
		'p('${PID[priv]}')["caps"]["eff"][:2] == ["ALL", "-CAP_SYS_RESOURCE"] and "CAP_SYS_ADMIN" not in str(p('${PID[priv]}')["caps"]["eff"])'
fi
check "dflt: no capability finding for Docker's default set" ea_py "$T/r.json" \
	'not [x for x in r["findings"] if x["id"].startswith("proc.cap_") and "'"${ID[dflt]}"'" in x["subject"]]'
check "the verdict is fail (high findings), exit 1" ea_py "$T/r.json" 'r["verdict"] == "fail" and '$RC' == 1'

# The kernel's answers inside each filtered container (docker exec runs the
# probe under the container's own filter) against edgeaudit's interpreter.
for c in dflt custom nnp; do
	$D exec $c /bin/probe run >"$T/$c.probe" 2>&1
	check "$c: the kernel's answer equals edgeaudit's for every dangerous syscall ($(grep -c . "$T/$c.probe") lines)" \
		$CMP "$T/r.json" ${PID[$c]} "$T/$c.probe" trace
done
$D exec unconf /bin/probe run >"$T/unconf.probe" 2>&1
check "unconf: the kernel lets every dangerous syscall reach the marker (no filter), as reported" \
	sh -c "! grep -v '^#' '$T/unconf.probe' | grep -qv ' errno:38$' && grep -q '^x86_64 mount errno:38' '$T/unconf.probe'"

# The image in the report's image list (when the Docker store reader lists
# it): the container points at its entry.
run_ea audit --store "docker:$T/docker" --out "$T/a.json"
if ea_py "$T/a.json" '[i for i in r["images"] if i.get("image_id") == "'"$($D inspect -f '{{.Image}}' dflt)"'"]' >/dev/null 2>&1; then
	check "audit: the container's image links to its entry in the report's images" ea_py "$T/a.json" \
		'r["images"][p('${PID[dflt]}')["container"]["image"]["report_image"]]["image_id"] == p('${PID[dflt]}')["container"]["image"]["id"]'
else
	skip "audit: container image linked to the report's images" "this build's docker store reader lists no image_id for the test image"
fi
