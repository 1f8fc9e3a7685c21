#!/usr/bin/env bash
# board/ (issue 7): the integrations appliance builders use, checked as far as
# this machine allows: systemd-analyze verify for the unit, shellcheck for the
# scripts, the init scripts run for real against a store, the Yocto recipe
# parsed and its do_install run, the Buildroot package parsed (kconfiglib,
# make) and its install commands run, the man page against every option.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

B=$TOP/board
VERSION=$(cat "$TOP/src/VERSION")

# ---------------------------------------------------------------- shellcheck
if command -v shellcheck >/dev/null; then
	check "shellcheck: busybox/sysvinit script" shellcheck -s sh "$B/init.d/S45edgeaudit"
	check "shellcheck: OpenRC script" shellcheck -s sh "$B/openrc/edgeaudit"
	check "shellcheck: the boot test's scripts" shellcheck -s sh "$TOP/tests/boot/init.sh"
	check "shellcheck: the field, journald, board and boot tests" shellcheck -x -S warning -s bash -e SC1091,SC2034 \
		"$TOP/tests/integration/test_field.sh" "$TOP/tests/integration/test_board.sh" "$TOP/tests/integration/test_boot.sh" \
		"$TOP/tests/integration/test_journald.sh"
else
	skip "shellcheck" "shellcheck is not installed (apt-get install shellcheck)"
fi

# ---------------------------------------------------------------- systemd
if command -v systemd-analyze >/dev/null; then
	# A root with the unit, the binary where ExecStart expects it and the
	# distribution's own units (for the targets it is ordered against);
	# MANPATH finds the man page Documentation= names.
	R=$T/sdroot
	mkdir -p "$R/usr/bin" "$R/etc/systemd/system" "$R/usr/lib/systemd" "$T/man/man1"
	cp -a /usr/lib/systemd/system "$R/usr/lib/systemd/" 2>/dev/null || cp -a /lib/systemd/system "$R/usr/lib/systemd/"
	ln -sfn usr/lib "$R/lib"
	cp "$EA" "$R/usr/bin/edgeaudit"
	cp "$B/man/edgeaudit.1" "$T/man/man1/"
	cp "$B/systemd/edgeaudit.service" "$R/etc/systemd/system/"
	out=$(MANPATH=$T/man systemd-analyze verify --root="$R" /etc/systemd/system/edgeaudit.service 2>&1)
	[ $? -eq 0 ] && [ -z "$out" ] && ok "systemd-analyze verify: edgeaudit.service is clean" || not_ok "systemd-analyze verify" "$out"
	# The same check refuses a broken copy (the check can fail).
	sed 's/^Type=oneshot/Type=oneshoot/' "$B/systemd/edgeaudit.service" >"$R/etc/systemd/system/edgeaudit.service"
	out=$(MANPATH=$T/man systemd-analyze verify --root="$R" /etc/systemd/system/edgeaudit.service 2>&1); rc=$?
	[ $rc -ne 0 ] || [ -n "$out" ] && ok "systemd-analyze verify speaks up on a broken copy of the unit" || not_ok "systemd-analyze verify on a broken unit" "rc=$rc"
	u=$B/systemd/edgeaudit.service
	if grep -q '^Type=oneshot' "$u" && grep -q '^Before=.*docker.service' "$u" && grep -q '^Before=.*containerd.service' "$u" &&
		grep -q '^ExecStart=/usr/bin/edgeaudit audit' "$u" && grep -q '^PrivateNetwork=yes' "$u"; then
		ok "the unit is a oneshot ordered before docker and containerd, offline"
	else
		not_ok "unit ordering" "$(cat "$u")"
	fi
else
	skip "systemd-analyze verify" "systemd is not installed"
fi

# ---------------------------------------------------------------- man page
man=$B/man/edgeaudit.1
out=$(groff -t -man -ww -z "$man" 2>&1)
[ -z "$out" ] && ok "man page: groff -man -ww finds nothing" || not_ok "man page warnings" "$out"
grep -q "^\.TH EDGEAUDIT 1 .*\"edgeaudit $VERSION\"" "$man" && ok "man page names version $VERSION" || not_ok "man page version" "$(grep '^\.TH' "$man")"
missing=""
for c in audit images proc verify verify-blob report config baseline; do
	for o in $("$EA" "$c" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		grep -qF -- "$(printf '%s' "$o" | sed 's/-/\\-/g')" "$man" || missing="$missing $c:$o"
	done
done
[ -z "$missing" ] && ok "man page: every option of every command's --help is documented" || not_ok "options missing from the man page" "$missing"
ex=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$man")
allx=1
for code in 0 1 2 3; do printf '%s\n' "$ex" | grep -qx "\.B $code" || allx=0; done
[ $allx = 1 ] && ok "man page: exit codes 0, 1, 2, 3 documented" || not_ok "man page exit codes" "$ex"
wide=$(MANWIDTH=80 man -l "$man" 2>/dev/null | awk 'length($0) > 80' | wc -l)
[ "$wide" -eq 0 ] && ok "man page renders within 80 columns" || not_ok "man page width" "$wide lines over 80"

# ---------------------------------------------------------------- config example and schema
run_ea config check --config "$B/config.example.json"
[ $RC -eq 0 ] && [[ "$OUT" == *": ok ("* ]] && ok "board/config.example.json passes config check" || not_ok "example config" "rc=$RC $OUT"
check "board/config.example.json validates against board/config.schema.json" $PY - "$B/config.schema.json" "$B/config.example.json" <<'PYEOF'
import json, sys, jsonschema
s = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(s)
jsonschema.validate(json.load(open(sys.argv[2])), s)
PYEOF

# ---------------------------------------------------------------- board profiles
bad=""
for t in x86_64 aarch64 armv7; do
	v=$(sh -c ". '$B/$t.conf'; printf '%s' \"\$CFLAGS_TARGET\"")
	[ -n "$v" ] || bad="$bad $t"
done
[ -z "$bad" ] && ok "board profiles x86_64, aarch64, armv7 set CFLAGS_TARGET" || not_ok "board profiles" "$bad"

# ---------------------------------------------------------------- init scripts, run for real
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v umoci >/dev/null; then
	base_layout
	fresh "$T/good"
	fresh "$T/bad"
	layer=$(info_get "$T/bad" "['layers'][0]")
	printf 'X' | dd of="$T/bad/blobs/sha256/${layer#sha256:}" bs=1 seek=100 conv=notrunc 2>/dev/null
	# run_init STORE STRICT: the busybox/sysvinit script's start, with its
	# defaults file pointing at this build and STORE (a private /etc/default).
	run_init() {
		mkdir -p "$T/etcdefault"
		cat >"$T/etcdefault/edgeaudit" <<-EOF
		EDGEAUDIT=$EA
		EDGEAUDIT_ARGS="--no-config --no-proc --store oci:$1 --format text --no-progress"
		EDGEAUDIT_STRICT=$2
		EOF
		unshare --mount --fork sh -c "mount --bind '$T/etcdefault' /etc/default && exec busybox sh '$B/init.d/S45edgeaudit' start" 2>&1
	}
	if command -v busybox >/dev/null; then
		o=$(run_init "$T/good" 0); rc=$?
		[ $rc -eq 0 ] && [[ "$o" == *"VERDICT: INCOMPLETE"* || "$o" == *"VERDICT: PASS"* ]] && [[ "$o" == *"edgeaudit: pass"* || "$o" == *"edgeaudit: incomplete"* ]] &&
			ok "S45edgeaudit start (busybox sh): audits, prints the text report and the verdict" || not_ok "init script start" "rc=$rc" "$o"
		o=$(run_init "$T/bad" 0); rc=$?
		[ $rc -eq 0 ] && [[ "$o" == *"edgeaudit: FAIL"* ]] && ok "S45edgeaudit: a tampered store is reported FAIL; boot goes on (not strict)" || not_ok "init script tampered" "rc=$rc" "$o"
		o=$(run_init "$T/bad" 1); rc=$?
		[ $rc -eq 1 ] && ok "S45edgeaudit: EDGEAUDIT_STRICT=1 makes start fail on a failed audit" || not_ok "init script strict" "rc=$rc" "$o"
	else
		skip "init script runs" "busybox is not installed"
	fi
	# OpenRC: openrc-run is not here; source the script with its helpers stubbed.
	run_openrc() {
		sh -c "ebegin() { echo \"* \$*\"; }; eend() { echo \"eend \$1\"; return \$1; }; ewarn() { echo \"warn \$*\"; }
			need() { echo need \"\$@\"; }; after() { echo after \"\$@\"; }; before() { echo before \"\$@\"; }
			EDGEAUDIT_ARGS='--no-config --no-proc --store oci:$1 --no-progress'; EDGEAUDIT_STRICT=$2
			. '$B/openrc/edgeaudit'; $3" 2>&1
	}
	o=$(PATH="$(dirname "$EA"):$PATH" run_openrc "$T/good" 0 depend)
	[[ "$o" == *"need localmount"* ]] && [[ "$o" == *"before docker containerd"* ]] && ok "OpenRC: depend() needs localmount, runs before docker and containerd" || not_ok "openrc depend" "$o"
	# start() calls /usr/bin/edgeaudit: bind this build there in a private mount namespace.
	if [ -e /usr/bin/edgeaudit ]; then
		skip "OpenRC start()" "/usr/bin/edgeaudit exists on this machine"
	else
		mkdir -p "$T/ubin" && cp -a /usr/bin/. "$T/ubin/" 2>/dev/null; cp "$EA" "$T/ubin/edgeaudit"
		o=$(unshare --mount --fork sh -c "mount --bind '$T/ubin' /usr/bin && $(declare -f run_openrc); B='$B'; run_openrc '$T/bad' 1 start"); rc=$?
		o2=$(unshare --mount --fork sh -c "mount --bind '$T/ubin' /usr/bin && $(declare -f run_openrc); B='$B'; run_openrc '$T/bad' 0 start"); rc2=$?
		[ $rc -eq 1 ] && [[ "$o" == *"eend 1"* ]] && [ $rc2 -eq 0 ] && [[ "$o2" == *"warn edgeaudit: FAIL"* ]] &&
			ok "OpenRC start(): a failed audit fails the service only when strict" || not_ok "openrc start" "rc=$rc $o" "rc2=$rc2 $o2"
	fi
else
	skip "init scripts run for real" "needs root, unshare and umoci"
fi

# ---------------------------------------------------------------- Yocto recipe
# No bitbake in Debian: parse the recipe with the subset of BitBake syntax it
# uses (assignments with operators and overrides, inherit, shell functions,
# flags, ${@...} inline python), refuse anything else, check its facts, then
# expand do_install with a small datastore and run it into an image folder.
mkdir -p "$T/yocto/tree/out/x86_64" "$T/yocto/image"
cp "$EA" "$T/yocto/tree/out/x86_64/edgeaudit"
cp -a "$B" "$T/yocto/tree/board"
cp "$TOP/LICENSE" "$T/yocto/tree/LICENSE"
yout=$($PY - "$B/yocto/edgeaudit.bb" "$T/yocto" "$VERSION" "$TOP/LICENSE" <<'PYEOF'
import hashlib, re, subprocess, sys
recipe, work, version, license_path = sys.argv[1:5]
text = open(recipe).read()
lines = text.split("\n")
ASSIGN = re.compile(r'^([A-Za-z_][A-Za-z0-9_\-]*)((?::[A-Za-z0-9_\-${}]+)*)(\[[a-z_-]+\])?\s*(\?\?=|\?=|:=|\+=|=\+|\.=|=\.|=)\s*"(.*)"\s*$')
FUNC = re.compile(r'^(python\s+)?([a-z_][a-z0-9_]*)\(\)\s*\{\s*$')
vars, overrides, funcs, inherits, errors = {}, {}, {}, [], []
i = 0
while i < len(lines):
    ln = lines[i]
    if not ln.strip() or ln.lstrip().startswith("#"):
        i += 1; continue
    while ln.endswith("\\"):
        i += 1
        ln = ln[:-1] + " " + lines[i].strip()
    m = FUNC.match(ln)
    if m:
        body = []
        i += 1
        while i < len(lines) and lines[i] != "}":
            body.append(lines[i]); i += 1
        if i >= len(lines): errors.append("function %s is not closed" % m.group(2))
        funcs[m.group(2)] = "\n".join(body)
        i += 1; continue
    if ln.startswith("inherit "):
        inherits += ln.split()[1:]; i += 1; continue
    m = ASSIGN.match(ln)
    if not m:
        errors.append("line %d: not BitBake syntax: %s" % (i + 1, ln)); i += 1; continue
    name, ovr, flag, op, val = m.groups()
    if val.count('"') and not val.replace('\\"', ''):
        errors.append("line %d: quotes" % (i + 1))
    if flag: pass
    elif ovr: overrides.setdefault(name, []).append((ovr, op, val))
    elif op in ("??=", "?=") and name in vars: pass
    else: vars[name] = val
    i += 1
facts = []
for need in ("SUMMARY", "LICENSE", "LIC_FILES_CHKSUM", "SRC_URI", "PV"):
    if need not in vars: errors.append("missing " + need)
if vars.get("PV") != version: errors.append("PV %r is not src/VERSION %r" % (vars.get("PV"), version))
md5 = hashlib.md5(open(license_path, "rb").read()).hexdigest()
if "md5=" + md5 not in vars.get("LIC_FILES_CHKSUM", ""): errors.append("LIC_FILES_CHKSUM md5 is not LICENSE's " + md5)
for c in ("systemd", "update-rc.d"):
    if c not in inherits: errors.append("does not inherit " + c)
arch = [o for o in overrides.get("EDGEAUDIT_ARCH", [])]
if sorted(o[0] for o in arch) != [":aarch64", ":arm", ":x86-64"]: errors.append("EDGEAUDIT_ARCH overrides: %r" % arch)
if "do_install" not in funcs: errors.append("no do_install")
# A datastore for the x86_64 case with systemd and sysvinit both on.
d = dict(vars)
d.update({"EDGEAUDIT_TREE": work + "/tree", "EDGEAUDIT_ARCH": "x86_64", "D": work + "/image",
          "bindir": "/usr/bin", "mandir": "/usr/share/man", "sysconfdir": "/etc",
          "systemd_system_unitdir": "/usr/lib/systemd/system", "DISTRO_FEATURES": "systemd sysvinit",
          "UNPACKDIR": work + "/tree", "WORKDIR": work, "PN": "edgeaudit"})
class Utils:
    @staticmethod
    def contains(var, item, t, f, dd): return t if item in d.get(var, "").split() else f
class BB: utils = Utils
class DS:
    def getVar(self, k): return d.get(k)
def expand(s, depth=0):
    if depth > 10: raise ValueError("recursive expansion: " + s)
    s = re.sub(r'\$\{@(.+?)\}(?=\s|;|$|/|")', lambda m: str(eval(m.group(1), {"bb": BB, "d": DS()})), s)
    out = re.sub(r'\$\{([A-Za-z_][A-Za-z0-9_]*)\}', lambda m: d[m.group(1)] if m.group(1) in d else m.group(0), s)
    return out if out == s else expand(out, depth + 1)
d["S"] = expand(d["S"])
# Every file:// in SRC_URI is in the tree (FILESEXTRAPATHS = the tree).
for u in expand(vars["SRC_URI"]).split():
    if not u.startswith("file://"): errors.append("not a file:// source: " + u); continue
    import os
    p = os.path.join(d["EDGEAUDIT_TREE"], u[7:].split(";")[0])
    if not os.path.exists(p): errors.append("SRC_URI names a file the tree lacks: " + u)
script = "set -e\n" + expand(funcs["do_install"]) + "\n"
open(work + "/do_install.sh", "w").write(script)
r = subprocess.run(["bash", work + "/do_install.sh"], capture_output=True, text=True)
if r.returncode: errors.append("do_install failed: " + r.stderr[-500:])
if errors:
    print("\n".join(errors)); sys.exit(1)
print("parsed: %d variables, %d functions, inherits %s" % (len(vars), len(funcs), " ".join(inherits)))
PYEOF
)
[ $? -eq 0 ] && ok "Yocto recipe parses; PV, license checksum, arch overrides, sources hold ($yout)" || not_ok "Yocto recipe" "$yout"
want="etc/edgeaudit/config.example.json etc/init.d/edgeaudit usr/bin/edgeaudit usr/lib/systemd/system/edgeaudit.service usr/share/man/man1/edgeaudit.1"
got=$(cd "$T/yocto/image" 2>/dev/null && find . -type f | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] && [ -x "$T/yocto/image/usr/bin/edgeaudit" ] && ok "Yocto do_install installs binary, man page, config example, unit, init script" || not_ok "Yocto do_install" "got  $got" "want $want"
if command -v shellcheck >/dev/null && [ -f "$T/yocto/do_install.sh" ]; then
	check "shellcheck: the Yocto recipe's expanded do_install" shellcheck -s bash "$T/yocto/do_install.sh"
fi

# ---------------------------------------------------------------- Buildroot package
bp=$B/buildroot/edgeaudit
if $PY -c 'import kconfiglib' 2>/dev/null; then
	kout=$(cd "$T" && $PY - "$bp/Config.in" <<'PYEOF'
import os, sys, kconfiglib
top = "top.Kconfig"
open(top, "w").write('''config BR2_x86_64
	bool
	default y
config BR2_aarch64
	bool
config BR2_arm
	bool
config BR2_ARM_CPU_ARMV7A
	bool
menu "Target packages"
source "%s"
endmenu
''' % sys.argv[1])
kc = kconfiglib.Kconfig(top, warn_to_stderr=False)
errs = [w for w in kc.warnings]
pkg = kc.syms["BR2_PACKAGE_EDGEAUDIT"]
pkg.set_value(2)
tree = kc.syms["BR2_PACKAGE_EDGEAUDIT_TREE"]
if pkg.tri_value != 2: errs.append("BR2_PACKAGE_EDGEAUDIT cannot be set on x86_64")
if not tree.visibility: errs.append("BR2_PACKAGE_EDGEAUDIT_TREE not visible when selected")
if not pkg.nodes[0].help: errs.append("no help text")
if errs: print("\n".join(errs)); sys.exit(1)
print("ok")
PYEOF
)
	[ $? -eq 0 ] && ok "Buildroot Config.in parses with kconfiglib; the package is selectable on x86_64" || not_ok "Buildroot Config.in" "$kout"
else
	skip "Buildroot Config.in" "python3-kconfiglib is not installed"
fi
# edgeaudit.mk under GNU make with Buildroot's few helpers stubbed; the
# install commands run into a target folder, once per init system.
mkdir -p "$T/br"
ln -sfn "$T/yocto/tree" "$T/br/src"
cat >"$T/br/Makefile" <<EOF
BR2_x86_64 := y
BR2_PACKAGE_EDGEAUDIT_TREE := "$T/br/src"
INSTALL := install
qstrip = \$(strip \$(subst ",,\$(1)))
define generic-package
endef
include $bp/edgeaudit.mk
check-vars:
	@echo "\$(EDGEAUDIT_VERSION) \$(EDGEAUDIT_SITE) \$(EDGEAUDIT_SITE_METHOD) \$(EDGEAUDIT_LICENSE) \$(EDGEAUDIT_ARCH)"
$T/br/src/.stamp_installed:
	\$(EDGEAUDIT_INSTALL_TARGET_CMDS)
	\$(EDGEAUDIT_INSTALL_INIT_\$(INIT))
EOF
v=$(make -s -f "$T/br/Makefile" check-vars 2>&1)
[ "$v" = "$VERSION $T/br/src local ISC x86_64" ] && ok "Buildroot edgeaudit.mk parses: version, local site, license, arch" || not_ok "Buildroot .mk variables" "$v"
brok=1
for init in SYSV SYSTEMD OPENRC; do
	rm -rf "$T/br/target"
	make -s -f "$T/br/Makefile" TARGET_DIR="$T/br/target" INIT=$init "$T/br/src/.stamp_installed" >"$T/br/log" 2>&1 || { brok=0; cat "$T/br/log"; }
	case $init in
	SYSV) f=etc/init.d/S45edgeaudit ;;
	SYSTEMD) f=usr/lib/systemd/system/edgeaudit.service ;;
	OPENRC) f=etc/init.d/edgeaudit ;;
	esac
	for g in usr/bin/edgeaudit usr/share/man/man1/edgeaudit.1 etc/edgeaudit/config.example.json "$f"; do
		[ -f "$T/br/target/$g" ] || { brok=0; echo "missing $g for $init"; }
	done
done >"$T/br/result" 2>&1
[ $brok = 1 ] && ok "Buildroot install commands install binary, man page, config and the SysV/systemd/OpenRC integration" || not_ok "Buildroot install" "$(cat "$T/br/result")"
grep -q "^EDGEAUDIT_VERSION = $VERSION\$" "$bp/edgeaudit.mk" && grep -q "^EDGEAUDIT_LICENSE_FILES = LICENSE" "$bp/edgeaudit.mk" &&
	ok "Buildroot package version is src/VERSION, license file named" || not_ok "Buildroot version"
