/*
 * findings: the catalog of finding ids.  Ids are part of the report
 * contract: never rename one, only add.  The README's table is checked
 * against this list by tests/integration/test_findings_doc.sh.
 */
#include <string.h>

#include "report.h"

#define I 1 /* incomplete: the kind means something could not be checked */

const struct finding_kind finding_kinds[] = {
	/* the audit itself */
	{"audit.not_implemented", SEV_INFO, I, "a part of the audit this version does not check yet"},
	{"audit.findings_truncated", SEV_MEDIUM, I, "too many findings: the rest were counted, not listed"},
	/* stores */
	{"store.not_found", SEV_MEDIUM, I, "a store named with --store does not exist or cannot be opened"},
	{"store.unknown_type", SEV_MEDIUM, I, "a path given without a type is not a store edgeaudit recognises"},
	{"store.unsupported", SEV_MEDIUM, I, "a store type this version cannot read yet"},
	{"store.none_found", SEV_INFO, 0, "discovery found no image store at the usual roots"},
	{"store.symlink", SEV_HIGH, 0, "a symbolic link inside a store (never followed)"},
	{"store.special_file", SEV_HIGH, 0, "a FIFO, socket or device inside a store where a file belongs"},
	{"store.bad_path", SEV_HIGH, 0, "an absolute, '..' or otherwise unsafe name inside a store"},
	{"store.unreadable", SEV_HIGH, I, "a file of a store could not be read"},
	/* OCI layout and archives */
	{"layout.bad_version", SEV_MEDIUM, 0, "oci-layout missing or not imageLayoutVersion 1.0.0"},
	{"json.malformed", SEV_HIGH, I, "an index, manifest, config or store file is not valid JSON of the expected shape"},
	{"json.too_large", SEV_HIGH, I, "a JSON document over the size limit"},
	{"descriptor.bad_digest", SEV_HIGH, 0, "a descriptor's digest is not of the form the spec requires"},
	{"descriptor.unsupported_digest", SEV_MEDIUM, I, "a digest algorithm edgeaudit cannot compute"},
	{"descriptor.bad_size", SEV_HIGH, 0, "a descriptor's size is missing, negative or not an integer"},
	{"mediatype.unknown", SEV_MEDIUM, I, "a media type edgeaudit does not know how to verify"},
	{"blob.missing", SEV_HIGH, 0, "a blob named by a descriptor is not in the store"},
	{"blob.digest_mismatch", SEV_CRITICAL, 0, "a blob's content does not hash to its digest"},
	{"blob.size_mismatch", SEV_HIGH, 0, "a blob's size differs from its descriptor"},
	{"blob.unreferenced", SEV_INFO, 0, "a blob that no index or manifest references"},
	{"layer.decompress_error", SEV_HIGH, 0, "a compressed layer is corrupt or truncated"},
	{"layer.trailing_data", SEV_HIGH, 0, "data after the end of a compressed layer stream"},
	{"layer.bomb", SEV_HIGH, I, "a layer inflates past the size or ratio limit"},
	{"image.diffid_mismatch", SEV_CRITICAL, 0, "an uncompressed layer does not hash to the config's diff_id"},
	{"image.diffid_count", SEV_HIGH, 0, "the config's diff_ids and the manifest's layers differ in count"},
	{"image.config_mismatch", SEV_CRITICAL, 0, "the image ID (config digest) differs from the one recorded"},
	{"image.no_manifest", SEV_HIGH, 0, "an image entry whose manifest cannot be found"},
	{"archive.malformed", SEV_HIGH, I, "a tar archive is truncated or has an invalid header"},
	/* engine stores: layers extracted on disk */
	{"image.missing", SEV_HIGH, 0, "a name in the store points to an image that is not there"},
	{"layer.missing", SEV_HIGH, 0, "a layer's metadata entry or extracted folder is missing"},
	{"layer.metadata_mismatch", SEV_HIGH, 0, "a layer's recorded diffID, parent, cache-id or size disagrees with the image"},
	{"layer.diffid_mismatch", SEV_CRITICAL, 0, "a layer reassembled from disk does not hash to its diffID"},
	{"layer.file_modified", SEV_CRITICAL, 0, "a file of an extracted layer differs from the layer's content"},
	{"layer.file_missing", SEV_HIGH, 0, "a file the layer lists is not on disk"},
	{"layer.file_added", SEV_HIGH, 0, "a file on disk that the layer does not list"},
	{"layer.file_attr_mismatch", SEV_HIGH, 0, "a file's type, mode, owner, size or link target differs from its tar header"},
	{"tarsplit.malformed", SEV_HIGH, I, "a layer's tar-split record is missing, truncated or corrupt"},
	/* containerd (store_containerd.c, bbolt.c) */
	{"bbolt.corrupt", SEV_HIGH, I, "a bbolt database (containerd's meta.db, a snapshotter's metadata.db) has a bad meta page, a malformed page or pages pointing in a cycle"},
	{"bbolt.changing", SEV_MEDIUM, I, "a bbolt database changed during every read (its engine was committing): not read"},
	{"containerd.bad_record", SEV_HIGH, I, "an image record in containerd's meta.db without a target descriptor"},
	{"snapshot.unverified", SEV_INFO, I, "an extracted layer (containerd snapshot) that cannot be verified against its diffID: no tar-split is kept"},
	/* signatures */
	{"signature.missing", SEV_HIGH, 0, "an image the policy requires to be signed has no valid signature"},
	/* runtime (/proc) */
	{"proc.unreadable", SEV_LOW, I, "a process's /proc entries could not be read"},
};

const unsigned finding_kinds_count = sizeof finding_kinds / sizeof finding_kinds[0];

const struct finding_kind *finding_kind_lookup(const char *id)
{
	for (unsigned i = 0; i < finding_kinds_count; i++)
		if (strcmp(finding_kinds[i].id, id) == 0) return &finding_kinds[i];
	return NULL;
}
