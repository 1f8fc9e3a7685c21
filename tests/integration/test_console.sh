#!/usr/bin/env bash
# Issue 18 part 1: the console summary as a technician sees it.  Stores
# built by umoci, then tampered: one with a layer altered, a copy with a
# blob removed, a pristine one.  The text summary is read back from a real
# 80x24 tmux pane and from a pseudo-terminal set to 115200 baud, and must:
# name each broken image and its store, say what is wrong in words with the
# finding id, say what to do, fit 80 columns of plain ASCII with no escape
# codes, and never cut a phrase (every listed finding's console phrase,
# `edgeaudit explain`'s, stands whole in the wrapped text).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/fixtures.sh"

if ! command -v umoci >/dev/null; then
	skip "console summary of tampered stores" "umoci is not installed (build.sh test installs it)"
	exit 0
fi
base_layout
fresh "$T/altered"
layer=$(info_get "$T/altered" "['layers'][1]")
printf 'XX' | dd of="$T/altered/blobs/sha256/${layer#sha256:}" bs=1 seek=100 conv=notrunc status=none
fresh "$T/missing"
rm "$T/missing/blobs/sha256/$(info_get "$T/missing" "['layers'][0]" | cut -d: -f2)"
fresh "$T/pristine"
args=(images --no-config --store "oci:$T/altered" --store "oci:$T/missing" --store "oci:$T/pristine")

run_ea "${args[@]}" --out "$T/r.json"
printf '%s\n' "$(cd "$T" && "$EA" "${args[@]}" --format text)" >"$T/plain.txt"

# screen_checks FILE WHAT: the summary's promises on one captured screen.
screen_checks() {
	local f=$1 what=$2 bad=""
	[ "$(awk 'length($0) > 80' "$f" | wc -l)" -eq 0 ] || bad+="a line over 80 columns; "
	LC_ALL=C grep -q '[^ -~]' "$f" && bad+="a byte that is not printable ASCII; "
	grep -q '\.\.\.$' "$f" && bad+="a line cut with '...'; "
	grep -q '^VERDICT: FAIL (exit 1)$' "$f" || bad+="no VERDICT line; "
	grep -q "^FAIL image bb (oci:$T/altered)$" "$f" || bad+="the altered image is not named with its store; "
	grep -q '^  CRIT layer 2 of 3 altered (digest differs) \[blob.digest_mismatch\]$' "$f" || bad+="no words for the altered layer; "
	grep -q "^FAIL image bb (oci:$T/missing)$" "$f" || bad+="the image with a missing blob is not named; "
	grep -q '^  HIGH layer 1 of 3 missing \[blob.missing\]$' "$f" || bad+="no words for the missing blob; "
	grep -q '^  -> re-pull the image, or re-flash the firmware that carries it$' "$f" || bad+="no hint; "
	grep -q '^PASS 1 other image$' "$f" || bad+="the pristine image is not one PASS line; "
	# no phrase cut: join the wrapped lines, then find each listed finding's phrase
	local joined ids id p
	joined=$(sed -E 's/^ {4,}/ /' "$f" | tr -d '\n')
	ids=$(json_get "$(cat "$T/r.json")" "' '.join(sorted(set(f['id'] for f in r['findings'] if f['severity'] in ('critical','high'))))")
	for id in $ids; do
		p=$("$EA" explain "$id" | sed -n 's/^  on the console: //p')
		p=${p#blob }; p=${p#layer }; p=${p#a file } # the summary may name the thing better
		[[ "$joined" == *"$p [$id]"* ]] || bad+="the phrase of $id ('$p') is not whole; "
	done
	if [ -z "$bad" ]; then ok "$what: names the images, says what is wrong and what to do, 80 columns, ASCII, no cut words"
	else not_ok "$what" "$bad" "$(cat -v "$f")"; fi
}

[ "$RC" = 1 ] && screen_checks "$T/plain.txt" "text summary on a pipe" || { [ "$RC" = 1 ] || not_ok "tampered stores fail" "rc=$RC"; }
rows=$(wc -l <"$T/plain.txt")
[ "$rows" -le 22 ] && ok "the summary fits 22 rows ($rows)" || not_ok "summary rows" "$rows"

# A real 80x24 terminal (tmux), TERM=vt220 as a serial console announces itself.
if command -v tmux >/dev/null; then
	sock=edgeaudit-console-$$
	printf '%s\n' "#!/bin/sh" "cd '$T' && exec \"$EA\" $(printf '%q ' "${args[@]}") --format text" >"$T/run.sh"
	tmux -L "$sock" kill-server 2>/dev/null
	tmux -L "$sock" new-session -d -x 80 -y 24 -s ea "env -i PATH=/usr/bin:/bin TERM=vt220 PS1='$ ' sh"
	for _ in $(seq 1 100); do # the shell's prompt first, so nothing typed lands before it
		tmux -L "$sock" capture-pane -t ea -p | grep -q '^\$ ' && break
		sleep 0.1
	done
	tmux -L "$sock" send-keys -t ea "sh $T/run.sh; echo EXIT=\$?" Enter
	for _ in $(seq 1 600); do
		tmux -L "$sock" capture-pane -t ea -p | grep -q '^EXIT=[0-9]' && break
		sleep 0.1
	done
	tmux -L "$sock" capture-pane -t ea -p -e >"$T/screen.esc"
	tmux -L "$sock" capture-pane -t ea -p | sed -e '/run\.sh; echo EXIT=/d' -e 's/^\$ //' -e '/^EXIT=/,$d' >"$T/screen"
	tmux -L "$sock" kill-server 2>/dev/null
	if grep -q $'\033' "$T/screen.esc"; then not_ok "tmux 80x24 TERM=vt220: no escape codes" "$(cat -v "$T/screen.esc")"
	else ok "tmux 80x24 TERM=vt220: no escape codes"; fi
	screen_checks "$T/screen" "tmux 80x24"
	cmp -s "$T/screen" "$T/plain.txt" && ok "the terminal shows what the pipe gets" || not_ok "tmux screen = pipe output" "$(diff "$T/screen" "$T/plain.txt" | head -n 20)"
else
	skip "console summary in an 80x24 terminal" "tmux is not installed"
fi

# A pseudo-terminal set to 115200 baud, as a serial console bridged to a
# pty (ser2net, qemu): the tool must see a serial line and write plain text.
$PY - "$EA" "$T" "${args[@]}" --format text >"$T/serial.out" 2>"$T/serial.err" <<'PYEOF'
import os, pty, sys, termios, fcntl, struct
ea, t, args = sys.argv[1], sys.argv[2], sys.argv[3:]
m, s = pty.openpty()
attrs = termios.tcgetattr(s)
attrs[4] = attrs[5] = termios.B115200
termios.tcsetattr(s, termios.TCSANOW, attrs)
fcntl.ioctl(s, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
pid = os.fork()
if pid == 0:
    os.setsid()
    os.dup2(s, 0); os.dup2(s, 1); os.dup2(s, 2)
    os.chdir(t)
    os.execve(ea, [ea] + args, {"PATH": "/usr/bin:/bin", "TERM": "xterm-256color"})
os.close(s)
out = b""
while True:
    try:
        d = os.read(m, 65536)
    except OSError:
        break
    if not d:
        break
    out += d
_, st = os.waitpid(pid, 0)
sys.stdout.write(out.decode("ascii", "replace").replace("\r\n", "\n"))
sys.stderr.write("exit=%d\n" % os.waitstatus_to_exitcode(st))
PYEOF
if grep -q 'exit=1' "$T/serial.err"; then
	if grep -q $'\033' "$T/serial.out"; then not_ok "115200-baud pty, TERM=xterm-256color: no escape codes on a serial line" "$(cat -v "$T/serial.out")"
	else ok "115200-baud pty, TERM=xterm-256color: a serial line gets no escape codes"; fi
	screen_checks "$T/serial.out" "115200-baud pty"
else
	not_ok "the audit on a 115200-baud pty" "$(cat "$T/serial.err")" "$(cat -v "$T/serial.out" | head -n 30)"
fi

# explain: the catalog entry a technician looks up from the console.
out=$("$EA" explain blob.digest_mismatch); rc=$?
[ $rc -eq 0 ] && [[ "$out" == *"blob.digest_mismatch (critical)"*"on the console: blob altered (digest differs)"*"what to do: re-pull the image"* ]] &&
	[ "$(printf '%s\n' "$out" | awk 'length($0) > 80' | wc -l)" -eq 0 ] &&
	ok "explain ID: meaning, severity, console words, what to do" || not_ok "explain" "rc=$rc $out"
out=$("$EA" explain layer.file 2>&1); rc=$?
[ $rc -eq 2 ] && [[ "$out" == *"no finding id 'layer.file'"*"layer.file_modified"* ]] && ok "explain of an unknown id: exit 2, the ids that start like it" || not_ok "explain unknown" "rc=$rc $out"
n=$("$EA" explain | wc -l)
m=$(grep -o '^| `[a-z_]*\.[a-z_.]*` |' "$TOP/README.md" | sort -u | wc -l)
[ "$n" -eq "$m" ] && ok "explain lists every finding id ($n, as the README's table)" || not_ok "explain list" "explain $n, README $m"
