/*
 * cvss: base scores of CVSS vectors (FIRST's specifications) and the
 * severity levels edgeaudit reports.
 *
 * Contract:
 *  - cvss3_score: "CVSS:3.0/..." or "CVSS:3.1/..." vectors, every base
 *    metric present exactly once (AV AC PR UI S C I A; temporal and
 *    environmental metrics are allowed and ignored); the score per the
 *    version's formula and Roundup (3.1: the integer-safe Roundup of the
 *    3.1 specification, section 7.4; 3.0: ceil to one decimal).
 *  - cvss4_score: "CVSS:4.0/..." with the eleven base metrics (AV AC AT PR
 *    UI VC VI VA SC SI SA, once each; others ignored): the base score (E
 *    as A, CR IR AR as H, no modified metrics) per the 4.0 specification's
 *    MacroVector lookup table and interpolation, rounded half up.
 *  - Scores are in tenths (0..100); -1 with EA_E_FORMAT for a malformed
 *    vector (never a guess).
 */
#ifndef EDGEAUDIT_CVSS_H
#define EDGEAUDIT_CVSS_H

#include "util.h"

typedef enum {
	VSEV_UNKNOWN = 0, /* no severity in the record: the policy's default applies */
	VSEV_NONE,
	VSEV_LOW,
	VSEV_MEDIUM,
	VSEV_HIGH,
	VSEV_CRITICAL,
} vsev_t;
const char *vsev_to_string(vsev_t s);
vsev_t vsev_from_string(const char *s); /* "low"...; VSEV_UNKNOWN if none */

typedef enum {
	SEVSRC_NONE = 0,
	SEVSRC_CVSS_V3,
	SEVSRC_CVSS_V4,
	SEVSRC_ECOSYSTEM, /* Debian's urgency, Ubuntu's priority */
} sevsrc_t;
const char *sevsrc_to_string(sevsrc_t s);

struct severity {
	vsev_t level;
	int score10; /* CVSS base score in tenths, -1: none */
	sevsrc_t src;
};

/* CVSS qualitative rating of a score in tenths (0 none, 0.1-3.9 low, ...). */
vsev_t cvss_level(int score10);
int cvss3_score(const char *vector, int *score10, ea_error_t *err);
int cvss4_score(const char *vector, int *score10, ea_error_t *err);

#endif
