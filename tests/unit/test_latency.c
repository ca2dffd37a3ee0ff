// SPDX-License-Identifier: MIT
/* Injected fault-latency models (host/pressure/latency.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pressure/latency.h"

#define N 20000

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void draw(const struct latency_model *m, uint64_t seed, uint64_t *v)
{
	struct latency_gen *g = latency__gen_new(m, seed, 0);
	assert_non_null(g);
	for (int i = 0; i < N; i++)
		v[i] = latency__sample(g);
	latency__gen_free(g);
}

static void test_fixed_exact(void **state)
{
	struct latency_model m;
	char err[128];
	assert_int_equal(latency__model(&m, "fixed", 2000, 0, 0, err, sizeof(err)), 0);
	static uint64_t v[N];
	draw(&m, 1, v);
	for (int i = 0; i < N; i++)
		assert_int_equal(v[i], 2000000);
}

static void test_uniform_bounds_mean(void **state)
{
	struct latency_model m;
	char err[128];
	assert_int_equal(latency__model(&m, "uniform", 100, 900, 0, err, sizeof(err)), 0);
	static uint64_t v[N];
	draw(&m, 2, v);
	double sum = 0;
	for (int i = 0; i < N; i++) {
		assert_in_range(v[i], 100000, 900000);
		sum += (double)v[i];
	}
	double mean = sum / N;
	assert_true(mean > 500000 * 0.97 && mean < 500000 * 1.03);
}

static void test_lognormal_median_clamp(void **state)
{
	struct latency_model m;
	char err[128];
	assert_int_equal(latency__model(&m, "lognormal", 500, 5000, 0.8, err, sizeof(err)), 0);
	static uint64_t v[N];
	draw(&m, 3, v);
	qsort(v, N, sizeof(v[0]), cmp_u64);
	double med = (double)v[N / 2];
	assert_true(med > 500000 * 0.96 && med < 500000 * 1.04);
	assert_true(v[N - 1] <= 5000000);       /* clamped */
	assert_true(v[N / 100] < v[N - N / 100]); /* a real spread, not a constant */
}

static void test_seeded_streams(void **state)
{
	struct latency_model m;
	char err[128];
	assert_int_equal(latency__model(&m, "uniform", 0, 1000, 0, err, sizeof(err)), 0);
	static uint64_t a[N], b[N], c[N];
	draw(&m, 42, a);
	draw(&m, 42, b);
	draw(&m, 43, c);
	assert_memory_equal(a, b, sizeof(a));          /* reproducible */
	assert_memory_not_equal(a, c, sizeof(a));      /* seed matters */
}

static void test_bad_models(void **state)
{
	struct latency_model m;
	char err[128];
	assert_int_equal(latency__model(&m, "uniform", 900, 100, 0, err, sizeof(err)), -22);
	assert_int_equal(latency__model(&m, "lognormal", 500, 0, 0, err, sizeof(err)), -22);
	assert_int_equal(latency__model(&m, "lognormal", 500, 100, 0.5, err, sizeof(err)), -22);
	assert_int_equal(latency__model(&m, "gaussian", 1, 1, 1, err, sizeof(err)), -22);
	assert_non_null(strstr(err, "gaussian"));
	assert_int_equal(latency__model(&m, "file", 0, 0, 0, err, sizeof(err)), 0);
	assert_int_equal(m.kind, LAT_FILE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixed_exact),
		cmocka_unit_test(test_uniform_bounds_mean),
		cmocka_unit_test(test_lognormal_median_clamp),
		cmocka_unit_test(test_seeded_streams),
		cmocka_unit_test(test_bad_models),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
