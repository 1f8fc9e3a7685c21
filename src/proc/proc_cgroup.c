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

/* m names runtime r and container id (64 characters): returns 1 (a match). */
static int set(struct cgroup_match *m, enum cg_runtime r, const char *id)
{
	m->runtime = r;
	memcpy(m->id, id, 64);
	m->id[64] = '\0';
	return 1;
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

/* Where one cgroup path is.  The components before the one being looked at. */
struct cg_walk {
	const char *prev; /* the previous component, prevn bytes */
	size_t prevn;
	int in_kubepods;
	char pod[65];
};

/* Does component c (n bytes) name a container?  1 (m set), else 0. */
static int match_component(const char *c, size_t n, const struct cg_walk *w, struct cgroup_match *m)
{
	const char *id;
	if (wrapped_id(c, n, "docker-", ".scope", &id))
		return set(m, w->in_kubepods ? CG_KUBEPODS : CG_DOCKER, id);
	if (wrapped_id(c, n, "balena-", ".scope", &id)) return set(m, CG_BALENA, id);
	if (wrapped_id(c, n, "libpod-", ".scope", &id) || wrapped_id(c, n, "libpod-", "", &id))
		return set(m, CG_PODMAN, id);
	if (wrapped_id(c, n, "cri-containerd-", ".scope", &id)) return set(m, CG_CONTAINERD, id);
	if (wrapped_id(c, n, "crio-", ".scope", &id)) return set(m, CG_CRIO, id);
	if (!ea_is_hex64(c, n) || !w->prev) return 0;
	if (w->prevn == 6 && !strncmp(w->prev, "docker", 6)) return set(m, CG_DOCKER, c);
	if (w->prevn == 6 && !strncmp(w->prev, "balena", 6)) return set(m, CG_BALENA, c);
	if (w->in_kubepods) return set(m, CG_KUBEPODS, c);
	return 0;
}

/* Match one cgroup path. */
static int match_path(const char *path, size_t plen, struct cgroup_match *m)
{
	struct cg_walk w = {0};
	const char *p = path, *end = path + plen;
	while (p < end) {
		while (p < end && *p == '/') p++;
		const char *c = p;
		while (p < end && *p != '/') p++;
		size_t n = (size_t)(p - c);
		if (!n) break;
		if (match_component(c, n, &w, m)) {
			int kube = m->runtime == CG_KUBEPODS || m->runtime == CG_CONTAINERD ||
			           m->runtime == CG_CRIO;
			if (kube && w.in_kubepods) snprintf(m->pod, sizeof m->pod, "%s", w.pod);
			return 1;
		}
		if ((n >= 8 && !strncmp(c, "kubepods", 8))) w.in_kubepods = 1;
		if (w.in_kubepods && !w.pod[0]) pod_uid(c, n, w.pod, sizeof w.pod);
		w.prev = c;
		w.prevn = n;
	}
	return 0;
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
