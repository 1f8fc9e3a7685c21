#!/usr/bin/env bash
# /proc audit of containerd containers (issue 6): a containerd of the
# test's own (root, state, sockets under $T), `ctr run` with --seccomp and
# without (ctr's default is no filter at all).  ctr names no cgroup the
# cgroup rules know (/<namespace>/<id>): the shim among the ancestors gives
# the runtime, the id and the bundle.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/helpers/engines.sh"
install_cleanup
CMP="$PY $TOP/tests/helpers/compare_probe.py"

if [ "$(id -u)" != 0 ]; then skip "containerd containers" "needs root"; exit 0; fi
if miss=$(eng_need containerd ctr containerd-shim-runc-v2 runc umoci skopeo busybox gcc); then :; else
	skip "containerd containers" "missing: $miss (build.sh test installs containerd, runc, umoci, skopeo, busybox-static)"
	exit 0
fi
eng_build_probe || { not_ok "the probe helper builds" "$(cat "$T/probe.log")"; exit 1; }
eng_image >"$T/image.log" 2>&1 || { not_ok "the test image builds" "$(tail -5 "$T/image.log")"; exit 1; }
if ! eng_ctrd_start; then
	skip "containerd containers" "containerd does not start here: $(tail -3 "$T/ctrd/log" | tr '\n' ' ')"
	exit 0
fi
# A namespace and names of our own: other containerds on this machine may
# use "default" and short names, and ctr's cgroup is /<namespace>/<id>.
NS=eaproc$$
C="$C -n $NS"
F=eaf$$ U=eau$$
ENG_CLEAN+=("$C task kill -s KILL $F; $C task kill -s KILL $U; sleep 0.5; $C task delete $F; $C task delete $U; $C c rm $F $U")
$C images import "$T/img-oci.tar" >"$T/import.log" 2>&1 ||
	{ not_ok "ctr images import" "$(tail -3 "$T/import.log")"; exit 1; }
$C run -d --seccomp localhost/bb:1 $F sleep 600 >"$T/run.log" 2>&1 || echo "# $(cat "$T/run.log")"
$C run -d localhost/bb:1 $U sleep 600 >>"$T/run.log" 2>&1 || echo "# $(cat "$T/run.log")"
sleep 0.5
PF=$($C task ls | awk -v c=$F '$1 == c { print $2 }')
PU=$($C task ls | awk -v c=$U '$1 == c { print $2 }')
[ -n "$PF" ] && [ -n "$PU" ] && ok "ctr runs both containers" || { not_ok "ctr runs both containers" "$(cat "$T/run.log")"; exit 1; }

run_ea proc --deep --out "$T/r.json"
check "the report validates against the schema" validate_report "$T/r.json"
check "no process is left stopped after --deep" eng_none_stopped
for c in F U; do
	p=$([ $c = F ] && echo $PF || echo $PU)
	id=$([ $c = F ] && echo $F || echo $U)
	check "$id: seccomp, no_new_privs, caps equal /proc/$p/status" eng_cmp_status "$T/r.json" $p
	check "$id: containerd container $id, its bundle (state/io.containerd.runtime.v2.task/$NS/$id) and runc state" ea_py "$T/r.json" \
		'p('$p')["container"]["runtime"] == "containerd" and p('$p')["container"]["id"] == "'$id'" and p('$p')["container"]["bundle"] == "'"$T/ctrd/state/io.containerd.runtime.v2.task/$NS/$id"'" and os.path.isdir(p('$p')["container"]["state"])'
done
check "--seccomp: a filter, NoNewPrivs 1 (ctr's default): no proc.no_seccomp, no proc.no_new_privs_off" ea_py "$T/r.json" \
	'p('$PF')["seccomp"] == "filter" and p('$PF')["no_new_privs"] is True and not f("proc.no_seccomp", ":'$F'") and not f("proc.no_new_privs_off", ":'$F'")'
check "--seccomp: containerd's default filter is $(ea_py "$T/r.json" 'p('$PF')["deep"]["filter_insns"]' 2>/dev/null) instructions (notes: 983)" \
	ea_py "$T/r.json" 'len(p('$PF')["deep"]["filter_insns"]) == 1'
check "--seccomp: no escape-class syscall allowed" ea_py "$T/r.json" 'not f("proc.filter_allows_dangerous", ":'$F'") and not f("proc.profile_allows_dangerous", ":'$F'")'
check "--seccomp: the bundle's profile says what the filter does" eng_profile_equals_filter "$T/r.json" $PF
check "without --seccomp: proc.no_seccomp" ea_py "$T/r.json" 'p('$PU')["seccomp"] == "disabled" and f("proc.no_seccomp", "containerd:'$U'")'
check "without --seccomp: the bundle has no profile (null)" ea_py "$T/r.json" 'p('$PU')["container"]["profile"] is None'

$C task exec --exec-id probe$$ $F /bin/probe run >"$T/f.probe" 2>&1
check "--seccomp: the kernel's answer equals edgeaudit's for every dangerous syscall ($(grep -c . "$T/f.probe") lines)" \
	$CMP "$T/r.json" $PF "$T/f.probe" trace
