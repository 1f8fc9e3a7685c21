/*
 * finding_text: what the console says of each finding id (phrases short
 * enough for 80 columns) and what to do about each class of finding: the
 * table beside the catalog (findings.c), read by the text summary and by
 * `edgeaudit explain`.  tests/unit/test_summary.c checks that every
 * catalog id has a phrase and a hint.
 */
#include <string.h>

#include "report.h"

struct phrase {
	const char *id;
	const char *noun;   /* non-NULL: the phrase says what happened to a thing, this one
	                     * unless the summary knows which ("layer 2 of 3", "file /bin/sh") */
	const char *phrase; /* short: at most 40 characters */
};

static const struct phrase phrases[] = {
        {"audit.not_implemented", NULL, "not checked by this version"},
        {"audit.findings_truncated", NULL, "too many findings to list"},
        {"audit.interrupted", NULL, "not checked: budget or signal"},
        {"audit.unexplained", NULL, "failed with no finding saying why"},
        {"store.not_found", NULL, "store not found"},
        {"store.unknown_type", NULL, "not a store edgeaudit knows"},
        {"store.unsupported", NULL, "store type not readable yet"},
        {"store.none_found", NULL, "no image store found"},
        {"store.symlink", NULL, "symbolic link inside the store"},
        {"store.special_file", NULL, "FIFO, socket or device in the store"},
        {"store.bad_path", NULL, "unsafe path name in the store"},
        {"store.unreadable", NULL, "store file unreadable"},
        {"layout.bad_version", NULL, "oci-layout file missing or wrong"},
        {"json.malformed", NULL, "malformed JSON document"},
        {"json.too_large", NULL, "JSON document too large"},
        {"descriptor.bad_digest", NULL, "malformed digest in a descriptor"},
        {"descriptor.unsupported_digest", NULL, "digest algorithm not supported"},
        {"descriptor.bad_size", NULL, "bad size in a descriptor"},
        {"mediatype.unknown", NULL, "unknown media type"},
        {"blob.missing", "blob", "missing"},
        {"blob.digest_mismatch", "blob", "altered (digest differs)"},
        {"blob.size_mismatch", "blob", "altered (size differs)"},
        {"blob.unreferenced", NULL, "blob no image uses"},
        {"layer.decompress_error", "layer", "corrupt or truncated"},
        {"layer.trailing_data", "layer", "has data after its end"},
        {"layer.bomb", "layer", "inflates past the limits"},
        {"image.diffid_mismatch", "layer", "altered (content differs)"},
        {"image.diffid_count", NULL, "layer count disagrees"},
        {"image.config_mismatch", NULL, "config altered (ID differs)"},
        {"image.no_manifest", NULL, "manifest missing"},
        {"archive.malformed", NULL, "archive truncated or corrupt"},
        {"archive.ambiguous", NULL, "archive engines read two ways"},
        {"archive.manifest_mismatch", NULL, "archive manifest.json disagrees"},
        {"image.name_conflict", NULL, "one name on two images"},
        {"layer.compression_mismatch", NULL, "compression disagrees with type"},
        {"bbolt.corrupt", NULL, "database corrupt"},
        {"bbolt.changing", NULL, "database changed while read"},
        {"containerd.bad_record", NULL, "image record without a target"},
        {"snapshot.writable", NULL, "writable container layer"},
        {"snapshot.unverified", NULL, "extracted layer not verifiable"},
        {"image.missing", NULL, "named image missing"},
        {"layer.missing", "layer", "missing"},
        {"layer.metadata_mismatch", "layer", "metadata disagrees"},
        {"layer.diffid_mismatch", "layer", "altered on disk"},
        {"layer.file_modified", "a file", "modified"},
        {"layer.file_missing", "a file", "missing"},
        {"layer.file_added", "a file", "added"},
        {"layer.file_attr_mismatch", "a file", "mode, owner or type changed"},
        {"tarsplit.malformed", NULL, "tar-split record bad"},
        {"drift.executable_added", NULL, "container added an executable"},
        {"drift.executable_replaced", NULL, "container replaced a file by a program"},
        {"drift.binary_dir", NULL, "container wrote to a program folder"},
        {"drift.privileged_file", NULL, "container made a setuid/device file"},
        {"drift.sensitive_file", NULL, "container changed an account file"},
        {"drift.deleted", NULL, "container deleted image files"},
        {"drift.incomplete", NULL, "container changes not all read"},
        {"signature.missing", NULL, "signature missing"},
        {"signature.invalid", NULL, "signature by no accepted key"},
        {"signature.wrong_key", NULL, "signed by an untrusted key"},
        {"signature.payload_tampered", NULL, "signature tampered"},
        {"signature.digest_mismatch", NULL, "signature for another image"},
        {"signature.reference_mismatch", NULL, "signature for another name"},
        {"signature.identity_mismatch", NULL, "signer identity not trusted"},
        {"signature.cert_expired", NULL, "signing certificate expired"},
        {"signature.cert_not_yet_valid", NULL, "signing certificate not yet valid"},
        {"signature.untrusted_chain", NULL, "certificate chain not trusted"},
        {"signature.untrusted_log", NULL, "transparency log not trusted"},
        {"signature.bad_set", NULL, "log timestamp does not verify"},
        {"signature.bad_inclusion_proof", NULL, "log inclusion proof bad"},
        {"signature.tlog_mismatch", NULL, "log entry for another signature"},
        {"signature.bad_sct", NULL, "certificate timestamp (SCT) bad"},
        {"signature.no_timestamp", NULL, "no trusted signing time"},
        {"signature.threshold_unmet", NULL, "too few log entries or timestamps"},
        {"signature.unsupported_algorithm", NULL, "signature algorithm unsupported"},
        {"signature.unsupported_envelope", NULL, "signature envelope unsupported"},
        {"signature.unsupported_timestamp", NULL, "timestamp type unsupported"},
        {"signature.malformed", NULL, "signature malformed"},
        {"signature.expired", NULL, "signature expired"},
        {"signature.revocation_unknown", NULL, "revocation not checkable offline"},
        {"signature.no_trust_policy", NULL, "no trust policy applies"},
        {"signature.unreadable", NULL, "signature unreadable"},
        {"signature.too_many", NULL, "too many signatures to check"},
        {"signature.audit", NULL, "signature check failed (audit mode)"},
        {"signature.notation_logged", NULL, "signature check only logged"},
        {"proc.unreadable", NULL, "process unreadable"},
        {"proc.no_seccomp", NULL, "runs without seccomp"},
        {"proc.filter_allows_dangerous", NULL, "seccomp allows escape syscalls"},
        {"proc.filter_allows_risky", NULL, "seccomp allows risky syscalls"},
        {"proc.profile_allows_dangerous", NULL, "profile allows escape syscalls"},
        {"proc.profile_allows_risky", NULL, "profile allows risky syscalls"},
        {"proc.cap_sys_admin", NULL, "has CAP_SYS_ADMIN"},
        {"proc.cap_sys_module", NULL, "has CAP_SYS_MODULE"},
        {"proc.cap_dangerous", NULL, "has an escape-prone capability"},
        {"proc.host_pid_ns", NULL, "shares the host's pid namespace"},
        {"proc.host_net_ns", NULL, "shares the host's network"},
        {"proc.host_ipc_ns", NULL, "shares the host's IPC namespace"},
        {"proc.no_new_privs_off", NULL, "may gain privileges (NoNewPrivs 0)"},
        {"proc.seccomp_unsupported", NULL, "kernel without seccomp filters"},
        {"proc.kernel_hardening", NULL, "kernel hardening switch weak"},
        {"proc.deep_unavailable", NULL, "--deep not possible here"},
        {"proc.filter_unreadable", NULL, "seccomp filter unreadable"},
        {"proc.bundle_unreadable", NULL, "container bundle unreadable"},
        {"host.baseline_invalid", NULL, "host baseline refused"},
        {"host.file_modified", "file", "altered (content differs)"},
        {"host.file_added", "file", "added"},
        {"host.file_missing", "file", "missing"},
        {"host.attr_changed", "file", "attributes changed"},
        {"host.unreadable", "file", "not compared (unreadable)"},
        {"pkg.db_malformed", NULL, "package database malformed"},
        {"pkg.db_too_large", NULL, "package database too large"},
        {"vuln.inventory_unsupported", NULL, "packages not inventoried (RPM)"},
        {"vuln.not_inventoried", NULL, "no package database: vulnerabilities unknown"},
        {"vuln.package", NULL, "known vulnerability"},
        {"vulndb.untrusted", NULL, "vulnerability database refused"},
        {"vulndb.loaded", NULL, "vulnerability database checked"},
        {"vulndb.stale", NULL, "vulnerability database is old"},
        {"vulndb.malformed", NULL, "vulnerability database malformed"},
};

/* Hints by id prefix, the longest prefix first (the first match wins). */
static const struct {
	const char *prefix, *hint;
} hints[] = {
        {"layer.file_", "files of this image changed on disk: recreate its containers from a "
                        "re-pulled image, and find out who wrote there"},
        {"snapshot.", "extracted layers cannot all be verified: re-pull the image if in doubt"},
        {"store.unreadable", "the store's disk may be failing: run a disk check (fsck, "
                             "smartctl), then audit again"},
        {"store.not_found", "check the store path given with --store or in the config"},
        {"store.unknown_type", "name the store's type: --store TYPE:PATH (see edgeaudit --help)"},
        {"store.unsupported", "this store type is not verified by this version"},
        {"store.none_found", "no store at the usual places: name one with --store"},
        {"store.", "the store holds entries no engine writes: do not run its images; "
                   "re-flash or re-pull the store"},
        {"archive.ambiguous", "engines could load something else than was verified: do not "
                              "load this archive; rebuild it"},
        {"archive.", "the archive is damaged or disagrees with itself: fetch it again"},
        {"image.name_conflict", "one name points at two images: remove the one that is not "
                                "yours, then audit again"},
        {"signature.unsupported_", "the signature cannot be checked by this version: ask the "
                                   "image's publisher for a supported signature"},
        {"signature.revocation_unknown", "revocation cannot be checked offline: ask the "
                                         "publisher for a certificate without CRL/OCSP"},
        {"signature.no_trust_policy", "no trust policy statement covers this image: extend "
                                      "the policy"},
        {"signature.audit", "audit mode only reports: switch the rule to enforce when ready"},
        {"signature.notation_logged", "logged by the trust policy's level: nothing to do"},
        {"signature.", "the image was not published by a trusted signer: do not run it; "
                       "install a correctly signed image"},
        {"drift.incomplete", "not every change of the container was read: look at its "
                             "writable layer by hand (docker diff, podman diff)"},
        {"drift.", "the container changed its files at run time: find out what wrote them, "
                   "then recreate it from its image"},
        {"proc.unreadable", "run as root to read every process"},
        {"proc.filter_unreadable", "run as root, with no debugger attached, to read filters"},
        {"proc.bundle_unreadable", "the engine's files for this container could not be "
                                   "read: run as root"},
        {"proc.deep_unavailable", "--deep needs root and ptrace (Yama ptrace_scope below 3)"},
        {"proc.kernel_hardening", "harden the sysctl settings named in the JSON report"},
        {"proc.seccomp_unsupported", "build the kernel with CONFIG_SECCOMP_FILTER"},
        {"proc.", "the container runs with less isolation than it should: check how it is "
                  "started (seccomp profile, capabilities, namespaces)"},
        {"host.baseline_invalid", "check the baseline file and its .sig (edgeaudit report "
                                  "verify); make and sign it again from a trusted image"},
        {"host.unreadable", "run as root; or make the baseline again where it could not read"},
        {"host.", "the box's own files changed: find out who wrote there; re-flash or "
                  "restore them, or make and sign a new baseline if the change was yours"},
        {"pkg.", "the image's package database is damaged or altered: rebuild the image from its "
                 "distribution's packages"},
        {"vuln.inventory_unsupported", "RPM databases are not read by this version: scan this "
                                       "image with another tool"},
        {"vuln.", "update the image (or the host's packages) to the fixed version; or accept "
                  "the advisory in the policy with a reason and an expiry date"},
        {"vulndb.stale", "ship a newer database: edgeaudit vulndb build on the vendor's "
                         "machine, signed, with the firmware or an update"},
        {"vulndb.", "check the database and its .sig (edgeaudit vulndb info FILE --key "
                    "PUB.pem); build and sign it again"},
        {"audit.interrupted", "raise --budget-ms, or audit again when the box is idle"},
        {"audit.unexplained", "an internal error: report it; the image is not trusted"},
        {"audit.", "see the JSON report: parts were not checked"},
        {"bbolt.changing", "the engine was writing: audit again in a moment"},
        {"mediatype.unknown", "this media type is not verified by this version"},
        {"descriptor.unsupported_digest", "this digest algorithm is not verified by this "
                                          "version"},
        {"", "re-pull the image, or re-flash the firmware that carries it"},
};

static const struct phrase *phrase_of(const char *id)
{
	for (unsigned i = 0; i < sizeof phrases / sizeof phrases[0]; i++)
		if (!strcmp(phrases[i].id, id)) return &phrases[i];
	return NULL;
}

const char *finding_phrase(const char *id, const char **noun)
{
	const struct phrase *p = phrase_of(id);
	if (noun) *noun = p ? p->noun : NULL;
	return p ? p->phrase : NULL;
}

const char *finding_hint(const char *id)
{
	for (unsigned i = 0; i < sizeof hints / sizeof hints[0]; i++)
		if (!strncmp(id, hints[i].prefix, strlen(hints[i].prefix))) return hints[i].hint;
	return hints[sizeof hints / sizeof hints[0] - 1].hint;
}
