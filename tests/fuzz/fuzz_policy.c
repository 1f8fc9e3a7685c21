/* The signature policy file and the trust material it names (policy.c,
 * sig_troot.c, policy_notation.c).  Option byte % 3 picks the document:
 *   0  our policy (edgeaudit/signature-policy/v1); its relative paths
 *      resolve in a private folder holding a key, the production trusted
 *      root and a notation trust policy + trust store (made once);
 *   1  a sigstore trusted root (trusted_root.json);
 *   2  a notation trust policy (trustpolicy.json) over that trust store. */
#include "common.h"
#include "fsx.h"
#include "sig_int.h"

static int store_fd = -1;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *t = fz_tmpdir();
	static const char *const dirs[] = {"keys", "notation", "notation/store", "notation/store/x509",
					   "notation/store/x509/ca", "notation/store/x509/ca/e2e"};
	char p[512];
	for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", t, dirs[i]);
		if (mkdir(p, 0755) < 0) fz_die("mkdir %s: %s", p, strerror(errno));
	}
	fz_copy_fixture("cosign/containers-image-signature/fixtures/cosign.pub", "keys/cosign.pub");
	fz_copy_fixture("cosign/root-signing/trusted_root.json", "trusted_root.json");
	fz_copy_fixture("notation/notation-e2e/config/trustpolicies/trustpolicy.json", "notation/trustpolicy.json");
	fz_copy_fixture("notation/notation-e2e/config/localkeys/e2e.crt", "notation/store/x509/ca/e2e/e2e.crt");
	snprintf(p, sizeof p, "%s/notation/store", t);
	ea_error_t err;
	store_fd = fsx_open_root(p, &err);
	if (store_fd < 0) fz_die("%s: %s", p, err.msg);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	char *json = malloc(size + 1); /* config_read gives NUL-terminated text */
	memcpy(json, data, size);
	json[size] = '\0';
	ea_error_t err = {0};
	static const char *const names[] = {"localhost/app:1", "registry.example/ns/app@sha256:00"};
	switch (opt % 3) {
	case 0: {
		struct sig_policy *p = sig_policy_new();
		if (policy_parse(json, size, fz_tmpdir(), p, &err) == 0) {
			const struct pol_rule *r = policy_rule_for(p, names, 2);
			if (r && (r->nkeys < 0 || r->nids < 0)) abort();
		}
		sig_policy_free(p);
		break;
	}
	case 1: {
		struct trusted_root *t = NULL;
		if (troot_parse(json, size, &t, &err) == 0) {
			unsigned char id[32] = {0};
			(void)troot_find_log(t->tlogs, t->ntlogs, id, sizeof id);
			troot_free(t);
		}
		break;
	}
	default: {
		struct notation_cfg *c = NULL;
		if (notation_policy_parse(json, size, store_fd, &c, &err) == 0) {
			const char *repos[] = {"localhost:5000/e2e", "registry.example/app"};
			(void)notation_select(c, repos, 2);
			notation_cfg_free(c);
		}
		break;
	}
	}
	free(json);
	return 0;
}
