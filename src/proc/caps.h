/*
 * caps: Linux capability sets as /proc/<pid>/status shows them (CapInh,
 * CapPrm, CapEff, CapBnd, CapAmb: 16 hex digits each), decoded to names.
 *
 * Contract: pure functions, no I/O.  Bits the table does not name (a kernel
 * newer than this table) decode to "CAP_<bit>", never dropped, so a decoded
 * list always says everything the mask says.
 */
#ifndef EDGEAUDIT_CAPS_H
#define EDGEAUDIT_CAPS_H

#include <cJSON.h>
#include <stdint.h>

#include "util.h"

#define CAP_BIT(n) ((uint64_t)1 << (n))
enum {
	EA_CAP_DAC_READ_SEARCH = 2,
	EA_CAP_NET_ADMIN = 12,
	EA_CAP_SYS_MODULE = 16,
	EA_CAP_SYS_RAWIO = 17,
	EA_CAP_SYS_PTRACE = 19,
	EA_CAP_SYS_ADMIN = 21,
	EA_CAP_SYS_BOOT = 22,
	EA_CAP_SYS_TIME = 25,
	EA_CAP_MAC_OVERRIDE = 32,
	EA_CAP_MAC_ADMIN = 33,
	EA_CAP_SYSLOG = 34,
	EA_CAP_PERFMON = 38,
	EA_CAP_BPF = 39,
	EA_CAP_LAST_KNOWN = 40, /* CAP_CHECKPOINT_RESTORE (Linux 5.9) */
};

/* "CAP_SYS_ADMIN" for 21; NULL past the table. */
const char *cap_name(unsigned bit);
/* Bit number of "CAP_SYS_ADMIN" or "SYS_ADMIN" (any case); -1 if unknown. */
int cap_from_name(const char *name);
/* Parse a hex mask (1-16 digits, nothing else). */
int cap_parse_hex(const char *s, uint64_t *out, ea_error_t *err);
/* Names of the set bits, lowest first.  A mask that holds more than half
 * of the capabilities up to last_cap (and nothing above) is written as
 * ["ALL", "-CAP_X", ...]: every capability but those named, the way
 * --cap-drop reads.  The report stays compact for root processes and loses
 * nothing, since the report's kernel facts carry cap_last_cap.
 * last_cap < 0: unknown, never shortened. */
cJSON *caps_to_json(uint64_t mask, int last_cap);
/* Comma-separated names of mask into buf (for finding messages). */
void caps_to_str(uint64_t mask, char *buf, size_t n);

#endif
