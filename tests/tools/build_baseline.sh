#!/usr/bin/env bash
# build_baseline.sh COMMIT DEST: the report baseline, edgeaudit (x86_64) as
# of COMMIT, built from the checkout's own git objects (git archive: no
# network, no second clone) with build.sh's dependency cache, into
# DEST/edgeaudit.  Reused when DEST/edgeaudit exists (DEST names the commit).
# Prints one TAP line: ok (built or reused), ok # SKIP (no git history, as
# in a tarball of the sources), or not ok (the build failed).
set -u
commit=$1 dest=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ -x "$dest/edgeaudit" ]; then
	echo "ok - report baseline $commit (reused $dest/edgeaudit)"
	exit 0
fi
if ! git -C "$top" cat-file -e "$commit^{commit}" 2>/dev/null; then
	echo "ok - report baseline $commit # SKIP the checkout has no git history with $commit: reports are not compared"
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/edgeaudit-baseline.XXXXXX")
trap 'rm -rf "$work"' EXIT
git -C "$top" archive "$commit" | tar -x -C "$work" || { echo "not ok - report baseline $commit: git archive failed"; exit 1; }
if ! (cd "$work" && ./build.sh >"$work/build.log" 2>&1); then
	echo "not ok - report baseline $commit: its build failed"
	tail -n 20 "$work/build.log" | sed 's/^/# /'
	exit 1
fi
mkdir -p "$dest" && cp "$work/out/x86_64/edgeaudit" "$dest/edgeaudit.tmp" && mv "$dest/edgeaudit.tmp" "$dest/edgeaudit"
echo "ok - report baseline $commit built into $dest/edgeaudit"
