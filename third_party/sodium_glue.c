/*
 * edgeaudit's glue for the libsodium subset (see sodium_config.h).
 *
 * libsodium's sodium/utils.c gives the constant-time helpers Ed25519
 * verification uses (sodium_memcmp, sodium_is_zero, sodium_memzero); the same
 * file also holds sodium_malloc and sodium_pad, which refer to the random
 * number generator and to sodium_misuse, neither of which we build.  Those
 * functions are never called by verification; a link without
 * --gc-sections (the fuzz build) still needs the two names.  Both stop the
 * process: reaching them would be a bug, never a silent weak key.
 */
#include <stddef.h>
#include <stdlib.h>

void randombytes_buf(void *const buf, const size_t size);
void sodium_misuse(void);

void randombytes_buf(void *const buf, const size_t size)
{
	(void)buf;
	(void)size;
	abort();
}

void sodium_misuse(void) { abort(); }
