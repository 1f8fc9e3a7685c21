#!/usr/bin/env bash
# third_party/deps-recipe.sh SRC WORK PREFIX CC AR CFLAGS JOBS
#
# Build the pinned third-party libraries as static archives into PREFIX
# (include/ and lib/): mbedTLS with third_party/mbedtls_config.h, cJSON (one
# file, Debian's patches already applied by fetch.sh), zlib, zstd's
# decompressor only, and libsodium's Ed25519 verification only (with
# third_party/sodium_config.h; Debian's patches applied by fetch.sh).  Any change to this file changes the cache key.
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

# zstd: decompression only, no assembly, no legacy formats, no threads.
z="$src/zstd-1.5.7/lib"
mkdir -p "$work/zstd"
for f in common/debug.c common/entropy_common.c common/error_private.c common/fse_decompress.c \
         common/xxhash.c common/zstd_common.c decompress/huf_decompress.c decompress/zstd_ddict.c \
         decompress/zstd_decompress.c decompress/zstd_decompress_block.c; do
	$cc $cflags -DZSTD_DISABLE_ASM -DZSTD_LEGACY_SUPPORT=0 -DZSTD_NO_TRACE -I"$z" -I"$z/common" \
		-c "$z/$f" -o "$work/zstd/$(basename "$f" .c).o" >>"$log" 2>&1
done
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
trap - ERR
rm -rf "$work"
