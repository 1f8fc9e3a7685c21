/* checkpoint: C2SP signed notes holding a tlog checkpoint (see checkpoint.h). */
#include "checkpoint.h"

#include <string.h>

#include "b64.h"
#include "digest.h"

static const char dash[] = "\xe2\x80\x94 "; /* U+2014 EM DASH, space */

/* Text is UTF-8 without control characters other than newline. */
static int clean_text(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n') || c == 0x7f) return 0;
	}
	return 1;
}

static int parse_size(const char *s, size_t n, int64_t *out)
{
	if (n == 0 || n > 18 || (s[0] == '0' && n > 1)) return -1;
	int64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* origin, size, root hash, extension lines: every line of the text. */
static int parse_body(const char *t, size_t n, struct checkpoint *cp, ea_error_t *err)
{
	const char *p = t, *end = t + n;
	for (int i = 0; p < end; i++) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t l = (size_t)(e - p);
		if (l == 0) return ea_fail(err, EA_E_FORMAT, "checkpoint line %d is empty", i + 1);
		if (i == 0) {
			if (l >= sizeof cp->origin)
				return ea_fail(err, EA_E_FORMAT, "checkpoint origin too long");
			memcpy(cp->origin, p, l);
			cp->origin[l] = '\0';
		} else if (i == 1 && parse_size(p, l, &cp->size) < 0) {
			return ea_fail(err, EA_E_FORMAT, "checkpoint tree size is not decimal");
		} else if (i == 2) {
			cleanup_free unsigned char *rh = NULL;
			size_t rl;
			if (b64_decode(p, l, B64_STD, 64, &rh, &rl, err) < 0 || rl != 32)
				return ea_fail(err, EA_E_FORMAT,
				               "checkpoint root hash is malformed");
			memcpy(cp->root, rh, 32);
		}
		p = e + 1;
		if (i == 1 && p >= end)
			return ea_fail(err, EA_E_FORMAT, "checkpoint lacks its root hash");
	}
	if (!cp->origin[0] || cp->size < 0)
		return ea_fail(err, EA_E_FORMAT, "checkpoint lacks origin, size or root hash");
	return 0;
}

/* "— <name> <base64>" (the newline already cut). */
static int parse_sig_line(const char *s, size_t n, struct cp_sig *g, ea_error_t *err)
{
	size_t dl = sizeof dash - 1;
	if (n < dl || memcmp(s, dash, dl) != 0)
		return ea_fail(err, EA_E_FORMAT, "checkpoint signature line lacks its dash");
	const char *nm = s + dl, *end = s + n;
	const char *sp = memchr(nm, ' ', (size_t)(end - nm));
	size_t nl = sp ? (size_t)(sp - nm) : 0;
	if (!sp || nl == 0 || nl >= sizeof g->name || memchr(nm, '+', nl))
		return ea_fail(err, EA_E_FORMAT, "checkpoint signature name is malformed");
	memcpy(g->name, nm, nl);
	g->name[nl] = '\0';
	cleanup_free unsigned char *raw = NULL;
	size_t rl;
	if (b64_decode(sp + 1, (size_t)(end - sp - 1), B64_STD, 4 + sizeof g->sig, &raw, &rl, err) <
	            0 ||
	    rl < 5)
		return ea_fail(err, EA_E_FORMAT, "checkpoint signature of %s is malformed",
		               g->name);
	memcpy(g->hint, raw, 4);
	g->siglen = rl - 4;
	memcpy(g->sig, raw + 4, g->siglen);
	return 0;
}

int checkpoint_parse(const char *note, size_t n, struct checkpoint *cp, ea_error_t *err)
{
	memset(cp, 0, sizeof *cp);
	cp->size = -1;
	if (n > CP_MAX_NOTE)
		return ea_fail(err, EA_E_TOOBIG, "checkpoint over %d bytes", CP_MAX_NOTE);
	if (n == 0 || note[n - 1] != '\n' || memchr(note, '\0', n))
		return ea_fail(err, EA_E_FORMAT, "checkpoint does not end in a newline");
	const char *sep = memmem(note, n, "\n\n", 2);
	if (!sep) return ea_fail(err, EA_E_FORMAT, "checkpoint has no signature block");
	cp->textlen = (size_t)(sep - note) + 1;
	if (!clean_text(note, cp->textlen))
		return ea_fail(err, EA_E_FORMAT, "checkpoint text holds a control character");
	if (parse_body(note, cp->textlen, cp, err) < 0) return -1;
	const char *p = sep + 2, *end = note + n;
	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		if (cp->nsigs == CP_MAX_SIGS)
			return ea_fail(err, EA_E_TOOBIG, "checkpoint has over %d signatures",
			               CP_MAX_SIGS);
		if (parse_sig_line(p, (size_t)(e - p), &cp->sigs[cp->nsigs], err) < 0) return -1;
		cp->nsigs++;
		p = e + 1;
	}
	if (cp->nsigs == 0) return ea_fail(err, EA_E_FORMAT, "checkpoint carries no signature");
	return 0;
}

void checkpoint_ed25519_keyid(const char *name, const uint8_t pk[32], uint8_t id[32])
{
	hasher_t h;
	hasher_init(&h, DIGEST_SHA256);
	hasher_update(&h, name, strlen(name));
	static const uint8_t sep[2] = {0x0a, 0x01}; /* newline, signature type Ed25519 */
	hasher_update(&h, sep, 2);
	hasher_update(&h, pk, 32);
	digest_t d;
	hasher_final(&h, &d);
	memcpy(id, d.bytes, 32);
}

/* The host of "https://host[/...]" equals name. */
static int url_host_is(const char *url, const char *name)
{
	if (!url) return 0;
	if (!strncmp(url, "https://", 8)) url += 8;
	else if (!strncmp(url, "http://", 7)) url += 7;
	size_t n = strcspn(url, "/");
	return n && strlen(name) == n && !strncmp(url, name, n);
}

/* Is this line the log's, by name and key hint?  An Ed25519 line's name is
 * the origin, and the origin is the trusted root's log: its full key ID is
 * the log ID, or the origin is the host of the log's URL. */
static int is_log_line(const struct checkpoint *cp, const struct cp_sig *g, const struct pubkey *k,
                       const uint8_t log_id[32], const char *log_url)
{
	if (k->alg != PUBKEY_ED25519) return memcmp(g->hint, log_id, 4) == 0;
	uint8_t id[32];
	checkpoint_ed25519_keyid(g->name, k->ed25519, id);
	return strcmp(g->name, cp->origin) == 0 && memcmp(g->hint, id, 4) == 0 &&
	       (memcmp(id, log_id, 32) == 0 || url_host_is(log_url, cp->origin));
}

int checkpoint_verify(const struct checkpoint *cp, const char *note, const struct pubkey *k,
                      const uint8_t log_id[32], const char *log_url, ea_error_t *err)
{
	int seen = 0;
	for (int i = 0; i < cp->nsigs; i++) {
		const struct cp_sig *g = &cp->sigs[i];
		if (!is_log_line(cp, g, k, log_id, log_url)) continue;
		seen = 1;
		if (pubkey_verify_msg(k, MBEDTLS_MD_SHA256, note, cp->textlen, g->sig, g->siglen,
		                      err) == 0)
			return 0;
	}
	return ea_fail(err, EA_E_MISMATCH,
	               seen ? "checkpoint signature does not verify with the log's key"
	                    : "checkpoint carries no signature by the log (origin %.100s)",
	               cp->origin);
}
