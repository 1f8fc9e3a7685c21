/*
 * host_check: the host part of `audit --baseline`: the box's own files
 * compared with a signed baseline (baseline.h) of them, the AIDE job.
 *
 * Contract:
 *  - The signature comes first: the file is hashed as it is read and
 *    BASELINE.sig checked with report_sign.h's code (the signed reports'
 *    format).  A baseline that is missing, unsigned, signed by another key
 *    or altered is host.baseline_invalid, and nothing is compared.
 *  - Then it is read once more as a format check (bl_reader): a truncated,
 *    malformed or unsorted baseline is host.baseline_invalid, nothing is
 *    compared; and a third time, merged with the walk of the tree it names
 *    (treewalk.h) in path order.  Memory is bounded by the tree's depth and
 *    widest folder, never by the number of files.  Every pass must hash to
 *    the bytes the signature covers (else host.baseline_invalid: changed
 *    while it was read).
 *  - Findings name the file as this box sees it (ROOT joined with the entry
 *    path, escaped like the baseline): host.file_modified (content),
 *    host.file_added, host.file_missing, host.attr_changed (type, mode,
 *    owner, link target, capabilities, device number: each named in the
 *    message), host.unreadable; the severities depend on what the file is
 *    (README, "Host baseline").
 *  - The budget and the stop signals are polled between entries and while a
 *    file is hashed; a stop leaves audit.interrupted naming how far it got.
 *    "host files" is added to the report's checked parts only when the
 *    whole tree was compared.
 */
#ifndef EDGEAUDIT_HOST_CHECK_H
#define EDGEAUDIT_HOST_CHECK_H

#include "report.h"

/* Compare the tree baseline_path describes with it, after checking its
 * signature with the EC public key in pub_pem (already checked to be one). */
void host_audit(report_t *r, const char *baseline_path, const char *pub_pem);

#endif
