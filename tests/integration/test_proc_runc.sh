#!/usr/bin/env bash
# /proc audit of containers run with runc by hand (issue 6): no engine, no
# shim, a cgroup named after the container only.  edgeaudit finds the
# bundle from the container's root mount (mountinfo) and reads its
# config.json.  One container with a profile of ours (default ALLOW, some
# ERRNO/KILL/TRAP rules and an argument condition), one without.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/engines.sh"
install_cleanup
CMP="$PY $TOP/tests/helpers/compare_probe.py"

if [ "$(id -u)" != 0 ]; then skip "runc containers" "needs root"; exit 0; fi
if miss=$(eng_need runc busybox gcc); then :; else
	skip "runc containers" "missing: $miss (build.sh test installs runc, busybox-static)"
	exit 0
fi
eng_build_probe || { not_ok "the probe helper builds" "$(cat "$T/probe.log")"; exit 1; }
eng_rootfs "$T/rootfs"
R="runc --root $T/runc-root"
A=eaprof$$ B=eanone$$
ENG_CLEAN+=("$R kill $A KILL; $R kill $B KILL; sleep 0.3; $R delete -f $A; $R delete -f $B")
cat >"$T/prof.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
 "syscalls": [
  {"names": ["mount", "umount2", "setns"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
  {"names": ["bpf"], "action": "SCMP_ACT_KILL_PROCESS"},
  {"names": ["keyctl", "add_key"], "action": "SCMP_ACT_TRAP"},
  {"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
  {"names": ["clone", "unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
   "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]},
  {"names": ["ptrace"], "action": "SCMP_ACT_LOG"}
 ]}
JSON
eng_runc_bundle "$T/ba" "$T/prof.json" sleep 600 && eng_runc_bundle "$T/bb" "" sleep 600 ||
	{ not_ok "runc bundles" "runc spec failed"; exit 1; }
( cd "$T/ba" && $R run -d --pid-file "$T/a.pid" $A </dev/null >"$T/a.log" 2>&1 )
( cd "$T/bb" && $R run -d --pid-file "$T/b.pid" $B </dev/null >"$T/b.log" 2>&1 )
PA=$(cat "$T/a.pid" 2>/dev/null) PB=$(cat "$T/b.pid" 2>/dev/null)
if [ -z "$PA" ] || [ -z "$PB" ]; then
	skip "runc containers" "runc cannot run a container here: $(cat "$T/a.log" "$T/b.log" | tail -2 | tr '\n' ' ')"
	exit 0
fi

run_ea proc --deep --out "$T/r.json"
check "the report validates against the schema" validate_report "$T/r.json"
check "no process is left stopped after --deep" eng_none_stopped
check "$A: seccomp, no_new_privs, caps equal /proc/$PA/status" eng_cmp_status "$T/r.json" $PA
check "$B: seccomp, no_new_privs, caps equal /proc/$PB/status" eng_cmp_status "$T/r.json" $PB
check "$A: found from its root mount: runtime oci, id $A, bundle $T/ba" ea_py "$T/r.json" \
	'p('$PA')["container"] == dict(p('$PA')["container"], runtime="oci", id="'$A'", bundle="'"$T/ba"'")'
check "$B: bundle $T/bb" ea_py "$T/r.json" 'p('$PB')["container"]["bundle"] == "'"$T/bb"'"'
check "$A: the filter's answers: mount errno:1, bpf kill_process, keyctl trap, kexec_load errno:38, ptrace log" ea_py "$T/r.json" \
	'(lambda e: "mount" in e["errno:1"] and "bpf" in e["kill_process"] and "keyctl" in e["trap"] and "kexec_load" in e["errno:38"] and "ptrace" in e["log"])(p('$PA')["deep"]["eval"]["x86_64"])'
check "$A: clone and unshare checked on their flags (namespaces refused)" ea_py "$T/r.json" \
	'sorted(p('$PA')["deep"]["eval"]["args_checked"]["x86_64"]) == ["clone", "unshare"] and "unshare" in p('$PA')["deep"]["eval"]["x86_64"]["errno:1"]'
check "$A: the bundle's profile says what the filter does" eng_profile_equals_filter "$T/r.json" $PA
check "$A: pivot_root etc. allowed: proc.filter_allows_dangerous and proc.profile_allows_dangerous" ea_py "$T/r.json" \
	'"pivot_root" in f("proc.filter_allows_dangerous", "oci:'$A'")[0]["message"] and f("proc.profile_allows_dangerous", "oci:'$A'")'
check "$A: ptrace under LOG still runs: proc.filter_allows_risky says log" ea_py "$T/r.json" \
	'"ptrace" in f("proc.filter_allows_risky", "oci:'$A'")[0]["message"] and "(log" in f("proc.filter_allows_risky", "oci:'$A'")[0]["message"]'
check "$B: no profile: proc.no_seccomp; runc's spec sets no_new_privs" ea_py "$T/r.json" \
	'f("proc.no_seccomp", "oci:'$B'") and p('$PB')["no_new_privs"] is True and not f("proc.no_new_privs_off", "oci:'$B'")'
check "runc's default caps (AUDIT_WRITE, KILL, NET_BIND_SERVICE): no capability finding" ea_py "$T/r.json" \
	'not [x for x in r["findings"] if x["id"].startswith("proc.cap_") and ("'$A'" in x["subject"] or "'$B'" in x["subject"])]'

$R exec $A /bin/probe run >"$T/a.probe" 2>&1
check "$A: the kernel's answer equals edgeaudit's for every dangerous syscall ($(grep -c . "$T/a.probe") lines)" \
	$CMP "$T/r.json" $PA "$T/a.probe" trace
