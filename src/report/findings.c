/*
 * findings: the catalog of finding ids.  Ids are part of the report
 * contract: never rename one, only add.  The README's table is checked
 * against this list by tests/integration/test_findings_doc.sh.
 */
#include <string.h>

#include "report.h"
#include "util.h"

#define I 1 /* incomplete: the kind means something could not be checked */

const struct finding_kind finding_kinds[] = {
        /* the audit itself */
        {"audit.not_implemented", SEV_INFO, I,
         "a part of the audit this version does not check yet"},
        {"audit.findings_truncated", SEV_MEDIUM, I,
         "too many findings: the rest were counted, not listed"},
        {"audit.interrupted", SEV_INFO, I,
         "the budget ran out or a signal came before this part was checked"},
        {"audit.unexplained", SEV_HIGH, 0,
         "an image is not pass but no finding says why (an internal error: not trusted)"},
        /* stores */
        {"store.not_found", SEV_MEDIUM, I,
         "a store named with --store does not exist or cannot be opened"},
        {"store.unknown_type", SEV_MEDIUM, I,
         "a path given without a type is not a store edgeaudit recognises"},
        {"store.unsupported", SEV_MEDIUM, I, "a store type this version cannot read yet"},
        {"store.none_found", SEV_INFO, 0, "discovery found no image store at the usual roots"},
        {"store.symlink", SEV_HIGH, 0, "a symbolic link inside a store (never followed)"},
        {"store.special_file", SEV_HIGH, 0,
         "a FIFO, socket or device inside a store where a file belongs"},
        {"store.bad_path", SEV_HIGH, 0,
         "an absolute, '..' or otherwise unsafe name inside a store"},
        {"store.unreadable", SEV_HIGH, I, "a file of a store could not be read"},
        /* OCI layout and archives */
        {"layout.bad_version", SEV_MEDIUM, 0, "oci-layout missing or not imageLayoutVersion 1.0.0"},
        {"json.malformed", SEV_HIGH, I,
         "an index, manifest, config or store file is not valid JSON of the expected shape"},
        {"json.too_large", SEV_HIGH, I, "a JSON document over the size limit"},
        {"descriptor.bad_digest", SEV_HIGH, 0,
         "a descriptor's digest is not of the form the spec requires"},
        {"descriptor.unsupported_digest", SEV_MEDIUM, I,
         "a digest algorithm edgeaudit cannot compute"},
        {"descriptor.bad_size", SEV_HIGH, 0,
         "a descriptor's size is missing, negative or not an integer"},
        {"mediatype.unknown", SEV_MEDIUM, I, "a media type edgeaudit does not know how to verify"},
        {"blob.missing", SEV_HIGH, 0, "a blob named by a descriptor is not in the store"},
        {"blob.digest_mismatch", SEV_CRITICAL, 0, "a blob's content does not hash to its digest"},
        {"blob.size_mismatch", SEV_HIGH, 0, "a blob's size differs from its descriptor"},
        {"blob.unreferenced", SEV_INFO, 0, "a blob that no index or manifest references"},
        {"layer.decompress_error", SEV_HIGH, 0, "a compressed layer is corrupt or truncated"},
        {"layer.trailing_data", SEV_HIGH, 0, "data after the end of a compressed layer stream"},
        {"layer.bomb", SEV_HIGH, I, "a layer inflates past the size or ratio limit"},
        {"image.diffid_mismatch", SEV_CRITICAL, 0,
         "an uncompressed layer does not hash to the config's diff_id"},
        {"image.diffid_count", SEV_HIGH, 0,
         "the config's diff_ids and the manifest's layers (or a store's layer chain) differ in "
         "count"},
        {"image.config_mismatch", SEV_CRITICAL, 0,
         "the image ID (config digest) differs from the one recorded"},
        {"image.no_manifest", SEV_HIGH, 0, "an image entry whose manifest cannot be found"},
        {"archive.malformed", SEV_HIGH, I, "a tar archive is truncated or has an invalid header"},
        {"archive.ambiguous", SEV_HIGH, 0,
         "an archive the engines could read in two ways (names equal after path.Clean, conflicting "
         "header fields, a header Go reads otherwise)"},
        {"archive.manifest_mismatch", SEV_HIGH, 0,
         "a docker-archive's manifest.json names members, images or tags other than the verified "
         "OCI layout"},
        {"image.name_conflict", SEV_HIGH, 0,
         "one name bound to two different manifests (by ref.name, io.containerd.image.name or "
         "RepoTags)"},
        {"layer.compression_mismatch", SEV_HIGH, 0,
         "a layer's bytes (gzip, zstd or plain tar magic) disagree with its media type, or one "
         "blob is named with two compressions"},
        /* containerd (store_containerd.c, bbolt.c) */
        {"bbolt.corrupt", SEV_HIGH, I,
         "a bbolt database (containerd's meta.db, a snapshotter's metadata.db) has a bad meta "
         "page, a malformed page or pages pointing in a cycle"},
        {"bbolt.changing", SEV_MEDIUM, I,
         "a bbolt database changed during every read (its engine was committing): not read"},
        {"containerd.bad_record", SEV_HIGH, I,
         "an image record in containerd's meta.db without a target descriptor"},
        {"snapshot.writable", SEV_INFO, 0,
         "a container's writable layer (an active snapshot): it changes by design and is not "
         "verified"},
        {"snapshot.unverified", SEV_INFO, I,
         "an extracted layer (containerd snapshot) that cannot be verified against its diffID: no "
         "tar-split is kept"},
        /* engine stores: layers extracted on disk */
        {"image.missing", SEV_HIGH, 0, "a name in the store points to an image that is not there"},
        {"layer.missing", SEV_HIGH, 0, "a layer's metadata entry or extracted folder is missing"},
        {"layer.metadata_mismatch", SEV_HIGH, 0,
         "a layer's recorded diffID, parent, cache-id or size disagrees with the image"},
        {"layer.diffid_mismatch", SEV_CRITICAL, 0,
         "a layer reassembled from disk does not hash to its diffID"},
        {"layer.file_modified", SEV_CRITICAL, 0,
         "a file of an extracted layer differs from the layer's content"},
        {"layer.file_missing", SEV_HIGH, 0, "a file the layer lists is not on disk"},
        {"layer.file_added", SEV_HIGH, 0, "a file on disk that the layer does not list"},
        {"layer.file_attr_mismatch", SEV_HIGH, 0,
         "a file's type, mode, owner, size or link target differs from its tar header"},
        {"tarsplit.malformed", SEV_HIGH, I,
         "a layer's tar-split record is missing, truncated or corrupt"},
        /* container drift (src/drift) */
        {"drift.executable_added", SEV_HIGH, 0,
         "a container added an executable (ELF, script or exec bit) its image does not have"},
        {"drift.executable_replaced", SEV_CRITICAL, 0,
         "a container replaced a file of its image with an executable"},
        {"drift.binary_dir", SEV_HIGH, 0,
         "a container wrote below a folder of programs or libraries (/bin, /sbin, /usr/bin, "
         "/usr/sbin, /usr/local/bin, /lib*, /usr/lib*)"},
        {"drift.privileged_file", SEV_HIGH, 0,
         "a container made a setuid or setgid file, a file with capabilities or a device node"},
        {"drift.sensitive_file", SEV_HIGH, 0,
         "a container changed an account, sudo, loader, SSH key or cron file"},
        {"drift.deleted", SEV_MEDIUM, 0, "a container deleted files of its image"},
        {"drift.incomplete", SEV_MEDIUM, I,
         "a container's writable layer could not be read to the end (limit, link, error)"},
        /* signatures */
        {"signature.missing", SEV_HIGH, 0,
         "an image the policy requires to be signed has no valid signature"},
        {"signature.invalid", SEV_HIGH, 0,
         "a key-signed signature verifies with no accepted key (another signer, or altered)"},
        {"signature.wrong_key", SEV_HIGH, 0,
         "an intact signature by a key, certificate or kind the policy does not accept"},
        {"signature.payload_tampered", SEV_CRITICAL, 0,
         "a signature does not verify with the key or certificate it carries"},
        {"signature.digest_mismatch", SEV_CRITICAL, 0,
         "a valid signature names another manifest digest than the image's"},
        {"signature.reference_mismatch", SEV_HIGH, 0,
         "the signed docker-reference is none of the image's names"},
        {"signature.identity_mismatch", SEV_HIGH, 0,
         "the certificate's identity (SAN, OIDC issuer, subject) is not one the policy trusts"},
        {"signature.cert_expired", SEV_HIGH, 0,
         "a certificate of the chain had expired at the time it is judged at"},
        {"signature.cert_not_yet_valid", SEV_HIGH, 0,
         "a certificate of the chain was not yet valid at the time it is judged at"},
        {"signature.untrusted_chain", SEV_HIGH, 0,
         "the certificate chain does not lead to a trusted root (or is not for code signing)"},
        {"signature.untrusted_log", SEV_HIGH, 0,
         "a transparency log entry from a log the trusted root does not list (or not at that "
         "time)"},
        {"signature.bad_set", SEV_HIGH, 0,
         "a Rekor signed entry timestamp is missing or does not verify"},
        {"signature.bad_inclusion_proof", SEV_HIGH, 0,
         "a Rekor inclusion proof or checkpoint is missing or does not verify"},
        {"signature.tlog_mismatch", SEV_HIGH, 0,
         "a transparency log entry does not describe the signature it comes with"},
        {"signature.bad_sct", SEV_HIGH, 0,
         "no certificate transparency timestamp (SCT) verifies with the trusted CT logs"},
        {"signature.no_timestamp", SEV_HIGH, 0,
         "a certificate-signed signature without a verified signing time"},
        {"signature.threshold_unmet", SEV_HIGH, 0,
         "fewer verified transparency-log entries or timestamps than the policy requires"},
        {"signature.unsupported_algorithm", SEV_MEDIUM, I,
         "a signature needs an algorithm edgeaudit does not verify (Ed448, a log key of another "
         "type, ...)"},
        {"signature.unsupported_envelope", SEV_MEDIUM, I,
         "a signature envelope or payload type edgeaudit does not verify (COSE, ...)"},
        {"signature.unsupported_timestamp", SEV_MEDIUM, I,
         "an RFC 3161 timestamp edgeaudit does not verify"},
        {"signature.malformed", SEV_HIGH, 0,
         "a signature, envelope, certificate or payload is malformed (base64, DER, JSON)"},
        {"signature.expired", SEV_HIGH, 0, "a Notary Project signature is past its expiry time"},
        {"signature.revocation_unknown", SEV_HIGH, I,
         "a certificate names a CRL or OCSP responder: revocation cannot be checked offline"},
        {"signature.no_trust_policy", SEV_HIGH, 0,
         "no notation trust policy statement applies to the image"},
        {"signature.unreadable", SEV_HIGH, I, "a signature manifest or blob could not be read"},
        {"signature.too_many", SEV_MEDIUM, I,
         "more signatures than the limit: the rest were not checked"},
        {"signature.audit", SEV_LOW, 0,
         "a signature check failed for an image the policy only audits (mode audit)"},
        {"signature.notation_logged", SEV_INFO, 0,
         "a Notary Project check failed that the trust policy level only logs"},
        /* runtime (/proc) */
        {"proc.unreadable", SEV_LOW, I, "a process's /proc entries could not be read"},
        {"proc.no_seccomp", SEV_HIGH, 0, "a container process runs without a seccomp filter"},
        {"proc.filter_allows_dangerous", SEV_HIGH, 0,
         "a container process's seccomp filter lets an escape-class syscall run (mount, setns, "
         "unshare, kexec_load, init_module, bpf, keyctl, open_by_handle_at, ...)"},
        {"proc.filter_allows_risky", SEV_MEDIUM, 0,
         "a container process's seccomp filter lets a risky syscall run (ptrace, perf_event_open, "
         "userfaultfd, io_uring, ...)"},
        {"proc.profile_allows_dangerous", SEV_HIGH, 0,
         "a container's OCI seccomp profile (config.json) allows an escape-class syscall"},
        {"proc.profile_allows_risky", SEV_MEDIUM, 0,
         "a container's OCI seccomp profile (config.json) allows a risky syscall"},
        {"proc.cap_sys_admin", SEV_HIGH, 0, "CAP_SYS_ADMIN in a container"},
        {"proc.cap_sys_module", SEV_HIGH, 0, "CAP_SYS_MODULE in a container"},
        {"proc.cap_dangerous", SEV_MEDIUM, 0,
         "another escape-prone capability in a container (SYS_PTRACE, SYS_RAWIO, DAC_READ_SEARCH, "
         "NET_ADMIN, BPF, ...)"},
        {"proc.host_pid_ns", SEV_HIGH, 0, "a container shares the host's pid namespace"},
        {"proc.host_net_ns", SEV_HIGH, 0, "a container shares the host's network namespace"},
        {"proc.host_ipc_ns", SEV_MEDIUM, 0, "a container shares the host's IPC namespace"},
        {"proc.no_new_privs_off", SEV_MEDIUM, 0,
         "a container process may gain privileges on exec (NoNewPrivs 0)"},
        {"proc.seccomp_unsupported", SEV_HIGH, 0, "the kernel has no seccomp filter support"},
        {"proc.kernel_hardening", SEV_LOW, 0, "a kernel hardening switch is in its weak setting"},
        {"proc.deep_unavailable", SEV_MEDIUM, I,
         "--deep was asked but seccomp filters cannot be read here (not root, Yama, kernel)"},
        {"proc.filter_unreadable", SEV_LOW, I,
         "a process's seccomp filter could not be read or evaluated (traced, not stopping, unknown "
         "instruction)"},
        {"proc.bundle_unreadable", SEV_LOW, I,
         "a container's bundle, profile or engine record could not be read"},
        /* the host baseline (src/host/) */
        {"host.baseline_invalid", SEV_HIGH, I,
         "the host baseline is missing, unsigned, signed by another key, altered, truncated, "
         "malformed or unsorted: refused, nothing compared"},
        {"host.file_modified", SEV_HIGH, 0,
         "a file's content differs from the baseline (critical for executables and libraries)"},
        {"host.file_added", SEV_MEDIUM, 0,
         "an entry the baseline does not list (high in program and library folders, setuid, "
         "with capabilities)"},
        {"host.file_missing", SEV_HIGH, 0, "an entry of the baseline is not on the box"},
        {"host.attr_changed", SEV_HIGH, 0,
         "an entry's type, mode, owner, link target, capabilities or device number differs "
         "from the baseline (critical when it gains setuid, setgid or capabilities)"},
        {"host.unreadable", SEV_MEDIUM, I,
         "an entry of the tree could not be read or walked, or was unreadable when the "
         "baseline was made: not compared"},
        /* what is installed */
        {"pkg.db_malformed", SEV_MEDIUM, I,
         "a package database or release file could not be read in full: its packages are not all "
         "known"},
        {"pkg.db_too_large", SEV_MEDIUM, I,
         "a package database over the size or package-count limit: read no further"},
        {"vuln.inventory_unsupported", SEV_INFO, I,
         "a package database edgeaudit does not read (RPM): those packages are not inventoried"},
        /* known vulnerabilities (src/vuln/) */
        {"vuln.not_inventoried", SEV_INFO, 0,
         "with --vulndb: an image (or the host) with no package database edgeaudit reads: its "
         "known vulnerabilities are not known (not \"none\")"},
        {"vuln.package", SEV_MEDIUM, 0,
         "an installed package is affected by a known vulnerability (the advisory's severity)"},
        {"vulndb.untrusted", SEV_HIGH, I,
         "the vulnerability database is missing, unsigned, signed by another key or changed "
         "while read: refused, nothing matched"},
        {"vulndb.loaded", SEV_INFO, 0,
         "the vulnerability database's signature was good: its build date and counts"},
        {"vulndb.stale", SEV_MEDIUM, 0,
         "the vulnerability database is older than the configured age (vulndb_max_age_days)"},
        {"vulndb.malformed", SEV_HIGH, I,
         "the vulnerability database is signed but malformed (a reference past its end, a "
         "format this version does not read): matching stopped"},
};

const unsigned finding_kinds_count = sizeof finding_kinds / sizeof finding_kinds[0];

const struct finding_kind *finding_kind_lookup(const char *id)
{
	for (unsigned i = 0; i < finding_kinds_count; i++)
		if (strcmp(finding_kinds[i].id, id) == 0) return &finding_kinds[i];
	return NULL;
}

const char *finding_id_for_open_error(int code, const char *missing_id)
{
	switch (code) {
	case EA_E_NOENT: return missing_id;
	case EA_E_SYMLINK: return "store.symlink";
	case EA_E_NOTREG: return "store.special_file";
	case EA_E_BADNAME: return "store.bad_path";
	case EA_E_TOOBIG: return "json.too_large";
	case EA_E_INTERRUPTED: return "audit.interrupted"; /* stopped: unchecked, not unreadable */
	default: return "store.unreadable";
	}
}
