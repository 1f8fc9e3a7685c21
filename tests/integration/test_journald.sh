#!/usr/bin/env bash
# --log journald (issue 18): native journal entries read back from a real
# systemd-journald.  Each run is in a private mount namespace: a tmpfs on
# /run (so /run/systemd/journal/socket is the real path, and only ours), the
# journal files in $T/runlog (bind-mounted on /run/log), and our own
# journald.conf bind-mounted on /etc/systemd/journald.conf (volatile
# storage, no /dev/kmsg read or written: the host's logs are left alone).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

JOURNALD=""
for j in /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald; do
	[ -x "$j" ] && JOURNALD=$j && break
done
why=""
[ "$(id -u)" = 0 ] || why="needs root (a private mount namespace)"
[ -n "$why" ] || command -v unshare >/dev/null || why="needs unshare (util-linux)"
[ -n "$why" ] || [ -n "$JOURNALD" ] || why="no systemd-journald (Debian package systemd)"
[ -n "$why" ] || command -v journalctl >/dev/null || why="no journalctl (Debian package systemd)"
[ -n "$why" ] || [ -s /etc/machine-id ] || why="no /etc/machine-id (journald names its folder by it)"
[ -n "$why" ] || unshare -m --propagation private true 2>/dev/null || why="unshare -m is not allowed here"
if [ -n "$why" ]; then
	skip "--log journald" "$why"
	exit 0
fi

cat >"$T/journald.conf" <<'EOF'
[Journal]
Storage=volatile
ReadKMSG=no
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
EOF
mkdir -p "$T/runlog"

# in_ns [journald|none|stale|full] CMD: CMD (a shell line) in a private
# mount namespace whose /run/systemd/journal/socket is: a real journald of
# ours (journald, its own log in $T/journald.log), absent (none), a socket
# file nobody listens on (stale), or one whose queue is full (full).
in_ns() {
	local mode=$1 cmd=$2
	cat >"$T/ns.sh" <<EOF
mount -t tmpfs tmpfs /run || exit 90
mkdir -p /run/log /run/systemd/journal
mount --bind '$T/runlog' /run/log || exit 90
mount --bind '$T/journald.conf' /etc/systemd/journald.conf || exit 90
case $mode in
journald)
	SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=debug '$JOURNALD' >'$T/journald.log' 2>&1 &
	jp=\$! ;;
stale | full)
	$PY '$T/fake.py' $mode /run/systemd/journal/socket &
	jp=\$! ;;
esac
case $mode in journald) want=/run/systemd/journal/socket ;; none) want="" ;; *) want=/run/systemd/journal/ready ;; esac
i=0
while [ -n "\$want" ] && [ ! -e "\$want" ]; do
	[ \$i -lt 100 ] || { echo "\$want: not there after 10 s"; exit 91; }
	sleep 0.1; i=\$((i + 1))
done
$cmd
rc=\$?
if [ $mode = journald ]; then
	# Until journald has written what was sent (it reads asynchronously).
	i=0
	while [ \$i -lt 100 ] && ! journalctl -D /run/log/journal -o json 2>/dev/null | grep -q '"SYSLOG_IDENTIFIER":"edgeaudit"'; do
		sleep 0.1; i=\$((i + 1))
	done
	sleep 0.5
fi
[ -z "\${jp:-}" ] || { kill \$jp; wait \$jp; } 2>/dev/null
exit \$rc
EOF
	timeout 60 unshare -m --propagation private bash "$T/ns.sh"
}

# A socket file left by a journald that is gone (stale), or a journal that
# does not read (full: its queue filled before edgeaudit sends).
cat >"$T/fake.py" <<'PYEOF'
import os, socket, sys, time
mode, path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
if mode == "full":
    c = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    c.setblocking(False)
    try:
        while True:
            c.sendto(b"MESSAGE=filler\n", path)
    except BlockingIOError:
        pass
else:
    s.close()  # the file stays; nobody is bound to it
open(os.path.join(os.path.dirname(path), "ready"), "w").close()
time.sleep(30 if mode == "full" else 0)
PYEOF

base_layout
fresh "$T/tampered"
layer=$(info_get "$T/tampered" "['layers'][0]")
printf 'X' | dd of="$T/tampered/blobs/sha256/${layer#sha256:}" bs=1 seek=100 conv=notrunc 2>/dev/null
# A high finding whose subject holds a newline: a symbolic link named so.
ln -s /etc/passwd "$T/tampered/blobs/sha256/evil
name"
fresh "$T/small"
report="$T/rep
ort.json"

# ---------------------------------------------------------------- entries
o=$(in_ns journald "'$EA' images --no-config --store 'oci:$T/tampered' --log journald --out '$report' >/dev/null" 2>&1); rc=$?
journalctl -D "$T/runlog/journal" -o json SYSLOG_IDENTIFIER=edgeaudit >"$T/entries.json" 2>"$T/journalctl.err"
n=$(wc -l <"$T/entries.json")
if [ $rc -eq 1 ] && [ -z "$o" ] && [ "$n" -ge 3 ]; then
	ok "--log journald: exit 1 as without it, no warning, $n entries in a real journald's journal"
else
	not_ok "--log journald: entries" "rc=$rc n=$n $o" "$(cat "$T/journalctl.err")" "$(tail -n 20 "$T/journald.log" 2>/dev/null)"
fi
# jcheck NAME EXPR: ok when the Python EXPR is True of the entries (e: the
# entry dicts in journal order, each value a str; a value journalctl
# shows as a list of byte values is decoded; summary, crit, link: the
# entries of the summary, the tampered blob and the symbolic link).
jcheck() {
	local name=$1 expr=$2 got
	got=$($PY - "$T/entries.json" "$layer" "$report" <<PYEOF 2>&1
import json, sys
def val(v):
    return bytes(v).decode("utf-8", "replace") if isinstance(v, list) else v
e = [{k: val(v) for k, v in json.loads(l).items()} for l in open(sys.argv[1])]
layer, report = sys.argv[2], sys.argv[3]
summary = [x for x in e if x["MESSAGE"].startswith("verdict ")]
crit = [x for x in e if x.get("EDGEAUDIT_FINDING_ID") == "blob.digest_mismatch"]
link = [x for x in e if x.get("EDGEAUDIT_FINDING_ID") == "store.symlink"]
print($expr)
PYEOF
	)
	[ "$got" = True ] && ok "$name" || not_ok "$name" "$got" "$(head -c 3000 "$T/entries.json")"
}
jcheck "journald: the summary entry: MESSAGE the syslog line, PRIORITY 3, SYSLOG_IDENTIFIER, EDGEAUDIT_VERDICT=fail, EXIT_CODE=1, REPORT" \
	'len(summary) == 1 and summary[0]["MESSAGE"].startswith("verdict FAIL (exit 1): 1 critical, ") and summary[0]["MESSAGE"].endswith("; report " + report.replace("\n", "?")) and summary[0]["PRIORITY"] == "3" and summary[0]["SYSLOG_IDENTIFIER"] == "edgeaudit" and summary[0]["EDGEAUDIT_VERDICT"] == "fail" and summary[0]["EDGEAUDIT_EXIT_CODE"] == "1" and summary[0]["_TRANSPORT"] == "journal" and "EDGEAUDIT_FINDING_ID" not in summary[0]'
jcheck "journald: the tampered layer's entry: EDGEAUDIT_FINDING_ID=blob.digest_mismatch, SEVERITY critical, SUBJECT the digest, PRIORITY 3" \
	'len(crit) == 1 and crit[0]["EDGEAUDIT_SEVERITY"] == "critical" and crit[0]["EDGEAUDIT_SUBJECT"] == layer and crit[0]["PRIORITY"] == "3" and crit[0]["MESSAGE"].startswith("CRIT blob.digest_mismatch " + layer + ": ") and crit[0]["EDGEAUDIT_VERDICT"] == "fail" and crit[0]["EDGEAUDIT_EXIT_CODE"] == "1" and "EDGEAUDIT_REPORT" not in crit[0]'
jcheck "journald: values with a newline arrive whole (binary form): the link's EDGEAUDIT_SUBJECT and the summary's EDGEAUDIT_REPORT; MESSAGE keeps '?' as the syslog line" \
	'len(link) == 1 and link[0]["EDGEAUDIT_SUBJECT"] == "oci:'"$T"'/tampered/blobs/sha256/evil\nname" and link[0]["EDGEAUDIT_SEVERITY"] == "high" and link[0]["PRIORITY"] == "4" and "evil?name" in link[0]["MESSAGE"] and summary[0]["EDGEAUDIT_REPORT"] == report'
jcheck "journald: critical before high, one entry per line (at most 10)" \
	'e.index(summary[0]) == 0 and e.index(crit[0]) < e.index(link[0]) and len(e) <= 10'

# A pass: PRIORITY 5 (notice), no EDGEAUDIT_REPORT without --out.
: >"$T/entries.json"
rm -rf "$T/runlog"/*
o=$(in_ns journald "'$EA' images --no-config --store 'oci:$T/small' --log journald >/dev/null" 2>&1); rc=$?
journalctl -D "$T/runlog/journal" -o json SYSLOG_IDENTIFIER=edgeaudit >"$T/entries.json" 2>/dev/null
if [ $rc -eq 0 ] && [ -z "$o" ]; then
	jcheck "journald: a pass is one entry, PRIORITY 5, EDGEAUDIT_VERDICT=pass, EXIT_CODE=0, no REPORT (stdout)" \
		'len(e) == 1 and e[0]["PRIORITY"] == "5" and e[0]["EDGEAUDIT_VERDICT"] == "pass" and e[0]["EDGEAUDIT_EXIT_CODE"] == "0" and "EDGEAUDIT_REPORT" not in e[0]'
else
	not_ok "journald: a pass" "rc=$rc $o"
fi

# ---------------------------------------------------------------- no journal
o=$(in_ns none "'$EA' images --no-config --store 'oci:$T/tampered' --log journald --out '$T/none.json' 2>&1 >/dev/null" 2>&1); rc=$?
[ $rc -eq 1 ] && [[ "$o" == *"edgeaudit: warning: --log journald: /run/systemd/journal/socket: No such file or directory"* ]] && [ -s "$T/none.json" ] &&
	ok "--log journald without a journald: a warning naming the socket, the report written, exit code unchanged (1)" || not_ok "journald missing" "rc=$rc $o"
o=$(in_ns none "'$EA' images --no-config --store 'oci:$T/small' --log journald 2>&1 >/dev/null" 2>&1); rc=$?
[ $rc -eq 0 ] && [[ "$o" == *"warning: --log journald: "* ]] && ok "--log journald without a journald on a pass: exit 0 still" || not_ok "journald missing, pass" "rc=$rc $o"
o=$(in_ns stale "timeout 20 '$EA' images --no-config --store 'oci:$T/small' --log journald 2>&1 >/dev/null" 2>&1); rc=$?
[ $rc -eq 0 ] && [[ "$o" == *"warning: --log journald: /run/systemd/journal/socket: Connection refused"* ]] &&
	ok "--log journald to a socket file nobody listens on: refused at once, a warning, exit 0" || not_ok "journald stale socket" "rc=$rc $o"
s0=$(date +%s)
o=$(in_ns full "timeout 20 '$EA' images --no-config --store 'oci:$T/tampered' --log journald 2>&1 >/dev/null" 2>&1); rc=$?
[ $rc -eq 1 ] && [[ "$o" == *"warning: --log journald: "*" entries not sent (send: Resource temporarily unavailable)"* ]] && [ $(($(date +%s) - s0)) -lt 20 ] &&
	ok "--log journald to a journal that does not read (queue full): no wait, a warning with the count lost, exit 1 as without it" || not_ok "journald full" "rc=$rc $o"

# ---------------------------------------------------------------- config
printf '{"log": "journald"}\n' >"$T/c.json"
run_ea config check "$T/c.json"
[ $RC -eq 0 ] && ok "config: \"log\": \"journald\" is a valid choice" || not_ok "config log journald" "rc=$RC $OUT $ERR"
printf '{"log": "journal"}\n' >"$T/c2.json"
run_ea config check "$T/c2.json"
[ $RC -eq 2 ] && [[ "$OUT$ERR" == *journald* ]] && ok "config: a wrong \"log\" lists journald among the choices" || not_ok "config log choices" "rc=$RC $OUT $ERR"
run_ea images --no-config --store "oci:$T/small" --log journal
[ $RC -eq 2 ] && [[ "$ERR" == *"--log must be kmsg, syslog, journald or none, not 'journal'"* ]] && ok "--log journal (a typo): usage error naming the choices" || not_ok "--log typo" "rc=$RC $ERR"
