#!/usr/bin/env bash
# edgeaudit build driver.
#
#   ./build.sh                      set up (as root: apt packages), build out/x86_64/edgeaudit
#   ./build.sh --target T           T = x86_64 | aarch64 | armv7 | all
#   ./build.sh test                 build all targets and run every test (tests/run.sh)
#   ./build.sh san                  build only the ASan + UBSan binary and unit tests (out/san)
#   ./build.sh clean                remove out/ (the dependency cache stays)
#
# Third-party sources are pinned in third_party/lock, fetched and verified into
# $EDGEAUDIT_CACHE (default ~/.cache/edgeaudit, outside the checkout), and built
# once per (pins, architecture, config) into static libraries against musl
# built from the same pinned source for every target.
set -euo pipefail

top=$(cd "$(dirname "$0")" && pwd)
cd "$top"
CACHE=${EDGEAUDIT_CACHE:-${HOME:-/root}/.cache/edgeaudit}
JOBS=$(nproc 2>/dev/null || echo 2)
VERSION=$(cat src/VERSION)
# Output folder (EDGEAUDIT_OUT lets parallel work trees share one checkout).
OUT=${EDGEAUDIT_OUT:-out}

say() { printf 'build: %s\n' "$*" >&2; }
die() { printf 'build: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- packages
# nasm: ISA-L's inflate assembly (x86_64); patch: our patch to it (third_party/).
BUILD_PKGS="gcc make libc6-dev dpkg-dev xz-utils bzip2 file binutils nasm patch"
CROSS_PKGS="gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf libc6-dev-arm64-cross libc6-dev-armhf-cross"
# prometheus: for its promtool (tests/integration/test_metrics.sh checks --metrics files);
# aide and libcap2-bin: the host baseline's peer and setcap (test_baseline.sh).
TEST_PKGS="qemu-user-static clang-format python3-jsonschema umoci skopeo tar-split zstd gzip strace docker.io time containerd openssl nodejs qemu-system-x86 busybox-static cpio e2fsprogs tmux shellcheck systemd python3-kconfiglib groff-base man-db runc podman conmon bubblewrap util-linux fuse-overlayfs clang libclang-rt-14-dev prometheus aide libcap2-bin debootstrap rpm"

ensure_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	local line="apt-get install -y --no-install-recommends ${missing[*]}"
	if [ "$(id -u)" != 0 ]; then
		die "missing Debian packages; run as root:  $line"
	fi
	say "installing ${missing[*]}"
	# An apt that has never been updated knows no packages.
	if ! apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >"$CACHE/apt-install.log" 2>&1; then
		apt-get -o DPkg::Lock::Timeout=600 update >"$CACHE/apt-update.log" 2>&1 || true
		apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >"$CACHE/apt-install.log" 2>&1 ||
			{ tail -n 20 "$CACHE/apt-install.log" >&2; die "could not install: $line"; }
	fi
}

# ---------------------------------------------------------------- targets
# target -> gcc triplet prefix, musl target, extra flags
cross_prefix() {
	case $1 in
	x86_64) echo "" ;;
	aarch64) echo "aarch64-linux-gnu-" ;;
	armv7) echo "arm-linux-gnueabihf-" ;;
	*) die "unknown target '$1' (x86_64, aarch64, armv7, all)" ;;
	esac
}
musl_target() {
	case $1 in x86_64) echo x86_64-linux-musl ;; aarch64) echo aarch64-linux-musl ;; armv7) echo arm-linux-musleabihf ;; esac
}
target_cflags() { # board/<target>.conf holds the per-target profile
	# shellcheck disable=SC1090
	( . "board/$1.conf"; echo "$CFLAGS_TARGET" )
}

pin() { awk -v n="$1" '$1 == n { print $2 "-" $6 }' third_party/lock; }

# ---------------------------------------------------------------- musl
build_musl() { # target -> prints prefix
	local t=$1 pre key prefix
	pre=$(cross_prefix "$t")
	key=$(printf '%s\n' "$(pin musl)" "$t" "musl-recipe-1" | sha256sum | cut -c1-16)
	prefix="$CACHE/toolchain/musl-$t-$key"
	if [ ! -f "$prefix/.done" ]; then
		say "building musl $(pin musl | cut -d- -f1) for $t (once; about a minute)"
		local b="$CACHE/work/musl-$t"
		rm -rf "$b" "$prefix"; mkdir -p "$b"
		cp -a "$CACHE/src/musl-1.2.5/." "$b/"
		( cd "$b" && CC="${pre}gcc" ./configure --target="$(musl_target "$t")" CROSS_COMPILE="$pre" AR="${pre}ar" RANLIB="${pre}ranlib" \
			--prefix="$prefix" --disable-shared >"$b/configure.log" 2>&1 &&
		  make -j"$JOBS" >"$b/make.log" 2>&1 && make install >>"$b/make.log" 2>&1 ) ||
			{ tail -n 30 "$b/make.log" "$b/configure.log" 2>/dev/null >&2; die "musl build failed for $t"; }
		sh "$b/tools/musl-gcc.specs.sh" "$prefix/include" "$prefix/lib" "/lib/ld-musl-$t.so.1" >"$prefix/lib/musl-gcc.specs"
		# The kernel and compiler headers musl does not ship (linux/*.h for
		# seccomp, ptrace and friends) come from the cross libc's kernel headers.
		local kh=/usr/include
		[ "$t" = aarch64 ] && kh=/usr/aarch64-linux-gnu/include
		[ "$t" = armv7 ] && kh=/usr/arm-linux-gnueabihf/include
		local d
		for d in linux asm-generic; do cp -a "$kh/$d" "$prefix/include/"; done
		if [ "$t" = x86_64 ]; then cp -a /usr/include/x86_64-linux-gnu/asm "$prefix/include/"; else cp -a "$kh/asm" "$prefix/include/"; fi
		cat >"$prefix/bin-cc" <<-EOF
		#!/bin/sh
		exec ${pre}gcc -specs "$prefix/lib/musl-gcc.specs" "\$@"
		EOF
		chmod +x "$prefix/bin-cc"
		touch "$prefix/.done"; rm -rf "$b"
	fi
	echo "$prefix"
}

# ---------------------------------------------------------------- libraries
build_deps() { # target musl-prefix -> prints deps prefix
	local t=$1 mp=$2 pre key prefix cc ar cf
	pre=$(cross_prefix "$t"); cc="$mp/bin-cc"; ar="${pre}ar"
	cf="-Os -ffunction-sections -fdata-sections $(target_cflags "$t")"
	key=$(cat third_party/lock third_party/mbedtls_config.h third_party/sodium_config.h third_party/sodium_glue.c third_party/deps-recipe.sh third_party/isal_glue.c third_party/isal-zlib-answers.patch "board/$t.conf" | sha256sum | cut -c1-16)
	prefix="$CACHE/deps/$t-$key"
	if [ ! -f "$prefix/.done" ]; then
		say "building mbedTLS, cJSON, zlib, zstd, libsodium (Ed25519), ISA-L inflate for $t (once)"
		rm -rf "$prefix"
		bash third_party/deps-recipe.sh "$CACHE/src" "$CACHE/work/deps-$t" "$prefix" "$cc" "$ar" "$cf" "$JOBS" ||
			die "third-party build failed for $t"
		touch "$prefix/.done"
	fi
	echo "$prefix"
}

# ISA-L's inflate where the deps have it (x86_64, aarch64): -DEDGEAUDIT_ISAL and the library.
isal_cflags() { [ -f "$1/lib/libisal_inflate.a" ] && echo "-DEDGEAUDIT_ISAL" || true; }
isal_libs() { [ -f "$1/lib/libisal_inflate.a" ] && echo "-lisal_inflate" || true; }

# ---------------------------------------------------------------- edgeaudit
# Sources live in src/ (main, the commands, shared plumbing) and its rooms
# (src/store, src/verify, src/content, src/sig, src/proc, src/report,
# src/host); every room is on the include path, so `#include "x.h"` needs no
# folder.  Object files are named by the source's base name: names are
# unique across rooms.
SRCS() { find src -name '*.c' | LC_ALL=C sort; }
SRC_INC="-Isrc$(for d in src/*/; do printf ' -I%s' "${d%/}"; done)"
check_srcs() {
	local dup; dup=$(SRCS | sed 's|.*/||' | sort | uniq -d)
	[ -z "$dup" ] || die "source names must be unique across src/ and its rooms (one object folder): ${dup//$'\n'/ }"
}

compile_tree() { # cc cflags objdir file...
	local cc=$1 cflags=$2 od=$3; shift 3
	mkdir -p "$od"
	# Rebuild on any change of a header (names, sizes, mtimes): copies and
	# checkouts can give sources older mtimes than their objects.
	local hs; hs=$(stat -c '%n %Y %s' src/*.h src/*/*.h tests/unit/*.h 2>/dev/null | sha256sum | cut -c1-16)
	if [ "$(cat "$od/.headers" 2>/dev/null)" != "$hs" ]; then rm -f "$od"/*.o "$od"/*.o.src; echo "$hs" >"$od/.headers"; fi
	printf '%s\n' "$@" | xargs -P "$JOBS" -I{} sh -c '
		f={}; o="$0/$(basename "$f" .c).o"; st=$(stat -c "%Y %s" "$f")
		if [ ! -f "$o" ] || [ "$(cat "$o.src" 2>/dev/null)" != "$st" ]; then
			'"$cc $cflags"' -c "$f" -o "$o" || exit 255
			echo "$st" >"$o.src"
		fi' "$od"
}

build_target() {
	local t=$1 mp dp pre cc cflags od
	ensure_packages $BUILD_PKGS
	[ "$t" != x86_64 ] && ensure_packages $CROSS_PKGS
	bash third_party/fetch.sh "$CACHE" mbedtls cjson zlib musl zstd libsodium isal
	mp=$(build_musl "$t")
	dp=$(build_deps "$t" "$mp")
	pre=$(cross_prefix "$t"); cc="$mp/bin-cc"
	cflags="-std=gnu11 -Os -Wall -Wextra -Werror=implicit-function-declaration -ffunction-sections -fdata-sections -fno-plt -D_GNU_SOURCE -DEDGEAUDIT_VERSION=\\\"$VERSION\\\" -I$dp/include $SRC_INC $(target_cflags "$t") $(isal_cflags "$dp") $EXTRA_CFLAGS"
	od="$OUT/$t/obj"
	check_srcs
	# Flags changed: rebuild everything.
	if [ "$(cat "$od/.flags" 2>/dev/null)" != "$cflags" ]; then rm -rf "$od"; mkdir -p "$od"; echo "$cflags" >"$od/.flags"; fi
	compile_tree "$cc" "$cflags" "$od" $(SRCS) || die "compile failed for $t"
	local libs="-L$dp/lib -lmbedx509 -lmbedcrypto -lcjson $(isal_libs "$dp") -lz -lzstd -lsodium_ed25519"
	local objs; objs=$(ls "$od"/*.o)
	# shellcheck disable=SC2086
	$cc -static -Wl,--gc-sections -Wl,-z,noexecstack -o "$OUT/$t/edgeaudit.unstripped" $objs $libs || die "link failed for $t"
	"${pre}strip" -s -R .comment -o "$OUT/$t/edgeaudit" "$OUT/$t/edgeaudit.unstripped"
	if readelf -l "$OUT/$t/edgeaudit" | grep -q INTERP; then die "$OUT/$t/edgeaudit has a PT_INTERP: not static"; fi
	say "$OUT/$t/edgeaudit: $(stat -c %s "$OUT/$t/edgeaudit") bytes (stripped, static)"
	# Unit tests with the same toolchain (run natively or under qemu by tests/run.sh).
	local tobjs; tobjs=$(ls "$od"/*.o | grep -v '/main\.o$')
	compile_tree "$cc" "$cflags -Itests/unit" "$OUT/$t/tobj" tests/unit/*.c || die "unit test compile failed for $t"
	# shellcheck disable=SC2086
	$cc -static -Wl,--gc-sections -o "$OUT/$t/unit_tests" $tobjs $OUT/$t/tobj/*.o $libs || die "unit test link failed for $t"
	echo "$dp" >"$OUT/$t/.deps"
}

# The sanitizer build: clang + glibc, ASan + UBSan (float-cast-overflow
# included), of our code and the unit tests, against third-party libraries
# built with the host gcc.  Why clang: with gcc's runtimes UBSan ignores
# log_path, so tests/sanitize_suite.sh could not read its reports.
SAN_CC=${SAN_CC:-clang}
build_sanitizer() {
	local dp cflags od
	ensure_packages $BUILD_PKGS clang
	bash third_party/fetch.sh "$CACHE" mbedtls cjson zlib musl zstd libsodium isal
	local key; key=$(cat third_party/lock third_party/mbedtls_config.h third_party/sodium_config.h third_party/sodium_glue.c third_party/deps-recipe.sh third_party/isal_glue.c third_party/isal-zlib-answers.patch board/x86_64.conf | sha256sum | cut -c1-16)
	dp="$CACHE/deps/host-$key"
	if [ ! -f "$dp/.done" ]; then
		say "building third-party libraries for the sanitizer build (once)"
		rm -rf "$dp"
		bash third_party/deps-recipe.sh "$CACHE/src" "$CACHE/work/deps-host" "$dp" gcc ar "-O1 -g $(target_cflags x86_64)" "$JOBS" || die "host deps failed"
		touch "$dp/.done"
	fi
	cflags="-std=gnu11 -O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer -Wall -Wextra -D_GNU_SOURCE -DEDGEAUDIT_VERSION=\\\"$VERSION\\\" -I$dp/include $SRC_INC -Itests/unit $(target_cflags x86_64) $(isal_cflags "$dp")"
	od=$OUT/san/obj
	check_srcs
	if [ "$(cat "$od/.flags" 2>/dev/null)" != "$SAN_CC $cflags" ]; then rm -rf $OUT/san; mkdir -p "$od"; echo "$SAN_CC $cflags" >"$od/.flags"; fi
	compile_tree "$SAN_CC" "$cflags" "$od" $(SRCS) tests/unit/*.c || die "sanitizer compile failed"
	local objs; objs=$(ls "$od"/*.o | grep -v '/main\.o$')
	# shellcheck disable=SC2086
	"$SAN_CC" -fsanitize=address,undefined,float-cast-overflow -o $OUT/san/unit_tests $objs -L"$dp/lib" -lmbedx509 -lmbedcrypto -lcjson $(isal_libs "$dp") -lz -lzstd -lsodium_ed25519 || die "sanitizer link failed"
	"$SAN_CC" -fsanitize=address,undefined,float-cast-overflow -o $OUT/san/edgeaudit $(ls "$od"/*.o | grep -v '/test_[^/]*\.o$\|/unit_main\.o$') -L"$dp/lib" -lmbedx509 -lmbedcrypto -lcjson $(isal_libs "$dp") -lz -lzstd -lsodium_ed25519 || die "sanitizer link failed"
}

# ---------------------------------------------------------------- main
targets=(x86_64)
action=build
EXTRA_CFLAGS=${EXTRA_CFLAGS:-}
while [ $# -gt 0 ]; do
	case $1 in
	--target) [ $# -ge 2 ] || die "--target needs a value"; [ "$2" = all ] && targets=(x86_64 aarch64 armv7) || targets=("$2"); shift 2 ;;
	--target=*) v=${1#--target=}; [ "$v" = all ] && targets=(x86_64 aarch64 armv7) || targets=("$v"); shift ;;
	test) action=test; shift ;;
	san) action=san; shift ;;
	clean) rm -rf out; exit 0 ;;
	-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
	*) die "unknown argument '$1' (see ./build.sh --help)" ;;
	esac
done
mkdir -p "$CACHE"
for t in "${targets[@]}"; do cross_prefix "$t" >/dev/null; done

if [ "$action" = test ]; then
	ensure_packages $BUILD_PKGS $CROSS_PKGS $TEST_PKGS
	for t in x86_64 aarch64 armv7; do build_target "$t"; done
	build_sanitizer
	exec bash tests/run.sh
fi
if [ "$action" = san ]; then
	build_sanitizer
	say "$OUT/san/edgeaudit: the ASan + UBSan build (tests/sanitize_suite.sh runs a suite with it)"
	exit 0
fi
for t in "${targets[@]}"; do build_target "$t"; done
