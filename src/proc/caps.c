/* caps: see caps.h. */
#include "caps.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* include/uapi/linux/capability.h, in bit order. */
static const char *const names[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_DAC_READ_SEARCH",
        "CAP_FOWNER",
        "CAP_FSETID",
        "CAP_KILL",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETPCAP",
        "CAP_LINUX_IMMUTABLE",
        "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST",
        "CAP_NET_ADMIN",
        "CAP_NET_RAW",
        "CAP_IPC_LOCK",
        "CAP_IPC_OWNER",
        "CAP_SYS_MODULE",
        "CAP_SYS_RAWIO",
        "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE",
        "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN",
        "CAP_SYS_BOOT",
        "CAP_SYS_NICE",
        "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG",
        "CAP_MKNOD",
        "CAP_LEASE",
        "CAP_AUDIT_WRITE",
        "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP",
        "CAP_MAC_OVERRIDE",
        "CAP_MAC_ADMIN",
        "CAP_SYSLOG",
        "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ",
        "CAP_PERFMON",
        "CAP_BPF",
        "CAP_CHECKPOINT_RESTORE",
};
#define NNAMES (sizeof names / sizeof names[0])

const char *cap_name(unsigned bit) { return bit < NNAMES ? names[bit] : NULL; }

int cap_from_name(const char *name)
{
	const char *n = !strncasecmp(name, "CAP_", 4) ? name + 4 : name;
	for (unsigned i = 0; i < NNAMES; i++)
		if (!strcasecmp(names[i] + 4, n)) return (int)i;
	return -1;
}

int cap_parse_hex(const char *s, uint64_t *out, ea_error_t *err)
{
	uint64_t v = 0;
	size_t i = 0;
	for (; s[i]; i++) {
		int c = (unsigned char)s[i], d;
		if (c >= '0' && c <= '9') d = c - '0';
		else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
		else return ea_fail(err, EA_E_FORMAT, "capability mask '%.20s' is not hex", s);
		if (i >= 16)
			return ea_fail(err, EA_E_FORMAT, "capability mask '%.20s' is over 64 bits",
			               s);
		v = v << 4 | (uint64_t)d;
	}
	if (i == 0) return ea_fail(err, EA_E_FORMAT, "empty capability mask");
	*out = v;
	return 0;
}

static uint64_t full_mask(int last_cap)
{
	return last_cap >= 63 ? ~(uint64_t)0 : (CAP_BIT(last_cap + 1) - 1);
}

static void add_name(cJSON *a, const char *prefix, unsigned b)
{
	char tmp[40];
	const char *n = cap_name(b);
	if (n) snprintf(tmp, sizeof tmp, "%s%s", prefix, n);
	else snprintf(tmp, sizeof tmp, "%sCAP_%u", prefix, b);
	cJSON_AddItemToArray(a, cJSON_CreateString(tmp));
}

cJSON *caps_to_json(uint64_t mask, int last_cap)
{
	cJSON *a = cJSON_CreateArray();
	if (last_cap >= 0 && mask && !(mask & ~full_mask(last_cap))) {
		uint64_t missing = full_mask(last_cap) & ~mask;
		if (__builtin_popcountll(missing) * 2 < last_cap + 1) {
			/* Mostly full: "ALL" less what is missing (docker's --cap-drop
			 * reading), lossless given cap_last_cap. */
			cJSON_AddItemToArray(a, cJSON_CreateString("ALL"));
			for (unsigned b = 0; b < 64; b++)
				if (missing & CAP_BIT(b)) add_name(a, "-", b);
			return a;
		}
	}
	for (unsigned b = 0; b < 64; b++)
		if (mask & CAP_BIT(b)) add_name(a, "", b);
	return a;
}

void caps_to_str(uint64_t mask, char *buf, size_t n)
{
	size_t len = 0;
	if (n) buf[0] = '\0';
	for (unsigned b = 0; b < 64 && len + 1 < n; b++) {
		if (!(mask & CAP_BIT(b))) continue;
		const char *nm = cap_name(b);
		int w = nm ? snprintf(buf + len, n - len, "%s%s", len ? "," : "", nm)
		           : snprintf(buf + len, n - len, "%sCAP_%u", len ? "," : "", b);
		if (w < 0 || (size_t)w >= n - len) break;
		len += (size_t)w;
	}
}
