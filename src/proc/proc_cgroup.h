/*
 * proc_cgroup: which container a process belongs to, from the cgroup paths
 * in /proc/<pid>/cgroup ("hierarchy:controllers:path" lines, v1 and v2).
 *
 * Known paths (the id is always 64 hex digits, the form every engine below
 * uses; anything else is no match, never a guess):
 *   docker      /docker/<id>, docker-<id>.scope (systemd driver)
 *   balena      /balena/<id>, balena-<id>.scope (balenaEngine, a moby fork;
 *               with the cgroupfs driver it also uses /docker/<id>: the shim
 *               tells them apart, see proc_container.h)
 *   podman      /libpod_parent/libpod-<id>, libpod-<id>.scope
 *               (libpod-conmon-<id> is podman's monitor, not the container)
 *   containerd  cri-containerd-<id>.scope (CRI plugin, systemd driver)
 *   cri-o       crio-<id>.scope (crio-conmon-<id> is the monitor)
 *   kubepods    /kubepods[/<qos>]/pod<uid>/<id> (CRI, cgroupfs driver)
 * The first (outermost) match wins: a process in a container in a container
 * belongs, for the host, to the outer one.
 *
 * Contract: pure.  Also returns the path of the unified (v2) hierarchy, or
 * of name=systemd, or the first line's, for callers that match containers
 * by other means (containerd's `ctr run` uses /<namespace>/<id>).
 */
#ifndef EDGEAUDIT_PROC_CGROUP_H
#define EDGEAUDIT_PROC_CGROUP_H

#include <stddef.h>

enum cg_runtime {
	CG_NONE = 0,
	CG_DOCKER,
	CG_BALENA,
	CG_PODMAN,
	CG_CONTAINERD,
	CG_CRIO,
	CG_KUBEPODS
};

struct cgroup_match {
	enum cg_runtime runtime;
	char id[65];    /* container id, "" when no match */
	char pod[65];   /* pod uid for kubepods paths, "" otherwise */
	char path[512]; /* the unified / name=systemd / first path ("" if none) */
};

/* Returns 1 when a container path matched, 0 otherwise (m->path is filled
 * either way). */
int proc_cgroup_match(const char *text, size_t len, struct cgroup_match *m);
const char *cg_runtime_name(enum cg_runtime r);

#endif
