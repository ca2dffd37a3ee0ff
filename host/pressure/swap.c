// SPDX-License-Identifier: MIT
/*
 * pressure=swap: real kernel swap.  A zram swap device (when no swap is
 * active) plus a memory cgroup limit on the whole harness process, so the
 * threads touching guest memory really swap in *and* reclaim (REFERENCE.md
 * §5: the limit is what makes kvm->srcu stall), optionally plus a
 * MADV_PAGEOUT churn thread.  Faults are taken by the kernel: inside KVM_RUN
 * under the real kvm->srcu (kvm backend); in guest code on the vCPU thread
 * with no SRCU held by anyone (native backend).  Nothing in the VMM holds
 * its SRCU for them; results say so.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <jansson.h>

#include "cleanup.h"
#include "memcg.h"
#include "pressure.h"
#include "util.h"
#include "vcpu.h"
#include "vm.h"
#include "zram.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

/* The mode's knobs (its entries in the option table; field name = key). */
struct swap_opts {
	unsigned zram_mb;             /* zram device size (16.. MiB) */
	unsigned memcg_limit_mb;      /* memory cgroup limit for the harness (0 = auto) */
	bool pageout_churn;           /* MADV_PAGEOUT thread */
};

static const struct bench_option swap_options[] = {
	{ .name = "zram-mb", OPT_FIELD(struct swap_opts, zram_mb), .kind = OPT_KIND_UINT,
	  .def = "512", .unit = "MiB", .min = 16, .max = 65536,
	  .help = "swap: zram device size" },
	{ .name = "memcg-limit-mb", OPT_FIELD(struct swap_opts, memcg_limit_mb), .kind = OPT_KIND_UINT,
	  .def = "0", .unit = "MiB", .min = 0, .max = 1048576,
	  .help = "swap: memory cgroup limit for the harness (0 = auto from mem-mb)" },
	{ .name = "pageout-churn", OPT_FIELD(struct swap_opts, pageout_churn), .kind = OPT_KIND_BOOL,
	  .def = "false", .help = "swap: a side thread pushes guest memory out with MADV_PAGEOUT" },
	{ .name = NULL },
};

extern const struct pressure_ops pressure_swap;

static const struct swap_opts *swap__opts(const struct vm *vm)
{
	return pressure__opts(vm->cfg, &pressure_swap);
}

struct swap_priv {
	struct vm *vm;
	struct zram_swap zram;
	bool own_swap;
	struct memcg cg;
	uint64_t limit_bytes, nondata_rss;
	/* native, memcg v1: limit_bytes is a "high" mark kept by our own
	 * reclaimer; the cgroup's hard limit is max_bytes above it */
	bool high;
	uint64_t max_bytes;
	int usage_fd;
	pthread_t reclaimer;
	bool reclaimer_started, reclaimer_rt;
	char reclaimer_why[96];
	uint64_t reclaim_off;
	_Atomic uint64_t reclaim_pageouts, usage_peak;
	pthread_t monitor, churn;
	bool monitor_started, churn_started;
	_Atomic bool stop;
	/* /proc/vmstat counters: at setup, and accumulated in the measured window */
	uint64_t pswpin0, pswpout0, majflt0;
	uint64_t swapins_measured, swapouts_measured;
	uint64_t pswpin_end, pswpout_end, majflt_end;
	_Atomic uint64_t churn_calls;
	/* achieved pressure in the measured window (bench/run/achieved.c) */
	uint64_t majflt_window, resident_samples, resident_sum, resident_peak;
};

/* Data-region pages resident now (mincore); also the time series' value. */
static uint64_t swap__resident_pages(struct vm *vm, unsigned char *vec, uint64_t npages)
{
	uint64_t n = 0;

	if (!vec || mincore(vm->mem + vm->data_gpa, vm->data_size, vec))
		return 0;
	for (uint64_t i = 0; i < npages; i++)
		n += vec[i] & 1;
	return n;
}

static int vmstat__read(uint64_t *pswpin, uint64_t *pswpout)
{
	FILE *f;

	*pswpin = *pswpout = 0;         /* defined even on failure */
	f = fopen("/proc/vmstat", "re");
	if (!f)
		return -errno;
	char key[64];
	unsigned long long v;
	while (fscanf(f, "%63s %llu", key, &v) == 2) {
		if (!strcmp(key, "pswpin"))
			*pswpin = v;
		else if (!strcmp(key, "pswpout"))
			*pswpout = v;
	}
	fclose(f);
	return 0;
}

static uint64_t memcg_majflt(struct swap_priv *s)
{
	uint64_t v = 0;
	memcg__stat(&s->cg, "pgmajfault", &v);
	return v;
}

static bool swap__available(char *why, size_t len)
{
	if (geteuid() != 0) {
		snprintf(why, len, "swap needs root (zram swap + memory cgroup); run as root or drop it "
			 "from --pressure");
		return false;
	}
	if (swap__active() <= 0 && !zram__available(why, len))
		return false;
	if (!memcg__available(why, len))
		return false;
	if (len)
		why[0] = '\0';
	return true;
}

/* RSS of the process outside the data region, in bytes. */
static uint64_t swap__nondata_rss(struct vm *vm)
{
	uint64_t rss_kb = 0;
	FILE *f = fopen("/proc/self/status", "re");
	if (f) {
		char line[256];
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmRSS: %" SCNu64, &rss_kb) == 1)
				break;
		fclose(f);
	}
	uint64_t pgsz = (uint64_t)sysconf(_SC_PAGESIZE), data = 0, n = vm->data_size / pgsz;
	unsigned char *vec = malloc(n ? n : 1);
	if (vec && n && mincore(vm->mem + vm->data_gpa, n * pgsz, vec) == 0)
		for (uint64_t i = 0; i < n; i++)
			data += vec[i] & 1;
	free(vec);
	uint64_t rss = rss_kb * 1024, dbytes = data * pgsz;
	return rss > dbytes ? rss - dbytes : 0;
}

static void swap__teardown(struct vm *vm);

static int swap__setup(struct vm *vm)
{
	const struct run_config *c = vm->cfg;
	const struct swap_opts *o = swap__opts(vm);
	char err[512] = "";
	struct swap_priv *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	vm->pressure_priv = s;
	s->vm = vm;
	s->cg.handle = -1;
	s->usage_fd = -1;
	s->zram.h_modprobe = s->zram.h_hot = s->zram.h_reset = s->zram.h_swapoff = -1;

	memcg__reap_stale();
	zram__reap_stale();

	/* a run that does not take the swap lock (an older bench) may hold one
	 * for a while: wait up to 15 s rather than adopt it */
	int r, other;
	for (int i = 0; i < 150 && (other = zram__foreign_owner()); i++) {
		struct timespec ts = { 0, 100L * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	if (other) {
		/* its swapoff would pull our pages into its cgroup and ours its */
		snprintf(err, sizeof(err), "the zram swap of another flushbench run (pid %d) is active; "
			 "swap-mode runs take /run/flushbench-swap.lock and run one after the other", other);
		r = -EBUSY;
		goto fail;
	}
	if (swap__active() <= 0) {
		r = zram__setup(&s->zram, o->zram_mb, err, sizeof(err));
		if (r)
			goto fail;
		s->own_swap = true;
	}

	/* Limit: 0 = auto = resident part of the data region (resident_mb, or
	 * half of it as in paging) + what the harness uses besides guest data
	 * right now + 48 MiB slack for allocations made during the run. */
	s->nondata_rss = swap__nondata_rss(vm);
	if (o->memcg_limit_mb) {
		s->limit_bytes = (uint64_t)o->memcg_limit_mb << 20;
	} else {
		uint64_t resident = c->resident_mb ? (uint64_t)c->resident_mb << 20 : vm->data_size / 2;
		s->limit_bytes = resident + s->nondata_rss + (48ull << 20);
#if defined(__SANITIZE_ADDRESS__)
		/* ASan's shadow and quarantine grow after setup: don't let the
		 * memcg OOM-kill the sanitizer build */
		s->limit_bytes += 256ull << 20;
#endif
	}
	/* Native vCPUs fault at full speed; a v1 cgroup whose many threads all
	 * reclaim at the hard limit at once OOM-kills the run now and then even
	 * with free swap.  There, the limit is a "high" mark (v2 memory.high
	 * has no v1 counterpart) that our reclaimer keeps (swap__reclaimer), and
	 * the hard limit sits above it (docs/PRESSURE.md). */
	s->max_bytes = s->limit_bytes;
	r = memcg__create(&s->cg, s->limit_bytes, err, sizeof(err));
	if (r)
		goto fail;
	s->high = vm->backend == &backend_native && s->cg.version == 1;
	if (s->high) {
		uint64_t margin = s->limit_bytes / 4 > (32ull << 20) ? s->limit_bytes / 4 : 32ull << 20;
		char val[32];
		snprintf(val, sizeof(val), "%" PRIu64, s->limit_bytes + margin);
		s->high = cleanup__write_str(s->cg.limit_file, val) == 0;
		if (s->high)
			s->max_bytes = s->limit_bytes + margin;
	}
	if (s->high) {
		char f[600];
		snprintf(f, sizeof(f), "%s/memory.usage_in_bytes", s->cg.path);
		s->usage_fd = open(f, O_RDONLY | O_CLOEXEC);
		if (s->usage_fd < 0) {         /* no reclaimer: the limit is the hard one */
			char val[32];
			snprintf(val, sizeof(val), "%" PRIu64, s->limit_bytes);
			cleanup__write_str(s->cg.limit_file, val);
			s->high = false;
			s->max_bytes = s->limit_bytes;
		}
	}
	r = memcg__enter(&s->cg, err, sizeof(err));
	if (r)
		goto fail;
	/* Charges do not move with the process: page the data region out once
	 * so it is charged to the new cgroup as it is touched again. */
	if (vm->data_size)
		madvise(vm->mem + vm->data_gpa, vm->data_size, MADV_PAGEOUT);
	vmstat__read(&s->pswpin0, &s->pswpout0);
	s->majflt0 = memcg_majflt(s);
	return 0;
fail:
	pr_err("pressure swap: %s", err[0] ? err : strerror(-r));
	swap__teardown(vm);     /* undo the part that was done; teardown() is then a no-op */
	return r;
}

/* The cgroup's usage now (bytes), from the fd kept open: re-reading it needs
 * no new kernel memory.  0 if unreadable. */
static uint64_t swap__usage(struct swap_priv *s)
{
	char buf[32];
	ssize_t n = pread(s->usage_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

/* native + memcg v1: keep the cgroup at or under its "high" mark, as v2's
 * memory.high would, by paging guest data out 2 MiB at a time (round robin
 * over the data region) whenever usage is above it; SCHED_FIFO where
 * permitted, so that reclaim keeps pace with the vCPUs (which then wait
 * for the CPU instead of reclaiming at the hard limit). */
static void *swap__reclaimer(void *arg)
{
	struct swap_priv *s = arg;
	struct vm *vm = s->vm;
	const uint64_t chunk = 2ull << 20;

	while (!atomic_load(&s->stop)) {
		uint64_t u = swap__usage(s);
		if (u > atomic_load(&s->usage_peak))
			atomic_store(&s->usage_peak, u);
		/* at most one sweep of the data region per pass: a usage that
		 * guest data does not explain is left to the kernel */
		for (uint64_t swept = 0; u > s->limit_bytes && swept < vm->data_size && !atomic_load(&s->stop);
		     swept += chunk) {
			uint64_t len = vm->data_size - s->reclaim_off < chunk ? vm->data_size - s->reclaim_off : chunk;
			madvise(vm->mem + vm->data_gpa + s->reclaim_off, len, MADV_PAGEOUT);
			atomic_fetch_add(&s->reclaim_pageouts, 1);
			s->reclaim_off = s->reclaim_off + len >= vm->data_size ? 0 : s->reclaim_off + len;
			u = swap__usage(s);
		}
		struct timespec ts = { 0, 500L * 1000 };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* Attribute system-wide swap traffic to the measured window. */
static void *swap__monitor(void *arg)
{
	struct swap_priv *s = arg;
	uint64_t in0, out0, in, out, majflt_begin = 0, tick = 0;
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t npages = s->vm->data_size / (uint64_t)(pg > 0 ? pg : 4096);
	unsigned char *vec = npages ? malloc(npages) : NULL;
	bool was_measuring = false;
	vmstat__read(&in0, &out0);
	while (!atomic_load(&s->stop)) {
		struct timespec ts = { 0, 10L * 1000 * 1000 };
		nanosleep(&ts, NULL);
		bool measuring = atomic_load(&s->vm->measuring);
		/* the cgroup's own major faults (swap-ins charged to us) over the window */
		if (measuring != was_measuring && s->cg.handle >= 0) {
			if (measuring)
				majflt_begin = memcg_majflt(s);
			else
				s->majflt_window += memcg_majflt(s) - majflt_begin;
			was_measuring = measuring;
		}
		if (measuring && ++tick % 10 == 0) {        /* resident vs limit, every 100 ms */
			uint64_t r = swap__resident_pages(s->vm, vec, npages);
			atomic_store(&s->vm->resident_pages, r);
			s->resident_sum += r;
			s->resident_samples++;
			if (r > s->resident_peak)
				s->resident_peak = r;
		}
		if (vmstat__read(&in, &out) < 0)
			continue;       /* keep the last good baseline */
		if (atomic_load(&s->vm->measuring)) {
			s->swapins_measured += in - in0;
			s->swapouts_measured += out - out0;
			M_ADD(s->vm, faults, in - in0);
			M_ADD(s->vm, evictions, out - out0);
		}
		in0 = in;
		out0 = out;
	}
	if (was_measuring && s->cg.handle >= 0)
		s->majflt_window += memcg_majflt(s) - majflt_begin;
	free(vec);
	return NULL;
}

static void *swap__churn(void *arg)
{
	struct swap_priv *s = arg;
	struct vm *vm = s->vm;
	const uint64_t chunk = 2ull << 20;
	uint64_t off = 0;
	while (!atomic_load(&s->stop) && vm->data_size) {
		uint64_t n = vm->data_size - off < chunk ? vm->data_size - off : chunk;
		madvise(vm->mem + vm->data_gpa + off, n, MADV_PAGEOUT);
		atomic_fetch_add(&s->churn_calls, 1);
		off = off + n >= vm->data_size ? 0 : off + n;
		struct timespec ts = { 0, 1000L * 1000 };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static int swap__start(struct vm *vm)
{
	struct swap_priv *s = vm->pressure_priv;
	int r = pthread_create(&s->monitor, NULL, swap__monitor, s);
	if (r)
		return -r;
	s->monitor_started = true;
	if (s->high && vm->data_size) {
		r = pthread_create(&s->reclaimer, NULL, swap__reclaimer, s);
		if (r)
			return -r;
		s->reclaimer_started = true;
		struct sched_param sp = { .sched_priority = 40 };   /* below the pagers' 50 */
		int e = pthread_setschedparam(s->reclaimer, SCHED_FIFO, &sp);
		s->reclaimer_rt = e == 0;
		if (e)
			snprintf(s->reclaimer_why, sizeof(s->reclaimer_why), "SCHED_FIFO refused: %s", strerror(e));
	}
	if (swap__opts(vm)->pageout_churn) {
		r = pthread_create(&s->churn, NULL, swap__churn, s);
		if (r)
			return -r;
		s->churn_started = true;
	}
	return 0;
}

static void swap__stop(struct vm *vm)
{
	struct swap_priv *s = vm->pressure_priv;
	if (!s)
		return;
	atomic_store(&s->stop, true);
	if (s->churn_started)
		pthread_join(s->churn, NULL);
	if (s->reclaimer_started)
		pthread_join(s->reclaimer, NULL);
	s->reclaimer_started = false;
	if (s->monitor_started)
		pthread_join(s->monitor, NULL);
	s->churn_started = s->monitor_started = false;
	if (s->cg.handle >= 0) {
		vmstat__read(&s->pswpin_end, &s->pswpout_end);
		s->majflt_end = memcg_majflt(s);
	}
}

static void swap__teardown(struct vm *vm)
{
	struct swap_priv *s = vm->pressure_priv;
	if (!s)
		return;
	swap__stop(vm);
	if (s->usage_fd >= 0)
		close(s->usage_fd);
	s->usage_fd = -1;
	/* The limit is lifted and we are out of the cgroup first, so swapoff
	 * brings pages back without fighting a limit (a swap-in is charged to
	 * the cgroup that swapped the page out while that one is online). */
	memcg__destroy(&s->cg);
	zram__teardown(&s->zram);
	vm->pressure_priv = NULL;
	free(s);
}

static json_t *swap__report(struct vm *vm)
{
	struct swap_priv *s = vm->pressure_priv;
	json_t *o = json_object();
	json_object_set_new(o, "mode", json_string("swap"));
	if (s) {
		json_object_set_new(o, "swap_device", json_string(s->own_swap ? s->zram.path : "existing"));
		json_object_set_new(o, "zram_mb", json_integer(s->own_swap ? s->zram.mb : 0));
		json_object_set_new(o, "memcg_version", json_integer(s->cg.version));
		json_object_set_new(o, "memcg_limit_mb", json_real((double)s->limit_bytes / (1 << 20)));
		json_object_set_new(o, "memcg_hard_limit_mb", json_real((double)s->max_bytes / (1 << 20)));
		if (s->high) {
			json_object_set_new(o, "memcg_limit_kind", json_string("high (own reclaimer; v1 has no memory.high)"));
			json_object_set_new(o, "reclaimer_pageouts",
					    json_integer((json_int_t)atomic_load(&s->reclaim_pageouts)));
			json_object_set_new(o, "reclaimer_rt", json_boolean(s->reclaimer_rt));
			if (!s->reclaimer_rt)
				json_object_set_new(o, "reclaimer_rt_why", json_string(s->reclaimer_why));
			json_object_set_new(o, "memcg_usage_peak_mb",
					    json_real((double)atomic_load(&s->usage_peak) / (1 << 20)));
		} else {
			json_object_set_new(o, "memcg_limit_kind", json_string("hard (memory.limit_in_bytes / memory.max)"));
		}
		json_object_set_new(o, "harness_nondata_rss_mb", json_real((double)s->nondata_rss / (1 << 20)));
		json_object_set_new(o, "swap_ins", json_integer((json_int_t)s->swapins_measured));
		json_object_set_new(o, "swap_outs", json_integer((json_int_t)s->swapouts_measured));
		json_object_set_new(o, "swap_ins_total", json_integer((json_int_t)(s->pswpin_end - s->pswpin0)));
		json_object_set_new(o, "swap_outs_total", json_integer((json_int_t)(s->pswpout_end - s->pswpout0)));
		json_object_set_new(o, "memcg_major_faults_total",
				    json_integer((json_int_t)(s->majflt_end - s->majflt0)));
		json_object_set_new(o, "memcg_major_faults", json_integer((json_int_t)s->majflt_window));
		if (s->resident_samples) {
			long pg = sysconf(_SC_PAGESIZE);
			double mb = (double)(pg > 0 ? pg : 4096) / (1 << 20);
			json_object_set_new(o, "resident_mb_mean",
				json_real((double)s->resident_sum / (double)s->resident_samples * mb));
			json_object_set_new(o, "resident_mb_peak", json_real((double)s->resident_peak * mb));
		}
		json_object_set_new(o, "pageout_churn", json_boolean(swap__opts(vm)->pageout_churn));
		json_object_set_new(o, "pageout_calls", json_integer((json_int_t)atomic_load(&s->churn_calls)));
	}
	json_object_set_new(o, "note", json_string(
		"faults inside KVM_RUN are served by the kernel under the real kvm->srcu, not the VMM's; "
		"with the native backend the vCPU threads fault in guest code and nobody holds any SRCU. "
		"swap_ins/swap_outs are /proc/vmstat pswpin/pswpout deltas (system-wide) in the measured window"));
	return o;
}

const struct pressure_ops pressure_swap = {
	.name = "swap",
	.desc = "kernel swap: zram swap + memory cgroup limit (+ MADV_PAGEOUT churn)",
	.version = PRESSURE_OPS_VERSION,
	.flags = PRESSURE_F_EVICTS | PRESSURE_F_SWAP,
	.available = swap__available,
	.setup = swap__setup,
	.start = swap__start,
	.stop = swap__stop,
	.teardown = swap__teardown,
	.report = swap__report,
	.options = swap_options,
	.options_size = sizeof(struct swap_opts),
};
