/* checkpoint_parse and checkpoint_verify (checkpoint.h): C2SP signed notes as
 * Rekor v1 and v2 write them, verified against the Rekor v2 staging log's
 * Ed25519 key (the conformance suite's trusted root).  Properties: an
 * accepted note has an origin, a signed text that ends in a newline right
 * before the blank line, 1..CP_MAX_SIGS signatures of at least one byte;
 * verification answers without a crash for any of them. */
#include "checkpoint.h"
#include "common.h"
#include "ed25519.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > CP_MAX_NOTE + 16) return 0;
	char *note = malloc(size + 1);
	memcpy(note, data, size);
	note[size] = '\0';
	struct checkpoint cp;
	ea_error_t err = {0};
	if (checkpoint_parse(note, size, &cp, &err) == 0) {
		if (!cp.origin[0] || cp.textlen < 2 || cp.textlen >= size ||
		    note[cp.textlen - 1] != '\n' || note[cp.textlen] != '\n' || cp.nsigs < 1 ||
		    cp.nsigs > CP_MAX_SIGS || cp.size < 0)
			abort();
		for (int i = 0; i < cp.nsigs; i++)
			if (cp.sigs[i].siglen < 1 || !cp.sigs[i].name[0]) abort();
		/* log2025-alpha1.rekor.sigstage.dev's key, as its trusted root lists it */
		static const uint8_t spki[ED25519_SPKI_LEN] = {
		        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21,
		        0x00, 0x3e, 0x7f, 0x80, 0x44, 0x41, 0xe8, 0x05, 0xa6, 0x7b, 0xc2,
		        0x04, 0xb5, 0xcc, 0x1a, 0xa9, 0xc6, 0x62, 0xd2, 0x1a, 0x7c, 0xa1,
		        0xc5, 0x78, 0xf8, 0x94, 0x5c, 0x52, 0x75, 0x65, 0x41, 0xf2, 0x8f};
		struct pubkey k;
		pubkey_init(&k);
		if (pubkey_parse(&k, spki, sizeof spki, &err) != 0) abort();
		uint8_t id[32];
		checkpoint_ed25519_keyid("log2025-alpha1.rekor.sigstage.dev", k.ed25519, id);
		(void)checkpoint_verify(&cp, note, &k, id, "https://log2025-alpha1.rekor.sigstage.dev",
		                        &err);
		pubkey_free(&k);
	}
	free(note);
	return 0;
}
