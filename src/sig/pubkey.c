/* pubkey: a public key of any algorithm we verify with (see pubkey.h). */
#include "pubkey.h"

#include <string.h>

#include "ed25519.h"
#include "x509util.h"

const char *pubkey_alg_to_string(pubkey_alg_t a)
{
	switch (a) {
	case PUBKEY_ECDSA: return "ecdsa";
	case PUBKEY_RSA: return "rsa";
	case PUBKEY_ED25519: return "ed25519";
	case PUBKEY_NONE: break;
	}
	return "none";
}

void pubkey_init(struct pubkey *k)
{
	memset(k, 0, sizeof *k);
	mbedtls_pk_init(&k->pk);
}

void pubkey_free(struct pubkey *k)
{
	mbedtls_pk_free(&k->pk);
	k->alg = PUBKEY_NONE;
}

int pubkey_parse(struct pubkey *k, const unsigned char *data, size_t len, ea_error_t *err)
{
	cleanup_free unsigned char *der = NULL;
	size_t dl;
	if (spki_der_of(data, len, &der, &dl, err) < 0) return -1;
	if (spki_is_eddsa(der, dl)) {
		if (ed25519_spki_raw(der, dl, k->ed25519) < 0)
			return ea_fail(err, EA_E_UNSUPPORTED,
			               "EdDSA key that is not a plain Ed25519 key (Ed448?)");
		k->alg = PUBKEY_ED25519;
		return 0;
	}
	if (pk_parse_public(&k->pk, der, dl, err) < 0) return -1;
	k->alg = mbedtls_pk_get_type(&k->pk) == MBEDTLS_PK_RSA ? PUBKEY_RSA : PUBKEY_ECDSA;
	pk_prepare_shared(&k->pk); /* verified with from several threads */
	return 0;
}

int pubkey_spki_der(const struct pubkey *k, unsigned char *buf, size_t n, const unsigned char **der)
{
	if (k->alg == PUBKEY_ED25519) {
		if (n < ED25519_SPKI_LEN) return -1;
		ed25519_spki_der(k->ed25519, buf);
		*der = buf;
		return ED25519_SPKI_LEN;
	}
	if (k->alg == PUBKEY_NONE) return -1;
	return pk_spki_der(&k->pk, buf, n, der);
}

int pubkey_verify_msg(const struct pubkey *k, mbedtls_md_type_t md, const void *msg, size_t len,
                      const unsigned char *sig, size_t siglen, ea_error_t *err)
{
	switch (k->alg) {
	case PUBKEY_ED25519:
		if (siglen != 64)
			return ea_fail(err, EA_E_MISMATCH, "Ed25519 signature of %zu bytes, not 64",
			               siglen);
		if (ed25519_verify(k->ed25519, msg, len, sig) < 0)
			return ea_fail(err, EA_E_MISMATCH, "Ed25519 signature does not verify");
		return 0;
	case PUBKEY_ECDSA:
	case PUBKEY_RSA:
		return sigverify_msg((mbedtls_pk_context *)&k->pk, md, msg, len, sig, siglen,
		                     SIG_DER, 0, err);
	case PUBKEY_NONE: break;
	}
	return ea_fail(err, EA_E_UNSUPPORTED, "no key");
}
