/* OSV input of `vulndb build` (osv.h, osvsrc.h): the first byte picks a
 * JSON record (0, given to osv_parse and the builder as one record) or a
 * ZIP archive (1, over a memfd through osvsrc_each, as all.zip).
 * Properties: a record the parser accepts builds a database the reader
 * opens (the builder never writes what its reader refuses), and every
 * package the record names in an orderable ecosystem is found in it. */
#include "common.h"
#include "osv.h"
#include "osvsrc.h"
#include "vercmp.h"
#include "vulndb.h"

static void built_opens(struct vulndb_builder *b, const struct osv_record *r)
{
	char *mem = NULL;
	size_t len;
	struct vulndb_header h;
	struct vulndb *db;
	ea_error_t err = {0};
	if (vulndb_builder_finish(b, &mem, &len, &h, &err) < 0) abort();
	if (vulndb_open_mem(mem, len, &db, &err) < 0) abort();
	for (size_t i = 0; r && !r->withdrawn && i < r->naff; i++) {
		uint32_t first, count;
		if (ver_scheme_of(r->aff[i].ecosystem) == VER_NONE) continue;
		if (vulndb_find(db, r->aff[i].ecosystem, r->aff[i].name, &first, &count, &err) < 0 ||
		    count == 0)
			abort();
		for (uint32_t k = first; k < first + count; k++) {
			struct vulndb_aff a;
			if (vulndb_read_aff(db, k, &a, &err) < 0) abort();
			vulndb_aff_clear(&a);
		}
	}
	vulndb_close(db);
	free(mem);
}

static int on_entry(void *ctx, const char *name, const char *buf, size_t len,
                    const ea_error_t *rerr)
{
	(void)name;
	if (!rerr) vulndb_builder_add_record(ctx, "zip", buf, len, NULL, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) return 0;
	struct vulndb_builder *b = vulndb_builder_new(NULL, 0, 1700000000);
	ea_error_t err = {0};
	if (data[0] & 1) {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fz_memfd(data + 1, size - 1));
		osvsrc_each(path, on_entry, b, &err);
		built_opens(b, NULL);
	} else {
		struct osv_record r;
		vulndb_builder_add_record(b, "fuzz", (const char *)data + 1, size - 1, NULL, NULL);
		if (osv_parse((const char *)data + 1, size - 1, &r, &err) == 0) built_opens(b, &r);
		else built_opens(b, NULL);
		osv_record_free(&r);
	}
	vulndb_builder_free(b);
	return 0;
}
