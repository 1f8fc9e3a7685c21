/* Helpers shared by the signature unit tests (test_sig*.c). */
#ifndef EDGEAUDIT_TEST_SIG_HELPERS_H
#define EDGEAUDIT_TEST_SIG_HELPERS_H

#include <stddef.h>

#include "sig_int.h"

/* Read a whole file (NULL when absent); *len receives its size. */
char *tsig_read(const char *path, size_t *len);
/* printf-style path into a static rotating buffer. */
const char *tsig_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Load a trusted root file into p (returns 0 on success). */
int tsig_load_troot(struct sig_policy *p, const char *path);
/* Add an identity (exact subject and issuer) to p. */
void tsig_add_identity(struct sig_policy *p, const char *name, const char *subject,
                       const char *issuer);

#endif

#include <cJSON.h>

#include "report.h"

/* Verify the image tagged `ref` in the OCI layout `dir` the way the store
 * reader will: every other index.json entry is a candidate.  `name` is the
 * image's name (for policy rules and notation scopes).  *img receives the
 * image JSON (caller frees).  Returns sig_verify_image's result, or -2
 * when the layout cannot be read. */
int tsig_run_layout(const char *dir, const char *ref, const char *name, const struct sig_policy *p,
                    report_t *rep, cJSON **img);
/* Does the report hold a finding with this id? (count) */
int tsig_count_findings(report_t *rep, const char *id);
/* A temporary notation trust store: <tmp>/x509/<type>/<name>/ with copies of
 * the given certificate files; returns the folder (static buffer). */
const char *tsig_truststore(const char *type, const char *name, const char *const *files, int n);
/* Load notation's trust policy + a trust store folder into p. */
int tsig_load_notation(struct sig_policy *p, const char *policy_path, const char *store);
