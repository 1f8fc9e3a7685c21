/* proc_cgroup: see proc_cgroup.h. */
#include "proc_cgroup.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

const char *cg_runtime_name(enum cg_runtime r)
{
	switch (r) {
	case CG_DOCKER: return "docker";
	case CG_BALENA: return "balena";
	case CG_PODMAN: return "podman";
	case CG_CONTAINERD: return "containerd";
	case CG_CRIO: return "cri-o";
	case CG_KUBEPODS: return "kubernetes";
	default: return "none";
	}
}

/* c (length n) is "<prefix><64 hex><suffix>"? */
static int wrapped_id(const char *c, size_t n, const char *prefix, const char *suffix,
                      const char **id)
{
	size_t pl = strlen(prefix), sl = strlen(suffix);
	if (n != pl + 64 + sl || strncmp(c, prefix, pl) != 0 ||
	    strncmp(c + pl + 64, suffix, sl) != 0)
		return 0;
	if (!ea_is_hex64(c + pl, 64)) return 0;
	*id = c + pl;
	return 1;
}

static void set(struct cgroup_match *m, enum cg_runtime r, const char *id)
{
	m->runtime = r;
	memcpy(m->id, id, 64);
	m->id[64] = '\0';
}

/* Pod uid from "pod<uid>" or "kubepods-<qos>-pod<uid>.slice" (systemd
 * escapes '-' in the uid as '_'). */
static void pod_uid(const char *c, size_t n, char *out, size_t outn)
{
	const char *p = NULL;
	for (size_t i = 0; i + 3 <= n; i++)
		if (!strncmp(c + i, "pod", 3) && (i == 0 || c[i - 1] == '-')) p = c + i + 3;
	if (!p) return;
	size_t len = (size_t)(c + n - p);
	if (len > 6 && !strncmp(c + n - 6, ".slice", 6)) len -= 6;
	if (len == 0 || len >= outn) return;
	memcpy(out, p, len);
	out[len] = '\0';
}

/* Match one cgroup path. */
static int match_path(const char *path, size_t plen, struct cgroup_match *m)
{
	const char *prev = NULL;
	size_t prevn = 0;
	int in_kubepods = 0;
	char pod[65] = "";
	const char *p = path, *end = path + plen;
	while (p < end) {
		while (p < end && *p == '/') p++;
		const char *c = p;
		while (p < end && *p != '/') p++;
		size_t n = (size_t)(p - c);
		if (!n) break;
		const char *id;
		if (wrapped_id(c, n, "docker-", ".scope", &id)) {
			set(m, in_kubepods ? CG_KUBEPODS : CG_DOCKER, id);
			goto found;
		}
		if (wrapped_id(c, n, "balena-", ".scope", &id)) {
			set(m, CG_BALENA, id);
			goto found;
		}
		if (wrapped_id(c, n, "libpod-", ".scope", &id) ||
		    wrapped_id(c, n, "libpod-", "", &id)) {
			set(m, CG_PODMAN, id);
			goto found;
		}
		if (wrapped_id(c, n, "cri-containerd-", ".scope", &id)) {
			set(m, CG_CONTAINERD, id);
			goto found;
		}
		if (wrapped_id(c, n, "crio-", ".scope", &id)) {
			set(m, CG_CRIO, id);
			goto found;
		}
		if (ea_is_hex64(c, n) && prev) {
			if (prevn == 6 && !strncmp(prev, "docker", 6)) {
				set(m, CG_DOCKER, c);
				goto found;
			}
			if (prevn == 6 && !strncmp(prev, "balena", 6)) {
				set(m, CG_BALENA, c);
				goto found;
			}
			if (in_kubepods) {
				set(m, CG_KUBEPODS, c);
				goto found;
			}
		}
		if ((n >= 8 && !strncmp(c, "kubepods", 8))) in_kubepods = 1;
		if (in_kubepods && !pod[0]) pod_uid(c, n, pod, sizeof pod);
		prev = c;
		prevn = n;
	}
	return 0;
found:
	if (m->runtime == CG_KUBEPODS || m->runtime == CG_CONTAINERD || m->runtime == CG_CRIO) {
		if (in_kubepods) snprintf(m->pod, sizeof m->pod, "%s", pod);
	}
	return 1;
}

int proc_cgroup_match(const char *text, size_t len, struct cgroup_match *m)
{
	memset(m, 0, sizeof *m);
	int matched = 0, path_rank = 0; /* 3: unified, 2: name=systemd, 1: first */
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		const char *c1 = memchr(p, ':', (size_t)(le - p));
		const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(le - c1 - 1)) : NULL;
		if (c2) {
			const char *path = c2 + 1;
			size_t plen = (size_t)(le - path);
			int rank = (c1 == p + 1 && p[0] == '0' && c2 == c1 + 1) ? 3
			           : ((size_t)(c2 - c1 - 1) == 12 &&
			              !strncmp(c1 + 1, "name=systemd", 12))
			                   ? 2
			                   : 1;
			if (rank > path_rank && plen < sizeof m->path) {
				memcpy(m->path, path, plen);
				m->path[plen] = '\0';
				path_rank = rank;
			}
			if (!matched) matched = match_path(path, plen, m);
		}
		p = nl ? nl + 1 : end;
	}
	return matched;
}
