/* policy_notation: notation's own trustpolicy.json and trust store
 * (notaryproject/specifications trust-store-trust-policy.md), validated
 * the way the specification requires: a policy that notation would refuse
 * is refused here too, at load time, never read as something weaker.
 *
 * Trust store layout: <store>/x509/{ca,signingAuthority,tsa}/<name>/<file>
 * with files *.pem, *.crt, *.cer (PEM or DER).  Links are refused (the
 * specification forbids them), sub-folders are ignored. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <mbedtls/oid.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsx.h"
#include "sig_int.h"
#include "x509util.h"

#define NT_MAX_STATEMENTS  128
#define NT_MAX_STORE_FILES 256

/* ---------------------------------------------------------------- DN parsing */

struct dn_attr {
	char type[24];
	char value[256];
};

/* Parse "C=US, ST=WA, O=x\, y" into attrs (RFC 4514-style escapes the spec
 * lists: "\,", "\;", "\\", "\ " at the ends).  Returns the count, -1 if bad. */
static int dn_parse(const char *s, struct dn_attr *a, int max)
{
	int n = 0;
	while (*s) {
		if (n == max) return -1;
		while (*s == ' ') s++;
		const char *eq = strchr(s, '=');
		if (!eq || eq == s) return -1;
		size_t tl = (size_t)(eq - s);
		while (tl && s[tl - 1] == ' ') tl--;
		if (tl == 0 || tl >= sizeof a[n].type) return -1;
		memcpy(a[n].type, s, tl);
		a[n].type[tl] = '\0';
		s = eq + 1;
		while (*s == ' ') s++;
		size_t vl = 0, last_escaped = 0;
		while (*s && *s != ',') {
			char c = *s++;
			if (c == '\\') {
				if (!*s) return -1;
				c = *s++;
				last_escaped = vl + 1;
			}
			if (vl + 1 >= sizeof a[n].value) return -1;
			a[n].value[vl++] = c;
		}
		/* Trailing spaces are not part of the value unless escaped. */
		while (vl > last_escaped && a[n].value[vl - 1] == ' ') vl--;
		a[n].value[vl] = '\0';
		if (vl == 0) return -1;
		for (int i = 0; i < n; i++)
			if (!strcmp(a[i].type, a[n].type)) return -1; /* one value per attribute */
		n++;
		if (*s == ',') {
			s++;
			if (!*s) return -1;
		}
	}
	return n;
}

static int identity_attrs(const char *identity, struct dn_attr *a, int max)
{
	static const char pre[] = "x509.subject:";
	if (strncmp(identity, pre, sizeof pre - 1) != 0) return -1;
	return dn_parse(identity + sizeof pre - 1, a, max);
}

static int has_type(const struct dn_attr *a, int n, const char *t)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(a[i].type, t)) return 1;
	return 0;
}

/* A is covered by B: every attribute of A is in B with the same value. */
static int dn_subset(const struct dn_attr *a, int na, const struct dn_attr *b, int nb)
{
	for (int i = 0; i < na; i++) {
		int ok = 0;
		for (int k = 0; k < nb; k++)
			if (!strcmp(a[i].type, b[k].type) && !strcmp(a[i].value, b[k].value))
				ok = 1;
		if (!ok) return 0;
	}
	return 1;
}

int notation_identity_match(const char *identity, const mbedtls_x509_crt *c)
{
	struct dn_attr want[16];
	int nw = identity_attrs(identity, want, 16);
	if (nw <= 0) return 0;
	struct dn_attr have[32];
	int nh = 0;
	for (const mbedtls_x509_name *n = &c->subject; n && n->oid.p && nh < 32; n = n->next) {
		const char *sn = NULL;
		if (mbedtls_oid_get_attr_short_name(&n->oid, &sn) != 0 || !sn) continue;
		if (n->val.len >= sizeof have[nh].value) continue;
		snprintf(have[nh].type, sizeof have[nh].type, "%s", sn);
		memcpy(have[nh].value, n->val.p, n->val.len);
		have[nh].value[n->val.len] = '\0';
		/* A DN with the same attribute twice cannot be matched unambiguously. */
		for (int i = 0; i < nh; i++)
			if (!strcmp(have[i].type, have[nh].type)) return 0;
		nh++;
	}
	return dn_subset(want, nw, have, nh);
}

/* ---------------------------------------------------------------- trust store */

static int has_cert_ext(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && (!strcmp(name + n - 4, ".pem") || !strcmp(name + n - 4, ".crt") ||
	                 !strcmp(name + n - 4, ".cer"));
}

static int load_store(int root_fd, struct nt_store *s, ea_error_t *err)
{
	char rel[200];
	snprintf(rel, sizeof rel, "x509/%s/%s", s->type, s->name);
	int dfd = fsx_open_dir_at(root_fd, rel, err);
	if (dfd < 0) return -1;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return ea_fail_errno(err, errno, "cannot list trust store %s", rel);
	}
	/* Sorted names would not change the result: every certificate is a root. */
	struct dirent *e;
	int files = 0, rc = 0;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.') continue;
		struct stat st;
		if (fsx_lstat_at(dirfd(d), e->d_name, &st, err) < 0) {
			rc = -1;
			break;
		}
		if (S_ISDIR(st.st_mode)) continue; /* sub-folders are ignored (spec) */
		if (S_ISLNK(st.st_mode)) {
			rc = ea_fail(err, EA_E_SYMLINK,
			             "trust store %s: %s is a link (not allowed)", rel, e->d_name);
			break;
		}
		if (!has_cert_ext(e->d_name)) continue;
		if (++files > NT_MAX_STORE_FILES) {
			rc = ea_fail(err, EA_E_TOOBIG, "trust store %s: too many files", rel);
			break;
		}
		char *data = NULL;
		size_t len;
		if (fsx_read_file_at(dirfd(d), e->d_name, SIG_MAX_CERT * 4, &data, &len, err) < 0) {
			rc = -1;
			break;
		}
		int cnt = 0;
		mbedtls_x509_crt tmp;
		mbedtls_x509_crt_init(&tmp);
		if (x509_parse_any(&tmp, (unsigned char *)data, len, &cnt, err) < 0) {
			char m[sizeof err->msg];
			snprintf(m, sizeof m, "%s", err ? err->msg : "");
			rc = ea_fail(err, EA_E_FORMAT, "trust store %s/%s: %s", rel, e->d_name, m);
		}
		for (mbedtls_x509_crt *c = &tmp; rc == 0 && c && c->raw.len; c = c->next) {
			/* Roots only: a CA certificate or a self-signed leaf (the spec
			 * discourages pinning intermediates; notation refuses leaves). */
			if (mbedtls_x509_crt_get_ca_istrue(c) != 1 && !x509_is_self_signed(c)) {
				rc = ea_fail(err, EA_E_FORMAT,
				             "trust store %s/%s holds a certificate that is "
				             "neither a CA nor self-signed",
				             rel, e->d_name);
				break;
			}
			if (x509_parse_der(&s->certs, c->raw.p, c->raw.len, err) < 0) rc = -1;
			else s->ncerts++;
		}
		mbedtls_x509_crt_free(&tmp);
		free(data);
	}
	closedir(d);
	if (rc == 0 && s->ncerts == 0)
		rc = ea_fail(err, EA_E_NOENT, "trust store %s holds no certificate", rel);
	return rc;
}

/* ---------------------------------------------------------------- trust policy */

static int parse_enforce(const char *v, int allow_skip, int *out)
{
	if (!strcmp(v, "enforce")) *out = NV_ENFORCE;
	else if (!strcmp(v, "log")) *out = NV_LOG;
	else if (allow_skip && !strcmp(v, "skip")) *out = NV_SKIP;
	else return -1;
	return 0;
}

/* ---- 1. known members and a name ---- */
static int statement_name(const cJSON *o, struct nt_statement *st, const char **name,
                          ea_error_t *err)
{
	static const char *const allowed[] = {
	        "name",        "registryScopes",    "signatureVerification",
	        "trustStores", "trustedIdentities", NULL};
	for (const cJSON *m = o->child; m; m = m->next) {
		int ok = 0;
		for (int i = 0; allowed[i]; i++)
			if (!strcmp(m->string, allowed[i])) ok = 1;
		if (!ok)
			return ea_fail(err, EA_E_FORMAT, "statement has unknown member \"%.64s\"",
			               m->string);
	}
	*name = sjson_str(o, "name");
	if (!*name || !(*name)[0] || strlen(*name) >= sizeof st->name)
		return ea_fail(err, EA_E_FORMAT, "statement without a name");
	snprintf(st->name, sizeof st->name, "%s", *name);
	return 0;
}

/* ---- 2. registry scopes: "*" alone, or registry/repository without tag,
 * digest or wildcard, each once ---- */
static int parse_scopes(const cJSON *o, struct nt_statement *st, const char *name, ea_error_t *err)
{
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "registryScopes");
	if (!cJSON_IsArray(sc) || cJSON_GetArraySize(sc) < 1 || cJSON_GetArraySize(sc) > 256)
		return ea_fail(err, EA_E_FORMAT,
		               "statement %s: registryScopes must hold at least one scope", name);
	st->scopes = xcalloc((size_t)cJSON_GetArraySize(sc), sizeof *st->scopes);
	for (const cJSON *s = sc->child; s; s = s->next) {
		if (!cJSON_IsString(s) || !s->valuestring[0])
			return ea_fail(err, EA_E_FORMAT, "statement %s: empty scope", name);
		const char *v = s->valuestring;
		if (!strcmp(v, "*")) {
			if (cJSON_GetArraySize(sc) != 1)
				return ea_fail(err, EA_E_FORMAT,
				               "statement %s: \"*\" must be the only scope", name);
			st->global = 1;
		} else if (strchr(v, '*') || !strchr(v, '/') || strchr(v, '@') ||
		           (strrchr(v, ':') && strrchr(v, ':') > strrchr(v, '/'))) {
			return ea_fail(err, EA_E_FORMAT,
			               "statement %s: invalid registry scope \"%.100s\"", name, v);
		}
		for (int i = 0; i < st->nscopes; i++)
			if (!strcmp(st->scopes[i], v)) /* notation: "present in multiple trust
			                                  policy statements" */
				return ea_fail(err, EA_E_FORMAT,
				               "statement %s: registry scope %.100s listed twice",
				               name, v);
		st->scopes[st->nscopes++] = xstrdup(v);
	}
	return 0;
}

/* ---- 3. signatureVerification: the level, verifyTimestamp, no other
 * member than those and override ---- */
static int parse_level(const cJSON *sv, struct nt_statement *st, const char *name, ea_error_t *err)
{
	const char *level = sv ? sjson_str(sv, "level") : NULL;
	if (!level)
		return ea_fail(err, EA_E_FORMAT,
		               "statement %s: signatureVerification.level missing", name);
	snprintf(st->level, sizeof st->level, "%s", level);
	if (!strcmp(level, "strict")) {
		st->authenticity = st->authentic_timestamp = st->expiry = st->revocation =
		        NV_ENFORCE;
	} else if (!strcmp(level, "permissive")) {
		st->authenticity = NV_ENFORCE;
		st->authentic_timestamp = st->expiry = st->revocation = NV_LOG;
	} else if (!strcmp(level, "audit")) {
		st->authenticity = st->authentic_timestamp = st->expiry = st->revocation = NV_LOG;
	} else if (!strcmp(level, "skip")) {
		st->skip = 1;
	} else {
		return ea_fail(err, EA_E_FORMAT, "statement %s: unknown level \"%.32s\"", name,
		               level);
	}
	/* verifyTimestamp (notation 1.3): "always" (the default) or "afterCertExpiry" */
	const cJSON *vt = cJSON_GetObjectItemCaseSensitive(sv, "verifyTimestamp");
	if (vt) {
		if (cJSON_IsString(vt) && !strcmp(vt->valuestring, "afterCertExpiry"))
			st->ts_after_expiry = 1;
		else if (!cJSON_IsString(vt) || strcmp(vt->valuestring, "always"))
			return ea_fail(err, EA_E_FORMAT,
			               "statement %s: verifyTimestamp must be \"always\" or "
			               "\"afterCertExpiry\"",
			               name);
	}
	for (const cJSON *m = sv->child; m; m = m->next)
		if (strcmp(m->string, "level") && strcmp(m->string, "override") &&
		    strcmp(m->string, "verifyTimestamp"))
			return ea_fail(
			        err, EA_E_FORMAT,
			        "statement %s: signatureVerification has unknown member \"%.64s\"",
			        name, m->string);
	return 0;
}

/* ---- 4. overrides of the level, one validation each ---- */
static int parse_overrides(const cJSON *sv, struct nt_statement *st, const char *name,
                           ea_error_t *err)
{
	const cJSON *ov = cJSON_GetObjectItemCaseSensitive(sv, "override");
	if (!ov) return 0;
	if (st->skip)
		return ea_fail(err, EA_E_FORMAT, "statement %s: level skip cannot be overridden",
		               name);
	if (!cJSON_IsObject(ov))
		return ea_fail(err, EA_E_FORMAT, "statement %s: override is not an object", name);
	for (const cJSON *m = ov->child; m; m = m->next) {
		const char *v = cJSON_IsString(m) ? m->valuestring : "";
		int *slot = !strcmp(m->string, "authenticity")         ? &st->authenticity
		            : !strcmp(m->string, "authenticTimestamp") ? &st->authentic_timestamp
		            : !strcmp(m->string, "expiry")             ? &st->expiry
		            : !strcmp(m->string, "revocation")         ? &st->revocation
		                                                       : NULL;
		if (!slot)
			return ea_fail(err, EA_E_FORMAT,
			               "statement %s: \"%.32s\" cannot be overridden", name,
			               m->string);
		if (parse_enforce(v, slot == &st->revocation, slot) < 0)
			return ea_fail(err, EA_E_FORMAT,
			               "statement %s: override %s has invalid value \"%.16s\"",
			               name, m->string, v);
	}
	return 0;
}

/* One trust store "type:name": shared by the statements that name it,
 * loaded the first time. */
static int statement_store(const char *v, struct notation_cfg *c, struct nt_statement *st,
                           int root_fd, const char *name, ea_error_t *err)
{
	const char *colon = strchr(v, ':');
	if (!colon || colon == v || !colon[1] || strlen(colon + 1) >= 128 ||
	    strchr(colon + 1, '/') || !strcmp(colon + 1, ".") || !strcmp(colon + 1, ".."))
		return ea_fail(err, EA_E_FORMAT, "statement %s: invalid trust store \"%.64s\"",
		               name, v);
	char type[24];
	snprintf(type, sizeof type, "%.*s", (int)(colon - v), v);
	if (strcmp(type, "ca") && strcmp(type, "signingAuthority") && strcmp(type, "tsa"))
		return ea_fail(err, EA_E_FORMAT, "statement %s: unknown trust store type \"%s\"",
		               name, type);
	struct nt_store *found = NULL;
	for (int i = 0; i < c->nstores; i++)
		if (!strcmp(c->stores[i].type, type) && !strcmp(c->stores[i].name, colon + 1))
			found = &c->stores[i];
	if (!found) {
		/* stores is preallocated (see notation_policy_parse): pointers stay valid */
		found = &c->stores[c->nstores++];
		snprintf(found->type, sizeof found->type, "%s", type);
		snprintf(found->name, sizeof found->name, "%s", colon + 1);
		mbedtls_x509_crt_init(&found->certs);
		if (load_store(root_fd, found, err) < 0) return -1;
	}
	for (int i = 0; i < st->nstores; i++)
		if (st->stores[i] == found)
			return 0; /* listed twice: notation does not object, neither do we */
	st->stores[st->nstores++] = found;
	return 0;
}

/* A trusted identity (the k-th): a DN with C, ST and O that overlaps none
 * of the ones before it. */
static int trusted_identity(const char *v, int k, struct dn_attr (*parsed)[16], int *np,
                            const char *name, ea_error_t *err)
{
	np[k] = identity_attrs(v, parsed[k], 16);
	if (np[k] <= 0)
		return ea_fail(err, EA_E_FORMAT,
		               "statement %s: malformed trusted identity \"%.100s\"", name, v);
	if (!has_type(parsed[k], np[k], "C") || !has_type(parsed[k], np[k], "ST") ||
	    !has_type(parsed[k], np[k], "O"))
		return ea_fail(err, EA_E_FORMAT,
		               "statement %s: trusted identity \"%.100s\" lacks C, ST or O", name,
		               v);
	for (int i = 0; i < k; i++)
		if (dn_subset(parsed[i], np[i], parsed[k], np[k]) ||
		    dn_subset(parsed[k], np[k], parsed[i], np[i]))
			return ea_fail(err, EA_E_FORMAT,
			               "statement %s: overlapping trusted identities", name);
	return 0;
}

static int trusted_identities(const cJSON *ti, int nti, struct nt_statement *st, const char *name,
                              ea_error_t *err)
{
	st->identities = xcalloc((size_t)nti, sizeof *st->identities);
	cleanup_free struct dn_attr(*parsed)[16] = xcalloc((size_t)nti, sizeof *parsed);
	cleanup_free int *np = xcalloc((size_t)nti, sizeof *np);
	for (const cJSON *s = ti->child; s; s = s->next) {
		const char *v = cJSON_IsString(s) ? s->valuestring : "";
		if (!strcmp(v, "*")) {
			st->any_identity = 1;
			if (nti != 1)
				return ea_fail(
				        err, EA_E_FORMAT,
				        "statement %s: \"*\" must be the only trusted identity",
				        name);
		} else if (trusted_identity(v, st->nidentities, parsed, np, name, err) < 0) {
			return -1;
		}
		st->identities[st->nidentities++] = xstrdup(v);
	}
	return 0;
}

/* ---- 5. trust stores and trusted identities: none for level skip, else
 * both ---- */
static int parse_trust(const cJSON *o, struct notation_cfg *c, struct nt_statement *st, int root_fd,
                       const char *name, ea_error_t *err)
{
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(o, "trustStores");
	const cJSON *ti = cJSON_GetObjectItemCaseSensitive(o, "trustedIdentities");
	if ((ts && !cJSON_IsArray(ts)) || (ti && !cJSON_IsArray(ti)))
		return ea_fail(err, EA_E_FORMAT,
		               "statement %s: trustStores and trustedIdentities must be arrays",
		               name);
	int nts = ts ? cJSON_GetArraySize(ts) : 0, nti = ti ? cJSON_GetArraySize(ti) : 0;
	if (st->skip) {
		if (nts || nti)
			return ea_fail(err, EA_E_FORMAT,
			               "statement %s: level skip with trust stores or identities",
			               name);
		return 0;
	}
	if (nts == 0 || nti == 0 || nts > 32 || nti > 64)
		return ea_fail(err, EA_E_FORMAT,
		               "statement %s: needs trust stores and trusted identities", name);
	st->stores = xcalloc((size_t)nts, sizeof *st->stores);
	for (const cJSON *s = ts->child; s; s = s->next)
		if (statement_store(cJSON_IsString(s) ? s->valuestring : "", c, st, root_fd, name,
		                    err) < 0)
			return -1;
	return trusted_identities(ti, nti, st, name, err);
}

/* One trust policy statement, in the specification's order. */
static int parse_statement(const cJSON *o, struct notation_cfg *c, struct nt_statement *st,
                           int root_fd, ea_error_t *err)
{
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(o, "signatureVerification");
	const char *name = NULL;
	if (statement_name(o, st, &name, err) < 0) return -1;
	if (parse_scopes(o, st, name, err) < 0) return -1;
	if (parse_level(sv, st, name, err) < 0) return -1;
	if (parse_overrides(sv, st, name, err) < 0) return -1;
	return parse_trust(o, c, st, root_fd, name, err);
}

int notation_policy_parse(const char *json, size_t len, int root_fd, struct notation_cfg **out,
                          ea_error_t *err)
{
	*out = NULL;
	cJSON *j = sjson_parse(json, len, err);
	if (!j) return -1;
	struct notation_cfg *c = xcalloc(1, sizeof *c);
	int rc = -1;
	const char *ver = sjson_str(j, "version");
	const cJSON *tp = cJSON_GetObjectItemCaseSensitive(j, "trustPolicies");
	if (!ver || strcmp(ver, "1.0") != 0) {
		ea_fail(err, EA_E_FORMAT, "version must be \"1.0\"");
	} else if (!cJSON_IsArray(tp) || cJSON_GetArraySize(tp) < 1 ||
	           cJSON_GetArraySize(tp) > NT_MAX_STATEMENTS) {
		ea_fail(err, EA_E_FORMAT, "trustPolicies must hold 1 to %d statements",
		        NT_MAX_STATEMENTS);
	} else {
		int n = cJSON_GetArraySize(tp);
		c->st = xcalloc((size_t)n, sizeof *c->st);
		c->stores =
		        xcalloc((size_t)n * 32, sizeof *c->stores); /* at most 32 per statement */
		rc = 0;
		for (const cJSON *s = tp->child; s && rc == 0; s = s->next) {
			if (!cJSON_IsObject(s)) {
				rc = ea_fail(err, EA_E_FORMAT, "a statement is not an object");
				break;
			}
			struct nt_statement *st = &c->st[c->nst++];
			rc = parse_statement(s, c, st, root_fd, err);
			for (int i = 0; rc == 0 && i < c->nst - 1; i++) {
				if (!strcmp(c->st[i].name, st->name))
					rc = ea_fail(err, EA_E_FORMAT, "two statements named %s",
					             st->name);
				if (rc == 0 && c->st[i].global && st->global)
					rc = ea_fail(
					        err, EA_E_FORMAT,
					        "more than one statement with the global scope");
				for (int a = 0; rc == 0 && a < c->st[i].nscopes; a++)
					for (int b = 0; rc == 0 && b < st->nscopes; b++)
						if (!c->st[i].global &&
						    !strcmp(c->st[i].scopes[a], st->scopes[b]))
							rc = ea_fail(err, EA_E_FORMAT,
							             "registry scope %s is in two "
							             "statements",
							             st->scopes[b]);
			}
		}
	}
	cJSON_Delete(j);
	if (rc < 0) {
		notation_cfg_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void notation_cfg_free(struct notation_cfg *c)
{
	if (!c) return;
	for (int i = 0; i < c->nst; i++) {
		for (int k = 0; k < c->st[i].nscopes; k++) free(c->st[i].scopes[k]);
		free(c->st[i].scopes);
		for (int k = 0; k < c->st[i].nidentities; k++) free(c->st[i].identities[k]);
		free(c->st[i].identities);
		free(c->st[i].stores);
	}
	free(c->st);
	for (int i = 0; i < c->nstores; i++) mbedtls_x509_crt_free(&c->stores[i].certs);
	free(c->stores);
	free(c);
}

const struct nt_statement *notation_select(const struct notation_cfg *c, const char *const *repos,
                                           int nrepos)
{
	if (!c) return NULL;
	for (int i = 0; i < c->nst; i++)
		for (int k = 0; k < c->st[i].nscopes; k++)
			for (int r = 0; r < nrepos; r++)
				if (!c->st[i].global && !strcmp(c->st[i].scopes[k], repos[r]))
					return &c->st[i];
	for (int i = 0; i < c->nst; i++)
		if (c->st[i].global) return &c->st[i];
	return NULL;
}
