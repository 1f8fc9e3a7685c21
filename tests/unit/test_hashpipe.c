/* hashpipe (hashpipe.h): the two streams hashed on the helper thread give
 * the digests inline hashing gives, whatever the sizes and the interleaving
 * of the puts; the --jobs budget lends a helper only while a thread is free. */
#include <stdlib.h>

#include "hashpipe.h"
#include "unit.h"

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13, *s ^= *s >> 17, *s ^= *s << 5;
	return *s;
}

UNIT_TEST(hashpipe_same_digests_as_inline)
{
	size_t max = 3 * HASHPIPE_SLOT + 777;
	unsigned char *buf = malloc(max);
	uint32_t seed = 12345;
	for (size_t i = 0; i < max; i++) buf[i] = (unsigned char)rnd(&seed);
	hashpipe_budget_set(2);
	hashpipe_worker_enter(); /* this thread: one of the two */
	for (int round = 0; round < 40; round++) {
		hasher_t a1, a2, p1, p2;
		hasher_init(&a1, DIGEST_SHA256), hasher_init(&a2, DIGEST_SHA256);
		hasher_init(&p1, DIGEST_SHA256), hasher_init(&p2, DIGEST_SHA256);
		struct hashpipe *p = hashpipe_start(&p1, &p2);
		CHECK(p != NULL);
		for (int k = 0; k < 60; k++) {
			/* sizes from 0 to past three slots, streams interleaved at random */
			size_t n = rnd(&seed) % 4 == 0 ? rnd(&seed) % max : rnd(&seed) % 70000;
			size_t off = rnd(&seed) % (max - n + 1);
			hashpipe_stream_t s = rnd(&seed) % 3 ? HASHPIPE_CONTENT : HASHPIPE_BLOB;
			hasher_update(s == HASHPIPE_BLOB ? &a1 : &a2, buf + off, n);
			hashpipe_put(p, s, buf + off, n);
		}
		hashpipe_end(p);
		digest_t d1, d2, e1, e2;
		hasher_final(&a1, &d1), hasher_final(&a2, &d2);
		hasher_final(&p1, &e1), hasher_final(&p2, &e2);
		CHECK(digest_equal(&d1, &e1));
		CHECK(digest_equal(&d2, &e2));
	}
	free(buf);
	hashpipe_worker_leave();
}

UNIT_TEST(hashpipe_budget_lends_only_free_threads)
{
	hasher_t a, b;
	hasher_init(&a, DIGEST_SHA256), hasher_init(&b, DIGEST_SHA256);
	hashpipe_budget_set(1);
	hashpipe_worker_enter(); /* --jobs 1: the one thread is busy */
	CHECK(hashpipe_start(&a, &b) == NULL);
	hashpipe_worker_leave();
	hashpipe_budget_set(2);
	hashpipe_worker_enter();
	hashpipe_worker_enter(); /* two workers busy: no helper */
	CHECK(hashpipe_start(&a, &b) == NULL);
	hashpipe_worker_leave(); /* one left: its core is lent, once */
	struct hashpipe *p = hashpipe_start(&a, &b);
	CHECK(p != NULL);
	CHECK(hashpipe_start(&a, &b) == NULL);
	hashpipe_end(p); /* and given back */
	p = hashpipe_start(&a, &b);
	CHECK(p != NULL);
	hashpipe_end(p);
	hashpipe_worker_leave();
	hashpipe_budget_set(0);
}
