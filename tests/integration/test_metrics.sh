#!/usr/bin/env bash
# --metrics FILE.prom (issue 18): the run as Prometheus metrics for
# node_exporter's textfile collector.  Real stores (umoci layouts, one
# tampered, one holding two platforms of one name, names and store paths
# with a quote, a backslash and a newline); the values are read back from
# the files and checked against the JSON report of the same run; every file
# made is checked with `promtool check metrics` (Debian's prometheus
# package) and for a series written twice (node_exporter refuses the file).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

PROMTOOL=$(command -v promtool || true)
mkdir -p "$T/made" "$T/m"
nmade=0
# keep FILE: a metrics file made by a run, checked at the end.
keep() { [ -f "$1" ] && { nmade=$((nmade + 1)); cp "$1" "$T/made/$nmade.prom"; }; }
# mval FILE SERIES: the value of the series SERIES (its name and labels as
# written in the file); nothing when it is not there.
mval() { S=$2 awk 'BEGIN { s = ENVIRON["S"] } substr($0, 1, length(s) + 1) == s " " { print substr($0, length(s) + 2) }' "$1"; }
# series FILE NAME: the lines of metric NAME (no comments).
series() { grep -E "^$2[{ ]" "$1"; }

base_layout
fresh "$T/pristine"
fresh "$T/tampered"
layer=$(info_get "$T/tampered" "['layers'][0]")
printf 'X' | dd of="$T/tampered/blobs/sha256/${layer#sha256:}" bs=1 seek=100 conv=notrunc status=none

# ---------------------------------------------------------------- a pristine store
P=$T/m/edgeaudit.prom
t0=$(date +%s)
run_ea images --no-config --store "oci:$T/pristine" --out "$T/p.json" --metrics "$P"
t1=$(date +%s)
keep "$P"
want="pass 1 0 0 0 1 1"
got="$(json_get "$(cat "$T/p.json")" 'r["verdict"]') $(mval "$P" 'edgeaudit_verdict{verdict="pass"}') $(mval "$P" 'edgeaudit_verdict{verdict="fail"}') $(mval "$P" 'edgeaudit_verdict{verdict="incomplete"}') $(mval "$P" edgeaudit_exit_code) $(mval "$P" edgeaudit_images_checked) $(mval "$P" "edgeaudit_image_verdict{store=\"oci:$T/pristine\",image=\"bb\",verdict=\"pass\"}")"
[ $RC -eq 0 ] && [ "$got" = "$want" ] && ok "pristine store: verdict pass (1, fail 0, incomplete 0), exit code 0, 1 image, its series by name (bb) and store, pass" ||
	not_ok "pristine metrics" "rc=$RC got  $got" "want $want" "$(head -c 1500 "$P" 2>/dev/null)"
# Every count as the report of the same run has it; the time as it ran.
v=$($PY - "$T/p.json" "$P" "$t0" "$t1" <<'PYEOF'
import json, re, sys
r = json.load(open(sys.argv[1]))
m = {}
for line in open(sys.argv[2]):
    if not line.startswith("#"):
        k, v = line.rstrip("\n").rsplit(" ", 1)
        m[k] = float(v)
bad = []
for s in ("critical", "high", "medium", "low", "info"):
    if m.get('edgeaudit_findings{severity="%s"}' % s) != r["summary"][s]:
        bad.append("severity " + s)
ids = {}
for f in r["findings"]:
    ids[f["id"]] = ids.get(f["id"], 0) + 1
got = {re.match(r'edgeaudit_findings_by_id\{id="(.*)"\}$', k).group(1): v for k, v in m.items() if k.startswith("edgeaudit_findings_by_id")}
if got != ids:
    bad.append("by id %s != %s" % (got, ids))
if abs(m["edgeaudit_duration_seconds"] - r["duration_ms"] / 1000) > 0.0011:
    bad.append("duration %s vs %s ms" % (m["edgeaudit_duration_seconds"], r["duration_ms"]))
ts = m["edgeaudit_last_run_timestamp_seconds"]
if not int(sys.argv[3]) <= ts < int(sys.argv[4]) + 1:
    bad.append("timestamp %s not within the run %s-%s" % (ts, sys.argv[3], sys.argv[4]))
if m.get('edgeaudit_image_series_dropped') != 0:
    bad.append("dropped")
print("; ".join(bad))
PYEOF
)
[ -z "$v" ] && ok "pristine store: findings by severity and by id, duration and the report's time agree with the JSON report" || not_ok "metrics vs report" "$v"
# Fixed order: the same store twice gives the same lines but for the times.
"$EA" images --no-config --store "oci:$T/pristine" --metrics "$T/m/again.prom" >/dev/null 2>&1
keep "$T/m/again.prom"
strip_times() { grep -vE '^edgeaudit_(duration_seconds|last_run_timestamp_seconds) ' "$1"; }
if cmp -s <(strip_times "$P") <(strip_times "$T/m/again.prom"); then
	ok "two runs over the same store: the same lines in the same order, but for the duration and time"
else
	not_ok "metrics not deterministic" "$(diff <(strip_times "$P") <(strip_times "$T/m/again.prom") | head -n 10)"
fi
help=$(grep -c '^# HELP edgeaudit_' "$P") type=$(grep -c '^# TYPE edgeaudit_[a-z_]* gauge$' "$P")
names=$(grep -v '^#' "$P" | sed 's/[{ ].*//' | sort -u | wc -l)
[ "$help" -eq 10 ] && [ "$type" -eq 10 ] && [ "$names" -le 10 ] && ! grep -v '^#' "$P" | grep -qv '^edgeaudit_' &&
	ok "every family has # HELP and # TYPE gauge lines; every name starts with edgeaudit_" || not_ok "HELP/TYPE" "help=$help type=$type names=$names"

# ---------------------------------------------------------------- a tampered store
run_ea images --no-config --store "oci:$T/tampered" --out "$T/t.json" --metrics "$P"
keep "$P"
want="1 0 1 1 1 1"
got="$(mval "$P" 'edgeaudit_verdict{verdict="fail"}') $(mval "$P" 'edgeaudit_verdict{verdict="pass"}') $(mval "$P" edgeaudit_exit_code) $(mval "$P" 'edgeaudit_findings_by_id{id="blob.digest_mismatch"}') $(mval "$P" 'edgeaudit_findings{severity="critical"}') $(mval "$P" "edgeaudit_image_verdict{store=\"oci:$T/tampered\",image=\"bb\",verdict=\"fail\"}")"
[ $RC -eq 1 ] && [ "$got" = "$want" ] && [ "$(series "$P" edgeaudit_image_verdict | wc -l)" -eq 1 ] &&
	ok "tampered layer: verdict fail, exit code 1, blob.digest_mismatch 1, 1 critical, the image's series says fail" ||
	not_ok "tampered metrics" "rc=$RC got  $got" "want $want" "$(head -c 1500 "$P")"

# ---------------------------------------------------------------- replaced atomically
echo previous >"$P"
ino=$(stat -c %i "$P")
run_ea images --no-config --store "oci:$T/pristine" --out "$T/p.json" --metrics "$P"
keep "$P"
left=$(ls -A "$T/m" | grep -vxE 'edgeaudit\.prom|again\.prom')
[ $RC -eq 0 ] && [ "$(stat -c %i "$P")" != "$ino" ] && [ "$(tail -n 1 "$P" | cut -d' ' -f1)" = edgeaudit_last_run_timestamp_seconds ] && [ -z "$left" ] &&
	ok "an older file is replaced by another (a new inode, complete), no temp file left" || not_ok "replaced" "rc=$RC left=$left $(head -c 200 "$P")"
if command -v strace >/dev/null; then
	strace -f -qq -e trace=open,openat,creat,rename,renameat,renameat2 -o "$T/strace.log" \
		"$EA" images --no-config --store "oci:$T/pristine" --out "$T/s.json" --metrics "$P" >/dev/null 2>&1
	keep "$P"
	w=$(grep -E 'O_WRONLY|O_RDWR|creat\(' "$T/strace.log" | grep -v "\"$T/\.s\.json\.tmp\.[A-Za-z0-9]*\"\|\"$T/m/\.edgeaudit\.prom\.tmp\.[A-Za-z0-9]*\"" | no_san_logs || true)
	rn=$(grep -cE "rename[a-z0-9]*\(.*\"$T/m/\.edgeaudit\.prom\.tmp\.[A-Za-z0-9]{6}\", .*\"$T/m/edgeaudit\.prom\"\) = 0" "$T/strace.log")
	[ -z "$w" ] && [ "$rn" -eq 1 ] &&
		ok "strace: the metrics are written to .edgeaudit.prom.tmp.XXXXXX (not *.prom: the collector skips it), then renamed onto the file" ||
		not_ok "strace metrics write" "renames=$rn" "$w" "$(grep -E 'rename|prom' "$T/strace.log" | head -n 5)"
else
	skip "strace: the metrics file written through a temp file and a rename" "strace is not installed"
fi

# ---------------------------------------------------------------- refused, failed
rm -f "$T/m/x.json" "$T/m/x.txt"
run_ea images --no-config --store "oci:$T/pristine" --out "$T/m/x.json" --metrics "$T/m/x.txt"
[ $RC -eq 2 ] && [[ "$ERR" == *"--metrics $T/m/x.txt: the file name must end in .prom (node_exporter's textfile collector reads only *.prom files)"* ]] &&
	[ ! -e "$T/m/x.txt" ] && [ ! -e "$T/m/x.json" ] && ok "--metrics FILE.txt: usage error (exit 2) saying node_exporter reads only *.prom, nothing written" ||
	not_ok "non-.prom refused" "rc=$RC $ERR"
run_ea images --no-config --store "oci:$T/pristine" --metrics "$T/m/.prom"
[ $RC -eq 2 ] && [ -z "$OUT" ] && ok "--metrics .prom (no name before the suffix): usage error" || not_ok ".prom alone" "rc=$RC $ERR"
# A folder that is not there: exit 2 like a report that cannot be written; the report stands.
"$EA" images --no-config --store "oci:$T/pristine" --out "$T/nf.json" --metrics "$T/no/such/dir/e.prom" >/dev/null 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && grep -q "^edgeaudit: cannot write the metrics: .*$T/no/such/dir/e.prom" "$T/err" && [ -s "$T/nf.json" ] &&
	ok "metrics that cannot be written: exit 2 with a message (as for --out), the report is written" || not_ok "metrics unwritable" "rc=$rc $(cat "$T/err")"
# The report that cannot be written: the metrics say exit code 2.
"$EA" images --no-config --store "oci:$T/pristine" --out "$T/no/such/dir/r.json" --metrics "$T/m/out-failed.prom" >/dev/null 2>"$T/err"; rc=$?
keep "$T/m/out-failed.prom"
[ $rc -eq 2 ] && [ "$(mval "$T/m/out-failed.prom" edgeaudit_exit_code)" = 2 ] && [ "$(mval "$T/m/out-failed.prom" 'edgeaudit_verdict{verdict="pass"}')" = 1 ] &&
	ok "a report that cannot be written: the metrics say exit code 2 (the verdict stays pass)" || not_ok "exit code 2 in metrics" "rc=$rc $(cat "$T/err")"

# ---------------------------------------------------------------- the config key
printf '{"metrics": "%s", "no_proc": true}\n' "$T/m/cfg.prom" >"$T/cfg.json"
"$EA" audit --config "$T/cfg.json" --store "oci:$T/tampered" --out "$T/c.json" >/dev/null 2>&1; rc=$?
keep "$T/m/cfg.prom"
"$EA" audit --config "$T/cfg.json" --store "oci:$T/pristine" --out "$T/c2.json" --metrics "$T/m/opt.prom" >/dev/null 2>&1; rc2=$?
keep "$T/m/opt.prom"
# (the config's file still holds the first run's exit code 1 after the second)
[ $rc -eq 1 ] && [ "$(mval "$T/m/cfg.prom" edgeaudit_exit_code)" = 1 ] && [ $rc2 -eq 0 ] && [ "$(mval "$T/m/opt.prom" edgeaudit_exit_code)" = 0 ] &&
	ok "config key metrics: audit writes there; --metrics on the command line wins over it" ||
	not_ok "config metrics" "rc=$rc rc2=$rc2 $(ls "$T/m")"
printf '{"metrics": "%s"}\n' "$T/m/e.json" >"$T/cfg2.json"
o=$("$EA" config check "$T/cfg2.json" 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$o" == *"cfg2.json:1:13: metrics: the file name must end in .prom"* ]] && ok "config check: a metrics file not named *.prom is an error with its line and column" ||
	not_ok "config check metrics" "rc=$rc $o"
for c in '{"metrics": "/x/e.prom"}' '{"metrics": "e.txt"}' '{"metrics": "/x/.prom"}' '{"metrics": ""}' '{"metrics": 1}'; do
	printf '%s\n' "$c" >"$T/s.json"
	"$EA" config check "$T/s.json" >/dev/null 2>&1; a=$?
	$PY -c 'import json, sys, jsonschema
try:
    jsonschema.validate(json.load(open(sys.argv[2])), json.load(open(sys.argv[1]))); sys.exit(0)
except jsonschema.ValidationError:
    sys.exit(2)' "$TOP/board/config.schema.json" "$T/s.json"
	[ $? -eq $a ] || echo "$c" >>"$T/disagree"
done
[ ! -s "$T/disagree" ] && ok "config check and board/config.schema.json agree on metrics names" || not_ok "schema vs config check" "$(cat "$T/disagree")"

# ---------------------------------------------------------------- label values
# An image named with a quote and a backslash (index.json's ref.name), in a
# store whose path has a quote, a backslash and a newline.
Q=$T/$'st"o\\re\nx'
fresh "$Q"
ocimut "$Q" index-edit 'idx["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] = "we\"ird\\name:1"'
run_ea images --no-config --store "oci:$Q" --out "$T/q.json" --metrics "$T/m/q.prom"
keep "$T/m/q.prom"
esc_store=$(printf '%s' "oci:$Q" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n/\\n/g')
line="edgeaudit_image_verdict{store=\"$esc_store\",image=\"we\\\"ird\\\\name:1\",verdict=\"pass\"}"
name=$(json_get "$(cat "$T/q.json")" 'r["images"][0]["names"][0]')
[ $RC -eq 0 ] && [ "$name" = 'we"ird\name:1' ] && [ "$(mval "$T/m/q.prom" "$line")" = 1 ] && [ "$(series "$T/m/q.prom" edgeaudit_image_verdict | wc -l)" -eq 1 ] &&
	ok "label values escaped: a name with \" and \\, a store path with \", \\ and a newline (one line, as the format says)" ||
	not_ok "label escaping" "rc=$RC name=$name" "want $line" "$(series "$T/m/q.prom" edgeaudit_image_verdict)"

# ---------------------------------------------------------------- one name, two platforms
# An image index naming two manifests (linux/amd64 and linux/arm64) under one
# name: two images, one series, the worst verdict.
multi_layout() {
	fresh "$1"
	umoci config --image "$1:bb" --tag arm --architecture arm64 >/dev/null
	$PY - "$1" <<'PYEOF'
import hashlib, json, sys
lay = sys.argv[1]
idx = json.load(open(lay + "/index.json"))
ms = []
for e in idx["manifests"]:
    arch = "arm64" if e["annotations"]["org.opencontainers.image.ref.name"] == "arm" else "amd64"
    ms.append({"mediaType": e["mediaType"], "digest": e["digest"], "size": e["size"], "platform": {"architecture": arch, "os": "linux"}})
ms.sort(key=lambda d: d["platform"]["architecture"])
data = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": ms}, separators=(",", ":")).encode()
dg = hashlib.sha256(data).hexdigest()
open("%s/blobs/sha256/%s" % (lay, dg), "wb").write(data)
idx["manifests"] = [{"mediaType": "application/vnd.oci.image.index.v1+json", "digest": "sha256:" + dg, "size": len(data),
                     "annotations": {"org.opencontainers.image.ref.name": "multi:1"}}]
json.dump(idx, open(lay + "/index.json", "w"))
PYEOF
}
multi_layout "$T/multi"
run_ea images --no-config --store "oci:$T/multi" --out "$T/mu.json" --metrics "$T/m/mu.prom"
keep "$T/m/mu.prom"
imgs=$(json_get "$(cat "$T/mu.json")" 'sorted((i["names"], i.get("platform"), i["verdict"]) for i in r["images"])')
[ $RC -eq 0 ] && [ "$(mval "$T/m/mu.prom" edgeaudit_images_checked)" = 2 ] &&
	[ "$(series "$T/m/mu.prom" edgeaudit_image_verdict)" = "edgeaudit_image_verdict{store=\"oci:$T/multi\",image=\"multi:1\",verdict=\"pass\"} 1" ] &&
	ok "two platforms under one name: 2 images checked, one series (node_exporter refuses a series twice)" || not_ok "two platforms" "rc=$RC $imgs" "$(series "$T/m/mu.prom" edgeaudit_image_verdict)"
# The arm64 image's config altered: that image fails, the series says fail.
arm_cfg=$($PY -c 'import json, sys
lay = sys.argv[1]
idx = json.load(open(lay + "/index.json"))
ii = json.load(open(lay + "/blobs/sha256/" + idx["manifests"][0]["digest"][7:]))
m = [d for d in ii["manifests"] if d["platform"]["architecture"] == "arm64"][0]
print(json.load(open(lay + "/blobs/sha256/" + m["digest"][7:]))["config"]["digest"][7:])' "$T/multi")
printf ' ' >>"$T/multi/blobs/sha256/$arm_cfg"
run_ea images --no-config --store "oci:$T/multi" --out "$T/mu2.json" --metrics "$T/m/mu.prom"
keep "$T/m/mu.prom"
v=$(json_get "$(cat "$T/mu2.json")" 'sorted(i["verdict"] for i in r["images"])')
[ $RC -eq 1 ] && [ "$v" = "['fail', 'pass']" ] &&
	[ "$(series "$T/m/mu.prom" edgeaudit_image_verdict)" = "edgeaudit_image_verdict{store=\"oci:$T/multi\",image=\"multi:1\",verdict=\"fail\"} 1" ] &&
	ok "one of the two platforms altered: its image fails, the name's one series says fail (the worst)" || not_ok "platform worst" "rc=$RC $v" "$(series "$T/m/mu.prom" edgeaudit_image_verdict)"

# ---------------------------------------------------------------- other commands
run_ea proc --out "$T/pr.json" --metrics "$T/m/proc.prom"
keep "$T/m/proc.prom"
[ -s "$T/m/proc.prom" ] && [ "$(mval "$T/m/proc.prom" edgeaudit_exit_code)" = "$RC" ] && [ "$(mval "$T/m/proc.prom" edgeaudit_images_checked)" = 0 ] &&
	ok "proc --metrics: the run's exit code, no image" || not_ok "proc metrics" "rc=$RC $(head -c 300 "$T/m/proc.prom")"

# ---------------------------------------------------------------- promtool
dups=""
for f in "$T"/made/*.prom; do
	d=$(grep -v '^#' "$f" | sed 's/ [^ ]*$//' | sort | uniq -d)
	[ -z "$d" ] || dups="$dups $(basename "$f"): $d"
done
[ "$nmade" -ge 10 ] && [ -z "$dups" ] && ok "no series twice in any of the $nmade files made" || not_ok "series twice" "files=$nmade $dups"
if [ -n "$PROMTOOL" ]; then
	bad=""
	for f in "$T"/made/*.prom; do
		o=$("$PROMTOOL" check metrics <"$f" 2>&1) || bad="$bad [$(basename "$f"): $o]"
	done
	[ -z "$bad" ] && ok "promtool check metrics accepts every file made ($nmade), lint included" || not_ok "promtool check metrics" "${bad:0:2000}"
else
	skip "promtool check metrics over every file made" "promtool is not installed (Debian package prometheus; ./build.sh test installs it)"
fi
