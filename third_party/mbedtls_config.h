/*
 * edgeaudit's trimmed mbedTLS 3.6 configuration (MBEDTLS_CONFIG_FILE).
 *
 * Verification only: message digests, ECDSA on P-256/384/521, RSA PKCS#1 v1.5
 * and PSS, X.509 certificate parsing and chain checks, PEM, base64, ASN.1.
 * Deterministic ECDSA (RFC 6979 over HMAC-DRBG) for signing our own reports.
 * No TLS, no network, no file system access, no PSA.
 */
#ifndef EDGEAUDIT_MBEDTLS_CONFIG_H
#define EDGEAUDIT_MBEDTLS_CONFIG_H

/* System support */
#define MBEDTLS_HAVE_ASM
#define MBEDTLS_HAVE_TIME
#define MBEDTLS_HAVE_TIME_DATE
#define MBEDTLS_PLATFORM_C

/* Hashes */
#define MBEDTLS_MD_C
#define MBEDTLS_SHA1_C          /* old certificates are still SHA-1 signed */
#define MBEDTLS_SHA224_C
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA384_C
#define MBEDTLS_SHA512_C

/*
 * SHA-256 block function: on x86_64 edgeaudit supplies its own (SHA-NI with
 * runtime detection, plain C fallback: src/sha256_block.c); on aarch64
 * mbedTLS's ARMv8 crypto extension path, chosen at run time.
 */
#if defined(__x86_64__)
#define MBEDTLS_SHA256_PROCESS_ALT
#elif defined(__aarch64__)
#define MBEDTLS_SHA256_USE_ARMV8_A_CRYPTO_IF_PRESENT
#endif

/* Public-key arithmetic */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_SECP384R1_ENABLED
#define MBEDTLS_ECP_DP_SECP521R1_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDSA_DETERMINISTIC
#define MBEDTLS_HMAC_DRBG_C
#define MBEDTLS_RSA_C
#define MBEDTLS_PKCS1_V15
#define MBEDTLS_PKCS1_V21

/* Keys, encodings, certificates */
#define MBEDTLS_PK_C
#define MBEDTLS_PK_PARSE_C
#define MBEDTLS_PK_WRITE_C
#define MBEDTLS_PEM_PARSE_C
#define MBEDTLS_BASE64_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C
#define MBEDTLS_OID_C
#define MBEDTLS_X509_USE_C
#define MBEDTLS_X509_CRT_PARSE_C
#define MBEDTLS_PK_PARSE_EC_EXTENDED
#define MBEDTLS_PK_PARSE_EC_COMPRESSED

#endif
