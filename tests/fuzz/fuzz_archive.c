/* The archive store readers (store_oci.c oci-archive, store_docker_archive.c
 * docker save): manifest.json, repositories, <id>.json configs, layer links
 * inside the archive, and the OCI layout within, over the input as a file
 * (a memfd reopened through /proc/self/fd, so nothing is written to disk).
 * Option bit 0: docker-archive (else oci-archive); bit 1: fix the tar
 * header checksums first. */
#include "common.h"
#include "store_readers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	int fd = fz_tar_memfd(data, size, opt & 2);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	report_t *r = report_new();
	cJSON *sj = cJSON_CreateObject();
	struct store_spec spec = {.type = (opt & 1) ? STORE_DOCKER_ARCHIVE : STORE_OCI_ARCHIVE, .path = path};
	struct audit_limits lim = {.jobs = 1, .max_layer_bytes = 16u << 20, .max_ratio = 100};
	if (opt & 1) store_read_docker_archive(r, &spec, &lim, sj);
	else store_read_oci_archive(r, &spec, &lim, sj);
	cJSON_Delete(sj);
	fz_check_report_json(r);
	report_free(r);
	return 0;
}
