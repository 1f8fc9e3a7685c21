/*
 * drift: a container's writable layer judged against its image.
 *
 * Contract:
 *  - The store readers (src/store) hand over where a container's writable
 *    layer folder is (upper_rel) and its image's layer folders, top-down
 *    (lower_rel: the init layer first where the engine has one, then the
 *    image's top layer ... its base), all relative to the store root fd.
 *    The layers are overlay folders: whiteouts as char 0/0 devices or
 *    ".wh." files, opaque folders by the trusted.overlay.opaque xattr or a
 *    ".wh..wh..opq" file.
 *  - Read-only and hostile-safe: every folder is opened one component at a
 *    time with O_NOFOLLOW|O_NONBLOCK (fsx), a link is never followed, a
 *    FIFO or device is never opened, a regular file is opened only to hash
 *    it (sha256) and read its magic.  Bounded: at most DRIFT_MAX_ENTRIES
 *    entries and DRIFT_MAX_DEPTH levels per container; past either (or on
 *    a stop request) a drift.incomplete finding says the rest was not read.
 *  - Each changed path gets at most one finding, the most severe that
 *    applies (drift.*, see the README's "Container drift"); its subject is
 *    "<runtime>:<container id>:<path>".  Paths below the default-allowed
 *    folders (/tmp, /var/tmp, /run, /var/log, /var/cache) and those the
 *    user's allow list covers get none (they are still listed).
 *  - drift_scan returns the container's report entry (a JSON object the
 *    caller adds to its store entry): the changes as `docker diff` lists
 *    them (A/C/D, directories whose size, mode and mtime equal the image's
 *    left out), at most DRIFT_MAX_LISTED of them.
 */
#ifndef EDGEAUDIT_DRIFT_H
#define EDGEAUDIT_DRIFT_H

#include <cJSON.h>

#include "report.h"

#define DRIFT_MAX_ENTRIES 200000UL
#define DRIFT_MAX_DEPTH   128
#define DRIFT_MAX_LISTED  5000
#define DRIFT_MAX_LOWER   128

struct drift_target {
	report_t *r;
	int root;             /* the store root */
	const char *rootpath; /* for messages */
	const char *runtime;  /* "docker", "containers-storage" */
	const char *id, *name;
	const char *image; /* the image's name, else its ID */
	const char *upper_rel;
	const char *const *lower_rel; /* top-down */
	int nlower;
	/* paths the engine itself makes in the writable layer (mount points,
	 * podman's /etc/hosts ...): neither listed nor judged (their folders'
	 * contents still are); NULL-terminated, or NULL */
	const char *const *engine_paths;
	/* the user's allow list (--drift-allow, config drift_allow), NULL-
	 * terminated or NULL: see drift_allow_matches */
	const char *const *allow;
};
/* Does an allow-list entry "[WHO:]GLOB" cover this change?  GLOB (fnmatch,
 * '/' matched only by '/') matches the path or a folder above it; WHO, when
 * given (an entry not starting with '/': up to its last ":/"), must match
 * the container's name or its image's (fnmatch): "web-*:/srv/cache",
 * "registry:5000/app:*:/data/x*".  An entry of neither form matches nothing. */
int drift_allow_matches(const char *entry, const char *name, const char *image, const char *path);
/* The paths podman (libpod) makes in a container's layer, as `podman diff`
 * leaves them out. */
extern const char *const drift_podman_paths[];

/* The container's drift: findings made, its report entry returned. */
cJSON *drift_scan(const struct drift_target *t);

#endif
