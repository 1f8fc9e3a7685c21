/*
 * edgeaudit's configuration of the libsodium subset it compiles: only
 * Ed25519 signature verification (crypto_sign_ed25519_verify_detached and
 * what it needs: the ref10 field and group operations, SHA-512, constant-time
 * compares).  third_party/deps-recipe.sh force-includes this header instead
 * of running libsodium's configure; the three targets (x86_64, aarch64,
 * armv7) are little-endian.  Any change here changes the dependency cache key.
 */
#ifndef EDGEAUDIT_SODIUM_CONFIG_H
#define EDGEAUDIT_SODIUM_CONFIG_H

#define CONFIGURED 1
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NATIVE_LITTLE_ENDIAN 1
#else
#error "edgeaudit builds libsodium for little-endian targets only"
#endif
/* 64-bit targets: the 51-bit limb field arithmetic (fe_51) with 128-bit products. */
#if defined(__SIZEOF_INT128__)
#define HAVE_TI_MODE 1
#endif
#define HAVE_C_VARARRAYS 1
#define HAVE_INLINE_ASM 1
#define HAVE_WEAK_SYMBOLS 1

#endif
