// SPDX-License-Identifier: MIT
/* Injected fault latency models (see latency.h); sampling via GSL. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "latency.h"

struct latency_gen {
	struct latency_model m;
	gsl_rng *rng;
};

int latency__model(struct latency_model *m, const char *kind, unsigned us,
		   unsigned max_us, double sigma, char *err, size_t len)
{
	memset(m, 0, sizeof(*m));
	m->lo_ns = (uint64_t)us * 1000;
	m->hi_ns = (uint64_t)max_us * 1000;
	m->sigma = sigma;
	if (!kind || !*kind || !strcmp(kind, "fixed")) {
		m->kind = LAT_FIXED;
	} else if (!strcmp(kind, "uniform")) {
		m->kind = LAT_UNIFORM;
		if (max_us < us) {
			snprintf(err, len, "fault_latency=uniform needs fault_latency_max_us (%u) >= "
				 "fault_latency_us (%u)", max_us, us);
			return -EINVAL;
		}
	} else if (!strcmp(kind, "lognormal")) {
		m->kind = LAT_LOGNORMAL;
		if (!(sigma > 0) || !isfinite(sigma)) {
			snprintf(err, len, "fault_latency=lognormal needs fault_latency_sigma > 0 (got %g)", sigma);
			return -EINVAL;
		}
		if (us == 0) {
			snprintf(err, len, "fault_latency=lognormal needs fault_latency_us (the median) > 0");
			return -EINVAL;
		}
		if (max_us && max_us < us) {
			snprintf(err, len, "fault_latency=lognormal: fault_latency_max_us (%u) is below the "
				 "median fault_latency_us (%u); raise it or set 0 for no clamp", max_us, us);
			return -EINVAL;
		}
	} else if (!strcmp(kind, "file")) {
		m->kind = LAT_FILE;
	} else {
		snprintf(err, len, "unknown fault_latency '%s'; use fixed, uniform, lognormal or file", kind);
		return -EINVAL;
	}
	return 0;
}

void latency__describe(const struct latency_model *m, char *buf, size_t len)
{
	switch (m->kind) {
	case LAT_FIXED:
		snprintf(buf, len, "fixed(%lluus)", (unsigned long long)(m->lo_ns / 1000));
		break;
	case LAT_UNIFORM:
		snprintf(buf, len, "uniform(%lluus..%lluus)", (unsigned long long)(m->lo_ns / 1000),
			 (unsigned long long)(m->hi_ns / 1000));
		break;
	case LAT_LOGNORMAL:
		snprintf(buf, len, "lognormal(median=%lluus,sigma=%g,max=%lluus)",
			 (unsigned long long)(m->lo_ns / 1000), m->sigma,
			 (unsigned long long)(m->hi_ns / 1000));
		break;
	case LAT_FILE:
		snprintf(buf, len, "file(real I/O)");
		break;
	}
}

struct latency_gen *latency__gen_new(const struct latency_model *m, uint64_t seed, unsigned stream)
{
	struct latency_gen *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->m = *m;
	g->rng = gsl_rng_alloc(gsl_rng_mt19937);
	if (!g->rng) {
		free(g);
		return NULL;
	}
	/* Distinct, reproducible stream per pager thread (splitmix64 of seed+stream). */
	uint64_t z = seed + 0x9e3779b97f4a7c15ull * (stream + 1);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	gsl_rng_set(g->rng, (unsigned long)z);
	return g;
}

void latency__gen_free(struct latency_gen *g)
{
	if (!g)
		return;
	gsl_rng_free(g->rng);
	free(g);
}

uint64_t latency__sample(struct latency_gen *g)
{
	const struct latency_model *m = &g->m;
	switch (m->kind) {
	case LAT_FIXED:
		return m->lo_ns;
	case LAT_UNIFORM: {
		uint64_t span = m->hi_ns - m->lo_ns;
		/* gsl_rng_uniform in [0,1): scale to the closed range [lo, hi] */
		return m->lo_ns + (uint64_t)llround(gsl_rng_uniform(g->rng) * (double)span);
	}
	case LAT_LOGNORMAL: {
		double v = gsl_ran_lognormal(g->rng, log((double)m->lo_ns), m->sigma);
		if (m->hi_ns && v > (double)m->hi_ns)
			v = (double)m->hi_ns;
		return (uint64_t)v;
	}
	case LAT_FILE:
		break;
	}
	return 0;
}
