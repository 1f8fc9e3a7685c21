#!/usr/bin/env bash
# The source tree's layout (issue 13): rooms by concern under src/, each file
# named in the README's source map, and dependencies pointing down only.
#   src/           main.c, cli.[ch], cmd_*.c, config.[ch], fsx.[ch], util.[ch]
#   src/<room>/    store, verify, content, sig, proc, report, host
# A file in a room never includes cli.h, config.h or a cmd_*.h, and the rooms'
# include graph has no cycle (util.h and fsx.h, at src/, are for everyone).
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 2

files=$(find src -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)

# ---------------------------------------------------------------- (a) source map
# The section from "## Source map" to the next level-2 heading.
sed -n '/^## Source map$/,/^## /p' README.md | sed '1!{/^## /d}' >"$T/map"
map_names_all() {
	[ -s "$T/map" ] || { echo "README.md has no '## Source map' section"; return 1; }
	local f pair missing=""
	for f in $files; do
		pair="${f%.[ch]}.[ch]"
		grep -qF "\`$f\`" "$T/map" || grep -qF "\`$pair\`" "$T/map" || missing="$missing $f"
	done
	[ -z "$missing" ] || { echo "not in the README source map:$missing"; return 1; }
}
check "layout: the README source map names every .c and .h under src/" map_names_all

map_is_current() {
	local p gone=""
	# shellcheck disable=SC2016 # backquotes, not an expansion
	for p in $(grep -o '`src/[^`]*`' "$T/map" | tr -d '`' | sort -u); do
		case $p in
		*'.[ch]') [ -f "${p%.\[ch\]}.c" ] && [ -f "${p%.\[ch\]}.h" ] || gone="$gone $p" ;;
		*'*'*) gone="$gone $p(a pattern: name the files)" ;;
		*) [ -e "$p" ] || gone="$gone $p" ;;
		esac
	done
	[ -z "$gone" ] || { echo "the source map names what src/ does not hold:$gone"; return 1; }
}
check "layout: every src/ path in the source map exists" map_is_current

# ---------------------------------------------------------------- (b) src/ itself
top_is_small() {
	local f stray=""
	for f in src/*.c src/*.h; do
		[ -e "$f" ] || continue
		case ${f#src/} in
		main.c | cli.[ch] | cmd_*.[ch] | config.[ch] | fsx.[ch] | util.[ch]) ;;
		*) stray="$stray $f" ;;
		esac
	done
	[ -z "$stray" ] || { echo "belongs in a room (src/store, verify, content, sig, proc, report, host):$stray"; return 1; }
}
check "layout: src/ holds only main, cli, cmd_*, config, fsx and util; the rest is in rooms" top_is_small

# ---------------------------------------------------------------- (c) no arrow up
no_upward_include() {
	local bad
	bad=$(find src -mindepth 2 -type f \( -name '*.c' -o -name '*.h' \) -print0 |
		xargs -0 grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(cli|config|cmd_[^"/]*)\.h"' || true)
	[ -z "$bad" ] || { echo "a room reaches up into the command line:"; echo "$bad"; return 1; }
}
check "layout: no file in a room includes cli.h, config.h or a cmd_*.h" no_upward_include

# ---------------------------------------------------------------- (d) room graph
room_graph_acyclic() {
	# shellcheck disable=SC2086
	$PY - $files <<'PYEOF'
import os, re, sys
files = sys.argv[1:]
def room(p):
    parts = p.split("/")
    return parts[1] if len(parts) > 2 else "src"
where = {}
for p in files:
    if p.endswith(".h"):
        where.setdefault(os.path.basename(p), []).append(p)
bad = [n for n, ps in where.items() if len(ps) > 1]
if bad:
    print("header names must be unique (one include path): " + ", ".join(sorted(bad)))
    sys.exit(1)
shared = {"util.h", "fsx.h"}
inc = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
edges = {}
for p in files:
    a = room(p)
    with open(p, encoding="utf-8", errors="replace") as fh:
        for no, line in enumerate(fh, 1):
            m = inc.match(line)
            if not m:
                continue
            name = os.path.basename(m.group(1))
            if name in shared or name not in where:
                continue
            b = room(where[name][0])
            if a != b:
                edges.setdefault(a, {}).setdefault(b, "%s:%d includes %s" % (p, no, name))
# Tarjan's strongly connected components: a component of more than one room
# is a cycle.
index, low, stack, on, comps, n = {}, {}, [], set(), [], [0]
def visit(v):
    index[v] = low[v] = n[0]; n[0] += 1
    stack.append(v); on.add(v)
    for w in edges.get(v, {}):
        if w not in index:
            visit(w); low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        c = []
        while True:
            w = stack.pop(); on.discard(w); c.append(w)
            if w == v:
                break
        comps.append(c)
for v in sorted({room(p) for p in files}):
    if v not in index:
        visit(v)
rc = 0
for c in comps:
    if len(c) > 1:
        rc = 1
        print("include cycle between rooms %s:" % ", ".join(sorted(c)))
        for a in sorted(c):
            for b, why in sorted(edges.get(a, {}).items()):
                if b in c:
                    print("  %s -> %s (%s)" % (a, b, why))
sys.exit(rc)
PYEOF
}
check "layout: no include cycle between rooms (util.h and fsx.h aside)" room_graph_acyclic

# Issue 13 item 5: src/ and tests/unit/ as .clang-format has them (lines of
# at most 100 columns, tabs counted as 8).
if ! command -v clang-format >/dev/null; then
	skip "src/ and tests/unit/ are clang-formatted" "clang-format is not installed (build.sh test installs it)"
else
	mapfile -t cfiles < <(cd "$TOP" && find src tests/unit -name '*.[ch]' | sort)
	fmt=$(cd "$TOP" && clang-format --dry-run -Werror "${cfiles[@]}" 2>&1 | grep 'error:' | head -n 5)
	wide=$(cd "$TOP" && for f in "${cfiles[@]}"; do expand -t8 "$f" | awk -v f="$f" 'length > 100 { print f ":" NR; exit }'; done)
	if [ -z "$fmt" ] && [ -z "$wide" ]; then
		ok "src/ and tests/unit/ are clang-formatted, no line over 100 columns (${#cfiles[@]} files)"
	else
		not_ok "src/ and tests/unit/ are clang-formatted" "$fmt" "$wide"
	fi
fi

# Issue 13 item 4: functions that read as their steps.  A function is the
# lines from a "{" alone in the first column (clang-format puts a
# function's brace there and nothing else's) to the next "}" alone in the
# first column; none in src/ is over 100 lines.
fn_lengths() {
	$PY - "$TOP" <<'PYEOF'
import glob, os, re, sys
top = sys.argv[1]
rows = []
for f in sorted(glob.glob(os.path.join(top, "src", "**", "*.c"), recursive=True)):
    lines = open(f, encoding="utf-8", errors="replace").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i] == "{" and i > 0:
            j = i - 1
            while j > 0 and not re.match(r"[A-Za-z_]", lines[j]):
                j -= 1
            m = re.search(r"([A-Za-z_]\w*)\s*\(", lines[j])
            k = i + 1
            while k < len(lines) and lines[k] != "}":
                k += 1
            rows.append((k - i + 1, os.path.relpath(f, top), m.group(1) if m else "?"))
            i = k
        i += 1
rows.sort(reverse=True)
long = [r for r in rows if r[0] > 100]
n = sorted(r[0] for r in rows)
print("%d functions, median %d lines, %d over 80, longest %s:%s (%d)" % (
    len(n), n[len(n) // 2], sum(1 for x in n if x > 80), rows[0][1], rows[0][2], rows[0][0]))
for r in long:
    print("over 100 lines: %s:%s (%d)" % (r[1], r[2], r[0]))
sys.exit(1 if long or len(rows) < 100 else 0)
PYEOF
}
if out=$(fn_lengths 2>&1); then ok "no function in src/ is over 100 lines ($out)"
else not_ok "no function in src/ is over 100 lines" "$out"; fi
