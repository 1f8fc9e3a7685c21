#!/usr/bin/env bash
# Container drift (issue 17): containers of a private dockerd (overlay2) and
# of podman (containers/storage, overlay) that add a program, replace files,
# delete one, make a setuid file and edit /etc/passwd; edgeaudit's changed
# paths must equal `docker diff`'s / `podman diff`'s, and
# each change gets the one finding the README's "Container drift" table
# gives it.  Then hostile writable layers (a link out of the store, a FIFO,
# a very deep tree, many files) under `timeout` with bounded memory.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"
. "$TOP/tests/helpers/engines.sh"

if [ "$(id -u)" != 0 ]; then skip "container drift" "needs root to run dockerd"; exit 0; fi
for tool in dockerd umoci skopeo; do
	command -v $tool >/dev/null || { skip "container drift (docker)" "$tool is not installed"; exit 0; }
done
trap '[ -z "${D:-}" ] || $D rm -f drifty quiet >/dev/null 2>&1; stop_dockerd; eng_cleanup; rm -rf "$T"' EXIT

findings_of() { json_get "$OUT" "'\n'.join(f['id']+' '+f['subject'] for f in r['findings'])"; }
# the finding id for SUBJECT, or "none"
finding_for() { json_get "$OUT" "next((f['id'] for f in r['findings'] if f['subject']=='$1'), 'none')"; }
# edgeaudit's changes of container ID as "K path" lines, sorted
ea_changes() {
	json_get "$OUT" "'\n'.join(sorted(c['kind']+' '+c['path'] for s in r['stores'] for k in s.get('containers', []) if k['id']=='$1' for c in k['changes']))"
}

base_layout
skopeo copy -q "oci:$T/base:bb" "docker-archive:$T/in.tar:localhost/bb:1" >/dev/null 2>&1
if ! start_dockerd dd overlay2; then
	skip "container drift (docker)" "dockerd --storage-driver=overlay2 did not start: $(tail -n 2 "$T/dd-dockerd.log" | tr '\n' ' ')"
	exit 0
fi
$D load -i "$T/in.tar" >/dev/null
$D run -d --name drifty --network none localhost/bb:1 sleep 600 >/dev/null || { not_ok "docker run" "$(tail -n 5 "$T/dd-dockerd.log")"; exit 0; }
$D run -d --name quiet --network none localhost/bb:1 sleep 600 >/dev/null
CID=$($D inspect -f '{{.Id}}' drifty)
QID=$($D inspect -f '{{.Id}}' quiet)
$D exec drifty sh -c '
	cp /bin/busybox /opt/newtool                          # a program added
	mkdir -p /usr/local/bin && cp /bin/busybox /usr/local/bin/helper
	cp /bin/busybox /etc/extra.txt                        # a file replaced by a program
	rm /bin/false; printf "#!/bin/sh\necho pwned\n" >/bin/false; chmod 755 /bin/false
	echo notes >/bin/README                               # a plain file in a program folder
	rm /opt/blob.bin                                      # deleted
	cp /bin/busybox /opt/suid && chmod 4755 /opt/suid     # setuid
	echo "evil:x:0:0::/:/bin/sh" >>/etc/passwd            # an account
	echo scratch >/tmp/scratch                            # allowed
'
$D diff drifty | sort -k2 >"$T/docker-diff"

run_ea images --store "docker:$DROOT"
ea_changes "$CID" >"$T/ea-diff"
echo "# docker diff (left) | edgeaudit (right):"
paste -d'|' <(sed 's/^/# /' "$T/docker-diff") "$T/ea-diff" | column -t -s'|' 2>/dev/null || paste "$T/docker-diff" "$T/ea-diff"
if diff <(sort "$T/docker-diff") <(sort "$T/ea-diff") >"$T/d"; then ok "drift: edgeaudit's changed paths equal docker diff's ($(wc -l <"$T/ea-diff") paths)"
else not_ok "drift: changed paths differ from docker diff" "$(cat "$T/d")"; fi
[ -z "$(ea_changes "$QID")" ] && [ -z "$($D diff quiet)" ] && ok "drift: an untouched container has no changes (nor has docker diff)" || not_ok "drift: untouched container" "$(ea_changes "$QID")"

expect() { # PATH ID
	local got; got=$(finding_for "docker:$CID:$1")
	[ "$got" = "$2" ] && ok "drift: $1 -> $2" || not_ok "drift: $1 -> $2" "got $got" "$(findings_of | grep drift | head -20)"
}
expect /opt/newtool drift.executable_added
expect /usr/local/bin/helper drift.executable_added
expect /etc/extra.txt drift.executable_replaced
expect /bin/false drift.executable_replaced
expect /bin/README drift.binary_dir
expect /opt/blob.bin drift.deleted
expect /opt/suid drift.privileged_file
expect /etc/passwd drift.sensitive_file
expect /tmp/scratch none
n=$(json_get "$OUT" "sum(1 for f in r['findings'] if f['subject'].startswith('docker:$CID:'))")
[ "$n" = 8 ] && ok "drift: one finding per path (8)" || not_ok "drift: one finding per path" "got $n" "$(findings_of | grep "$CID")"
json_get "$OUT" "[f['message'] for f in r['findings'] if f['subject']=='docker:$CID:/opt/newtool'][0]" | grep -q "drifty.*localhost/bb:1.*sha256 $(sha256sum /bin/busybox | cut -c1-64)" \
	&& ok "drift: the message names the container, its image and the file's sha256" || not_ok "drift: message" "$(findings_of | head -3)"
[ "$RC" = 1 ] && ok "drift: the run fails (exit 1)" || not_ok "drift: exit code" "rc=$RC"
printf '%s' "$OUT" >"$T/report.json"
run_ea images --store "docker:$DROOT" --format text
[[ "$OUT" == *"container added an executable"* ]] && ok "drift: the console summary names the drift" || not_ok "drift: console" "${OUT:0:1500}"
validate_report "$T/report.json" && ok "drift: the report validates against the schema" || not_ok "drift: schema" "$(validate_report "$T/report.json" 2>&1 | tail -3)"
# The user's allow list: /opt for every container, /etc/passwd only for
# containers named drifty*, /bin only for another image: still listed, the
# covered paths judged no more.
printf '{"drift_allow": ["/opt", "drifty*:/etc/passwd", "other/image:*:/bin"]}' >"$T/allow.json"
run_ea images --config "$T/allow.json" --store "docker:$DROOT"
a_changes=$(ea_changes "$CID")
if [ "$(finding_for "docker:$CID:/opt/newtool")" = none ] && [ "$(finding_for "docker:$CID:/opt/suid")" = none ] &&
	[ "$(finding_for "docker:$CID:/etc/passwd")" = none ] && [ "$(finding_for "docker:$CID:/bin/README")" = drift.binary_dir ] &&
	[ "$(finding_for "docker:$CID:/usr/local/bin/helper")" = drift.executable_added ] && [ "$a_changes" = "$(cat "$T/ea-diff")" ]; then
	ok "drift: the config's drift_allow leaves /opt and drifty*'s /etc/passwd unjudged, still listed; another image's entry does not apply"
else
	not_ok "drift: drift_allow" "$(findings_of | grep "$CID")"
fi
run_ea images --no-config --drift-allow '/usr/local/*' --drift-allow 'localhost/bb:*:/etc' --store "docker:$DROOT"
[ "$(finding_for "docker:$CID:/usr/local/bin/helper")" = none ] && [ "$(finding_for "docker:$CID:/etc/passwd")" = none ] &&
	[ "$(finding_for "docker:$CID:/opt/newtool")" = drift.executable_added ] &&
	ok "drift: --drift-allow globs, by path and by image name" || not_ok "drift: --drift-allow" "$(findings_of | grep "$CID")"
run_ea images --no-config --drift-allow 'no-slash' --store "docker:$DROOT"
[ "$RC" = 2 ] && ok "drift: a --drift-allow that is no path glob is a usage error (exit 2)" || not_ok "drift: bad --drift-allow" "rc=$RC $ERR"

# --- hostile writable layers (written on disk into containers made, never started)
upper_of() { echo "$DROOT/overlay2/$(cat "$DROOT/image/overlay2/layerdb/mounts/$($D inspect -f '{{.Id}}' "$1")/mount-id")/diff"; }
for n in hostile deep many; do $D create --name $n --network none localhost/bb:1 sleep 1 >/dev/null; done
U=$(upper_of hostile)
mkdir -p "$U/bin" "$U/opt"
ln -s / "$U/escape"                       # a link out of the store
ln -s /etc "$U/bin/etclink"               # a link in a program folder
mkfifo "$U/bin/fifo"                      # never opened, never blocks
mknod "$U/opt/disk" b 8 0                 # a device that is no whiteout
U=$(upper_of deep)
$PY -c "import os,sys; os.makedirs(os.path.join(sys.argv[1], *(['d'] * 400)))" "$U"
U=$(upper_of many)
mkdir -p "$U/tmp/many"
$PY -c "
import os,sys
d=sys.argv[1]
for i in range(210000): open(os.path.join(d, str(i)), 'w').close()" "$U/tmp/many"
# whiteouts in both forms and an opaque folder, as written on disk
$D create --name wh --network none localhost/bb:1 sleep 1 >/dev/null
U=$(upper_of wh)
mkdir -p "$U/etc" "$U/opt" "$U/bin"
touch "$U/etc/.wh.extra.txt"              # fuse-overlayfs's form
mknod "$U/bin/cat" c 0 0                  # the kernel's form
$PY -c "import os, sys; os.setxattr(sys.argv[1], 'trusted.overlay.opaque', b'y')" "$U/opt"
mkdir -p "$U/usr" && touch "$U/usr/.wh..wh..opq"  # opaque, fuse-overlayfs's form (no /usr in the image)
WID=$($D inspect -f '{{.Id}}' wh)
HID=$($D inspect -f '{{.Id}}' hostile); DID=$($D inspect -f '{{.Id}}' deep); MID=$($D inspect -f '{{.Id}}' many)

start=$(date +%s)
RSS=$($PY -c "
import resource, subprocess, sys
p = subprocess.run(['timeout', '120'] + sys.argv[1:], stdout=open(sys.argv[-1] + '.json', 'w'))
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)" "$EA" images --store "docker:$DROOT" --out "$T/hostile")
secs=$(( $(date +%s) - start ))
RC=${RSS% *}; KB=${RSS#* }
OUT=$(cat "$T/hostile")
[ "$RC" = 1 ] || [ "$RC" = 3 ] && ok "drift hostile: finished in ${secs}s (exit $RC), max RSS ${KB} KB" || not_ok "drift hostile: run" "rc=$RC after ${secs}s"
[ "$KB" -lt 150000 ] && ok "drift hostile: bounded memory (${KB} KB)" || not_ok "drift hostile: memory" "$KB KB"
CID=$HID
expect /escape none
expect /bin/etclink drift.binary_dir
expect /bin/fifo drift.binary_dir
expect /opt/disk drift.privileged_file
[ "$(ea_changes "$HID" | tr '\n' ' ')" = "A /bin/etclink A /bin/fifo A /escape A /opt/disk C /bin C /opt " ] && ok "drift hostile: the link was listed, not followed" || not_ok "drift hostile: link" "$(ea_changes "$HID")"
CID=$WID
expect /etc/extra.txt drift.deleted
expect /bin/cat drift.binary_dir
expect /opt drift.deleted
[ "$(ea_changes "$WID" | tr '\n' ' ')" = "A /usr C /bin C /etc C /opt D /bin/cat D /etc/extra.txt " ] && ok "drift: whiteouts of both forms are deletions (D), an opaque folder of the image changed (C)" || not_ok "drift: whiteouts" "$(ea_changes "$WID")"
CID=$DID
json_get "$OUT" "[f['message'] for f in r['findings'] if f['id']=='drift.incomplete' and f['subject'].startswith('docker:$DID:')][0]" | grep -q "nested too deep" \
	&& ok "drift hostile: a 400-level tree stops at the depth limit, said (drift.incomplete)" || not_ok "drift hostile: deep" "$(findings_of | grep "$DID")"
json_get "$OUT" "[f['message'] for f in r['findings'] if f['id']=='drift.incomplete' and f['subject'].startswith('docker:$MID:')][0]" | grep -q "too many entries" \
	&& ok "drift hostile: 210000 files stop at the entry limit, said (drift.incomplete)" || not_ok "drift hostile: many" "$(findings_of | grep "$MID" | head -3)"
json_get "$OUT" "[k for s in r['stores'] for k in s.get('containers', []) if k['id']=='$MID'][0]['complete']" | grep -q False \
	&& ok "drift hostile: the container's entry says it is not complete" || not_ok "drift hostile: complete flag"

# --- containerd (overlayfs snapshotter): no `ctr diff` to compare with, so
# the changes are compared with the ones the same script gives in podman
# (above: the naive differ's), apart from the mount points runc makes
containerd_drift() {
	local img NS=eadrift$$ K=kdrift$$
	if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
		skip "container drift (containerd)" "containerd or ctr is not installed"; return
	fi
	skopeo copy -q "oci:$T/base:bb" "oci-archive:$T/img-oci.tar:localhost/bb:1" >/dev/null 2>&1
	if ! eng_ctrd_start; then
		skip "container drift (containerd)" "containerd does not start here: $(tail -n 2 "$T/ctrd/log" | tr '\n' ' ')"; return
	fi
	C="$C -n $NS"
	ENG_CLEAN+=("$C task kill -s KILL $K; sleep 0.5; $C task delete $K; $C c rm $K")
	$C images import "$T/img-oci.tar" >"$T/import.log" 2>&1 || { not_ok "ctr images import" "$(tail -n 3 "$T/import.log")"; return; }
	img=$($C images ls -q | head -n 1)
	$C run -d --snapshotter overlayfs "$img" $K sleep 600 >"$T/crun.log" 2>&1 || { skip "container drift (containerd)" "ctr run failed: $(tail -n 2 "$T/crun.log" | tr '\n' ' ')"; return; }
	$C task exec --exec-id e1 $K sh -c "$SCRIPT" >/dev/null 2>&1
	run_ea images --store "containerd:$T/ctrd/root"
	ea_changes "$NS/$K" >"$T/ea-cdiff-all"
	echo "# runc's own: $(grep -E '^[ACD] /(dev|proc|sys|run)(/|$)' "$T/ea-cdiff-all" | tr '\n' ' ')"
	grep -vE '^[ACD] /(dev|proc|sys|run)(/|$)' "$T/ea-cdiff-all" >"$T/ea-cdiff"
	echo "# expected (left) | edgeaudit on containerd (right):"
	paste -d'|' <(sed 's/^/# /' "$T/expect-cdiff") "$T/ea-cdiff" | column -t -s'|' 2>/dev/null || true
	if diff "$T/expect-cdiff" "$T/ea-cdiff" >"$T/d"; then ok "drift containerd: the changed paths of an overlayfs snapshot ($(wc -l <"$T/ea-cdiff") paths)"
	else not_ok "drift containerd: changed paths" "$(cat "$T/d")"; fi
	local p id got
	for p in /opt/newtool:drift.executable_added /etc/extra.txt:drift.executable_replaced /opt/blob.bin:drift.deleted \
		/opt/suid:drift.privileged_file /etc/passwd:drift.sensitive_file /bin/README:drift.binary_dir; do
		got=$(finding_for "containerd:$NS/$K:${p%%:*}")
		[ "$got" = "${p#*:}" ] && ok "drift containerd: ${p%%:*} -> ${p#*:}" || not_ok "drift containerd: ${p%%:*} -> ${p#*:}" "got $got" "$(findings_of | grep drift | head)"
	done
	got=$(json_get "$OUT" "sum(1 for f in r['findings'] if f['subject'].startswith('containerd:$NS/$K:'))")
	[ "$got" = 6 ] && ok "drift containerd: one finding per changed path, none for runc's mount points (6)" || not_ok "drift containerd: finding count" "got $got" "$(findings_of | grep "$K")"
	printf '%s' "$OUT" >"$T/report.json"
	validate_report "$T/report.json" && ok "drift containerd: the report validates against the schema" || not_ok "drift containerd: schema" "$(validate_report "$T/report.json" 2>&1 | tail -3)"
}
SCRIPT='
	cp /bin/busybox /opt/newtool
	cp /bin/busybox /etc/extra.txt
	rm /opt/blob.bin
	cp /bin/busybox /opt/suid && chmod 4755 /opt/suid
	echo "evil:x:0:0::/:/bin/sh" >>/etc/passwd
	echo notes >/bin/README
'
printf '%s\n' "A /bin/README" "A /opt/newtool" "A /opt/suid" "C /bin" "C /etc" "C /etc/extra.txt" "C /etc/passwd" "C /opt" "D /opt/blob.bin" >"$T/expect-cdiff"
containerd_drift

# --- podman (containers/storage, overlay driver)
if ! command -v podman >/dev/null; then skip "container drift (podman)" "podman is not installed"; exit 0; fi
P="podman --root $T/pstore --runroot $T/prun --storage-driver overlay --cgroup-manager cgroupfs --events-backend file"
# containers/storage bind-mounts ROOT/overlay on itself and leaves it: unmount
# whatever is mounted below $T (and only there) before removing it.
stop_podman() {
	local m
	$P rm -f -t 0 pdrift >/dev/null 2>&1; $P unmount -a >/dev/null 2>&1
	for m in $(awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r); do
		case "$m" in "$T"/?*) umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ;; esac
	done
}
trap '[ -z "${D:-}" ] || $D rm -f drifty quiet >/dev/null 2>&1; stop_dockerd; stop_podman; eng_cleanup; rm -rf "$T"' EXIT
$P load -i "$T/in.tar" >/dev/null 2>&1
if ! $P run -d --name pdrift --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 localhost/bb:1 sleep 600 >"$T/prun.log" 2>&1; then
	skip "container drift (podman)" "podman run failed: $(tail -n 2 "$T/prun.log" | tr '\n' ' ')"; exit 0
fi
PID_=$($P inspect -f '{{.Id}}' pdrift)
$P exec pdrift sh -c "$SCRIPT"
$P diff pdrift | sort -k2 >"$T/podman-diff"
run_ea images --store "containers-storage:$T/pstore"
ea_changes "$PID_" >"$T/ea-pdiff"
echo "# podman diff (left) | edgeaudit (right):"
paste -d'|' <(sed 's/^/# /' "$T/podman-diff") "$T/ea-pdiff" | column -t -s'|' 2>/dev/null || paste "$T/podman-diff" "$T/ea-pdiff"
if diff <(sort "$T/podman-diff") <(sort "$T/ea-pdiff") >"$T/d"; then ok "drift podman: edgeaudit's changed paths equal podman diff's ($(wc -l <"$T/ea-pdiff") paths)"
else not_ok "drift podman: changed paths differ from podman diff" "$(cat "$T/d")"; fi
pexpect() { # PATH ID
	local got; got=$(finding_for "containers-storage:$PID_:$1")
	[ "$got" = "$2" ] && ok "drift podman: $1 -> $2" || not_ok "drift podman: $1 -> $2" "got $got" "$(findings_of | grep drift | head -20)"
}
pexpect /opt/newtool drift.executable_added
pexpect /etc/extra.txt drift.executable_replaced
pexpect /opt/blob.bin drift.deleted
pexpect /opt/suid drift.privileged_file
pexpect /etc/passwd drift.sensitive_file
pexpect /bin/README drift.binary_dir
printf '%s' "$OUT" >"$T/report.json"
validate_report "$T/report.json" && ok "drift podman: the report validates against the schema" || not_ok "drift podman: schema" "$(validate_report "$T/report.json" 2>&1 | tail -3)"
