/* proc_status_parse (proc_status.h): /proc/<pid>/status text.  A process
 * names itself (prctl PR_SET_NAME, comm): the Name line is hostile.
 * Properties: a parsed name is NUL-terminated in its buffer; only known
 * capability sets are marked seen; unknown stays -1, never a guessed 0. */
#include "common.h"
#include "proc_status.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1); /* read from /proc: NUL-terminated there */
	memcpy(text, data, size);
	text[size] = '\0';
	struct proc_status st;
	ea_error_t err = {0};
	if (proc_status_parse(text, size, &st, &err) == 0) {
		if (memchr(st.name, '\0', sizeof st.name) == NULL) abort();
		if (st.caps_seen >> PS_CAP_COUNT) abort();
		if (st.no_new_privs < -1 || st.no_new_privs > 1) abort();
		if (st.seccomp < -1 || st.seccomp > 2) abort();
	}
	free(text);
	return 0;
}
