/* hashpipe: see hashpipe.h. */
#include "hashpipe.h"

#include <pthread.h>
#include <string.h>

#include "util.h"

struct slot {
	hashpipe_stream_t s;
	size_t n;
	unsigned char *data;
};

struct hashpipe {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* a slot published, a slot freed, or the end */
	struct slot slot[HASHPIPE_SLOTS];
	unsigned r, w, count; /* count: published, not yet hashed */
	int open;             /* slot w is being filled */
	int done;
	hasher_t *h[2];
};

static int budget_jobs, budget_busy;

void hashpipe_budget_set(int jobs)
{
	__atomic_store_n(&budget_jobs, jobs, __ATOMIC_RELAXED);
	__atomic_store_n(&budget_busy, 0, __ATOMIC_RELAXED);
}

void hashpipe_worker_enter(void) { __atomic_add_fetch(&budget_busy, 1, __ATOMIC_RELAXED); }

void hashpipe_worker_leave(void) { __atomic_sub_fetch(&budget_busy, 1, __ATOMIC_RELAXED); }

static int budget_take(void)
{
	int busy = __atomic_load_n(&budget_busy, __ATOMIC_RELAXED);
	while (busy < __atomic_load_n(&budget_jobs, __ATOMIC_RELAXED))
		if (__atomic_compare_exchange_n(&budget_busy, &busy, busy + 1, 0, __ATOMIC_RELAXED,
		                                __ATOMIC_RELAXED))
			return 1;
	return 0;
}

static void *helper(void *arg)
{
	struct hashpipe *p = arg;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->count && !p->done) pthread_cond_wait(&p->cv, &p->mu);
		if (!p->count) break; /* done and drained */
		struct slot *sl = &p->slot[p->r];
		pthread_mutex_unlock(&p->mu);
		hasher_update(p->h[sl->s], sl->data, sl->n);
		pthread_mutex_lock(&p->mu);
		p->r = (p->r + 1) % HASHPIPE_SLOTS;
		p->count--;
		pthread_cond_broadcast(&p->cv);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

struct hashpipe *hashpipe_start(hasher_t *blob_h, hasher_t *content_h)
{
	if (!budget_take()) return NULL;
	struct hashpipe *p = xcalloc(1, sizeof *p);
	for (int i = 0; i < HASHPIPE_SLOTS; i++) p->slot[i].data = xmalloc(HASHPIPE_SLOT);
	p->h[HASHPIPE_BLOB] = blob_h;
	p->h[HASHPIPE_CONTENT] = content_h;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	int rc = pthread_create(&p->th, &attr, helper, p);
	pthread_attr_destroy(&attr);
	if (rc == 0) return p;
	for (int i = 0; i < HASHPIPE_SLOTS; i++) free(p->slot[i].data);
	free(p);
	hashpipe_worker_leave();
	return NULL;
}

/* Hand slot w to the helper (the lock held). */
static void publish(struct hashpipe *p)
{
	p->open = 0;
	p->w = (p->w + 1) % HASHPIPE_SLOTS;
	p->count++;
	pthread_cond_broadcast(&p->cv);
}

void hashpipe_put(struct hashpipe *p, hashpipe_stream_t s, const void *data, size_t n)
{
	const unsigned char *d = data;
	pthread_mutex_lock(&p->mu);
	while (n > 0) {
		struct slot *sl = &p->slot[p->w];
		if (p->open && (sl->s != s || sl->n == HASHPIPE_SLOT)) {
			publish(p);
			continue;
		}
		if (!p->open) {
			/* The slot w is free once fewer than all are published. */
			while (p->count == HASHPIPE_SLOTS) pthread_cond_wait(&p->cv, &p->mu);
			sl = &p->slot[p->w];
			sl->s = s;
			sl->n = 0;
			p->open = 1;
		}
		size_t k = HASHPIPE_SLOT - sl->n < n ? HASHPIPE_SLOT - sl->n : n;
		/* Copied with the lock held: the helper never reads slot w
		 * while it is open (it is not yet counted). */
		memcpy(sl->data + sl->n, d, k);
		sl->n += k;
		d += k;
		n -= k;
	}
	pthread_mutex_unlock(&p->mu);
}

void hashpipe_end(struct hashpipe *p)
{
	if (!p) return;
	pthread_mutex_lock(&p->mu);
	if (p->open) publish(p);
	p->done = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->th, NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	for (int i = 0; i < HASHPIPE_SLOTS; i++) free(p->slot[i].data);
	free(p);
	hashpipe_worker_leave();
}
