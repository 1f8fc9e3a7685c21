/* layerdb (layerdb.h): a layer tar as it streams by for its diffID, the
 * package databases kept, then folded.  Option byte: a chunk size (bit 7:
 * fix the tar header checksums first, so the fuzzer gets past them).
 * Properties: the same layer result whole and in chunks (entries, paths,
 * packages), and the fold of the layer over itself holds no more packages
 * than the layer's files. */
#include "common.h"
#include "layerdb.h"

static struct layer_pkgs *tap(const uint8_t *d, size_t n, size_t chunk)
{
	struct layerdb_tap *t = layerdb_tap_new();
	for (size_t off = 0; off < n; off += chunk)
		layerdb_tap_feed(t, d + off, n - off < chunk ? n - off : chunk);
	return layerdb_tap_finish(t, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t opt = fz_take_byte(&data, &size);
	uint8_t *buf = malloc(size + 1);
	memcpy(buf, data, size);
	if (opt & 0x80) fz_fix_tar_checksums(buf, size);
	struct layer_pkgs *a = tap(buf, size, size ? size : 1);
	struct layer_pkgs *b = tap(buf, size, (opt & 0x7f) + 1);
	if (a->n != b->n || !a->problem != !b->problem) abort();
	size_t files = 0;
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->e[i].path, b->e[i].path) || a->e[i].type != b->e[i].type) abort();
		if (a->e[i].inv && a->e[i].inv->npkgs != b->e[i].inv->npkgs) abort();
		if (a->e[i].inv) files += a->e[i].inv->npkgs;
	}
	struct layer_pkgs *two[2] = {a, b};
	struct inventory *inv = layerdb_fold(two, NULL, 2);
	if (!inv || inv->npkgs > files) abort();
	inventory_free(inv);
	layer_pkgs_free(a);
	layer_pkgs_free(b);
	free(buf);
	return 0;
}
