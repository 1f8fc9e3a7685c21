/* The typed model (src/report/model.[ch]): verdicts only get worse, check
 * states spell as the report does, images and processes render once with
 * exactly the keys they carry, cross-references are by field, and an image
 * whose verdict no finding explains gets audit.unexplained. */
#include <stdlib.h>

#include "model.h"
#include "report.h"
#include "unit.h"

/* The report rendered and parsed (caller frees). */
static cJSON *rendered(report_t *r)
{
	char *s = report_render_json(r, SEV_HIGH, 0, 0);
	cJSON *j = s ? cJSON_Parse(s) : NULL;
	free(s);
	return j;
}

static const char *str_at(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static int count_id(const cJSON *j, const char *id)
{
	int n = 0;
	const cJSON *f;
	cJSON_ArrayForEach (f, cJSON_GetObjectItemCaseSensitive(j, "findings"))
		n += str_at(f, "id") && !strcmp(str_at(f, "id"), id);
	return n;
}

UNIT_TEST(model_verdict_only_gets_worse)
{
	verdict_t v = VERDICT_PASS;
	verdict_raise(&v, VERDICT_FAIL);
	verdict_raise(&v, VERDICT_INCOMPLETE);
	CHECK_EQ_INT(v, VERDICT_FAIL);
	CHECK_EQ_STR(verdict_to_string(v), "fail");
	CHECK_EQ_STR(verdict_to_string(VERDICT_INCOMPLETE), "incomplete");
	CHECK_EQ_STR(check_to_string(CHECK_FILES_DIFFER), "files_differ");
	CHECK_EQ_STR(check_to_string(CHECK_NOT_VERIFIED), "not_verified");
	for (int c = CHECK_OK; c < CHECK_COUNT; c++) CHECK(check_to_string((check_t)c)[0] != 0);
}

UNIT_TEST(model_image_renders_the_keys_it_carries)
{
	report_t *r = report_new();
	struct image *img = model_image_new("oci:/x");
	image_add_name(img, "example.com/app:1");
	digest_buffer(DIGEST_SHA256, "m", 1, &img->manifest_digest);
	digest_buffer(DIGEST_SHA256, "c", 1, &img->config);
	struct layer *l = image_add_layer(img);
	l->blob.state = CHECK_INVALID;
	digest_t d[2];
	digest_buffer(DIGEST_SHA256, "a", 1, &d[0]);
	digest_buffer(DIGEST_SHA256, "b", 1, &d[1]);
	image_set_chain_ids(img, d, 2);
	image_raise(img, VERDICT_INCOMPLETE);
	report_finding(r, "audit.not_implemented", "x", "something was not checked");
	CHECK_EQ_INT(model_image_commit(r, img), 0);
	cJSON *j = rendered(r);
	const cJSON *im = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "images"), 0);
	CHECK_EQ_STR(str_at(im, "verdict"), "incomplete");
	CHECK_EQ_STR(str_at(im, "kind"), "image");
	CHECK(str_at(im, "image_id") && !str_at(im, "config_digest"));
	const cJSON *lj = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(im, "layers"), 0);
	CHECK_EQ_INT(cJSON_GetArraySize(lj), 1); /* {"blob": "invalid"} and nothing else */
	CHECK_EQ_STR(str_at(lj, "blob"), "invalid");
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(im, "chain_ids");
	digest_t c1;
	digest_chain(&d[0], &d[1], &c1);
	CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetArrayItem(ch, 0)), d[0].str);
	CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetArrayItem(ch, 1)), c1.str);
	CHECK(!cJSON_GetObjectItemCaseSensitive(im, "signatures"));
	CHECK_EQ_INT(count_id(j, "audit.unexplained"), 0); /* explained by the finding */
	cJSON_Delete(j);
	report_free(r);
}

UNIT_TEST(model_unexplained_verdict_fails_closed)
{
	report_t *r = report_new();
	struct image *img = model_image_new("docker:/var/lib/docker");
	image_raise(img, VERDICT_FAIL); /* a reader's bug: no finding made */
	model_image_commit(r, img);
	cJSON *j = rendered(r);
	CHECK_EQ_INT(count_id(j, "audit.unexplained"), 1);
	CHECK_EQ_STR(str_at(j, "verdict"), "fail");
	CHECK_EQ_INT(report_exit_code(r, SEV_HIGH), 1);
	cJSON_Delete(j);
	j = rendered(r); /* settled once: rendering again adds nothing */
	CHECK_EQ_INT(count_id(j, "audit.unexplained"), 1);
	cJSON_Delete(j);
	report_free(r);
}

UNIT_TEST(model_container_joins_image_by_id_then_name)
{
	report_t *r = report_new();
	struct image *a = model_image_new("s"), *b = model_image_new("s");
	digest_buffer(DIGEST_SHA256, "a", 1, &a->config);
	image_add_name(b, "docker.io/library/busybox:latest");
	model_image_commit(r, a);
	model_image_commit(r, b);
	CHECK_EQ_INT(model_image_index(r, a->config.str, NULL), 0);
	CHECK_EQ_INT(model_image_index(r, "sha256:nope", "docker.io/library/busybox:latest"), 1);
	CHECK_EQ_INT(model_image_index(r, NULL, "other"), -1);
	struct container_rec *c = model_container_new(r);
	model_set_str(&c->runtime, "docker");
	model_set_str(&c->id, "abc");
	model_set_str(&c->image_name, "docker.io/library/busybox:latest");
	c->first_pid = 10;
	for (int pid = 10; pid <= 11; pid++) {
		struct process_rec *p = model_process_new();
		p->pid = pid;
		p->container = c;
		p->host_ns = 1u << NS_NET;
		model_process_commit(r, p);
	}
	CHECK_EQ_INT(model_process_count(r), 2);
	cJSON *j = rendered(r);
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(j, "processes");
	const cJSON *c0 = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ps, 0), "container");
	const cJSON *c1 = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ps, 1), "container");
	const cJSON *ri = cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(c0, "image"), "report_image");
	CHECK(cJSON_IsNumber(ri) && ri->valueint == 1);
	CHECK(!cJSON_GetObjectItemCaseSensitive(c0, "details_in_pid"));
	CHECK_EQ_INT(cJSON_GetObjectItemCaseSensitive(c1, "details_in_pid")->valueint, 10);
	const cJSON *hn = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ps, 0), "host_ns");
	CHECK_EQ_STR(cJSON_GetStringValue(cJSON_GetArrayItem(hn, 0)), "net");
	CHECK(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(ps, 0), "seccomp")));
	cJSON_Delete(j);
	report_free(r);
}
