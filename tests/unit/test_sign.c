/* Unit tests: signed reports (report_sign.c), the boot-log lines
 * (logsink.c) and the progress line (progress.c). */
#include <string.h>

#include "cli.h"
#include "logsink.h"
#include "progress.h"
#include "report_sign.h"
#include "unit.h"

/* RFC 6979 A.2.5: the P-256 key x = C9AFA9D8...0F6721 (SEC1 PEM, no public
 * part: mbedTLS derives it) and, for the message "sample" with SHA-256, the
 * signature r = EFD48B2A...4EAF3716, s = F7CB1C94...843ACDA8 (DER, base64). */
static const char rfc_key[] =
        "-----BEGIN EC PRIVATE KEY-----\n"
        "MDECAQEEIMmvqdhFunUWa1whV2ex1pNOUMPbNuibEnuKYisSD2choAoGCCqGSM49AwEH\n"
        "-----END EC PRIVATE KEY-----\n";
static const char rfc_pub[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEYP7UuiVanTHJYet0xjVtaMBJuJI7\n"
                              "Yfps5mliLmDyn7Z5A/4QCLi8maQa6elWKLxk8vGyDC1+n1F3o8KU1EYimQ==\n"
                              "-----END PUBLIC KEY-----\n";
static const char rfc_sig[] =
        "MEYCIQDv1IsqrLao/RFA3ZzUXoHWnSyHe1aq+ZHDTQ6oTq83FgIhAPfLHJQtZXxB1DbHobbin2Xz6QDbua/"
        "0Bk3Eqy+EOs2o\n";

/* Another key pair (made with openssl) and openssl's signature of
 * "edgeaudit report\n" with it: a signature edgeaudit did not make. */
static const char ossl_pub[] = "-----BEGIN PUBLIC KEY-----\n"
                               "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEQUYq+1Mbx1doKcWUNUrP0SrMoB/D\n"
                               "mw3sO2IrJ7Rk5Tva7gA+xbiCDE+8cfMLcIA4Dk4ByFexu3m4Re3qhKDggQ==\n"
                               "-----END PUBLIC KEY-----\n";
static const char ossl_sig[] =
        "MEUCIQCJ5y1+qx/"
        "TIDgNFN7YFZ5Wf4PC9FeaZ9i2E9jGGFkpyAIgf0X1FoqXONAjZD5p5Fjye3z+tl3CHDIVPCE4fMr6C7I=\n";

UNIT_TEST(sign_rfc6979_known_answer)
{
	char *sig = NULL;
	ea_error_t err = {0};
	CHECK_EQ_INT(report_sign(rfc_key, "sample", 6, &sig, &err), 0);
	CHECK_EQ_STR(sig, rfc_sig);
	free(sig);
}

UNIT_TEST(sign_verify_round_trip_and_tamper)
{
	const char *data = "{\"verdict\":\"pass\"}\n";
	char *sig = NULL;
	ea_error_t err = {0};
	CHECK_EQ_INT(report_sign(rfc_key, data, strlen(data), &sig, &err), 0);
	char fpr[72];
	CHECK_EQ_INT(report_verify(rfc_pub, data, strlen(data), sig, strlen(sig), fpr, &err), 0);
	CHECK(strncmp(fpr, "sha256:", 7) == 0 && strlen(fpr) == 71);
	/* One byte changed: refused as a mismatch. */
	const char *bad = "{\"verdict\":\"fail\"}\n";
	CHECK_EQ_INT(report_verify(rfc_pub, bad, strlen(bad), sig, strlen(sig), NULL, &err), -1);
	CHECK_EQ_INT(err.code, EA_E_MISMATCH);
	/* Another key: refused as a mismatch. */
	CHECK_EQ_INT(report_verify(ossl_pub, data, strlen(data), sig, strlen(sig), NULL, &err), -1);
	CHECK_EQ_INT(err.code, EA_E_MISMATCH);
	free(sig);
}

UNIT_TEST(verify_accepts_openssl_signature_base64_and_der)
{
	const char *msg = "edgeaudit report\n";
	ea_error_t err = {0};
	char fpr[72];
	CHECK_EQ_INT(
	        report_verify(ossl_pub, msg, strlen(msg), ossl_sig, strlen(ossl_sig), fpr, &err),
	        0);
	/* openssl pkey -pubin -outform DER | sha256sum */
	CHECK_EQ_STR(fpr,
	             "sha256:cb3c9a0a80a6a526ca97b1f04bd273c420f0be9b6a00706550ba6e12aad5c584");
	/* Base64 split over lines (as `base64` wraps it) and raw DER (what
	 * openssl dgst -sign writes) are the same signature. */
	const char *split = "MEUCIQCJ5y1+qx/TIDgNFN7YFZ5Wf4PC9FeaZ9i2E9jGGFkp\n"
	                    "yAIgf0X1FoqXONAjZD5p5Fjye3z+tl3CHDIVPCE4fMr6C7I=\n";
	CHECK_EQ_INT(report_verify(ossl_pub, msg, strlen(msg), split, strlen(split), NULL, &err),
	             0);
	static const unsigned char der[] = {
	        0x30, 0x45, 0x02, 0x21, 0x00, 0x89, 0xe7, 0x2d, 0x7e, 0xab, 0x1f, 0xd3,
	        0x20, 0x38, 0x0d, 0x14, 0xde, 0xd8, 0x15, 0x9e, 0x56, 0x7f, 0x83, 0xc2,
	        0xf4, 0x57, 0x9a, 0x67, 0xd8, 0xb6, 0x13, 0xd8, 0xc6, 0x18, 0x59, 0x29,
	        0xc8, 0x02, 0x20, 0x7f, 0x45, 0xf5, 0x16, 0x8a, 0x97, 0x38, 0xd0, 0x23,
	        0x64, 0x3e, 0x69, 0xe4, 0x58, 0xf2, 0x7b, 0x7c, 0xfe, 0xb6, 0x5d, 0xc2,
	        0x1c, 0x32, 0x15, 0x3c, 0x21, 0x38, 0x7c, 0xca, 0xfa, 0x0b, 0xb2};
	CHECK_EQ_INT(report_verify(ossl_pub, msg, strlen(msg), der, sizeof der, NULL, &err), 0);
}

UNIT_TEST(verify_refuses_garbage_and_bad_keys)
{
	const char *msg = "x";
	ea_error_t err = {0};
	CHECK_EQ_INT(report_verify(ossl_pub, msg, 1, "", 0, NULL, &err), -1);
	CHECK_EQ_INT(err.code, EA_E_FORMAT);
	CHECK_EQ_INT(report_verify(ossl_pub, msg, 1, "not base64 !!", 13, NULL, &err), -1);
	CHECK_EQ_INT(err.code, EA_E_FORMAT);
	/* DER whose length does not match the file. */
	CHECK_EQ_INT(report_verify(ossl_pub, msg, 1, "\x30\x45\x02", 3, NULL, &err), -1);
	CHECK_EQ_INT(err.code, EA_E_FORMAT);
	/* A private key where the public one belongs: a usage error (exit 2). */
	CHECK_EQ_INT(report_verify(rfc_key, msg, 1, ossl_sig, strlen(ossl_sig), NULL, &err), -1);
	CHECK_EQ_INT(err.code, EA_E_USAGE);
	char *sig = NULL;
	CHECK_EQ_INT(report_sign(rfc_pub, msg, 1, &sig, &err), -1);
	CHECK_EQ_INT(err.code, EA_E_FORMAT);
	CHECK(sig == NULL);
}

UNIT_TEST(logsink_lines_summary_and_cap)
{
	report_t *r = report_new();
	for (int i = 0; i < 15; i++)
		report_finding(r, "blob.digest_mismatch", "sha256:ab\x1b[31m", "changed %d", i);
	report_finding(r, "store.symlink", "/s/link", "a link");
	report_finding(r, "blob.unreferenced", "sha256:cd", "info only");
	struct logsink_line lines[LOGSINK_MAX_LINES];
	int n = logsink_lines(r, SEV_HIGH, "/var/r.json", lines, LOGSINK_MAX_LINES);
	CHECK_EQ_INT(n, LOGSINK_MAX_LINES);
	CHECK_EQ_STR(lines[0].text, "verdict FAIL (exit 1): 15 critical, 1 high, 0 medium, 0 low, "
	                            "1 info; report /var/r.json");
	CHECK_EQ_INT(lines[0].level, 3); /* LOG_ERR */
	CHECK(lines[0].finding == NULL);
	/* Critical first, control bytes replaced; the finding kept whole. */
	CHECK_EQ_STR(lines[1].text, "CRIT blob.digest_mismatch sha256:ab?[31m: changed 0");
	CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetObjectItem(lines[1].finding, "subject")),
	             "sha256:ab\x1b[31m");
	/* 8 finding lines fit; the 8 others (7 critical + 1 high) are counted. */
	CHECK_EQ_STR(lines[9].text, "8 more high or critical findings are in the report");
	CHECK(lines[9].finding == NULL);
	report_free(r);
}

UNIT_TEST(progress_line_is_plain_and_80_columns)
{
	char line[81];
	progress_format(line, sizeof line, 12345, "store 2/5 oci:/data", 7);
	CHECK_EQ_STR(line, "edgeaudit: 12 s: store 2/5 oci:/data (7 findings so far)");
	char part[200];
	memset(part, 'x', sizeof part - 1);
	part[sizeof part - 1] = '\0';
	part[3] = '\033';
	progress_format(line, sizeof line, 1000, part, -1);
	CHECK_EQ_INT(strlen(line), 80);
	CHECK(strchr(line, '\033') == NULL);
	CHECK(strcmp(line + 77, "...") == 0);
}
