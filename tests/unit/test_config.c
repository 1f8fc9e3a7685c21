/* Unit tests: the configuration file (config.c) and its precedence. */
#include <string.h>

#include "config.h"
#include "unit.h"

static int parse(const char *text, struct ea_config *c, char **diag)
{
	return config_parse("c.json", text, strlen(text), 0, c, diag);
}

UNIT_TEST(config_linecol_counts_from_one)
{
	const char *t = "{\n  \"a\": 1,\n  \"b\"";
	int l, c;
	config_linecol(t, strlen(t), 0, &l, &c);
	CHECK(l == 1 && c == 1);
	config_linecol(t, strlen(t), 4, &l, &c); /* the quote of "a" */
	CHECK(l == 2 && c == 3);
	config_linecol(t, strlen(t), strlen(t), &l, &c);
	CHECK(l == 3 && c == 6);
}

UNIT_TEST(config_valid_file_sets_values)
{
	struct ea_config c;
	char *diag = NULL;
	const char *t =
	        "{\"$schema\": \"x\", \"comment\": \"box 7\",\n"
	        " \"store\": [\"oci:/data/images\", \"/var/lib/docker\"],\n"
	        " \"format\": \"text\", \"out\": \"/run/r.json\", \"fail_on\": \"critical\",\n"
	        " \"jobs\": 2, \"budget_ms\": 20000, \"log\": \"kmsg\", \"progress\": false,\n"
	        " \"no_proc\": true, \"sign_key\": \"/k.pem\", \"key\": \"/p.pem\",\n"
	        " \"trusted_root\": \"/t.json\", \"policy\": \"/pol.json\"}\n";
	CHECK_EQ_INT(parse(t, &c, &diag), 0);
	CHECK_EQ_STR(diag, "");
	CHECK_EQ_INT(c.v.nstores, 2);
	CHECK_EQ_INT(c.v.stores[0].type, STORE_OCI);
	CHECK_EQ_STR(c.v.stores[0].path, "/data/images");
	CHECK_EQ_INT(c.v.stores[1].type, STORE_AUTO);
	CHECK_EQ_INT(c.v.format, FORMAT_TEXT);
	CHECK_EQ_STR(c.v.out, "/run/r.json");
	CHECK_EQ_INT(c.v.fail_on, SEV_CRITICAL);
	CHECK_EQ_INT(c.v.jobs, 2);
	CHECK_EQ_INT(c.v.budget_ms, 20000);
	CHECK_EQ_INT(c.v.log, EA_LOG_KMSG);
	CHECK_EQ_INT(c.v.progress, 0);
	CHECK_EQ_INT(c.v.no_proc, 1);
	CHECK_EQ_STR(c.v.policy, "/pol.json");
	CHECK_EQ_INT(c.has, SET_STORES | SET_FORMAT | SET_OUT | SET_FAIL_ON | SET_JOBS |
	                            SET_BUDGET | SET_LOG | SET_PROGRESS | SET_NO_PROC |
	                            SET_SIGN_KEY | SET_KEY | SET_TRUSTED_ROOT | SET_POLICY);
	free(diag);
	config_free(&c);
}

UNIT_TEST(config_errors_name_line_and_column)
{
	struct ea_config c;
	char *diag = NULL;
	const char *t = "{\n"
	                "  \"fail-on\": \"high\",\n"
	                "  \"jobs\": 0,\n"
	                "  \"format\": \"yaml\",\n"
	                "  \"store\": [\"oci:/a\", \"bogus:/b\", 3],\n"
	                "  \"progress\": \"yes\",\n"
	                "  \"jobs\": 2\n"
	                "}\n";
	CHECK_EQ_INT(parse(t, &c, &diag), 7);
	CHECK(strstr(diag, "c.json:2:3: unknown key \"fail-on\" (did you mean \"fail_on\"?)\n"));
	CHECK(strstr(diag, "c.json:3:11: jobs: must be a whole number from 1 to 64, not 0\n"));
	CHECK(strstr(diag, "c.json:4:13: format: must be \"json\" or \"text\", not \"yaml\"\n"));
	CHECK(strstr(diag, "c.json:5:23: store[1]: --store bogus:/b: unknown store type 'bogus'"));
	CHECK(strstr(diag,
	             "c.json:5:35: store[2]: must be a \"[TYPE:]PATH\" string, not a number\n"));
	CHECK(strstr(diag, "c.json:6:15: progress: must be true or false, not a string\n"));
	CHECK(strstr(diag, "c.json:7:3: duplicate key \"jobs\" (first at line 3)\n"));
	free(diag);
	config_free(&c);
}

UNIT_TEST(config_syntax_errors_say_why_and_where)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
	        {"{\n  \"format\": \"text\",\n}\n",
	         "c.json:3:1: JSON syntax: a comma before } (JSON allows no trailing comma)\n"},
	        {"{\n  \"format\": \"text\"\n  \"jobs\": 2\n}",
	         "c.json:3:3: JSON syntax: expected ',' or '}' (a missing comma?)\n"},
	        {"{\"store\": [\"/x\"\n",
	         "c.json:2:1: JSON syntax: the file ends early: a list is not closed with ]\n"},
	        {"{'format': 'text'}",
	         "c.json:1:2: JSON syntax: expected a key in double quotes\n"},
	        {"{\"format\": text}",
	         "c.json:1:12: JSON syntax: a word without quotes (strings need double quotes)\n"},
	        {"{\n// note\n}", "c.json:2:1: JSON syntax: expected a key in double quotes\n"},
	        {"{\"out\": \"/x\n\"}", "c.json:1:12: JSON syntax: a line break or control "
	                                "character inside a string (a missing closing quote?)\n"},
	        {"{} {}", "c.json:1:4: JSON syntax: text after the end of the JSON object\n"},
	        {"  \n", "c.json:2:1: the file is empty: a configuration is a JSON object, e.g. "
	                 "{\"format\": \"text\"}\n"},
	        {"[\"oci:/x\"]",
	         "c.json:1:1: the configuration must be a JSON object {...}, not a list\n"},
	        {"{\"jobs\": 01}",
	         "c.json:1:11: JSON syntax: expected ',' or '}' (a missing comma?)\n"},
	};
	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ea_config c;
		char *diag = NULL;
		int n = parse(cases[i].text, &c, &diag);
		if (n != 1 || strcmp(diag, cases[i].want) != 0)
			fprintf(stderr, "#   case %u: %d: %s", i, n, diag);
		CHECK_EQ_INT(n, 1);
		CHECK_EQ_STR(diag, cases[i].want);
		free(diag);
		config_free(&c);
	}
}

UNIT_TEST(config_check_files_warns_but_stays_valid)
{
	struct ea_config c;
	char *diag = NULL;
	const char *t =
	        "{\"sign_key\": \"/nonexistent/k.pem\", \"out\": \"/nonexistent/dir/r.json\"}";
	CHECK_EQ_INT(config_parse("c.json", t, strlen(t), CONFIG_CHECK_FILES, &c, &diag), 0);
	CHECK(strstr(
	        diag,
	        "c.json:1:14: warning: sign_key: /nonexistent/k.pem: No such file or directory\n"));
	CHECK(strstr(diag,
	             "warning: out (its folder): /nonexistent/dir: No such file or directory\n"));
	free(diag);
	config_free(&c);
}

UNIT_TEST(config_precedence_options_then_config_then_defaults)
{
	struct ea_config c;
	char *diag = NULL;
	const char *t = "{\"format\": \"text\", \"fail_on\": \"low\", \"budget_ms\": 900, "
	                "\"store\": [\"oci:/cfg\"],"
	                " \"no_proc\": true, \"key\": \"/k.pub\"}";
	CHECK_EQ_INT(parse(t, &c, &diag), 0);
	/* The command line gave --format json and --store oci:/cli. */
	struct ea_opts o;
	memset(&o, 0, sizeof o);
	o.format = FORMAT_JSON;
	o.fail_on = SEV_HIGH; /* default */
	o.nstores = 1;
	o.stores[0].type = STORE_OCI;
	o.stores[0].path = "/cli";
	o.set = SET_FORMAT | SET_STORES;
	config_apply(&c, &o, OPT_STORE | OPT_OUTPUT | OPT_FIELD | OPT_PARTS); /* no OPT_TRUST */
	CHECK_EQ_INT(o.format, FORMAT_JSON);                                  /* option wins */
	CHECK_EQ_STR(o.stores[0].path, "/cli"); /* option wins, whole list */
	CHECK_EQ_INT(o.nstores, 1);
	CHECK_EQ_INT(o.fail_on, SEV_LOW); /* config over default */
	CHECK_EQ_INT(o.budget_ms, 900);
	CHECK_EQ_INT(o.no_proc, 1);
	CHECK(o.key == NULL); /* the command takes no --key */
	/* Without options, the config's store list. */
	struct ea_opts p;
	memset(&p, 0, sizeof p);
	config_apply(&c, &p, OPT_STORE);
	CHECK_EQ_INT(p.nstores, 1);
	CHECK_EQ_STR(p.stores[0].path, "/cfg");
	free(diag);
	config_free(&c);
}

UNIT_TEST(config_load_missing_default_is_not_an_error)
{
	struct ea_config c;
	char *diag = NULL;
	ea_error_t err = {0};
	CHECK_EQ_INT(config_load("/nonexistent/edgeaudit.json", 0, 0, &c, &diag, &err), 1);
	free(diag);
	diag = NULL;
	CHECK_EQ_INT(config_load("/nonexistent/edgeaudit.json", 1, 0, &c, &diag, &err), -1);
	CHECK(diag && strstr(diag, "No such file"));
	free(diag);
	config_free(&c);
}
