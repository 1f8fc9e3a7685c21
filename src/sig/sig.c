/* sig: the public entry point (see sig.h): find which candidate manifests
 * are signatures of the target, hand each signature to its verifier, and
 * turn the results into the image's "signatures" array and findings. */
#include "sig.h"

#include <stdio.h>
#include <string.h>

#include "model.h"
#include "sig_int.h"
#include "x509util.h"

#define MT_INDEX         "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST   "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_SIMPLESIGNING "application/vnd.dev.cosign.simplesigning.v1+json"
#define AT_NOTARY        "application/vnd.cncf.notary.signature"
#define MT_JWS           "application/jose+json"
#define MT_COSE          "application/cose"
#define AT_BUNDLE_PREFIX "application/vnd.dev.sigstore.bundle"

struct work {
	digest_t d;
	char tag[160];
	int linked; /* the store links it to the target (tag or referrers index) */
};

struct run {
	report_t *rep;
	struct blobsrc *src;
	const struct sig_target *t;
	struct sig_accept acc;
	struct sig_subject subj;
	struct sig_result res[SIG_MAX_SIGS];
	char where[SIG_MAX_SIGS][DIGEST_MAX_STR];
	int nres;
	struct work w[SIG_MAX_SIGS];
	int nw;
	int truncated;
};

static struct sig_result *new_result(struct run *x, const digest_t *manifest)
{
	if (x->nres == SIG_MAX_SIGS) {
		x->truncated = 1;
		return NULL;
	}
	struct sig_result *r = &x->res[x->nres];
	memset(r, 0, sizeof *r);
	/* Born refused: only a verifier that ran to its end clears this. */
	sig_refuse(r, "signature.malformed", "signature not checked");
	snprintf(x->where[x->nres], sizeof x->where[0], "%s", manifest->str);
	x->nres++;
	return r;
}

static void push_work(struct run *x, const digest_t *d, const char *tag, int linked)
{
	for (int i = 0; i < x->nw; i++)
		if (digest_equal(&x->w[i].d, d)) {
			if (linked) x->w[i].linked = 1;
			return;
		}
	if (x->nw == SIG_MAX_SIGS) {
		x->truncated = 1;
		return;
	}
	struct work *w = &x->w[x->nw++];
	w->d = *d;
	snprintf(w->tag, sizeof w->tag, "%s", tag ? tag : "");
	w->linked = linked;
}

/* Read a blob named by a signature manifest.  A blob that does not hash to
 * its digest is store tampering: reported as such whatever the policy. */
static int read_blob(struct run *x, const digest_t *d, size_t max, char **data, size_t *len,
                     struct sig_result *r)
{
	ea_error_t err;
	if (blobsrc_read_verified(x->src, d, max, data, len, &err) == 0) return 0;
	if (err.code == EA_E_MISMATCH) {
		cJSON *f = report_finding(x->rep, "blob.digest_mismatch", d->str,
		                          "signature blob: %s", err.msg);
		if (f)
			cJSON_AddStringToObject(f, "store",
			                        x->t->store_label ? x->t->store_label : "");
	}
	if (r) sig_refuse(r, "signature.unreadable", "%.80s: %.200s", d->str, err.msg);
	return -1;
}

static const cJSON *layer_digest(const cJSON *layer, digest_t *d)
{
	const char *s = sjson_str(layer, "digest");
	ea_error_t err;
	if (!s || digest_parse(s, d, &err) < 0) return NULL;
	return layer;
}

static int expected_tag(const struct run *x, const char *tag, const char *suffix)
{
	char want[DIGEST_MAX_STR + 8];
	snprintf(want, sizeof want, "%s-%s%s", digest_alg_name(x->t->manifest_digest.alg),
	         digest_hex(&x->t->manifest_digest), suffix);
	return tag && !strcmp(tag, want);
}

/* cosign simple signing: every simplesigning layer is one signature. */
static void do_cosign(struct run *x, const struct work *w, const cJSON *layers)
{
	int n = 0;
	for (const cJSON *l = layers->child; l; l = l->next) {
		const char *mt = sjson_str(l, "mediaType");
		if (!mt || strcmp(mt, MT_SIMPLESIGNING) != 0) continue;
		if (++n > SIG_MAX_LAYERS) {
			x->truncated = 1;
			break;
		}
		digest_t d;
		char *payload = NULL;
		size_t plen;
		struct sig_result tmp = {0};
		if (!layer_digest(l, &d)) {
			if (!w->linked) continue;
			struct sig_result *r = new_result(x, &w->d);
			if (r)
				sig_refuse(r, "signature.malformed",
				           "simplesigning layer without a valid digest");
			continue;
		}
		if (read_blob(x, &d, SIG_MAX_PAYLOAD, &payload, &plen, &tmp) < 0) {
			struct sig_result *r = w->linked ? new_result(x, &w->d) : NULL;
			if (r) *r = tmp, snprintf(r->kind, sizeof r->kind, "cosign");
			continue;
		}
		if (!w->linked) {
			/* A `cosign save` "sigs" entry: whose is it?  The payload says;
			 * reading it only selects, its signature decides. */
			ea_error_t err;
			cJSON *j = sjson_parse(payload, plen, &err);
			const cJSON *c = j ? cJSON_GetObjectItemCaseSensitive(j, "critical") : NULL;
			const cJSON *i = c ? cJSON_GetObjectItemCaseSensitive(c, "image") : NULL;
			const char *dg = i ? sjson_str(i, "docker-manifest-digest") : NULL;
			int ours = dg && !strcmp(dg, x->t->manifest_digest.str);
			cJSON_Delete(j);
			if (!ours) {
				free(payload);
				continue;
			}
		}
		struct sig_result *r = new_result(x, &w->d);
		if (r)
			cosign_verify_layer(&x->acc, &x->subj, (unsigned char *)payload, plen,
			                    cJSON_GetObjectItemCaseSensitive(l, "annotations"), r);
		free(payload);
	}
}

static void do_manifest(struct run *x, const struct work *w, const cJSON *m)
{
	const cJSON *layers = cJSON_GetObjectItemCaseSensitive(m, "layers");
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(m, "config");
	const cJSON *subject = cJSON_GetObjectItemCaseSensitive(m, "subject");
	const char *at = sjson_str(m, "artifactType");
	if (!at && cfg) at = sjson_str(cfg, "mediaType");
	if (!cJSON_IsArray(layers)) return; /* not a signature manifest */
	int linked = w->linked;
	if (subject) {
		const char *sd = sjson_str(subject, "digest");
		if (!sd || strcmp(sd, x->t->manifest_digest.str) != 0)
			return; /* another artifact's referrer */
		linked = 1;
	}
	int is_notary = at && !strcmp(at, AT_NOTARY);
	int is_bundle = at && !strncmp(at, AT_BUNDLE_PREFIX, strlen(AT_BUNDLE_PREFIX));
	if (is_notary || is_bundle) {
		if (!linked) return;
		struct sig_result *r = new_result(x, &w->d);
		if (!r) return;
		snprintf(r->kind, sizeof r->kind, is_notary ? "notation" : "sigstore-bundle");
		if (!subject) {
			sig_refuse(r, "signature.malformed", "signature manifest has no subject");
			return;
		}
		if (cJSON_GetArraySize(layers) != 1) {
			sig_refuse(r, "signature.malformed",
			           "signature manifest must have exactly one layer");
			return;
		}
		const char *lmt = sjson_str(layers->child, "mediaType");
		digest_t d;
		if (!lmt || !layer_digest(layers->child, &d)) {
			sig_refuse(r, "signature.malformed",
			           "signature layer lacks mediaType or digest");
			return;
		}
		if (is_notary && !strcmp(lmt, MT_COSE)) {
			sig_refuse(r, "signature.unsupported_envelope",
			           "COSE envelopes are not verified by this version");
			return;
		}
		if ((is_notary && strcmp(lmt, MT_JWS) != 0) ||
		    (is_bundle && strncmp(lmt, AT_BUNDLE_PREFIX, strlen(AT_BUNDLE_PREFIX)))) {
			sig_refuse(r, "signature.unsupported_envelope",
			           "signature layer of type \"%.80s\"", lmt);
			return;
		}
		if (is_notary && (!x->acc.rule ? !x->acc.pol || !x->acc.pol->notation
		                               : !x->acc.rule->notation)) {
			sig_refuse(r, "signature.wrong_key",
			           "Notary Project signature, and the policy does not accept "
			           "notation here");
			return;
		}
		char *env = NULL;
		size_t elen;
		if (read_blob(x, &d, SIG_MAX_ENVELOPE, &env, &elen, r) < 0) return;
		if (is_notary) notation_verify_jws(&x->acc, &x->subj, env, elen, r);
		else bundle_verify(&x->acc, &x->subj, env, elen, r);
		free(env);
		return;
	}
	/* cosign legacy: the .sig tag, or a cosign save "sigs" entry */
	int has_ss = 0;
	for (const cJSON *l = layers->child; l; l = l->next) {
		const char *mt = sjson_str(l, "mediaType");
		if (mt && !strcmp(mt, MT_SIMPLESIGNING)) has_ss = 1;
	}
	if (has_ss) {
		struct work lw = *w;
		lw.linked = linked; /* a referrer by subject is linked too */
		do_cosign(x, &lw, layers);
	}
}

void sig_result_record(const struct sig_result *r, const char *where, struct image_signature *s)
{
	model_set_str(&s->kind, r->kind[0] ? r->kind : "unknown");
	model_set_str(&s->manifest, where);
	s->verified = r->refusal == NULL && !r->skipped;
	if (r->signer[0]) model_set_str(&s->signer, r->signer);
	if (r->refusal) model_set_str(&s->refusal, r->refusal);
	if (r->msg[0]) model_set_str(&s->message, r->msg);
	if (r->tlog[0]) model_set_str(&s->tlog, r->tlog);
	if (r->signed_at_ms) {
		char ts[32];
		rfc3339_format(r->signed_at_ms, ts, sizeof ts);
		model_set_str(&s->signed_at, ts);
	}
	if (r->logged[0]) model_set_str(&s->logged, r->logged);
	if (r->ts_skipped[0]) model_set_str(&s->timestamps_skipped, r->ts_skipped);
}

/* Result i into the image's signatures (the model renders them). */
static void add_signature(struct run *x, struct image *img, int i)
{
	sig_result_record(&x->res[i], x->where[i], image_add_signature(img));
}

static void add_finding(struct run *x, const struct pol_rule *rule, const char *id,
                        const char *subject, const char *msg)
{
	cJSON *f;
	if (rule->mode == POL_AUDIT) {
		f = report_finding(x->rep, "signature.audit", subject,
		                   "%s (audit mode: reported, not enforced)", msg);
		if (f) cJSON_AddStringToObject(f, "refusal", id);
	} else {
		f = report_finding(x->rep, id, subject, "%s", msg);
	}
	if (!f) return;
	cJSON_AddStringToObject(f, "image", x->t->manifest_digest.str);
	if (x->t->nnames > 0 && x->t->names[0]) cJSON_AddStringToObject(f, "name", x->t->names[0]);
	if (x->t->store_label) cJSON_AddStringToObject(f, "store", x->t->store_label);
}

/* The target manifest's mediaType (for notation's targetArtifact), "" when
 * unknown. */
static void target_media_type(const struct sig_target *t, char *out, size_t n)
{
	out[0] = '\0';
	if (!t->manifest) return;
	ea_error_t err;
	cleanup_cjson cJSON *m = sjson_parse(t->manifest, t->manifest_len, &err);
	const char *mt = m ? sjson_str(m, "mediaType") : NULL;
	if (mt) snprintf(out, n, "%s", mt);
}

/* ---- 1. a candidate becomes work: indexes (referrers-tag, cosign save)
 * are expanded one level; another image's signature tag is not ours ---- */
static void add_candidate(struct run *x, const struct sig_candidate *c)
{
	const struct sig_target *t = x->t;
	if (digest_equal(&c->digest, &t->manifest_digest)) return;
	int linked = expected_tag(x, c->tag, ".sig") || expected_tag(x, c->tag, "");
	if (c->tag && !linked && (!strncmp(c->tag, "sha256-", 7) || !strncmp(c->tag, "sha512-", 7)))
		return; /* another image's signature tag */
	int is_index = c->media_type &&
	               (!strcmp(c->media_type, MT_INDEX) || !strcmp(c->media_type, MT_DOCKER_LIST));
	if (!is_index) {
		push_work(x, &c->digest, c->tag, linked);
		return;
	}
	cleanup_free char *data = NULL;
	size_t len;
	if (read_blob(x, &c->digest, SIG_MAX_MANIFEST, &data, &len, NULL) < 0) return;
	ea_error_t err;
	cleanup_cjson cJSON *j = sjson_parse(data, len, &err);
	const cJSON *ms = j ? cJSON_GetObjectItemCaseSensitive(j, "manifests") : NULL;
	for (const cJSON *d = cJSON_IsArray(ms) ? ms->child : NULL; d; d = d->next) {
		digest_t dd;
		if (!layer_digest(d, &dd) || digest_equal(&dd, &t->manifest_digest)) continue;
		push_work(x, &dd, c->tag, linked);
	}
}

/* ---- 2. a signature manifest to its verifier; one the store links to the
 * target that cannot be read is a refused signature ---- */
static void check_work(struct run *x, const struct work *w)
{
	cleanup_free char *data = NULL;
	size_t len;
	struct sig_result tmp = {0};
	if (read_blob(x, &w->d, SIG_MAX_MANIFEST, &data, &len, &tmp) < 0) {
		if (w->linked) {
			struct sig_result *r = new_result(x, &w->d);
			if (r) *r = tmp;
		}
		return;
	}
	ea_error_t err;
	cleanup_cjson cJSON *m = sjson_parse(data, len, &err);
	if (m && cJSON_IsObject(m)) {
		do_manifest(x, w, m);
		return;
	}
	if (w->linked) {
		struct sig_result *r = new_result(x, &w->d);
		if (r)
			sig_refuse(r, "signature.malformed", "signature manifest: %s",
			           m ? "not an object" : err.msg);
	}
}

/* Verified: failures the notation trust policy only logs are findings. */
static void report_logged(struct run *x)
{
	for (int i = 0; i < x->nres; i++)
		if (!x->res[i].refusal && x->res[i].logged[0]) {
			cJSON *f = report_finding(
			        x->rep, "signature.notation_logged", x->where[i],
			        "Notary Project checks the trust policy only logs failed: %.400s",
			        x->res[i].logged);
			if (f) cJSON_AddStringToObject(f, "image", x->t->manifest_digest.str);
		}
}

/* Not verified: every refusal, then the missing signature itself. */
static void report_refused(struct run *x, const struct pol_rule *rule, int n_real)
{
	const struct sig_target *t = x->t;
	for (int i = 0; i < x->nres; i++)
		if (x->res[i].refusal && !x->res[i].skipped)
			add_finding(x, rule, x->res[i].refusal, x->where[i], x->res[i].msg);
	char msg[400];
	snprintf(msg, sizeof msg, "%.120s (%s) must be signed per policy: %s%s",
	         t->nnames > 0 && t->names[0] ? t->names[0] : "unnamed image",
	         t->manifest_digest.str, n_real ? "no signature verified" : "no signature found",
	         x->nres && !n_real ? " (the notation trust policy skips it)" : "");
	add_finding(x, rule, "signature.missing", t->manifest_digest.str, msg);
}

/* ---- 3. the verdict: the image's "signatures" array, and what the rule
 * makes of the results (1 verified, 0 not required, -1 refused, -2 audit) ---- */
static int judge(struct run *x, const struct pol_rule *rule)
{
	int verified = 0, n_real = 0, rc;
	for (int i = 0; i < x->nres; i++) {
		if (!x->res[i].refusal && !x->res[i].skipped) verified = 1;
		if (!x->res[i].skipped) n_real++;
	}
	if (x->t->image) {
		x->t->image->has_signatures = 1;
		for (int i = 0; i < x->nres; i++) add_signature(x, x->t->image, i);
	}
	if (!rule || !rule->require) {
		rc = 0;
	} else if (verified) {
		rc = 1;
		report_logged(x);
	} else {
		rc = rule->mode == POL_AUDIT ? -2 : -1; /* audit: reported, never enforced */
		report_refused(x, rule, n_real);
	}
	if (x->truncated && rule && rule->require && rc != 1)
		report_finding(x->rep, "signature.too_many", x->t->manifest_digest.str,
		               "more than %d signatures or layers: the rest were not checked",
		               SIG_MAX_SIGS);
	return rc;
}

/* The manifest's SHA-384 and SHA-512 (P-384 / P-521 signatures over it). */
static void subject_more_hashes(struct sig_subject *s, const char *data, size_t len)
{
	if (!data) return;
	s->has_sha384 = mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA384),
	                           (const unsigned char *)data, len, s->sha384) == 0;
	s->has_sha512 = mbedtls_md(mbedtls_md_info_from_type(MBEDTLS_MD_SHA512),
	                           (const unsigned char *)data, len, s->sha512) == 0;
}

int sig_verify_image(report_t *rep, const struct sig_policy *pol, struct blobsrc *src,
                     const struct sig_candidate *cands, int ncands, const struct sig_target *t)
{
	cleanup_free struct run *x = xcalloc(1, sizeof *x);
	const struct pol_rule *rule = policy_rule_for(pol, t->names, t->nnames);
	char target_mt[128];
	target_media_type(t, target_mt, sizeof target_mt);
	x->rep = rep;
	x->src = src;
	x->t = t;
	x->acc = (struct sig_accept){.pol = pol, .rule = rule};
	x->subj = (struct sig_subject){
	        .digest = t->manifest_digest,
	        .size = t->manifest ? (int64_t)t->manifest_len : -1,
	        .media_type = target_mt[0] ? target_mt : NULL,
	        .names = t->names,
	        .nnames = t->nnames,
	};
	subject_more_hashes(&x->subj, t->manifest, t->manifest_len);

	for (int i = 0; i < ncands && i < SIG_MAX_SIGS; i++) add_candidate(x, &cands[i]);
	for (int i = 0; i < x->nw; i++) check_work(x, &x->w[i]);
	return judge(x, rule);
}
