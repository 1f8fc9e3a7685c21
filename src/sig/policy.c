/* policy: edgeaudit's signature policy (README "Signature policy",
 * tests/policy.schema.json) and the trust inputs it names.
 *
 * The document is validated here as strictly as the schema does: unknown
 * members, a rule naming a key or identity that is not declared, an empty
 * signer list on a rule that requires signatures: each is a configuration
 * error (EA_E_USAGE), never a silently weaker policy. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "digest.h"
#include "fsx.h"
#include "sig_int.h"
#include "x509util.h"

#define POLICY_SCHEMA "edgeaudit/signature-policy/v1"

/* Prefix err's message with where the error was met. */
static void err_prefix(ea_error_t *err, const char *fmt, const char *a, const char *b)
{
	if (!err) return;
	char m[sizeof err->msg], pre[160];
	snprintf(m, sizeof m, "%s", err->msg);
	snprintf(pre, sizeof pre, fmt, a, b);
	snprintf(err->msg, sizeof err->msg, "%.150s: %.100s", pre, m);
}

int config_open(const char *path, ea_error_t *err)
{
	/* The user's own file: links in its path are the user's choice; a FIFO
	 * must not block us and a device is not a policy. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) return ea_fail_errno(err, errno, "cannot open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ea_fail(err, EA_E_NOTREG, "%s is not a regular file", path);
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0) fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

int config_read(const char *path, size_t max, char **data, size_t *len, ea_error_t *err)
{
	int fd = config_open(path, err);
	if (fd < 0) return -1;
	int rc = fsx_read_fd(fd, max, data, len, err);
	close(fd);
	if (rc < 0) {
		err_prefix(err, "%s%s", path, "");
		return -1;
	}
	return 0;
}

struct sig_policy *sig_policy_new(void)
{
	struct sig_policy *p = xcalloc(1, sizeof *p);
	p->now_ms = (int64_t)time(NULL) * 1000;
	return p;
}

void sig_policy_set_now(struct sig_policy *p, int64_t now_ms) { p->now_ms = now_ms; }

static char *join_path(const char *base, const char *rel)
{
	if (rel[0] == '/' || !base || !*base) return xstrdup(rel);
	return xasprintf("%s/%s", base, rel);
}

static int load_key_data(struct pol_key *k, const char *name, const unsigned char *pem, size_t len,
                         ea_error_t *err)
{
	snprintf(k->name, sizeof k->name, "%s", name);
	pubkey_init(&k->key);
	if (pubkey_parse(&k->key, pem, len, err) < 0) return -1;
	unsigned char buf[4096];
	const unsigned char *der;
	int dl = pubkey_spki_der(&k->key, buf, sizeof buf, &der);
	if (dl < 0) return ea_fail(err, EA_E_FORMAT, "key %s cannot be re-encoded", name);
	digest_t d;
	digest_buffer(DIGEST_SHA256, der, (size_t)dl, &d);
	memcpy(k->spki_sha256, d.bytes, 32);
	return 0;
}

int policy_add_key_pem(struct sig_policy *p, const char *name, const unsigned char *pem, size_t len,
                       ea_error_t *err)
{
	p->keys = xrealloc(p->keys, (size_t)(p->nkeys + 1) * sizeof *p->keys);
	struct pol_key *k = &p->keys[p->nkeys];
	memset(k, 0, sizeof *k);
	if (load_key_data(k, name, pem, len, err) < 0) {
		pubkey_free(&k->key);
		return -1;
	}
	p->nkeys++;
	return 0;
}

static int load_key_file(struct sig_policy *p, const char *name, const char *path, ea_error_t *err)
{
	char *data = NULL;
	size_t len;
	if (config_read(path, SIG_MAX_CERT, &data, &len, err) < 0) return -1;
	int rc = policy_add_key_pem(p, name, (unsigned char *)data, len, err);
	free(data);
	if (rc < 0) err_prefix(err, "key %s (%s)", name, path);
	return rc;
}

static int load_troot(struct sig_policy *p, const char *path, ea_error_t *err)
{
	char *data = NULL;
	size_t len;
	if (config_read(path, SIG_MAX_CONFIG, &data, &len, err) < 0) return -1;
	int rc = troot_parse(data, len, &p->troot, err);
	free(data);
	if (rc < 0) err_prefix(err, "trusted root %s%s", path, "");
	return rc;
}

static int load_notation(struct sig_policy *p, const char *tp_path, const char *store_path,
                         ea_error_t *err)
{
	char *data = NULL;
	size_t len;
	if (config_read(tp_path, SIG_MAX_CONFIG, &data, &len, err) < 0) return -1;
	int fd = fsx_open_root(store_path, err);
	if (fd < 0) {
		free(data);
		return -1;
	}
	int rc = notation_policy_parse(data, len, fd, &p->notation, err);
	close(fd);
	free(data);
	if (rc < 0) err_prefix(err, "notation trust policy %s%s", tp_path, "");
	return rc;
}

static int only_members(const cJSON *o, const char *const *allowed, const char *what,
                        ea_error_t *err)
{
	for (const cJSON *m = o->child; m; m = m->next) {
		int ok = 0;
		for (int i = 0; allowed[i]; i++)
			if (!strcmp(m->string, allowed[i])) ok = 1;
		if (!ok)
			return ea_fail(err, EA_E_USAGE, "%s: unknown member \"%.64s\"", what,
			               m->string);
	}
	return 0;
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= 64) return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

static int parse_mode(const cJSON *o, int def, int *out, const char *what, ea_error_t *err)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(o, "mode");
	if (!m) {
		*out = def;
		return 0;
	}
	if (cJSON_IsString(m) && !strcmp(m->valuestring, "enforce")) *out = POL_ENFORCE;
	else if (cJSON_IsString(m) && !strcmp(m->valuestring, "audit")) *out = POL_AUDIT;
	else return ea_fail(err, EA_E_USAGE, "%s: mode must be \"enforce\" or \"audit\"", what);
	return 0;
}

static char *opt_str(const cJSON *o, const char *key, int *bad)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v) return NULL;
	if (!cJSON_IsString(v) || !v->valuestring[0] || strlen(v->valuestring) > 1024) {
		*bad = 1;
		return NULL;
	}
	return xstrdup(v->valuestring);
}

/* ---- 1. the document: an object of known members, its schema, default
 * mode and trusted root ---- */
static int parse_top(const cJSON *j, const char *base_dir, struct sig_policy *p, int *mode,
                     ea_error_t *err)
{
	static const char *const top[] = {"schema",          "mode",     "trustedRoot", "keys",
	                                  "identities",      "notation", "images",      "$comment",
	                                  "vulnerabilities", NULL};
	const char *schema = sjson_str(j, "schema");
	const char *tr = sjson_str(j, "trustedRoot");
	if (!cJSON_IsObject(j)) return ea_fail(err, EA_E_USAGE, "policy is not a JSON object");
	if (only_members(j, top, "policy", err) < 0) return -1;
	if (!schema || strcmp(schema, POLICY_SCHEMA) != 0)
		return ea_fail(err, EA_E_USAGE, "policy: schema must be \"%s\"", POLICY_SCHEMA);
	if (parse_mode(j, POL_ENFORCE, mode, "policy", err) < 0) return -1;
	if (cJSON_GetObjectItemCaseSensitive(j, "trustedRoot") && !tr)
		return ea_fail(err, EA_E_USAGE, "policy: trustedRoot must be a path");
	if (tr) {
		cleanup_free char *path = join_path(base_dir, tr);
		if (load_troot(p, path, err) < 0) return -1;
	}
	return 0;
}

static int parse_key(const cJSON *k, const char *base_dir, struct sig_policy *p, ea_error_t *err)
{
	static const char *const km[] = {"name", "path", NULL};
	const char *name = sjson_str(k, "name"), *path = sjson_str(k, "path");
	if (!cJSON_IsObject(k)) return ea_fail(err, EA_E_USAGE, "policy: a key is not an object");
	if (only_members(k, km, "policy key", err) < 0) return -1;
	if (!name || !path || !valid_name(name))
		return ea_fail(err, EA_E_USAGE,
		               "policy: each key needs a name ([A-Za-z0-9._-]) and a path");
	for (int i = 0; i < p->nkeys; i++)
		if (!strcmp(p->keys[i].name, name))
			return ea_fail(err, EA_E_USAGE, "policy: key \"%s\" declared twice", name);
	cleanup_free char *full = join_path(base_dir, path);
	if (load_key_file(p, name, full, err) < 0) {
		if (err) err->code = EA_E_USAGE;
		return -1;
	}
	return 0;
}

/* ---- 2. keys: named public keys, each loaded ---- */
static int parse_keys(const cJSON *keys, const char *base_dir, struct sig_policy *p,
                      ea_error_t *err)
{
	if (keys && (!cJSON_IsArray(keys) || cJSON_GetArraySize(keys) > 64))
		return ea_fail(err, EA_E_USAGE, "policy: keys must be an array (at most 64)");
	for (const cJSON *k = keys ? keys->child : NULL; k; k = k->next)
		if (parse_key(k, base_dir, p, err) < 0) return -1;
	return 0;
}

static int parse_identity(const cJSON *k, struct sig_policy *p, ea_error_t *err)
{
	static const char *const im[] = {"name",   "subject",       "subjectPattern",
	                                 "issuer", "issuerPattern", NULL};
	const char *name = sjson_str(k, "name");
	if (!cJSON_IsObject(k))
		return ea_fail(err, EA_E_USAGE, "policy: an identity is not an object");
	if (only_members(k, im, "policy identity", err) < 0) return -1;
	if (!name || !valid_name(name))
		return ea_fail(err, EA_E_USAGE,
		               "policy: each identity needs a name ([A-Za-z0-9._-])");
	for (int i = 0; i < p->nidentities; i++)
		if (!strcmp(p->identities[i].name, name))
			return ea_fail(err, EA_E_USAGE, "policy: identity \"%s\" declared twice",
			               name);
	struct pol_identity *id = &p->identities[p->nidentities++];
	snprintf(id->name, sizeof id->name, "%s", name);
	int bad = 0;
	id->subject = opt_str(k, "subject", &bad);
	id->subject_pattern = opt_str(k, "subjectPattern", &bad);
	id->issuer = opt_str(k, "issuer", &bad);
	id->issuer_pattern = opt_str(k, "issuerPattern", &bad);
	/* Both halves are required: a Fulcio certificate for "any subject" or
	 * "any issuer" is something anyone with an OIDC account can get. */
	if (bad || !!id->subject == !!id->subject_pattern || !!id->issuer == !!id->issuer_pattern)
		return ea_fail(err, EA_E_USAGE,
		               "policy: identity \"%s\" needs exactly one of "
		               "subject/subjectPattern and one of issuer/issuerPattern",
		               name);
	return 0;
}

/* ---- 3. identities: Fulcio subject and issuer, each exact or a pattern ---- */
static int parse_identities(const cJSON *ids, struct sig_policy *p, ea_error_t *err)
{
	if (ids && (!cJSON_IsArray(ids) || cJSON_GetArraySize(ids) > 64))
		return ea_fail(err, EA_E_USAGE, "policy: identities must be an array (at most 64)");
	if (ids)
		p->identities = xcalloc((size_t)cJSON_GetArraySize(ids) + 1, sizeof *p->identities);
	for (const cJSON *k = ids ? ids->child : NULL; k; k = k->next)
		if (parse_identity(k, p, err) < 0) return -1;
	return 0;
}

/* ---- 4. notation: its trust policy and trust store, loaded ---- */
static int parse_notation(const cJSON *nt, const char *base_dir, struct sig_policy *p,
                          ea_error_t *err)
{
	static const char *const nm[] = {"trustPolicy", "trustStore", NULL};
	if (!nt) return 0;
	const char *tp = sjson_str(nt, "trustPolicy"), *ts = sjson_str(nt, "trustStore");
	if (!cJSON_IsObject(nt))
		return ea_fail(err, EA_E_USAGE, "policy: notation is not an object");
	if (only_members(nt, nm, "policy notation", err) < 0) return -1;
	if (!tp || !ts)
		return ea_fail(err, EA_E_USAGE,
		               "policy: notation needs trustPolicy and trustStore paths");
	cleanup_free char *tpp = join_path(base_dir, tp);
	cleanup_free char *tsp = join_path(base_dir, ts);
	if (load_notation(p, tpp, tsp, err) < 0) {
		if (err) err->code = EA_E_USAGE;
		return -1;
	}
	return 0;
}

/* An optional boolean member of a rule. */
static int rule_bool(const cJSON *k, const char *key, int def, int *out, const char *what,
                     ea_error_t *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, key);
	if (v && !cJSON_IsBool(v))
		return ea_fail(err, EA_E_USAGE, "%s: %s must be true or false", what, key);
	*out = v ? cJSON_IsTrue(v) : def;
	return 0;
}

static int parse_rule_names(const cJSON *k, struct pol_rule *r, const char *what, ea_error_t *err)
{
	const cJSON *names = cJSON_GetObjectItemCaseSensitive(k, "names");
	if (!cJSON_IsArray(names) || cJSON_GetArraySize(names) < 1 ||
	    cJSON_GetArraySize(names) > 256)
		return ea_fail(err, EA_E_USAGE, "%s: names must be an array of 1 to 256 patterns",
		               what);
	r->names = xcalloc((size_t)cJSON_GetArraySize(names), sizeof *r->names);
	for (const cJSON *n = names->child; n; n = n->next) {
		if (!cJSON_IsString(n) || !n->valuestring[0] || strlen(n->valuestring) > 512)
			return ea_fail(err, EA_E_USAGE,
			               "%s: a name pattern is not a non-empty string", what);
		r->names[r->nnames++] = xstrdup(n->valuestring);
	}
	return 0;
}

/* An optional count member of a rule (0..8). */
static int rule_count(const cJSON *k, const char *key, int def, int *out, const char *what,
                      ea_error_t *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(k, key);
	*out = def;
	if (!v) return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(int)v->valuedouble ||
	    v->valuedouble < 0 || v->valuedouble > 8)
		return ea_fail(err, EA_E_USAGE, "%s: %s must be an integer from 0 to 8", what, key);
	*out = (int)v->valuedouble;
	return 0;
}

/* One signedBy entry: "key:NAME", "identity:NAME" or "notation", declared. */
static int resolve_signer(const char *v, struct pol_rule *r, const struct sig_policy *p,
                          const char *what, ea_error_t *err)
{
	int found = 0;
	if (!strncmp(v, "key:", 4)) {
		for (int i = 0; i < p->nkeys; i++)
			if (!strcmp(p->keys[i].name, v + 4)) {
				r->keys[r->nkeys++] = i;
				found = 1;
			}
	} else if (!strncmp(v, "identity:", 9)) {
		for (int i = 0; i < p->nidentities; i++)
			if (!strcmp(p->identities[i].name, v + 9)) {
				r->ids[r->nids++] = i;
				found = 1;
			}
		if (found && !p->troot)
			return ea_fail(
			        err, EA_E_USAGE,
			        "%s: \"%s\" needs trustedRoot (the Fulcio CA and Rekor keys)", what,
			        v);
	} else if (!strcmp(v, "notation")) {
		if (!p->notation)
			return ea_fail(
			        err, EA_E_USAGE,
			        "%s: \"notation\" needs the notation trustPolicy and trustStore",
			        what);
		r->notation = found = 1;
	}
	if (!found)
		return ea_fail(
		        err, EA_E_USAGE,
		        "%s: signedBy \"%.64s\" names no declared key:, identity: or notation",
		        what, v);
	return 0;
}

static int parse_signed_by(const cJSON *k, struct pol_rule *r, const struct sig_policy *p,
                           const char *what, ea_error_t *err)
{
	const cJSON *sb = cJSON_GetObjectItemCaseSensitive(k, "signedBy");
	if (sb && (!cJSON_IsArray(sb) || cJSON_GetArraySize(sb) > 64))
		return ea_fail(err, EA_E_USAGE, "%s: signedBy must be an array", what);
	int ns = sb ? cJSON_GetArraySize(sb) : 0;
	r->keys = xcalloc((size_t)ns + 1, sizeof *r->keys);
	r->ids = xcalloc((size_t)ns + 1, sizeof *r->ids);
	for (const cJSON *s = sb ? sb->child : NULL; s; s = s->next)
		if (resolve_signer(cJSON_IsString(s) ? s->valuestring : "", r, p, what, err) < 0)
			return -1;
	return 0;
}

static int parse_rule(const cJSON *k, int ri, int mode, struct sig_policy *p, ea_error_t *err)
{
	static const char *const rm[] = {"names",
	                                 "require",
	                                 "mode",
	                                 "signedBy",
	                                 "checkReference",
	                                 "tlogThreshold",
	                                 "timestampThreshold",
	                                 "$comment",
	                                 NULL};
	char what[32];
	snprintf(what, sizeof what, "policy images[%d]", ri);
	if (!cJSON_IsObject(k)) return ea_fail(err, EA_E_USAGE, "%s is not an object", what);
	if (only_members(k, rm, what, err) < 0) return -1;
	struct pol_rule *r = &p->rules[p->nrules++];
	if (parse_rule_names(k, r, what, err) < 0 ||
	    rule_bool(k, "require", 1, &r->require, what, err) < 0 ||
	    rule_bool(k, "checkReference", 0, &r->check_reference, what, err) < 0 ||
	    parse_mode(k, mode, &r->mode, what, err) < 0 ||
	    rule_count(k, "tlogThreshold", 1, &r->tlog_threshold, what, err) < 0 ||
	    rule_count(k, "timestampThreshold", 0, &r->ts_threshold, what, err) < 0 ||
	    parse_signed_by(k, r, p, what, err) < 0)
		return -1;
	if (r->require && r->nkeys + r->nids + r->notation == 0)
		return ea_fail(err, EA_E_USAGE, "%s: require needs at least one signedBy entry",
		               what);
	return 0;
}

/* ---- 5. rules: the images and what each requires ---- */
static int parse_rules(const cJSON *imgs, int mode, struct sig_policy *p, ea_error_t *err)
{
	if (!cJSON_IsArray(imgs) || cJSON_GetArraySize(imgs) < 1 || cJSON_GetArraySize(imgs) > 256)
		return ea_fail(err, EA_E_USAGE,
		               "policy: images must be an array of 1 to 256 rules");
	p->rules = xcalloc((size_t)cJSON_GetArraySize(imgs), sizeof *p->rules);
	int ri = 0;
	for (const cJSON *k = imgs->child; k; k = k->next, ri++)
		if (parse_rule(k, ri, mode, p, err) < 0) return -1;
	return 0;
}

/* The policy document, in its members' order: each part refers only to
 * what the parts before it declared. */
int policy_parse(const char *json, size_t len, const char *base_dir, struct sig_policy *p,
                 ea_error_t *err)
{
	ea_error_t perr;
	cleanup_cjson cJSON *j = sjson_parse(json, len, &perr);
	if (!j) return ea_fail(err, EA_E_USAGE, "policy is not valid JSON: %s", perr.msg);
	int mode = POL_ENFORCE;
	if (parse_top(j, base_dir, p, &mode, err) < 0) return -1;
	if (parse_keys(cJSON_GetObjectItemCaseSensitive(j, "keys"), base_dir, p, err) < 0)
		return -1;
	if (parse_identities(cJSON_GetObjectItemCaseSensitive(j, "identities"), p, err) < 0)
		return -1;
	if (parse_notation(cJSON_GetObjectItemCaseSensitive(j, "notation"), base_dir, p, err) < 0)
		return -1;
	return parse_rules(cJSON_GetObjectItemCaseSensitive(j, "images"), mode, p, err);
}

const struct pol_rule *policy_rule_for(const struct sig_policy *p, const char *const *names,
                                       int nnames)
{
	if (!p) return NULL;
	for (int i = 0; i < p->nrules; i++) {
		const struct pol_rule *r = &p->rules[i];
		for (int k = 0; k < r->nnames; k++) {
			if (!strcmp(r->names[k], "*")) return r; /* also unnamed images */
			for (int n = 0; n < nnames; n++)
				if (names[n] && fnmatch(r->names[k], names[n], 0) == 0) return r;
		}
	}
	return NULL;
}

int sig_policy_load(const char *policy_path, const char *key_path, const char *trusted_root_path,
                    struct sig_policy **out, ea_error_t *err)
{
	*out = NULL;
	if (policy_path && (key_path || trusted_root_path))
		return ea_fail(err, EA_E_USAGE,
		               "--policy names its own keys and trusted root: give it alone");
	if (trusted_root_path && !key_path)
		return ea_fail(err, EA_E_USAGE,
		               "a trusted root alone names no signer: give --key, or --policy with "
		               "identities");
	struct sig_policy *p = sig_policy_new();
	int rc = 0;
	if (policy_path) {
		char *data = NULL;
		size_t len;
		rc = config_read(policy_path, SIG_MAX_CONFIG, &data, &len, err);
		if (rc == 0) {
			cleanup_free char *dir = xstrdup(policy_path);
			char *slash = strrchr(dir, '/');
			if (slash) *slash = '\0';
			else strcpy(dir, ".");
			rc = policy_parse(data, len, dir, p, err);
		} else if (err) {
			if (err) err->code = EA_E_USAGE;
		}
		free(data);
	} else if (key_path) {
		rc = load_key_file(p, "key", key_path, err);
		if (rc == 0 && trusted_root_path) rc = load_troot(p, trusted_root_path, err);
		if (rc == 0) {
			p->rules = xcalloc(1, sizeof *p->rules);
			struct pol_rule *r = &p->rules[0];
			p->nrules = 1;
			r->names = xcalloc(1, sizeof *r->names);
			r->names[0] = xstrdup("*");
			r->nnames = 1;
			r->require = 1;
			r->mode = POL_ENFORCE;
			r->keys = xcalloc(1, sizeof *r->keys);
			r->nkeys = 1;
			r->ids = xcalloc(1, sizeof *r->ids);
			r->tlog_threshold = 1; /* cosign's defaults */
		}
		if (rc < 0 && err) err->code = EA_E_USAGE;
	}
	if (rc < 0) {
		sig_policy_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

/* RE2's escapes (\d, \w, \b, ...) mean something else, or nothing, in
 * POSIX: the first letter or digit escaped (refused rather than matched
 * differently), 0 when none; a trailing backslash counts as ' '. */
static char re2_escape(const char *re)
{
	for (const char *c = re; *c; c++) {
		if (*c != '\\') continue;
		if (!c[1]) return ' ';
		if ((c[1] >= '0' && c[1] <= '9') || (unsigned)((c[1] | 0x20) - 'a') < 26u)
			return c[1];
		c++;
	}
	return 0;
}

/* A compiled cosign-style regex (POSIX extended), or NULL with err. */
static regex_t *policy_regex(const char *re, const char *what, ea_error_t *err)
{
	char bad = re2_escape(re);
	if (bad) {
		ea_fail(err, EA_E_USAGE, "%s: %.200s: \\%c is RE2 syntax; use a POSIX class", what,
		        re, bad);
		return NULL;
	}
	regex_t *x = xcalloc(1, sizeof *x);
	if (regcomp(x, re, REG_EXTENDED | REG_NOSUB) != 0) {
		free(x);
		ea_fail(err, EA_E_USAGE, "%s: not a regular expression: %.200s", what, re);
		return NULL;
	}
	return x;
}

/* The one rule of a command-line policy: every file, these signers. */
static void blob_rule_all(struct sig_policy *p, int nkeys, int nids)
{
	p->rules = xcalloc(1, sizeof *p->rules);
	struct pol_rule *r = &p->rules[0];
	p->nrules = 1;
	r->names = xcalloc(1, sizeof *r->names);
	r->names[0] = xstrdup("*");
	r->nnames = 1;
	r->require = 1;
	r->tlog_threshold = 1;
	r->keys = xcalloc(1, sizeof *r->keys);
	r->ids = xcalloc(1, sizeof *r->ids);
	r->nkeys = nkeys;
	r->nids = nids;
}

/* The identity of cosign's four --certificate-* flags into p. */
static int blob_identity(struct sig_policy *p, const struct sig_blob_trust *t, ea_error_t *err)
{
	if (!!t->subject == !!t->subject_re || !!t->issuer == !!t->issuer_re)
		return ea_fail(
		        err, EA_E_USAGE,
		        "keyless: give one of --certificate-identity / "
		        "--certificate-identity-regexp and one of --certificate-oidc-issuer / "
		        "--certificate-oidc-issuer-regexp");
	p->identities = xcalloc(1, sizeof *p->identities);
	struct pol_identity *id = &p->identities[p->nidentities++];
	snprintf(id->name, sizeof id->name, "certificate-identity");
	id->subject = t->subject ? xstrdup(t->subject) : NULL;
	id->issuer = t->issuer ? xstrdup(t->issuer) : NULL;
	if (t->subject_re &&
	    !(id->subject_re = policy_regex(t->subject_re, "--certificate-identity-regexp", err)))
		return -1;
	if (t->issuer_re &&
	    !(id->issuer_re = policy_regex(t->issuer_re, "--certificate-oidc-issuer-regexp", err)))
		return -1;
	return 0;
}

int sig_policy_for_blob(const struct sig_blob_trust *t, struct sig_policy **out, ea_error_t *err)
{
	*out = NULL;
	int has_id = t->subject || t->subject_re || t->issuer || t->issuer_re;
	if (!!t->key_path == has_id)
		return ea_fail(
		        err, EA_E_USAGE,
		        "give --key, or --trusted-root with a certificate identity and issuer");
	if (has_id && !t->trusted_root_path)
		return ea_fail(err, EA_E_USAGE,
		               "a certificate identity needs --trusted-root (offline: no TUF)");
	struct sig_policy *p = sig_policy_new();
	int rc = t->key_path ? load_key_file(p, "key", t->key_path, err) : blob_identity(p, t, err);
	if (rc == 0 && t->trusted_root_path) rc = load_troot(p, t->trusted_root_path, err);
	if (rc < 0) {
		if (err && err->code != EA_E_UNSUPPORTED) err->code = EA_E_USAGE;
		sig_policy_free(p);
		return -1;
	}
	blob_rule_all(p, t->key_path ? 1 : 0, has_id ? 1 : 0);
	*out = p;
	return 0;
}

void policy_regex_free(regex_t *re)
{
	if (!re) return;
	regfree(re);
	free(re);
}

void sig_policy_free(struct sig_policy *p)
{
	if (!p) return;
	for (int i = 0; i < p->nkeys; i++) pubkey_free(&p->keys[i].key);
	free(p->keys);
	for (int i = 0; i < p->nidentities; i++) {
		free(p->identities[i].subject);
		free(p->identities[i].subject_pattern);
		free(p->identities[i].issuer);
		free(p->identities[i].issuer_pattern);
		policy_regex_free(p->identities[i].subject_re);
		policy_regex_free(p->identities[i].issuer_re);
	}
	free(p->identities);
	for (int i = 0; i < p->nrules; i++) {
		for (int k = 0; k < p->rules[i].nnames; k++) free(p->rules[i].names[k]);
		free(p->rules[i].names);
		free(p->rules[i].keys);
		free(p->rules[i].ids);
	}
	free(p->rules);
	troot_free(p->troot);
	notation_cfg_free(p->notation);
	free(p);
}
