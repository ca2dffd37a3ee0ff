/* SPDX-License-Identifier: MIT */
/*
 * Log-linear latency histogram (fio / HdrHistogram style).
 *
 * Values are u64 (ns unless the metric says otherwise).  Values below
 * 2^HIST_SUB_BITS are exact.  Above, a value v with most significant bit m
 * falls in group g = m - HIST_SUB_BITS + 1 and one of 2^HIST_SUB_BITS linear
 * sub-buckets, so the relative error of any reported percentile is at most
 * 2^-HIST_SUB_BITS (1/64 = 1.6 %).  Range: values up to 2^(HIST_GROUPS +
 * HIST_SUB_BITS - 1) - 1 (about 2^40 ns = 18 min) are bucketed; larger ones
 * are clamped into the last bucket (max stays exact).  Memory: HIST_NR * 8
 * bytes = 17 KiB.  Recording is lock-free (relaxed atomic adds); during a
 * run each thread records into its own compact copy (host/tstats.h) and the
 * copies are merged into one struct hist per metric at the end.  Histograms merge by
 * adding buckets, so repeats and vCPUs combine without losing accuracy.
 */
#ifndef FB_HIST_H
#define FB_HIST_H

#include <stdint.h>

#define HIST_SUB_BITS   6
#define HIST_SUB        (1u << HIST_SUB_BITS)
#define HIST_GROUPS     35
#define HIST_NR         (HIST_GROUPS * HIST_SUB)

struct hist {
	_Atomic uint64_t count;
	_Atomic uint64_t sum;
	_Atomic uint64_t min;     /* UINT64_MAX when empty */
	_Atomic uint64_t max;
	_Atomic uint64_t buckets[HIST_NR];
};

void hist__init(struct hist *h);
void hist__record(struct hist *h, uint64_t v);
void hist__merge(struct hist *dst, const struct hist *src);
unsigned hist__bucket(uint64_t v);                 /* index for v */
uint64_t hist__bucket_low(unsigned idx);           /* smallest value in bucket */
uint64_t hist__bucket_high(unsigned idx);          /* largest value in bucket */
/* Percentile p in [0,100]: value of the bucket holding rank ceil(p/100*count),
 * reported as the bucket midpoint clamped to [min,max]; 0 when empty. */
uint64_t hist__percentile(const struct hist *h, double p);
double hist__mean(const struct hist *h);

/* Summary used everywhere in results: */
struct hist_summary {
	uint64_t count, min, max, p50, p90, p99, p999;
	double mean;
};
void hist__summary(const struct hist *h, struct hist_summary *s);

#endif
