/*
 * proc_container: from a process to its container's runtime state, bundle
 * (config.json) and image.
 *
 * Evidence, strongest first (proc.c walks it):
 *  1. the cgroup path (proc_cgroup.h): runtime and id;
 *  2. the runtime's monitor among the process's ancestors: containerd's
 *     shim (containerd-shim-runc-v2 and v1, balenaEngine's shim) runs with
 *     its working folder = the bundle and "-namespace NS -id ID -address
 *     SOCK" on its command line; podman's and CRI-O's conmon has
 *     "-c ID -b BUNDLE -n NAME";
 *  3. with neither (runc or crun run by hand), the process's root mount:
 *     its mountinfo line for "/" names the folder of the filesystem it
 *     comes from, and the host's mountinfo maps that to a host path; a
 *     bundle is that path's parent when it holds a config.json whose
 *     root.path leads back to it.
 * Then: Docker and balenaEngine keep per-container config.v2.json (image
 * id, image name, container name) under the daemon's data root, found on
 * the daemon's command line (--data-root, -g) or its defaults; podman
 * keeps containers.json and images.json beside the bundle; CRI engines
 * write the image name into the bundle's annotations.  containerd's own
 * names are in its bolt database, which this version does not read.
 *
 * Contract: the parsers are pure; container_load reads files only below
 * paths found as above, each bounded (PC_MAX_JSON), no link following at
 * the file itself, and reports what it could not read in c->problem
 * (never fatal).
 */
#ifndef EDGEAUDIT_PROC_CONTAINER_H
#define EDGEAUDIT_PROC_CONTAINER_H

#include <cJSON.h>
#include <stddef.h>

#include "util.h"

#define PC_MAX_JSON (8u << 20)
#define PC_PATH     1024

enum shim_kind { SHIM_NONE = 0, SHIM_CONTAINERD, SHIM_BALENA, SHIM_CONMON };

struct shim_info {
	enum shim_kind kind;
	char ns[128];          /* containerd namespace ("moby" for Docker, "k8s.io" for CRI) */
	char id[256];          /* -id / -c */
	char name[256];        /* conmon -n */
	char address[PC_PATH]; /* containerd socket */
	char bundle[PC_PATH]; /* conmon -b; for containerd shims the caller fills it from the cwd */
	char runtime_root[PC_PATH]; /* v1 shim -runtime-root */
};

/* comm is the process's comm (15 characters at most); cmdline its NUL
 * separated argv.  Returns the kind (SHIM_NONE for anything else). */
enum shim_kind shim_parse(const char *comm, const char *cmdline, size_t len, struct shim_info *si);

struct dockerd_info {
	int balena;
	char data_root[PC_PATH];
	char exec_root[PC_PATH];
	char config_file[PC_PATH];
	int data_root_given; /* 0: the default or the config file's */
};
/* 1 if comm/cmdline is a Docker or balenaEngine daemon (filled), else 0. */
int dockerd_parse(const char *comm, const char *cmdline, size_t len, struct dockerd_info *di);

/* The root mount of a mountinfo text: the last line whose mount point is
 * "/" (root: its folder inside the filesystem, unescaped; dev). */
int mountinfo_root(const char *mi, size_t len, char *root, size_t rn, unsigned *maj, unsigned *min);
/* Where (maj:min, root) appears in the host's mountinfo: the mount of that
 * device whose own root is the longest prefix of root.  -1 if none. */
int mountinfo_host_path(const char *mi, size_t len, unsigned maj, unsigned min, const char *root,
                        char *out, size_t n);

struct container {
	char runtime[32]; /* docker, balena, podman, containerd, cri-o, kubernetes, oci */
	char id[256];
	char name[256];
	char pod[65];
	char bundle[PC_PATH];
	char state[PC_PATH];
	char image_id[80];
	char image_name[512];
	char problem[256]; /* what could not be read, "" if nothing */
	cJSON *config;     /* the bundle's config.json, NULL if none */
};

void container_clear(struct container *c);
/* Copy src into dst (n bytes), cut if longer; returns -1 when cut. */
int pc_copy(char *dst, size_t n, const char *src);
/* Read config.json from c->bundle (if set), the image and the state.  shim
 * may be NULL; dockerds: the daemons seen in the scan. */
void container_load(struct container *c, const struct shim_info *shim,
                    const struct dockerd_info *dockerds, int ndockerds);
/* Read a JSON file (bounded, not through a symbolic link at the file) with
 * one meaning, as runc reads it (jsondoc.h): else NULL, EA_E_FORMAT. */
cJSON *pc_read_json(const char *path, ea_error_t *err);

#endif
