/* vercmp: dpkg's and apk-tools' version order (see vercmp.h). */
#include "vercmp.h"

#include <stdint.h>
#include <string.h>

const char *ver_scheme_to_string(ver_scheme_t s)
{
	switch (s) {
	case VER_NONE: return "none";
	case VER_DPKG: return "dpkg";
	case VER_APK: return "apk";
	}
	return "unknown";
}

static int has_base(const char *eco, const char *base)
{
	size_t n = strlen(base);
	return !strncmp(eco, base, n) && (eco[n] == '\0' || eco[n] == ':');
}

ver_scheme_t ver_scheme_of(const char *ecosystem)
{
	if (!ecosystem) return VER_NONE;
	if (has_base(ecosystem, "Debian") || has_base(ecosystem, "Ubuntu")) return VER_DPKG;
	if (has_base(ecosystem, "Alpine")) return VER_APK;
	return VER_NONE;
}

/* ------------------------------------------------------------------ dpkg */

static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* dpkg's weight of one byte of a non-digit run (the end weighs 0). */
static int order(unsigned char c)
{
	if (is_digit(c)) return 0;
	if (is_alpha(c)) return c;
	if (c == '~') return -1;
	if (c) return c + 256;
	return 0;
}

/* Compare [a, ae) with [b, be): dpkg's verrevcmp. */
static int verrevcmp(const char *a, const char *ae, const char *b, const char *be)
{
	while (a < ae || b < be) {
		while ((a < ae && !is_digit(*a)) || (b < be && !is_digit(*b))) {
			int ac = a < ae ? order(*a) : 0, bc = b < be ? order(*b) : 0;
			if (ac != bc) return ac - bc;
			a++;
			b++;
		}
		while (a < ae && *a == '0') a++;
		while (b < be && *b == '0') b++;
		int first_diff = 0;
		while (a < ae && b < be && is_digit(*a) && is_digit(*b)) {
			if (!first_diff) first_diff = *a - *b;
			a++;
			b++;
		}
		if (a < ae && is_digit(*a)) return 1;
		if (b < be && is_digit(*b)) return -1;
		if (first_diff) return first_diff;
	}
	return 0;
}

struct dver {
	const char *epoch, *epoch_end; /* digits, leading zeros skipped */
	const char *up, *up_end, *rev, *rev_end;
};

static void dver_split(const char *v, struct dver *d)
{
	const char *colon = strchr(v, ':');
	d->epoch = d->epoch_end = v;
	if (colon) {
		d->epoch_end = colon;
		v = colon + 1;
	}
	while (d->epoch < d->epoch_end && *d->epoch == '0') d->epoch++;
	const char *end = v + strlen(v), *hyphen = strrchr(v, '-');
	d->up = v;
	d->up_end = hyphen ? hyphen : end;
	d->rev = hyphen ? hyphen + 1 : end;
	d->rev_end = end;
}

/* Epochs as numbers of any length (digits after the leading zeros). */
static int epoch_cmp(const struct dver *a, const struct dver *b)
{
	size_t la = (size_t)(a->epoch_end - a->epoch), lb = (size_t)(b->epoch_end - b->epoch);
	if (la != lb) return la < lb ? -1 : 1;
	return memcmp(a->epoch, b->epoch, la);
}

int vercmp_dpkg(const char *a, const char *b)
{
	struct dver da, db;
	dver_split(a, &da);
	dver_split(b, &db);
	int r = epoch_cmp(&da, &db);
	if (r) return r;
	r = verrevcmp(da.up, da.up_end, db.up, db.up_end);
	if (r) return r;
	return verrevcmp(da.rev, da.rev_end, db.rev, db.rev_end);
}

/* ------------------------------------------------------------------- apk */

/* Token kinds in apk's order: the order is the semantics. */
enum tok {
	T_INITIAL_DIGIT,
	T_DIGIT,
	T_LETTER,
	T_SUFFIX,
	T_SUFFIX_NO,
	T_COMMIT_HASH,
	T_REVISION_NO,
	T_END,
	T_INVALID,
};

/* Suffixes in apk's order; SUF_NONE is the pivot (release). */
enum suf {
	SUF_INVALID,
	SUF_ALPHA,
	SUF_BETA,
	SUF_PRE,
	SUF_RC,
	SUF_NONE,
	SUF_CVS,
	SUF_SVN,
	SUF_GIT,
	SUF_HG,
	SUF_P
};

struct tstate {
	enum tok tok;
	enum suf suf;
	uint64_t num;
	const char *val;
	size_t len;
	int strict; /* apk-tools 3's grammar (validity): no digit after the letter */
};

static enum suf suffix_value(const char *s, size_t n)
{
	static const char *const names[] = {"",    "alpha", "beta", "pre", "rc", "",
	                                    "cvs", "svn",   "git",  "hg",  "p"};
	for (int i = SUF_ALPHA; i <= SUF_P; i++)
		if (i != SUF_NONE && strlen(names[i]) == n && !memcmp(names[i], s, n))
			return (enum suf)i;
	return SUF_INVALID;
}

static void parse_digits(struct tstate *t, const char **p)
{
	const char *s = *p;
	uint64_t v = 0;
	while (is_digit(**p)) v = v * 10 + (uint64_t)(*(*p)++ - '0'); /* wraps as apk's */
	t->num = v;
	t->val = s;
	t->len = (size_t)(*p - s);
	if (!t->len) t->tok = T_INVALID;
}

static void tok_first(struct tstate *t, const char **p)
{
	t->tok = T_INITIAL_DIGIT;
	parse_digits(t, p);
}

static int is_hex(int c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static void tok_run(struct tstate *t, const char **p, int (*cls)(int))
{
	t->val = *p;
	while (**p && cls(**p)) (*p)++;
	t->len = (size_t)(*p - t->val);
}

static int is_lower(int c) { return c >= 'a' && c <= 'z'; }

static void tok_number(struct tstate *t, const char **p)
{
	/* a digit after the letter: apk-tools 2 (every Alpine up to 3.22) reads
	 * on ("6.0.2p1-r1" < "6.0.2p1-r2"); apk-tools 3 calls it invalid, which
	 * would make those two equal (a fix in -r2 never seen). */
	if (t->tok <= T_DIGIT || (t->tok == T_LETTER && !t->strict)) t->tok = T_DIGIT;
	else if (t->tok == T_SUFFIX) t->tok = T_SUFFIX_NO;
	else {
		t->tok = T_INVALID;
		return;
	}
	parse_digits(t, p);
}

/* One token after t (apk's token_next); -1: the version is invalid here. */
static int tok_step(struct tstate *t, const char **p)
{
	char c = **p;
	if (!c) {
		t->tok = T_END;
	} else if (is_lower(c)) {
		if (t->tok > T_DIGIT) return -1;
		t->val = (*p)++;
		t->len = 1;
		t->tok = T_LETTER;
	} else if (c == '.' || is_digit(c)) {
		if (c == '.' && t->tok > T_DIGIT) return -1;
		if (c == '.') (*p)++;
		tok_number(t, p);
	} else if (c == '_') {
		if (t->tok > T_SUFFIX_NO) return -1;
		(*p)++;
		tok_run(t, p, is_lower);
		t->suf = suffix_value(t->val, t->len);
		if (t->suf == SUF_INVALID) return -1;
		t->tok = T_SUFFIX;
	} else if (c == '~') {
		if (t->tok >= T_COMMIT_HASH) return -1;
		(*p)++;
		tok_run(t, p, is_hex);
		if (!t->len) return -1;
		t->tok = T_COMMIT_HASH;
	} else if (c == '-') {
		if (t->tok >= T_REVISION_NO || (*p)[1] != 'r') return -1;
		*p += 2;
		t->tok = T_REVISION_NO;
		parse_digits(t, p);
	} else {
		return -1;
	}
	return 0;
}

static void tok_next(struct tstate *t, const char **p)
{
	if (tok_step(t, p) < 0) t->tok = T_INVALID;
}

/* apk_blob_sort: bytes, then length. */
static int blob_sort(const char *a, size_t la, const char *b, size_t lb)
{
	int s = memcmp(a, b, la < lb ? la : lb);
	if (s) return s;
	return la < lb ? -1 : la > lb;
}

static int num_cmp(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static int tok_cmp(const struct tstate *a, const struct tstate *b)
{
	switch (a->tok) {
	case T_DIGIT:
		/* a leading zero: string order, as Gentoo's */
		if (a->val[0] == '0' || b->val[0] == '0') break;
		return num_cmp(a->num, b->num);
	case T_INITIAL_DIGIT:
	case T_SUFFIX_NO:
	case T_REVISION_NO: return num_cmp(a->num, b->num);
	case T_LETTER: return num_cmp((unsigned char)a->val[0], (unsigned char)b->val[0]);
	case T_SUFFIX: return num_cmp(a->suf, b->suf);
	default: break;
	}
	return blob_sort(a->val, a->len, b->val, b->len);
}

int vercmp_apk_fuzzy(const char *a, const char *b, int fuzzy)
{
	struct tstate ta = {0}, tb = {0};
	for (tok_first(&ta, &a), tok_first(&tb, &b); ta.tok == tb.tok && ta.tok < T_END;
	     tok_next(&ta, &a), tok_next(&tb, &b)) {
		int r = tok_cmp(&ta, &tb);
		if (r) return r < 0 ? -1 : 1;
	}
	if (ta.tok == tb.tok) return 0;
	if (tb.tok == T_END && fuzzy) return 0;
	/* equal so far: a pre-release suffix is older, else the longer is newer */
	if (ta.tok == T_SUFFIX && ta.suf < SUF_NONE) return -1;
	if (tb.tok == T_SUFFIX && tb.suf < SUF_NONE) return 1;
	if (ta.tok > tb.tok) return -1;
	if (tb.tok > ta.tok) return 1;
	return 0;
}

int vercmp_apk(const char *a, const char *b) { return vercmp_apk_fuzzy(a, b, 0); }

int vercmp_apk_valid(const char *v)
{
	struct tstate t = {.strict = 1};
	for (tok_first(&t, &v); t.tok < T_END; tok_next(&t, &v))
		;
	return t.tok == T_END;
}

int vercmp(ver_scheme_t s, const char *a, const char *b)
{
	switch (s) {
	case VER_DPKG: return vercmp_dpkg(a, b);
	case VER_APK: return vercmp_apk(a, b);
	case VER_NONE: break;
	}
	return strcmp(a, b);
}
