/*
 * vercmp: package version order, as the package managers themselves order
 * versions (what OSV's ECOSYSTEM ranges mean).
 *
 * Contract:
 *  - vercmp_dpkg follows dpkg's rules (lib/dpkg/version.c): [epoch:]upstream
 *    [-revision]; the epoch compares as a number, upstream and revision by
 *    verrevcmp: runs of non-digits char by char where '~' sorts before
 *    everything (even the end), letters before non-letters, then runs of
 *    digits as numbers.  A missing revision equals "0".
 *  - vercmp_apk follows apk-tools 3's src/version.c: digit{.digit}...
 *    {letter}{_suffix{#}}...{~hash}{-r#}, token by token; a number with a
 *    leading zero (after the first) compares as a string, suffixes alpha <
 *    beta < pre < rc < (none) < cvs < svn < git < hg < p; at the first token
 *    that differs in kind, a pre-release suffix is older and otherwise the
 *    version that goes on is newer; an invalid version stops where it
 *    becomes invalid (apk's "invalid" token sorts last among kinds).
 *  - Both return <0, 0, >0; both take any NUL-terminated string (hostile
 *    input: no allocation, no recursion, linear time).
 */
#ifndef EDGEAUDIT_VERCMP_H
#define EDGEAUDIT_VERCMP_H

typedef enum {
	VER_NONE = 0, /* an ecosystem whose versions edgeaudit cannot order */
	VER_DPKG,     /* Debian, Ubuntu */
	VER_APK,      /* Alpine */
} ver_scheme_t;
const char *ver_scheme_to_string(ver_scheme_t s);

/* The scheme of an OSV ecosystem ("Debian:12", "Alpine:v3.20", "Ubuntu:22.04:LTS"). */
ver_scheme_t ver_scheme_of(const char *ecosystem);

int vercmp_dpkg(const char *a, const char *b);
int vercmp_apk(const char *a, const char *b);
int vercmp(ver_scheme_t s, const char *a, const char *b);

/* apk's fuzzy comparison ("~": b is a prefix of a, token-wise) and validity. */
int vercmp_apk_fuzzy(const char *a, const char *b, int fuzzy);
int vercmp_apk_valid(const char *v);

#endif
