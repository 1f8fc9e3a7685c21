/*
 * checkpoint: transparency-log checkpoints in the C2SP signed-note format
 * (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), as Rekor v1 and v2
 * write them:
 *
 *   <origin>\n<tree size>\n<base64 root hash>\n[extension lines\n]
 *   \n
 *   — <name> <base64(key hint[4] || signature)>\n   (one or more)
 *
 * Contract:
 *  - checkpoint_parse() reads a note of at most CP_MAX_NOTE bytes into a
 *    typed record, or fails (EA_E_FORMAT) on anything the grammar does not
 *    allow: no origin, a size that is not plain decimal, a root hash that is
 *    not 32 bytes of standard base64, a control character, an empty line in
 *    the text, a signature line that is not "— name base64" or decodes to
 *    fewer than 5 bytes, no signature line, more than CP_MAX_SIGS of them.
 *    The signed text is note[0, textlen): every line before the blank one.
 *  - checkpoint_verify() succeeds (0) only when one signature line is the
 *    log's and verifies over the signed text with its key; lines of other
 *    signers (witness cosignatures, unknown keys) are skipped, as the
 *    signed-note spec says.  Which line is the log's:
 *      Ed25519: name = origin and hint = the first 4 bytes of
 *               SHA-256(name || 0x0A || 0x01 || key) (the C2SP key ID),
 *               and the origin is the trusted root's log: that key ID is
 *               its log ID, or the origin is the host of its URL;
 *      ECDSA:   hint = the first 4 bytes of the log ID (SHA-256 of its
 *               SubjectPublicKeyInfo), as Rekor v1 signs.
 *    -1 with *err (EA_E_MISMATCH) otherwise.
 *  - Bounded: fixed-size record, no allocation kept, linear in the note.
 */
#ifndef EDGEAUDIT_CHECKPOINT_H
#define EDGEAUDIT_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "pubkey.h"
#include "util.h"

#define CP_MAX_NOTE 8192
#define CP_MAX_SIGS 16

struct cp_sig {
	char name[256];
	uint8_t hint[4];
	uint8_t sig[512];
	size_t siglen;
};

struct checkpoint {
	char origin[256];
	int64_t size;
	uint8_t root[32];
	size_t textlen; /* the signed text: the note's first textlen bytes */
	struct cp_sig sigs[CP_MAX_SIGS];
	int nsigs;
};

int checkpoint_parse(const char *note, size_t n, struct checkpoint *cp, ea_error_t *err);
/* The C2SP key ID of an Ed25519 note key. */
void checkpoint_ed25519_keyid(const char *name, const uint8_t pk[32], uint8_t id[32]);
int checkpoint_verify(const struct checkpoint *cp, const char *note, const struct pubkey *k,
                      const uint8_t log_id[32], const char *log_url, ea_error_t *err);

#endif
