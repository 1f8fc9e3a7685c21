/* config: see config.h. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "fsx.h"
#include "logsink.h"
#include "metrics.h"

enum { K_IGNORED, K_STRLIST, K_BOOL, K_PATH, K_INT, K_CHOICE, K_ALLOWLIST };

static const char *const formats[] = {"json", "text", NULL};
static const char *const severities[] = {"info", "low", "medium", "high", "critical", NULL};

static const struct ckey {
	const char *name;
	int type;
	unsigned set;               /* SET_* bit it gives */
	unsigned group;             /* OPT_* group of the option it stands for */
	int min, max;               /* K_INT */
	const char *const *choices; /* K_CHOICE */
} keys[] = {
        {"$schema", K_IGNORED, 0, 0, 0, 0, NULL},
        {"comment", K_IGNORED, 0, 0, 0, 0, NULL},
        {"store", K_STRLIST, SET_STORES, OPT_STORE, 0, 0, NULL},
        {"no_stores", K_BOOL, SET_NO_STORES, OPT_PARTS, 0, 0, NULL},
        {"no_proc", K_BOOL, SET_NO_PROC, OPT_PARTS, 0, 0, NULL},
        {"format", K_CHOICE, SET_FORMAT, OPT_OUTPUT, 0, 0, formats},
        {"out", K_PATH, SET_OUT, OPT_OUTPUT, 0, 0, NULL},
        {"fail_on", K_CHOICE, SET_FAIL_ON, OPT_OUTPUT, 0, 0, severities},
        {"metrics", K_PATH, SET_METRICS, OPT_OUTPUT, 0, 0, NULL},
        {"jobs", K_INT, SET_JOBS, OPT_JOBS, 1, 64, NULL},
        {"budget_ms", K_INT, SET_BUDGET, OPT_FIELD, 0, CLI_MAX_BUDGET_MS, NULL},
        {"log", K_CHOICE, SET_LOG, OPT_FIELD, 0, 0, logsink_names}, /* none kmsg syslog journald */
        {"progress", K_BOOL, SET_PROGRESS, OPT_FIELD, 0, 0, NULL},
        {"sign_key", K_PATH, SET_SIGN_KEY, OPT_FIELD, 0, 0, NULL},
        {"key", K_PATH, SET_KEY, OPT_TRUST, 0, 0, NULL},
        {"trusted_root", K_PATH, SET_TRUSTED_ROOT, OPT_TRUST, 0, 0, NULL},
        {"policy", K_PATH, SET_POLICY, OPT_TRUST, 0, 0, NULL},
        {"baseline", K_PATH, SET_BASELINE, OPT_HOST, 0, 0, NULL},
        {"baseline_key", K_PATH, SET_BASELINE_KEY, OPT_HOST, 0, 0, NULL},
        {"drift_allow", K_ALLOWLIST, SET_DRIFT_ALLOW, OPT_DRIFT, 0, 0, NULL},
        {"vulndb", K_PATH, SET_VULNDB, OPT_VULN, 0, 0, NULL},
        {"vulndb_key", K_PATH, SET_VULNDB_KEY, OPT_VULN, 0, 0, NULL},
        {"vulndb_max_age_days", K_INT, SET_VULNDB_MAX_AGE, OPT_VULN, 1, 3650, NULL},
};
#define NKEYS (sizeof keys / sizeof keys[0])

void config_linecol(const char *text, size_t len, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* ---- where things are: cJSON keeps no positions, so a small scanner of
 * the (already valid) text finds the offsets of the top-level members; cJSON
 * keeps members in document order, so member i here is child i there. */

struct member_pos {
	size_t key_off, val_off;
};

static size_t skip_ws(const char *t, size_t n, size_t i)
{
	while (i < n && (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')) i++;
	return i;
}

static size_t skip_string(const char *t, size_t n, size_t i) /* t[i] == '"' */
{
	for (i++; i < n && t[i] != '"'; i++)
		if (t[i] == '\\') i++;
	return i < n ? i + 1 : n;
}

static size_t skip_value(const char *t, size_t n, size_t i)
{
	if (i >= n) return n;
	if (t[i] == '"') return skip_string(t, n, i);
	if (t[i] == '{' || t[i] == '[') {
		int depth = 0;
		while (i < n) {
			if (t[i] == '"') {
				i = skip_string(t, n, i);
				continue;
			}
			if (t[i] == '{' || t[i] == '[') depth++;
			if (t[i] == '}' || t[i] == ']') {
				if (--depth == 0) return i + 1;
			}
			i++;
		}
		return n;
	}
	while (i < n && t[i] != ',' && t[i] != '}' && t[i] != ']' && t[i] != ' ' && t[i] != '\n' &&
	       t[i] != '\t' && t[i] != '\r')
		i++;
	return i;
}

static size_t skip_bom(const char *t, size_t n)
{
	return n >= 3 && !memcmp(t, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

static int scan_members(const char *t, size_t n, struct member_pos *out, int max)
{
	size_t i = skip_ws(t, n, skip_bom(t, n));
	if (i >= n || t[i] != '{') return 0;
	int k = 0;
	i = skip_ws(t, n, i + 1);
	while (i < n && t[i] == '"' && k < max) {
		out[k].key_off = i;
		i = skip_ws(t, n, skip_string(t, n, i));
		if (i < n && t[i] == ':') i = skip_ws(t, n, i + 1);
		out[k].val_off = i;
		k++;
		i = skip_ws(t, n, skip_value(t, n, i));
		if (i < n && t[i] == ',') i = skip_ws(t, n, i + 1);
		else break;
	}
	return k;
}

static size_t array_item_off(const char *t, size_t n, size_t val_off, int idx)
{
	size_t i = val_off;
	if (i >= n || t[i] != '[') return val_off;
	i = skip_ws(t, n, i + 1);
	for (int k = 0; k < idx && i < n; k++) {
		i = skip_ws(t, n, skip_value(t, n, i));
		if (i < n && t[i] == ',') i = skip_ws(t, n, i + 1);
	}
	return i < n ? i : val_off;
}

/* ---- syntax: cJSON says only where it stopped; a small recursive-descent
 * checker says why, at the byte where the text goes wrong, in the words a
 * technician editing a file by hand needs ("a comma before }"). */

struct syn {
	const char *t;
	size_t n, i;
	const char *msg;
	char buf[96];
};

static int syn_fail(struct syn *s, const char *msg)
{
	s->msg = msg;
	return -1;
}

static int syn_value(struct syn *s, int depth);

static int syn_string(struct syn *s)
{
	s->i++; /* the opening quote */
	while (s->i < s->n) {
		unsigned char c = (unsigned char)s->t[s->i];
		if (c == '"') {
			s->i++;
			return 0;
		}
		if (c < 0x20)
			return syn_fail(s, "a line break or control character inside a string (a "
			                   "missing closing quote?)");
		if (c == '\\') {
			s->i++;
			if (s->i >= s->n) break;
			char e = s->t[s->i];
			if (e == 'u') {
				for (int k = 1; k <= 4; k++)
					if (s->i + k >= s->n ||
					    !strchr("0123456789abcdefABCDEF", s->t[s->i + k]) ||
					    !s->t[s->i + k])
						return syn_fail(s, "\\u needs four hex digits");
				s->i += 4;
			} else if (!e || !strchr("\"\\/bfnrt", e)) {
				return syn_fail(s, "an unknown escape in a string (write \\\\ for "
				                   "a backslash)");
			}
		}
		s->i++;
	}
	return syn_fail(s, "the file ends inside a string (a missing closing quote?)");
}

static int syn_number(struct syn *s)
{
	size_t i = s->i;
	const char *t = s->t;
	if (i < s->n && t[i] == '-') i++;
	if (i < s->n && t[i] == '0') i++;
	else if (i < s->n && t[i] >= '1' && t[i] <= '9')
		while (i < s->n && t[i] >= '0' && t[i] <= '9') i++;
	else return syn_fail(s, "a malformed number");
	if (i < s->n && t[i] == '.') {
		i++;
		if (i >= s->n || t[i] < '0' || t[i] > '9') return syn_fail(s, "a malformed number");
		while (i < s->n && t[i] >= '0' && t[i] <= '9') i++;
	}
	if (i < s->n && (t[i] == 'e' || t[i] == 'E')) {
		i++;
		if (i < s->n && (t[i] == '+' || t[i] == '-')) i++;
		if (i >= s->n || t[i] < '0' || t[i] > '9') return syn_fail(s, "a malformed number");
		while (i < s->n && t[i] >= '0' && t[i] <= '9') i++;
	}
	s->i = i;
	return 0;
}

static int syn_container(struct syn *s, int depth, char close)
{
	s->i++; /* { or [ */
	s->i = skip_ws(s->t, s->n, s->i);
	if (s->i < s->n && s->t[s->i] == close) {
		s->i++;
		return 0;
	}
	for (;;) {
		s->i = skip_ws(s->t, s->n, s->i);
		if (close == '}') {
			if (s->i >= s->n)
				return syn_fail(
				        s, "the file ends early: an object is not closed with }");
			if (s->t[s->i] != '"') {
				if (s->t[s->i] == '}')
					return syn_fail(
					        s,
					        "a comma before } (JSON allows no trailing comma)");
				return syn_fail(s, "expected a key in double quotes");
			}
			if (syn_string(s) < 0) return -1;
			s->i = skip_ws(s->t, s->n, s->i);
			if (s->i >= s->n || s->t[s->i] != ':')
				return syn_fail(s, "expected ':' after the key");
			s->i = skip_ws(s->t, s->n, s->i + 1);
		} else if (s->i < s->n && s->t[s->i] == ']') {
			return syn_fail(s, "a comma before ] (JSON allows no trailing comma)");
		}
		if (syn_value(s, depth + 1) < 0) return -1;
		s->i = skip_ws(s->t, s->n, s->i);
		if (s->i >= s->n)
			return syn_fail(
			        s, close == '}'
			                   ? "the file ends early: an object is not closed with }"
			                   : "the file ends early: a list is not closed with ]");
		if (s->t[s->i] == ',') {
			s->i++;
			continue;
		}
		if (s->t[s->i] == close) {
			s->i++;
			return 0;
		}
		snprintf(s->buf, sizeof s->buf, "expected ',' or '%c' (a missing comma?)", close);
		return syn_fail(s, s->buf);
	}
}

static int syn_value(struct syn *s, int depth)
{
	if (depth > 32) return syn_fail(s, "nested too deeply");
	s->i = skip_ws(s->t, s->n, s->i);
	if (s->i >= s->n) return syn_fail(s, "the file ends early: expected a value");
	char c = s->t[s->i];
	if (c == '{') return syn_container(s, depth, '}');
	if (c == '[') return syn_container(s, depth, ']');
	if (c == '"') return syn_string(s);
	if (c == '-' || (c >= '0' && c <= '9')) return syn_number(s);
	static const char *const words[] = {"true", "false", "null"};
	for (unsigned k = 0; k < 3; k++) {
		size_t l = strlen(words[k]);
		if (s->n - s->i >= l && !memcmp(s->t + s->i, words[k], l)) {
			s->i += l;
			return 0;
		}
	}
	if (c == '\'') return syn_fail(s, "strings need double quotes, not single ones");
	if (c == '/' || c == '#')
		return syn_fail(s, "comments are not allowed in JSON (use a \"comment\" key)");
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return syn_fail(s, "a word without quotes (strings need double quotes)");
	if ((unsigned char)c >= 0x20 && (unsigned char)c < 0x7f) {
		snprintf(s->buf, sizeof s->buf, "unexpected '%c': expected a value", c);
		return syn_fail(s, s->buf);
	}
	snprintf(s->buf, sizeof s->buf, "unexpected byte 0x%02x: expected a value",
	         (unsigned char)c);
	return syn_fail(s, s->buf);
}

/* 0 if text is one JSON value and nothing else; else -1 with *off, *msg. */
static int syntax_check(const char *t, size_t n, size_t *off, char *msg, size_t msg_size)
{
	struct syn s = {.t = t, .n = n, .i = skip_bom(t, n)};
	if (syn_value(&s, 0) == 0) {
		s.i = skip_ws(t, n, s.i);
		if (s.i >= n) return 0;
		s.msg = "text after the end of the JSON object";
	}
	*off = s.i < n ? s.i : n;
	snprintf(msg, msg_size, "%s", s.msg);
	return -1;
}

/* ---- diagnostics */

struct diag {
	const char *name, *text;
	size_t len;
	ea_buf_t out;
	int errors;
};

static void say(struct diag *d, size_t off, int warning, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void say(struct diag *d, size_t off, int warning, const char *fmt, ...)
{
	int line, col;
	config_linecol(d->text, d->len, off, &line, &col);
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	char *l =
	        xasprintf("%s:%d:%d: %s%s\n", d->name, line, col, warning ? "warning: " : "", msg);
	ea_buf_append(&d->out, l, strlen(l), NULL); /* bounded: the rest would be noise */
	free(l);
	if (!warning) d->errors++;
}

/* Edit distance, for "did you mean": typos of a key are the likely error. */
static unsigned distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40) return 99;
	unsigned row[41];
	for (size_t j = 0; j <= lb; j++) row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned prev = row[0];
		row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cur = row[j];
			unsigned sub = prev + (a[i - 1] != b[j - 1] &&
			                       !(a[i - 1] == '-' && b[j - 1] == '_'));
			unsigned best = row[j] + 1 < row[j - 1] + 1 ? row[j] + 1 : row[j - 1] + 1;
			row[j] = sub < best ? sub : best;
			prev = cur;
		}
	}
	return row[lb];
}

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsString(v)) return "a string";
	if (cJSON_IsNumber(v)) return "a number";
	if (cJSON_IsBool(v)) return "true/false";
	if (cJSON_IsNull(v)) return "null";
	if (cJSON_IsArray(v)) return "a list";
	if (cJSON_IsObject(v)) return "an object";
	return "something else";
}

static void choices_text(const char *const *ch, char *out, size_t n)
{
	out[0] = '\0';
	for (int i = 0; ch[i]; i++) {
		size_t l = strlen(out);
		snprintf(out + l, n - l, "%s\"%s\"",
		         i == 0      ? ""
		         : ch[i + 1] ? ", "
		                     : " or ",
		         ch[i]);
	}
}

static void warn_missing(struct diag *d, size_t off, const char *key, const char *path,
                         int want_dir)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		say(d, off, 1, "%s: %s: %s", key, path, strerror(errno));
		return;
	}
	if (want_dir && !S_ISDIR(st.st_mode)) say(d, off, 1, "%s: %s is not a folder", key, path);
	if (!want_dir && S_ISDIR(st.st_mode))
		say(d, off, 1, "%s: %s is a folder, not a file", key, path);
}

/* The folder a file will be written to (out, metrics) should be there. */
static void check_out_folder(struct diag *d, size_t off, const char *key, const char *path)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash) return; /* the working folder */
	if (slash == dir) slash[1] = '\0';
	else *slash = '\0';
	char what[64];
	snprintf(what, sizeof what, "%s (its folder)", key);
	warn_missing(d, off, what, dir, 1);
}

static void set_value(struct ea_config *c, const struct ckey *k, cJSON *v)
{
	struct ea_opts *o = &c->v;
	switch (k->set) {
	case SET_FORMAT:
		o->format = !strcmp(v->valuestring, "text") ? FORMAT_TEXT : FORMAT_JSON;
		break;
	case SET_OUT: o->out = v->valuestring; break;
	case SET_METRICS: o->metrics = v->valuestring; break;
	case SET_FAIL_ON: o->fail_on = (severity_t)severity_parse(v->valuestring); break;
	case SET_JOBS: o->jobs = v->valueint; break;
	case SET_BUDGET: o->budget_ms = v->valueint; break;
	case SET_LOG: o->log = logsink_parse(v->valuestring); break;
	case SET_PROGRESS: o->progress = cJSON_IsTrue(v); break;
	case SET_NO_PROC: o->no_proc = cJSON_IsTrue(v); break;
	case SET_NO_STORES: o->no_stores = cJSON_IsTrue(v); break;
	case SET_SIGN_KEY: o->sign_key = v->valuestring; break;
	case SET_KEY: o->key = v->valuestring; break;
	case SET_TRUSTED_ROOT: o->trusted_root = v->valuestring; break;
	case SET_POLICY: o->policy = v->valuestring; break;
	case SET_BASELINE: o->baseline = v->valuestring; break;
	case SET_BASELINE_KEY: o->baseline_key = v->valuestring; break;
	case SET_VULNDB: o->vulndb = v->valuestring; break;
	case SET_VULNDB_KEY: o->vulndb_key = v->valuestring; break;
	case SET_VULNDB_MAX_AGE: o->vulndb_max_age_days = v->valueint; break;
	}
	c->has |= k->set;
}

/* A key edgeaudit does not know: said, with the nearest known one. */
static void unknown_key(struct diag *d, const char *key, size_t at)
{
	const char *best = NULL;
	unsigned bd = 3;
	for (unsigned i = 2; i < NKEYS; i++) {
		unsigned dd = distance(key, keys[i].name);
		if (dd < bd) {
			bd = dd;
			best = keys[i].name;
		}
	}
	if (best) say(d, at, 0, "unknown key \"%s\" (did you mean \"%s\"?)", key, best);
	else say(d, at, 0, "unknown key \"%s\" (see edgeaudit(1), section CONFIGURATION)", key);
}

/* A whole number within the key's range: 1, else 0 (said). */
static int check_int(struct diag *d, const struct ckey *k, cJSON *v, size_t at)
{
	double x = cJSON_GetNumberValue(v);
	/* range first: (long long) of inf or 1e300 is undefined behaviour */
	if (cJSON_IsNumber(v) && x >= k->min && x <= k->max && x == (double)(long long)x) return 1;
	if (cJSON_IsNumber(v))
		say(d, at, 0, "%s: must be a whole number from %d to %d, not %g", k->name, k->min,
		    k->max, x);
	else
		say(d, at, 0, "%s: must be a whole number from %d to %d, not %s", k->name, k->min,
		    k->max, json_type_name(v));
	return 0;
}

/* One of the key's choices: 1, else 0 (said). */
static int check_choice(struct diag *d, const struct ckey *k, cJSON *v, size_t at)
{
	int ok = 0;
	if (cJSON_IsString(v))
		for (int i = 0; k->choices[i]; i++) ok |= !strcmp(k->choices[i], v->valuestring);
	if (ok) return 1;
	char ch[128];
	choices_text(k->choices, ch, sizeof ch);
	if (cJSON_IsString(v))
		say(d, at, 0, "%s: must be %s, not \"%.60s\"", k->name, ch, v->valuestring);
	else say(d, at, 0, "%s: must be %s, not %s", k->name, ch, json_type_name(v));
	return 0;
}

/* A file name (checked on disk with CONFIG_CHECK_FILES): 1, else 0 (said). */
static int check_path(struct diag *d, const struct ckey *k, cJSON *v, size_t at, unsigned flags)
{
	if (!cJSON_IsString(v) || !*v->valuestring) {
		say(d, at, 0, "%s: must be a file name (a non-empty string), not %s", k->name,
		    cJSON_IsString(v) ? "an empty string" : json_type_name(v));
		return 0;
	}
	if (k->set == SET_METRICS && !metrics_path_ok(v->valuestring)) {
		say(d, at, 0,
		    "%s: the file name must end in .prom (node_exporter's textfile collector reads "
		    "only *.prom files), not \"%.60s\"",
		    k->name, v->valuestring);
		return 0;
	}
	if (flags & CONFIG_CHECK_FILES) {
		if (k->set == SET_OUT || k->set == SET_METRICS)
			check_out_folder(d, at, k->name, v->valuestring);
		else warn_missing(d, at, k->name, v->valuestring, 0);
	}
	return 1;
}

/* Item idx of the store list: parsed into c's stores, 1; else 0 (said). */
static int store_item(struct diag *d, struct ea_config *c, const char *name, cJSON *it, int idx,
                      size_t iat, unsigned flags)
{
	if (!cJSON_IsString(it)) {
		say(d, iat, 0, "%s[%d]: must be a \"[TYPE:]PATH\" string, not %s", name, idx,
		    json_type_name(it));
		return 0;
	}
	ea_error_t e = {0};
	if (store_spec_parse(it->valuestring, &c->v.stores[c->v.nstores], &e) < 0) {
		say(d, iat, 0, "%s[%d]: %s", name, idx, e.msg);
		return 0;
	}
	if (flags & CONFIG_CHECK_FILES) {
		struct stat st;
		const char *p = c->v.stores[c->v.nstores].path;
		if (stat(p, &st) != 0)
			say(d, iat, 1, "%s[%d]: %s: %s", name, idx, p, strerror(errno));
	}
	c->v.nstores++;
	return 1;
}

/* One item of a list key: 1 taken, 0 wrong (said), -1 wrong and the rest
 * not read (said). */
typedef int (*list_item_fn)(struct diag *d, struct ea_config *c, const struct ckey *k, cJSON *it,
                            int idx, size_t iat, unsigned flags);

/* A list key (`what` its items, for the message): every item through
 * item(); the key set only when all were taken. */
static void check_list(struct diag *d, struct ea_config *c, const struct ckey *k, cJSON *v,
                       size_t at, unsigned flags, const char *what, list_item_fn item)
{
	if (!cJSON_IsArray(v)) {
		say(d, at, 0, "%s: must be a list of %s strings, not %s", k->name, what,
		    json_type_name(v));
		return;
	}
	int idx = 0, bad = 0;
	cJSON *it;
	cJSON_ArrayForEach (it, v) {
		int r = item(d, c, k, it, idx, array_item_off(d->text, d->len, at, idx), flags);
		bad |= r <= 0;
		if (r < 0) break;
		idx++;
	}
	if (!bad) c->has |= k->set;
}

/* A drift allow-list entry, "/GLOB" or "WHO:/GLOB". */
static int allow_item(struct diag *d, struct ea_config *c, const struct ckey *k, cJSON *it, int idx,
                      size_t iat, unsigned flags)
{
	(void)flags;
	if (!cJSON_IsString(it) || !cli_drift_allow_ok(it->valuestring)) {
		say(d, iat, 0, "%s[%d]: must be a \"/GLOB\" or \"WHO:/GLOB\" string", k->name, idx);
		return 0;
	}
	if (c->v.ndrift_allow >= CLI_MAX_DRIFT_ALLOW) {
		say(d, iat, 0, "%s: at most %d entries", k->name, CLI_MAX_DRIFT_ALLOW);
		return -1;
	}
	c->v.drift_allow[c->v.ndrift_allow++] = it->valuestring;
	c->v.drift_allow[c->v.ndrift_allow] = NULL;
	return 1;
}

/* A store of the store list. */
static int store_list_item(struct diag *d, struct ea_config *c, const struct ckey *k, cJSON *it,
                           int idx, size_t iat, unsigned flags)
{
	if (cJSON_IsString(it) && c->v.nstores >= CLI_MAX_STORES) {
		say(d, iat, 0, "%s: at most %d stores", k->name, CLI_MAX_STORES);
		return -1;
	}
	return store_item(d, c, k->name, it, idx, iat, flags);
}

static void check_member(struct diag *d, struct ea_config *c, cJSON *v,
                         const struct member_pos *pos, unsigned flags)
{
	const struct ckey *k = NULL;
	for (unsigned i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].name, v->string)) k = &keys[i];
	if (!k) {
		unknown_key(d, v->string, pos->key_off);
		return;
	}
	size_t at = pos->val_off;
	int ok = 1;
	switch (k->type) {
	case K_IGNORED: return;
	case K_BOOL:
		ok = cJSON_IsBool(v);
		if (!ok)
			say(d, at, 0, "%s: must be true or false, not %s", k->name,
			    json_type_name(v));
		break;
	case K_PATH: ok = check_path(d, k, v, at, flags); break;
	case K_INT: ok = check_int(d, k, v, at); break;
	case K_CHOICE: ok = check_choice(d, k, v, at); break;
	case K_STRLIST:
		check_list(d, c, k, v, at, flags, "\"[TYPE:]PATH\"", store_list_item);
		return;
	case K_ALLOWLIST: check_list(d, c, k, v, at, flags, "\"[WHO:]/GLOB\"", allow_item); return;
	}
	if (ok) set_value(c, k, v);
}

/* The document as one JSON object into c->doc: 0, or -1 (said) when it is
 * empty, not JSON, beyond cJSON, or not an object. */
static int parse_document(struct diag *d, struct ea_config *c, size_t start)
{
	const char *text = d->text;
	size_t len = d->len;
	if (start >= len) {
		say(d, start, 0,
		    "the file is empty: a configuration is a JSON object, e.g. {\"format\": "
		    "\"text\"}");
		return -1;
	}
	size_t bad;
	char why[128];
	if (syntax_check(text, len, &bad, why, sizeof why) < 0) {
		say(d, bad, 0, "JSON syntax: %s", why);
		return -1;
	}
	const char *end = NULL;
	c->doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!c->doc) { /* the checker let it through: say where cJSON stopped */
		size_t off = end && end >= text ? (size_t)(end - text) : 0;
		say(d, off < len ? off : len, 0,
		    "JSON that cannot be read here (too deep or too large?)");
		return -1;
	}
	if (!cJSON_IsObject(c->doc)) {
		say(d, start, 0, "the configuration must be a JSON object {...}, not %s",
		    json_type_name(c->doc));
		return -1;
	}
	return 0;
}

/* Member i (v) names a key an earlier member names: said, 1. */
static int duplicate_member(struct diag *d, struct ea_config *c, cJSON *v, int i,
                            const struct member_pos *pos, int npos, const struct member_pos *p,
                            size_t start)
{
	int j = 0;
	cJSON *w;
	cJSON_ArrayForEach (w, c->doc) {
		if (j++ >= i) break;
		if (strcmp(w->string, v->string)) continue;
		int line, col;
		config_linecol(d->text, d->len, j - 1 < npos ? pos[j - 1].key_off : start, &line,
		               &col);
		say(d, p->key_off, 0, "duplicate key \"%s\" (first at line %d)", v->string, line);
		return 1;
	}
	return 0;
}

/* Every member of the object, then the rules between keys. */
static void check_members(struct diag *d, struct ea_config *c, size_t start, unsigned flags)
{
	struct member_pos pos[128];
	int npos = scan_members(d->text, d->len, pos, 128);
	int i = 0;
	cJSON *v;
	cJSON_ArrayForEach (v, c->doc) {
		struct member_pos p = i < npos ? pos[i] : (struct member_pos){start, start};
		/* cJSON would quietly take the first of two equal keys. */
		if (!duplicate_member(d, c, v, i, pos, npos, &p, start))
			check_member(d, c, v, &p, flags);
		i++;
	}
	if (c->v.no_proc && c->v.no_stores && !(c->has & (SET_BASELINE | SET_VULNDB)))
		say(d, start, 0, "no_proc and no_stores together leave nothing to audit");
	if ((c->has & SET_BASELINE) && !(c->has & SET_BASELINE_KEY))
		say(d, start, 0,
		    "baseline needs baseline_key: a baseline is compared only once its signature "
		    "is checked");
	if ((c->has & SET_VULNDB) && !(c->has & SET_VULNDB_KEY))
		say(d, start, 0,
		    "vulndb needs vulndb_key: the database is read only once its signature is "
		    "checked");
	if ((flags & CONFIG_CHECK_FILES) && (c->has & SET_SIGN_KEY) && !(c->has & SET_OUT))
		say(d, start, 1,
		    "sign_key is set but out is not: the signature goes beside a report file "
		    "(--out)");
}

int config_parse(const char *name, const char *text, size_t len, unsigned flags,
                 struct ea_config *c, char **diag)
{
	memset(c, 0, sizeof *c);
	c->path = xstrdup(name);
	struct diag d = {.name = name, .text = text, .len = len};
	ea_buf_init(&d.out, 16 << 10);
	size_t start = skip_ws(text, len, skip_bom(text, len));
	if (parse_document(&d, c, start) == 0) check_members(&d, c, start, flags);
	*diag = d.out.data ? d.out.data : xstrdup("");
	return d.errors;
}

int config_load(const char *path, int must_exist, unsigned flags, struct ea_config *c, char **diag,
                ea_error_t *err)
{
	memset(c, 0, sizeof *c);
	*diag = NULL;
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (fsx_read_user_file(path, CONFIG_MAX_BYTES, &text, &len, err) < 0) {
		if (!must_exist && err->code == EA_E_NOENT) return 1;
		*diag = xasprintf("%s: %s\n", path, err->msg);
		return -1;
	}
	int n = config_parse(path, text, len, flags, c, diag);
	if (n > 0) {
		size_t l = strcspn(*diag, "\n");
		ea_fail(err, EA_E_USAGE, "%.*s", (int)(l < 200 ? l : 200), *diag);
		return -1;
	}
	return 0;
}

void config_apply(const struct ea_config *c, struct ea_opts *o, unsigned accepted)
{
	for (unsigned i = 0; i < NKEYS; i++) {
		const struct ckey *k = &keys[i];
		if (!k->set || !(c->has & k->set) || (o->set & k->set) || !(accepted & k->group))
			continue;
		const struct ea_opts *v = &c->v;
		switch (k->set) {
		case SET_STORES:
			memcpy(o->stores, v->stores, sizeof o->stores);
			o->nstores = v->nstores;
			break;
		case SET_FORMAT: o->format = v->format; break;
		case SET_OUT: o->out = v->out; break;
		case SET_METRICS: o->metrics = v->metrics; break;
		case SET_FAIL_ON: o->fail_on = v->fail_on; break;
		case SET_JOBS: o->jobs = v->jobs; break;
		case SET_BUDGET: o->budget_ms = v->budget_ms; break;
		case SET_LOG: o->log = v->log; break;
		case SET_PROGRESS: o->progress = v->progress; break;
		case SET_NO_PROC: o->no_proc = v->no_proc; break;
		case SET_NO_STORES: o->no_stores = v->no_stores; break;
		case SET_SIGN_KEY: o->sign_key = v->sign_key; break;
		case SET_KEY: o->key = v->key; break;
		case SET_TRUSTED_ROOT: o->trusted_root = v->trusted_root; break;
		case SET_POLICY: o->policy = v->policy; break;
		case SET_BASELINE: o->baseline = v->baseline; break;
		case SET_BASELINE_KEY: o->baseline_key = v->baseline_key; break;
		case SET_VULNDB: o->vulndb = v->vulndb; break;
		case SET_VULNDB_KEY: o->vulndb_key = v->vulndb_key; break;
		case SET_VULNDB_MAX_AGE: o->vulndb_max_age_days = v->vulndb_max_age_days; break;
		case SET_DRIFT_ALLOW:
			memcpy(o->drift_allow, v->drift_allow, sizeof o->drift_allow);
			o->ndrift_allow = v->ndrift_allow;
			break;
		}
	}
}

void config_free(struct ea_config *c)
{
	cJSON_Delete(c->doc);
	free(c->path);
	memset(c, 0, sizeof *c);
}
