// SPDX-License-Identifier: MIT
/*
 * Disturbance record (disturb.h).  Other processes' CPU time is the busy
 * time of all CPUs in /proc/stat (user + nice + system + irq + softirq;
 * guest time is inside user) minus this process's own CPU time
 * (CLOCK_PROCESS_CPUTIME_ID), over the measured window.  Kernel work done
 * on our behalf but not charged to us (kworkers, zram compression) counts
 * as "other": a pressure run shows some by design.
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "disturb.h"

struct disturb_snap {
	int ok;
	double mono_s, own_s, busy_s, steal_s, load1;
	long nivcsw;
};

static struct disturb_snap d0, d1;

static double ts_s(clockid_t c)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void snap(struct disturb_snap *s)
{
	unsigned long long v[10] = { 0 };
	double tck = (double)sysconf(_SC_CLK_TCK);
	struct rusage ru;
	FILE *f;

	memset(s, 0, sizeof(*s));
	s->mono_s = ts_s(CLOCK_MONOTONIC);
	s->own_s = ts_s(CLOCK_PROCESS_CPUTIME_ID);
	if (!getrusage(RUSAGE_SELF, &ru))
		s->nivcsw = ru.ru_nivcsw;
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &s->load1) != 1)
			s->load1 = -1;
		fclose(f);
	}
	f = fopen("/proc/stat", "r");
	if (!f)
		return;
	/* cpu user nice system idle iowait irq softirq steal guest guest_nice */
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) == 8 && tck > 0) {
		s->busy_s = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / tck;
		s->steal_s = (double)v[7] / tck;
		s->ok = 1;
	}
	fclose(f);
}

void disturb__begin(void)
{
	snap(&d0);
	d1.ok = 0;
}

void disturb__end(void)
{
	snap(&d1);
}

void disturb__report(json_t *run)
{
	double wall = d1.mono_s - d0.mono_s, own, other, steal, cap;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	if (!d0.ok || !d1.ok || !(wall > 0) || ncpu < 1)
		return;
	own = d1.own_s - d0.own_s;
	other = d1.busy_s - d0.busy_s - own;
	if (other < 0)          /* tick granularity: our time is exact */
		other = 0;
	steal = d1.steal_s - d0.steal_s;
	cap = wall * (double)ncpu;
	json_object_set_new(run, "disturbance", json_pack("{s:f,s:I,s:f,s:f,s:f,s:f,s:f,s:f,s:f,s:I}",
		"wall_s", wall, "host_cpus", (json_int_t)ncpu,
		"loadavg_1m", d0.load1, "loadavg_1m_end", d1.load1,
		"other_cpu_s", other, "other_cpu_pct", 100 * other / cap,
		"steal_s", steal, "steal_pct", 100 * steal / cap,
		"own_cpu_s", own, "ctx_involuntary", (json_int_t)(d1.nivcsw - d0.nivcsw)));
	d0.ok = d1.ok = 0;
}
