#!/usr/bin/env python3
"""tar_go_diff: compare edgeaudit's tar index with Go's archive/tar on the
same bytes (issue 12: no parser differentials).

  tar_go_diff.py HARNESS TARLIST DIR FILE...
HARNESS is the fuzz_tar libFuzzer binary (run over a batch of FILEs with
EA_TAR_DUMP, it writes the archive it read and its reading for each); TARLIST the Go
oracle (tests/tools/tarlist).  Per input:
  - edgeaudit read it cleanly (no ambiguity, not truncated): Go must read it
    without error and list the same members (path.Clean name, kind, and the
    size and sha256 of every regular file), in order;
  - edgeaudit stopped early (truncated): the members it listed must be Go's
    first ones (it may be stricter than Go: counted, never a disagreement);
  - edgeaudit named an ambiguity: fail closed, counted.
Prints one summary line and each disagreement; exits 1 if there is any.
"""
import json, os, subprocess, sys

def go_kind(t):
    return {'0': 'file', '5': 'dir', '1': 'link', '2': 'symlink'}.get(t, 'special')

def main():
    harness, tarlist, work = sys.argv[1:4]
    files = sys.argv[4:]
    n = clean = stricter = ambiguous = both_stop = 0
    bad = []
    batch = 200
    for b0 in range(0, len(files), batch):
        chunk = files[b0:b0 + batch]
        env = dict(os.environ, EA_TAR_DUMP=os.path.join(work, 'b%d' % b0))
        r = subprocess.run([harness, '-runs=1'] + chunk, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode != 0:
            bad.append('%s..: the harness failed (%d)' % (chunk[0], r.returncode))
    for i, f in enumerate(files):
        pre = os.path.join(work, 'b%d.%d' % (i - i % batch, i % batch))
        if not os.path.exists(pre + '.ours'):
            bad.append('%s: no reading dumped' % f)
            continue
        n += 1
        ours = [json.loads(l) for l in open(pre + '.ours', encoding='utf-8')]
        end = ours.pop()
        if end['ambiguities']:  # fail closed: Go's reading is not needed (a sparse one can be 8 GiB of zeros)
            ambiguous += 1
            continue
        try:
            g = subprocess.run([tarlist, pre + '.tar'], capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            bad.append('%s: the Go oracle did not finish in 60 s' % f)
            continue
        go, go_err = [], None
        for l in g.stdout.decode('utf-8', errors='replace').splitlines():
            o = json.loads(l)
            if 'error' in o:
                go_err = o['error']
            else:
                go.append(o)
        mine = [(m['clean_hex'], m['kind'], m.get('size') if m['kind'] == 'file' else None, m.get('sha256')) for m in ours]
        theirs = [(o['clean_hex'], go_kind(o['type']), o['size'] if go_kind(o['type']) == 'file' else None, o.get('sha256')) for o in go]
        if end['truncated']:
            if mine != theirs[:len(mine)]:
                bad.append('%s: stopped early, and its %d members are not Go\'s first ones' % (f, len(mine)))
            elif go_err is None:
                stricter += 1
            else:
                both_stop += 1
            continue
        clean += 1
        if go_err is not None:
            bad.append('%s: read cleanly here, Go stops: %s' % (f, go_err[:120]))
        elif mine != theirs:
            k = next((j for j in range(min(len(mine), len(theirs))) if mine[j] != theirs[j]), min(len(mine), len(theirs)))
            bad.append('%s: member %d: ours %r, Go %r' % (f, k, mine[k] if k < len(mine) else None, theirs[k] if k < len(theirs) else None))
        for ext in ('.tar', '.ours'):
            os.unlink(pre + ext)
    print('tar_go_diff: %d inputs: %d read cleanly and alike, %d stopped where Go stops, %d ambiguous (finding), '
          '%d stricter than Go, %d disagreements'
          % (n, clean - sum(1 for b in bad if 'read cleanly' in b or 'member' in b), both_stop, ambiguous, stricter, len(bad)))
    for b in bad[:20]:
        print('  disagreement: ' + b)
    sys.exit(1 if bad else 0)

main()
