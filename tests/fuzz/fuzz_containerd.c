/* containerd's store (store_containerd.c): the records of meta.db --
 * namespaces, image names and target descriptors, content and snapshot
 * entries, varint sizes, labels -- read through bbolt from the input written
 * as io.containerd.metadata.v1.bolt/meta.db of a private root (made once,
 * with an empty content store and overlayfs snapshotter folder). */
#include "common.h"
#include "store_readers.h"

static char root[512];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	const char *t = fz_tmpdir();
	static const char *const dirs[] = {"ctrd", "ctrd/io.containerd.metadata.v1.bolt", "ctrd/io.containerd.content.v1.content",
					   "ctrd/io.containerd.content.v1.content/blobs",
					   "ctrd/io.containerd.content.v1.content/blobs/sha256",
					   "ctrd/io.containerd.snapshotter.v1.overlayfs",
					   "ctrd/io.containerd.snapshotter.v1.overlayfs/snapshots"};
	char p[600];
	for (unsigned i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", t, dirs[i]);
		if (mkdir(p, 0755) < 0) fz_die("mkdir %s: %s", p, strerror(errno));
	}
	snprintf(root, sizeof root, "%s/ctrd", t);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fz_put("ctrd/io.containerd.metadata.v1.bolt/meta.db", data, size);
	report_t *r = report_new();
	cJSON *sj = cJSON_CreateObject();
	struct store_spec spec = {.type = STORE_CONTAINERD, .path = root};
	struct audit_limits lim = {.jobs = 1, .max_layer_bytes = 16u << 20, .max_ratio = 100};
	store_read_containerd(r, &spec, &lim, sj);
	cJSON_Delete(sj);
	fz_check_report_json(r);
	report_free(r);
	return 0;
}
