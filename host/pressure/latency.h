/* SPDX-License-Identifier: MIT */
/*
 * Injected fault-service latency for the paging mode's memory backing store.
 *
 *   fixed      every fault takes L = fault_latency_us
 *   uniform    uniform in [fault_latency_us, fault_latency_max_us]
 *   lognormal  median fault_latency_us, shape fault_latency_sigma, clamped to
 *              fault_latency_max_us (0 = no clamp)
 *   file       no injected latency: the real pread() of the backing file is it
 *
 * Each pager thread owns a latency_gen with its own GSL PRNG seeded from
 * (seed, stream), so a run is reproducible and threads never share state.
 */
#ifndef FB_PRESSURE_LATENCY_H
#define FB_PRESSURE_LATENCY_H

#include <stddef.h>
#include <stdint.h>

enum latency_kind { LAT_FIXED, LAT_UNIFORM, LAT_LOGNORMAL, LAT_FILE };

struct latency_model {
	enum latency_kind kind;
	uint64_t lo_ns;       /* fixed: L; uniform: low; lognormal: median */
	uint64_t hi_ns;       /* uniform: high; lognormal: clamp (0 = none) */
	double sigma;         /* lognormal */
};

struct latency_gen;

/* Build a model from the run_config fields; -EINVAL with a one-line reason in err. */
int latency__model(struct latency_model *m, const char *kind, unsigned us,
		   unsigned max_us, double sigma, char *err, size_t len);
/* "fixed(2000us)", "lognormal(median=500us,sigma=0.5,max=5000us)", ... */
void latency__describe(const struct latency_model *m, char *buf, size_t len);

struct latency_gen *latency__gen_new(const struct latency_model *m, uint64_t seed, unsigned stream);
void latency__gen_free(struct latency_gen *g);
/* One service time in ns (0 for LAT_FILE). */
uint64_t latency__sample(struct latency_gen *g);

#endif
