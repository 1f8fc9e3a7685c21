#!/usr/bin/env bash
# tests/fuzz/run.sh SECONDS [HARNESS...]
#
# Build every libFuzzer harness (tests/fuzz/fuzz_*.c) with clang, ASan and
# UBSan against our sources and the pinned third-party libraries built with
# clang too (instrumented, so the fuzzer sees inside cJSON, zlib, zstd and
# mbedTLS), then:
#   1. replay tests/fuzz/regress/<harness>/* (crashes found before, fixed);
#   2. fuzz each harness for SECONDS, FUZZ_JOBS at a time (default: CPUs),
#      from its corpus ($FUZZ_OUT/corpus/<harness>, kept between runs) and
#      the seeds seeds.sh makes from the real fixtures.
# Prints one line per harness, its first word the class (classify.sh):
#   fuzz <name>: ok execs=N cov=N ft=N corpus=N secs=S
#   fuzz <name>: crash <reproducer path> (<kind>; <exit status>; <report>); log <log>
#   fuzz <name>: killed|oom|timeout|nostart|error (<exit status or signal>; <report>); log <log>
#   fuzz <name>: build (<first error>); log <log>
#   fuzz <name>: skip <reason>
# (a " [retried once; the first run: ...]" note when an outside signal killed it)
# and exits 1 when any harness is neither ok nor skipped, 0 otherwise.  A failed
# run's log is kept as $FUZZ_OUT/failed/<name>.log; each run's exit status,
# signal and whether libFuzzer wrote a crash report in logs/<name>.status.
# SECONDS=0 builds and replays only.
#
# Environment: EDGEAUDIT_CACHE (as build.sh), EDGEAUDIT_OUT (default out),
# FUZZ_OUT (default $EDGEAUDIT_OUT/fuzz), FUZZ_JOBS, EDGEAUDIT_SHARED_TESTDATA,
# FUZZ_GRACE and FUZZ_RETRY (classify.sh).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cd "$top" || exit 2
secs=${1:?usage: tests/fuzz/run.sh SECONDS [HARNESS...]}
shift
case $secs in *[!0-9]*) echo "run.sh: SECONDS must be a number" >&2; exit 2 ;; esac
CACHE=${EDGEAUDIT_CACHE:-${HOME:-/root}/.cache/edgeaudit}
OUTD=${EDGEAUDIT_OUT:-out}
FZ=${FUZZ_OUT:-$OUTD/fuzz}
mkdir -p "$FZ" && FZ=$(cd "$FZ" && pwd)
JOBS=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
export EDGEAUDIT_SHARED_TESTDATA=${EDGEAUDIT_SHARED_TESTDATA:-$top/../shared/testdata}
VERSION=$(cat src/VERSION)
say() { printf '# fuzz: %s\n' "$*" >&2; }

CC=${FUZZ_CC:-clang}
if ! command -v "$CC" >/dev/null; then
	echo "fuzz all: skip $CC is not installed (build.sh test installs clang and libclang-rt-14-dev)"
	exit 0
fi
# libFuzzer comes with the compiler-rt package: check that it links.
probe="$FZ/probe"
printf '#include <stdint.h>\n#include <stddef.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n){(void)d;(void)n;return 0;}\n' >"$probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" >"$probe.log" 2>&1; then
	echo "fuzz all: skip $CC cannot link libFuzzer with ASan/UBSan (libclang-rt-*-dev missing?): $(head -c 200 "$probe.log")"
	exit 0
fi

# ---------------------------------------------------------------- third-party libraries
# Same recipe and pins as build.sh, built once with clang: ASan + coverage
# (UBSan only on our own code: zlib and zstd do benign things it would stop on).
AR=$(command -v llvm-ar || echo ar) # plain objects (no LTO): GNU ar does as well
DEPFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,fuzzer-no-link"
key=$(cat third_party/lock third_party/mbedtls_config.h third_party/sodium_config.h third_party/sodium_glue.c third_party/deps-recipe.sh third_party/isal_glue.c third_party/isal-zlib-answers.patch | cat - <(echo "$CC $DEPFLAGS $("$CC" --version | head -n1)") | sha256sum | cut -c1-16)
dp="$CACHE/deps/clang-fuzz-$key"
if [ ! -f "$dp/.done" ]; then
	say "building mbedTLS, cJSON, zlib, zstd, libsodium, ISA-L inflate with $CC for fuzzing (once)"
	bash third_party/fetch.sh "$CACHE" mbedtls cjson zlib musl zstd libsodium isal >/dev/null || { echo "fuzz all: build (third-party fetch failed)"; exit 1; }
	rm -rf "$dp"
	bash third_party/deps-recipe.sh "$CACHE/src" "$CACHE/work/deps-clang-fuzz" "$dp" "$CC" "$AR" "$DEPFLAGS" "$JOBS" >&2 ||
		{ echo "fuzz all: build (third-party build with $CC failed)"; exit 1; }
	touch "$dp/.done"
fi
# ISA-L's inflate (x86_64): fuzz_inflate runs it against zlib.
ISAL_CF="" ISAL_LIB=""
[ -f "$dp/lib/libisal_inflate.a" ] && ISAL_CF="-DEDGEAUDIT_ISAL" ISAL_LIB="-lisal_inflate"
LIBS="-L$dp/lib -lmbedx509 -lmbedcrypto -lcjson $ISAL_LIB -lz -lzstd -lsodium_ed25519 -lpthread -lm"

# ---------------------------------------------------------------- our sources
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
# (the version macro is a C string: its quotes are meant literally)
# src/ and each of its rooms (src/store, src/sig, ...) are on the include path.
SRC_INC="-Isrc$(for d in src/*/; do printf ' -I%s' "${d%/}"; done)"
# shellcheck disable=SC2089,SC2090
CFLAGS="-std=gnu11 -O1 -g -fno-omit-frame-pointer $SAN -fsanitize=fuzzer-no-link -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -DEDGEAUDIT_VERSION=\"$VERSION\" -I$dp/include $SRC_INC -I$here $ISAL_CF"
od="$FZ/obj"
if [ "$(cat "$od/.flags" 2>/dev/null)" != "$CFLAGS" ]; then rm -rf "$od"; mkdir -p "$od"; echo "$CFLAGS" >"$od/.flags"; fi
# main.c holds main(): everything else goes into one archive the harnesses
# pick from.  A file that does not compile (someone's work in progress) is
# left out with a note; a harness that needs it then fails to link.
newest_h=$(ls -t src/*.h src/*/*.h | head -n1)
srcs=$(find src -name '*.c' ! -path src/main.c | LC_ALL=C sort)
# shellcheck disable=SC2090
export CC CFLAGS od newest_h
printf '%s\n' "$srcs" | xargs -P "$JOBS" -I{} sh -c '
	f={}; o="$od/$(basename "$f" .c).o"
	if [ ! -f "$o" ] || [ "$f" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then
		$CC $CFLAGS -c "$f" -o "$o" 2>"$o.log" || { rm -f "$o"; echo "# fuzz: $f does not compile, left out: $(grep -m1 error "$o.log")" >&2; }
	fi'
# Objects of sources that are gone must not linger.
for o in "$od"/*.o; do [ -e "$o" ] || continue; printf '%s\n' "$srcs" | grep -qx "src/\(.*/\)\?$(basename "$o" .o)\.c" || rm -f "$o"; done
rm -f "$od/libea.a"
"$AR" rcs "$od/libea.a" "$od"/*.o

# ---------------------------------------------------------------- harnesses
all=()
for f in "$here"/fuzz_*.c; do all+=("$(basename "$f" .c)"); done
if [ $# -gt 0 ]; then sel=("$@"); else sel=("${all[@]}"); fi
mkdir -p "$FZ/bin" "$FZ/logs" "$FZ/corpus" "$FZ/crashes"
declare -A SKIP=()
for h in "${sel[@]}"; do
	src="$here/$h.c"
	[ -f "$src" ] || { SKIP[$h]="no such harness"; continue; }
	# A harness for a parser whose header is not in this tree yet is skipped.
	missing=""
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$src"); do
		[ -n "$(find src -name "$inc" -print -quit)" ] || [ -f "$here/$inc" ] || missing="$missing $inc"
	done
	if [ -n "$missing" ]; then SKIP[$h]="src/${missing# } is not in this tree"; continue; fi
	# A harness that cannot set up without a shared fixture says so
	# (FUZZ_NEEDS_SHARED <path under ../shared/testdata>): skipped when absent.
	for need in $(sed -n 's/.*FUZZ_NEEDS_SHARED \([^ ]*\).*/\1/p' "$src"); do
		[ -e "$EDGEAUDIT_SHARED_TESTDATA/$need" ] || missing="$missing $need"
	done
	if [ -n "$missing" ]; then SKIP[$h]="needs${missing} from the shared test data, absent at $EDGEAUDIT_SHARED_TESTDATA"; continue; fi
	bin="$FZ/bin/$h"
	if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$here/common.h" -nt "$bin" ] || [ "$od/libea.a" -nt "$bin" ]; then
		# shellcheck disable=SC2086
		# one group: mbedTLS calls back into our sha256_block.c (SHA-NI)
		# shellcheck disable=SC2090
		$CC $CFLAGS -fsanitize=fuzzer "$src" -Wl,--start-group "$od/libea.a" $LIBS -Wl,--end-group -o "$bin" 2>"$FZ/logs/$h.build" ||
			{ SKIP[$h]="BUILD"; continue; }
	fi
done

# ---------------------------------------------------------------- seeds
stamp=$(cat "$here/seeds.sh" "$here"/*.py 2>/dev/null | sha256sum | cut -c1-16)
if [ "$(cat "$FZ/seeds/.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "making seed corpora from the fixtures"
	rm -rf "$FZ/seeds"; mkdir -p "$FZ/seeds"
	bash "$here/seeds.sh" "$FZ/seeds" >"$FZ/logs/seeds.log" 2>&1 || say "seeds.sh had errors: see $FZ/logs/seeds.log"
	echo "$stamp" >"$FZ/seeds/.stamp"
fi

# ---------------------------------------------------------------- run
# bbolt files are arrays of pages: small page sizes keep the inputs short
# (the 760 KiB real meta.db seed is cut to this, the generated ones fit).
len_for() { case $1 in fuzz_bbolt|fuzz_containerd) echo "-max_len=65536" ;; esac; }
dict_for() { case $1 in fuzz_oci|fuzz_blob|fuzz_canonjson|fuzz_cosign|fuzz_bundle|fuzz_jws|fuzz_policy|fuzz_config|fuzz_archive|fuzz_seccomp_profile) echo "-dict=$here/json.dict" ;; esac; }
# run_one, classified: tests/fuzz/classify.sh
REGRESS=$here/regress
# shellcheck source=tests/fuzz/classify.sh
. "$here/classify.sh"

running=0
for h in "${sel[@]}"; do
	[ -n "${SKIP[$h]:-}" ] && continue
	rm -f "$FZ/logs/$h.result"
	run_one "$h" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait

bad=0
for h in "${sel[@]}"; do
	if [ "${SKIP[$h]:-}" = BUILD ]; then
		echo "fuzz $h: build ($(grep -m1 -E 'error' "$FZ/logs/$h.build" | cut -c1-200)); log $FZ/logs/$h.build"
		bad=1
	elif [ -n "${SKIP[$h]:-}" ]; then
		echo "fuzz $h: skip ${SKIP[$h]}"
	else
		r=$(cat "$FZ/logs/$h.result" 2>/dev/null || echo "error (the runner wrote no result for it)")
		echo "fuzz $h: $r"
		case $r in ok*) ;; *) bad=1 ;; esac
	fi
done
exit $bad
