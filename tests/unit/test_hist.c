// SPDX-License-Identifier: MIT
/*
 * host/hist.c: bucket layout, exact min/max/count/sum, percentile error bound
 * against exact sorted-sample percentiles, merge == record-all, concurrent
 * recording.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"

/* Documented bound (hist.h): every percentile within 2^-HIST_SUB_BITS. */
#define REL_ERR (1.0 / HIST_SUB)

static uint64_t rng_state;

static uint64_t xorshift(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static double uniform01(void)
{
	return ((xorshift() >> 11) + 0.5) / 9007199254740992.0;   /* (0,1) */
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static struct hist *new_hist(void)
{
	struct hist *h = malloc(sizeof(*h));

	assert_non_null(h);
	hist__init(h);
	return h;
}

static void test_bucket_layout(void **state)
{
	for (uint64_t v = 0; v < HIST_SUB * 2; v++) {
		/* first two groups are exact */
		assert_int_equal(hist__bucket_low(hist__bucket(v)), v);
		assert_int_equal(hist__bucket_high(hist__bucket(v)), v);
	}
	for (unsigned i = 0; i < HIST_NR; i++) {
		uint64_t lo = hist__bucket_low(i), hi = hist__bucket_high(i);

		assert_true(lo <= hi);
		assert_int_equal(hist__bucket(lo), i);
		assert_int_equal(hist__bucket(hi), i);
		if (i + 1 < HIST_NR)
			assert_int_equal(hist__bucket_low(i + 1), hi + 1);
		if (lo >= HIST_SUB)     /* width / low <= 2^-HIST_SUB_BITS */
			assert_true((double)(hi - lo + 1) / (double)lo <= REL_ERR);
	}
	assert_int_equal(hist__bucket_low(0), 0);
	/* range end and clamping */
	uint64_t top = ((uint64_t)1 << (HIST_GROUPS + HIST_SUB_BITS - 1)) - 1;
	assert_int_equal(hist__bucket_high(HIST_NR - 1), top);
	assert_int_equal(hist__bucket(top), HIST_NR - 1);
	assert_int_equal(hist__bucket(top + 1), HIST_NR - 1);
	assert_int_equal(hist__bucket(UINT64_MAX), HIST_NR - 1);
}

static void test_empty_summary_is_zero(void **state)
{
	struct hist *h = new_hist();
	struct hist_summary s;

	assert_int_equal(hist__percentile(h, 50), 0);
	assert_true(hist__mean(h) == 0.0);
	hist__summary(h, &s);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.max, 0);
	assert_int_equal(s.p99, 0);
	free(h);
}

static void test_exact_small(void **state)
{
	struct hist *h = new_hist();
	struct hist_summary s;

	for (uint64_t v = 1; v <= 100; v++)
		hist__record(h, v);
	hist__summary(h, &s);
	assert_int_equal(s.count, 100);
	assert_int_equal(s.min, 1);
	assert_int_equal(s.max, 100);
	assert_true(fabs(s.mean - 50.5) < 1e-9);
	assert_int_equal(s.p50, 50);    /* values < 128 are exact */
	assert_int_equal(s.p90, 90);
	assert_int_equal(s.p99, 99);
	assert_int_equal(s.p999, 100);
	assert_int_equal(hist__percentile(h, 0), 1);
	assert_int_equal(hist__percentile(h, 100), 100);
	free(h);
}

static void check_against_exact(uint64_t *v, unsigned n, struct hist *h)
{
	static const double ps[] = { 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99 };

	qsort(v, n, sizeof(*v), cmp_u64);
	assert_int_equal(atomic_load(&h->count), n);
	assert_int_equal(atomic_load(&h->min), v[0]);
	assert_int_equal(atomic_load(&h->max), v[n - 1]);
	for (unsigned i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		unsigned rank = (unsigned)ceil(ps[i] / 100 * n);
		double exact = (double)v[(rank ? rank : 1) - 1];
		double got = (double)hist__percentile(h, ps[i]);

		if (fabs(got - exact) > REL_ERR * exact)
			fail_msg("p%g: hist %.0f exact %.0f (rel err %.4f > %.4f)", ps[i], got, exact,
				 fabs(got - exact) / exact, REL_ERR);
	}
}

static void test_uniform_percentiles_within_bucket_error(void **state)
{
	unsigned n = 200000;
	uint64_t *v = malloc(n * sizeof(*v)), sum = 0;
	struct hist *h = new_hist();

	rng_state = 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < n; i++) {
		v[i] = 1 + (uint64_t)(uniform01() * 1e7);
		sum += v[i];
		hist__record(h, v[i]);
	}
	assert_int_equal(atomic_load(&h->sum), sum);
	assert_true(fabs(hist__mean(h) - (double)sum / n) < 1e-6);
	check_against_exact(v, n, h);
	free(v);
	free(h);
}

static void test_exponential_percentiles_within_bucket_error(void **state)
{
	unsigned n = 200000;
	uint64_t *v = malloc(n * sizeof(*v));
	struct hist *h = new_hist();

	rng_state = 12345;
	for (unsigned i = 0; i < n; i++) {
		v[i] = (uint64_t)(-50000.0 * log(uniform01())) + 1;
		hist__record(h, v[i]);
	}
	check_against_exact(v, n, h);
	free(v);
	free(h);
}

static void test_merge_equals_recording_all(void **state)
{
	struct hist *a = new_hist(), *b = new_hist(), *all = new_hist(), *m = new_hist();

	rng_state = 777;
	for (unsigned i = 0; i < 50000; i++) {
		uint64_t x = (uint64_t)(-1e6 * log(uniform01()));

		hist__record(i % 3 ? a : b, x);
		hist__record(all, x);
	}
	hist__merge(m, a);
	hist__merge(m, b);
	assert_int_equal(atomic_load(&m->count), atomic_load(&all->count));
	assert_int_equal(atomic_load(&m->sum), atomic_load(&all->sum));
	assert_int_equal(atomic_load(&m->min), atomic_load(&all->min));
	assert_int_equal(atomic_load(&m->max), atomic_load(&all->max));
	for (unsigned i = 0; i < HIST_NR; i++)
		assert_int_equal(atomic_load(&m->buckets[i]), atomic_load(&all->buckets[i]));
	for (double p = 0; p <= 100; p += 0.5)
		assert_int_equal(hist__percentile(m, p), hist__percentile(all, p));
	/* merging an empty histogram changes nothing (min stays exact) */
	hist__init(b);
	hist__merge(m, b);
	assert_int_equal(atomic_load(&m->min), atomic_load(&all->min));
	assert_int_equal(atomic_load(&m->count), atomic_load(&all->count));
	free(a);
	free(b);
	free(all);
	free(m);
}

static void test_huge_values(void **state)
{
	struct hist *h = new_hist();

	hist__record(h, 5);
	hist__record(h, UINT64_MAX / 2);
	assert_int_equal(atomic_load(&h->max), UINT64_MAX / 2);    /* max stays exact */
	assert_int_equal(hist__percentile(h, 100), UINT64_MAX / 2);
	assert_true(hist__percentile(h, 99) <= UINT64_MAX / 2);
	assert_int_equal(hist__percentile(h, 50), 5);
	free(h);
}

#define THREADS 4
#define PER_THREAD 200000

static void *recorder(void *arg)
{
	struct hist *h = arg;

	for (uint64_t i = 1; i <= PER_THREAD; i++)
		hist__record(h, i);
	return NULL;
}

static void test_concurrent_recorders_lose_nothing(void **state)
{
	struct hist *h = new_hist();
	pthread_t t[THREADS];
	uint64_t total = 0;

	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, recorder, h), 0);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(atomic_load(&h->count), (uint64_t)THREADS * PER_THREAD);
	assert_int_equal(atomic_load(&h->sum), (uint64_t)THREADS * PER_THREAD * (PER_THREAD + 1) / 2);
	assert_int_equal(atomic_load(&h->min), 1);
	assert_int_equal(atomic_load(&h->max), PER_THREAD);
	for (unsigned i = 0; i < HIST_NR; i++)
		total += atomic_load(&h->buckets[i]);
	assert_int_equal(total, (uint64_t)THREADS * PER_THREAD);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bucket_layout),
		cmocka_unit_test(test_empty_summary_is_zero),
		cmocka_unit_test(test_exact_small),
		cmocka_unit_test(test_uniform_percentiles_within_bucket_error),
		cmocka_unit_test(test_exponential_percentiles_within_bucket_error),
		cmocka_unit_test(test_merge_equals_recording_all),
		cmocka_unit_test(test_huge_values),
		cmocka_unit_test(test_concurrent_recorders_lose_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
