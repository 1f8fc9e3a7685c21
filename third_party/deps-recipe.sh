#!/usr/bin/env bash
# third_party/deps-recipe.sh SRC WORK PREFIX CC AR CFLAGS JOBS
#
# Build the pinned third-party libraries as static archives into PREFIX
# (include/ and lib/): mbedTLS with third_party/mbedtls_config.h, cJSON (one
# file, Debian's patches already applied by fetch.sh), zlib, zstd's
# decompressor only, libsodium's Ed25519 verification only (with
# third_party/sodium_config.h; Debian's patches applied by fetch.sh), and
# ISA-L's inflate where it has assembly for the target.  Any change to this
# file changes the cache key.
set -euo pipefail
src=$1 work=$2 prefix=$3 cc=$4 ar=$5 cflags=$6 jobs=$7
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"; mkdir -p "$work" "$prefix/include" "$prefix/lib"
log="$work/build.log"
trap 'echo "deps: failed, last lines of $log:" >&2; tail -n 25 "$log" >&2' ERR

# mbedTLS: the library Makefile needs no Python (the release carries its generated files).
cp -a "$src/mbedtls-3.6.6" "$work/mbedtls"
cp "$here/mbedtls_config.h" "$work/mbedtls/include/edgeaudit_mbedtls_config.h"
make -C "$work/mbedtls/library" -j"$jobs" CC="$cc" AR="$ar" \
	CFLAGS="$cflags -DMBEDTLS_CONFIG_FILE='\"edgeaudit_mbedtls_config.h\"'" \
	libmbedcrypto.a libmbedx509.a >>"$log" 2>&1
cp "$work/mbedtls/library/libmbedcrypto.a" "$work/mbedtls/library/libmbedx509.a" "$prefix/lib/"
cp -a "$work/mbedtls/include/mbedtls" "$work/mbedtls/include/psa" "$prefix/include/"
cp "$here/mbedtls_config.h" "$prefix/include/edgeaudit_mbedtls_config.h"
# Everything that includes mbedTLS headers must see the configuration the
# library was built with (struct layouts depend on it): ours replaces the
# default mbedtls/mbedtls_config.h in the installed headers.
cp "$here/mbedtls_config.h" "$prefix/include/mbedtls/mbedtls_config.h"

# cJSON
mkdir -p "$work/cjson"
$cc $cflags -c "$src/cjson-1.7.18/cJSON.c" -o "$work/cjson/cJSON.o" >>"$log" 2>&1
$ar rcs "$prefix/lib/libcjson.a" "$work/cjson/cJSON.o"
cp "$src/cjson-1.7.18/cJSON.h" "$prefix/include/"

# zlib
cp -a "$src/zlib-1.3.1" "$work/zlib"
( cd "$work/zlib" && CC="$cc" AR="$ar" CFLAGS="$cflags" ./configure --static >>"$log" 2>&1 &&
  make -j"$jobs" AR="$ar" libz.a >>"$log" 2>&1 )
cp "$work/zlib/libz.a" "$prefix/lib/"; cp "$work/zlib/zlib.h" "$work/zlib/zconf.h" "$prefix/include/"

# zstd: decompression only, no legacy formats, no threads; -O2 (its decoder
# leans on inlining: -Os made it about twice as slow as the zstd tool) and, on
# x86_64, its Huffman decoder's assembly.
z="$src/zstd-1.5.7/lib"
mkdir -p "$work/zstd"
zasm=-DZSTD_DISABLE_ASM
case $($cc -dumpmachine) in x86_64*) zasm= ;; esac
for f in common/debug.c common/entropy_common.c common/error_private.c common/fse_decompress.c \
         common/xxhash.c common/zstd_common.c decompress/huf_decompress.c decompress/zstd_ddict.c \
         decompress/zstd_decompress.c decompress/zstd_decompress_block.c; do
	$cc $cflags -O2 $zasm -DZSTD_LEGACY_SUPPORT=0 -DZSTD_NO_TRACE -I"$z" -I"$z/common" \
		-c "$z/$f" -o "$work/zstd/$(basename "$f" .c).o" >>"$log" 2>&1
done
[ -z "$zasm" ] && $cc $cflags -I"$z" -I"$z/common" -c "$z/decompress/huf_decompress_amd64.S" \
	-o "$work/zstd/huf_decompress_amd64.o" >>"$log" 2>&1
$ar rcs "$prefix/lib/libzstd.a" "$work"/zstd/*.o
cp "$z/zstd.h" "$z/zstd_errors.h" "$prefix/include/"
# libsodium: crypto_sign_ed25519_verify_detached and its dependencies only
# (ref10 field/group arithmetic, SHA-512, constant-time compares); no
# configure, our config header is force-included.  The signing, key
# generation and random-number code in the same files is never referenced and
# --gc-sections drops it.
s="$src/libsodium-1.0.18/src/libsodium"
mkdir -p "$work/sodium/sodium"
sed -e 's/@VERSION@/1.0.18/' -e 's/@SODIUM_LIBRARY_VERSION_MAJOR@/10/' \
    -e 's/@SODIUM_LIBRARY_VERSION_MINOR@/3/' -e 's/@SODIUM_LIBRARY_MINIMAL_DEF@//' \
    "$s/include/sodium/version.h.in" >"$work/sodium/sodium/version.h"
for f in crypto_sign/ed25519/ref10/open.c crypto_sign/ed25519/ref10/sign.c \
         crypto_core/ed25519/ref10/ed25519_ref10.c crypto_hash/sha512/cp/hash_sha512_cp.c \
         crypto_verify/sodium/verify.c sodium/utils.c; do
	$cc $cflags -include "$here/sodium_config.h" -I"$work/sodium/sodium" -I"$s/include/sodium" \
		-I"$s/crypto_sign/ed25519/ref10" -c "$s/$f" -o "$work/sodium/$(basename "$f" .c).o" >>"$log" 2>&1
done
$cc $cflags -include "$here/sodium_config.h" -I"$s/include/sodium" \
	-c "$here/sodium_glue.c" -o "$work/sodium/sodium_glue.o" >>"$log" 2>&1
$ar rcs "$prefix/lib/libsodium_ed25519.a" "$work"/sodium/*.o
mkdir -p "$prefix/include/sodium"
cp "$s/include/sodium/crypto_sign_ed25519.h" "$s/include/sodium/crypto_hash_sha512.h" \
   "$s/include/sodium/export.h" "$prefix/include/sodium/"
# ISA-L: inflate only (igzip_inflate.c, the decoder's assembly, the gzip CRC),
# x86_64 (nasm) and aarch64 (.S); the glue (isal_glue.c) dispatches on CPU
# features.  Other targets (armv7) get no libisal_inflate.a: build.sh then
# keeps zlib for gzip.
i="$src/isal-2.31.1"
case $($cc -dumpmachine) in
x86_64*) isal_arch=x86_64 ;;
aarch64*) isal_arch=aarch64 ;;
*) isal_arch= ;;
esac
if [ -n "$isal_arch" ]; then
	mkdir -p "$work/isal"
	# Our patch: refuse the incomplete Huffman codes zlib refuses (same answers).
	cp -a "$i" "$work/isal-src" && i="$work/isal-src"
	patch -s -p1 -d "$i" <"$here/isal-zlib-answers.patch" >>"$log" 2>&1
	icf="$cflags -O2 -I$i/include -I$i/igzip -I$prefix/include"
	for f in igzip/igzip_inflate.c igzip/hufftables_c.c crc/crc_base.c; do
		$cc $icf -c "$i/$f" -o "$work/isal/$(basename "$f" .c).o" >>"$log" 2>&1
	done
	$cc $icf -c "$here/isal_glue.c" -o "$work/isal/isal_glue.o" >>"$log" 2>&1
	if [ "$isal_arch" = x86_64 ]; then
		for f in igzip/igzip_inflate_multibinary.asm igzip/igzip_decode_block_stateless_01.asm \
		         igzip/igzip_decode_block_stateless_04.asm igzip/rfc1951_lookup.asm \
		         crc/crc32_gzip_refl_by8.asm; do
			nasm -f elf64 -D LINUX -I"$i/include/" -I"$i/igzip/" -I"$i/crc/" \
				"$i/$f" -o "$work/isal/$(basename "$f" .asm).o" >>"$log" 2>&1
		done
	else
		for f in igzip/aarch64/igzip_decode_huffman_code_block_aarch64.S \
		         crc/aarch64/crc32_gzip_refl_3crc_fold.S crc/aarch64/crc32_gzip_refl_pmull.S; do
			$cc -c -D__ASSEMBLY__ -I"$i/include" -I"$i/igzip/aarch64" -I"$i/crc/aarch64" \
				"$i/$f" -o "$work/isal/$(basename "$f" .S).o" >>"$log" 2>&1
		done
	fi
	$ar rcs "$prefix/lib/libisal_inflate.a" "$work"/isal/*.o
	cp "$i/include/igzip_lib.h" "$prefix/include/"
fi
trap - ERR
rm -rf "$work"
