// SPDX-License-Identifier: MIT
/*
 * pressure=paging validity, without a guest: real threads stand in for vCPUs
 * (vcpu->tid = gettid()) and touch the data region of a hand-built struct vm.
 *
 *  1. fixed L = 2 ms, 2 pagers, 2 touchers, working set 4x the resident limit:
 *     - fault service p50 within 10 % of L;
 *     - an SRCU writer's grace period p99 >= L/2 (a pager held the read
 *       side on behalf of a faulting "vCPU");
 *     - resident pages (mincore, sampled by a monitor) never above
 *       limit + pager_threads;
 *     - every page reads back its pattern after evictions and re-faults,
 *       also concurrently from both touchers, and after stop();
 *     - touchers blocked on the same page are all let go by its install
 *       (co_waiter_faults > 0, each later a duplicate fault).
 *  2. fault_latency=file with O_DIRECT: same integrity check, no temp file left.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "hist.h"
#include "metrics.h"
#include "pressure.h"
#include "srcu.h"
#include "test_util.h"
#include "util.h"
#include "vm.h"

#define NR_TOUCHERS 2
#define PAGERS 2               /* pager-threads */
#define FAKE_VCPUS 64
/* the pager takes one slot per fault in flight (vCPUs + 16) */
#define HELPER_SLOTS (8 + FAKE_VCPUS + 16)

static uint64_t pgsz;
static bool slow_write;     /* phase 3: stretch each page write so evictions hit it mid-write */

struct fake {
	struct vm vm;
	struct run_config cfg;
	struct run_metrics metrics;
	struct vcpu vcpu[FAKE_VCPUS];
	struct vcpu *vcpus[FAKE_VCPUS];
	uint64_t limit_pages, ws_pages;
};

static void fake__init(struct fake *f, uint64_t ws_pages)
{
	memset(f, 0, sizeof(*f));
	f->ws_pages = ws_pages;
	/* data region at GPA 1 page, like a memslot that does not start at 0 */
	uint64_t size = (ws_pages + 1) * pgsz;
	f->vm.mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(f->vm.mem != MAP_FAILED, "mmap %" PRIu64 " bytes", size);
	f->vm.mem_size = size;
	f->vm.data_gpa = pgsz;
	f->vm.data_size = ws_pages * pgsz;
	f->vm.cfg = &f->cfg;
	f->vm.nr_vcpus = NR_TOUCHERS;
	for (unsigned i = 0; i < FAKE_VCPUS; i++) {
		f->vcpu[i].vm = &f->vm;
		f->vcpu[i].id = i;
		f->vcpus[i] = &f->vcpu[i];
	}
	f->vm.vcpus = f->vcpus;
	TEST_ASSERT(srcu__init(&f->vm.srcu, "vm", FAKE_VCPUS + HELPER_SLOTS) == 0, "srcu__init");
	f->vm.srcu_helper_slots = HELPER_SLOTS;
	metrics__init(&f->metrics);
	f->vm.metrics = &f->metrics;
	atomic_store(&f->vm.measuring, true);
	f->cfg.seed = 0x5eed;
	test_set_option(&f->cfg, "pager-threads", "%u", PAGERS);
	test_set_option(&f->cfg, "pager-rt", "true");   /* as the option's default */
}

static void fake__exit(struct fake *f)
{
	srcu__exit(&f->vm.srcu);
	munmap(f->vm.mem, f->vm.mem_size);
}

static inline uint64_t pattern(uint64_t page, unsigned word, unsigned pass, uint64_t seed)
{
	return ((page ^ seed) << 20) ^ ((uint64_t)word << 4) ^ pass;
}

/* ---- touchers ------------------------------------------------------------- */

struct toucher {
	struct fake *f;
	unsigned id, passes;
	pthread_barrier_t *bar;
	uint64_t mismatches, first_bad;
};

static uint64_t *page_of(struct fake *f, uint64_t i)
{
	return (uint64_t *)(f->vm.mem + f->vm.data_gpa + i * pgsz);
}

static uint64_t verify_range(struct fake *f, uint64_t from, uint64_t step, unsigned pass, uint64_t *first)
{
	uint64_t bad = 0;
	for (uint64_t i = from; i < f->ws_pages; i += step) {
		volatile uint64_t *p = page_of(f, i);
		for (unsigned w = 0; w < pgsz / 8; w++) {
			if (p[w] != pattern(i, w, pass, f->cfg.seed)) {
				if (!bad++ && first)
					*first = i;
				break;
			}
		}
	}
	return bad;
}

static void *toucher__run(void *arg)
{
	struct toucher *t = arg;
	struct fake *f = t->f;
	f->vcpu[t->id].tid = (pid_t)syscall(SYS_gettid);
	for (unsigned pass = 0; pass < t->passes; pass++) {
		/* write every word of its pages: evictions land mid-page */
		for (uint64_t i = t->id; i < f->ws_pages; i += NR_TOUCHERS) {
			volatile uint64_t *p = page_of(f, i);
			for (unsigned w = 0; w < pgsz / 8; w++) {
				p[w] = pattern(i, w, pass, f->cfg.seed);
				if (slow_write && (w & 63) == 63)
					sched_yield();
			}
		}
		t->mismatches += verify_range(f, t->id, NR_TOUCHERS, pass, &t->first_bad);
	}
	/* both touchers read everything: duplicate faults on the same pages */
	pthread_barrier_wait(t->bar);
	t->mismatches += verify_range(f, 0, 1, t->passes - 1, &t->first_bad);
	return NULL;
}

/* ---- SRCU writer and resident monitor ---------------------------------- */

struct observer {
	struct fake *f;
	_Atomic bool stop;
	struct hist gp;
	uint64_t resident_max, samples;
};

static void *writer__run(void *arg)
{
	struct observer *o = arg;
	while (!atomic_load(&o->stop)) {
		uint64_t ns = srcu__synchronize(&o->f->vm.srcu, NULL);
		hist__record(&o->gp, ns);
		/* a periodic writer (like uninhibits), not a spinning one, so
		 * the samples are grace periods started at random times */
		struct timespec ts = { 0, 500 * 1000 };
		nanosleep(&ts, NULL);
	}
	return NULL;
}

static void *monitor__run(void *arg)
{
	struct observer *o = arg;
	struct fake *f = o->f;
	unsigned char *vec = malloc(f->ws_pages);
	TEST_ASSERT(vec, "malloc");
	while (!atomic_load(&o->stop)) {
		TEST_ASSERT(mincore(f->vm.mem + f->vm.data_gpa, f->vm.data_size, vec) == 0, "mincore");
		uint64_t n = 0;
		for (uint64_t i = 0; i < f->ws_pages; i++)
			n += vec[i] & 1;
		if (n > o->resident_max)
			o->resident_max = n;
		o->samples++;
		struct timespec ts = { 0, 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	free(vec);
	return NULL;
}

/* ---- one scenario ---------------------------------------------------------- */

static void run_touchers(struct fake *f, unsigned passes, struct observer *o)
{
	pthread_t th[NR_TOUCHERS], wr, mon;
	struct toucher t[NR_TOUCHERS];
	pthread_barrier_t bar;
	pthread_barrier_init(&bar, NULL, NR_TOUCHERS);
	hist__init(&o->gp);
	o->f = f;
	atomic_store(&o->stop, false);
	TEST_ASSERT(pthread_create(&wr, NULL, writer__run, o) == 0, "writer");
	TEST_ASSERT(pthread_create(&mon, NULL, monitor__run, o) == 0, "monitor");
	for (unsigned i = 0; i < NR_TOUCHERS; i++) {
		t[i] = (struct toucher){ .f = f, .id = i, .passes = passes, .bar = &bar };
		TEST_ASSERT(pthread_create(&th[i], NULL, toucher__run, &t[i]) == 0, "toucher");
	}
	for (unsigned i = 0; i < NR_TOUCHERS; i++) {
		pthread_join(th[i], NULL);
		TEST_ASSERT(t[i].mismatches == 0, "toucher %u: %" PRIu64 " pages lost their pattern "
			    "(first: page %" PRIu64 ")", i, t[i].mismatches, t[i].first_bad);
	}
	atomic_store(&o->stop, true);
	pthread_join(wr, NULL);
	pthread_join(mon, NULL);
	pthread_barrier_destroy(&bar);
}

struct burst {
	struct fake *f;
	unsigned id;
	pthread_barrier_t *bar;
	uint64_t t0, t1;
};

/* One fault on its own missing page, all threads released together. */
static void *burst__run(void *arg)
{
	struct burst *b = arg;
	b->f->vcpu[b->id].tid = (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(b->bar);
	b->t0 = now_ns();
	volatile uint64_t *p = page_of(b->f, 2 * b->id);
	*p = b->id;
	b->t1 = now_ns();
	return NULL;
}

static json_t *run_mode(struct fake *f, unsigned passes, struct observer *o)
{
	const struct pressure_ops *ops = pressure__find("paging");
	TEST_ASSERT(ops, "paging mode registered");
	f->vm.pressure = ops;
	TEST_ASSERT_EQ(ops->setup(&f->vm), 0);
	TEST_ASSERT_EQ(ops->start(&f->vm), 0);
	run_touchers(f, passes, o);
	ops->stop(&f->vm);
	/* stop() brought every page back: the region is whole, ordinary memory */
	uint64_t first = 0;
	uint64_t bad = verify_range(f, 0, 1, passes - 1, &first);
	TEST_ASSERT(bad == 0, "%" PRIu64 " pages wrong after stop (first %" PRIu64 ")", bad, first);
	json_t *run = json_object();
	json_object_set_new(run, "pressure", ops->report(&f->vm));
	ops->teardown(&f->vm);
	return run;
}

static uint64_t jint(json_t *run, const char *key)
{
	json_t *v = json_object_get(json_object_get(run, "pressure"), key);
	TEST_ASSERT(json_is_integer(v), "pressure.%s missing", key);
	return (uint64_t)json_integer_value(v);
}

static unsigned count_temp_files(void)
{
	unsigned n = 0;
	DIR *d = opendir("/var/tmp");
	struct dirent *de;
	while (d && (de = readdir(d)))
		n += !strncmp(de->d_name, "flushbench-pager-", 17);
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	pgsz = (uint64_t)sysconf(_SC_PAGESIZE);
	char why[512] = "";
	const struct pressure_ops *ops = pressure__find("paging");
	TEST_ASSERT(ops, "paging registered");
	TEST_REQUIRE(ops->available(why, sizeof(why)), "paging unavailable: %s", why);

	/* ---- 1: fixed latency ---- */
	const uint64_t L = 2 * 1000 * 1000;
	struct fake f;
	fake__init(&f, 4u << 20 >> 12);               /* 4 MiB = 1024 pages with 4 KiB pages */
	f.cfg.resident_mb = 1;                        /* limit = 1 MiB = ws / 4 */
	test_set_option(&f.cfg, "fault-latency", "fixed");
	test_set_option(&f.cfg, "fault-latency-us", "%u", (unsigned)(L / 1000));
	f.limit_pages = (1u << 20) / pgsz;
	struct observer o;
	memset(&o, 0, sizeof(o));
	json_t *run = run_mode(&f, 2, &o);

	struct hist_summary fs, gs;
	hist__summary(&f.metrics.fault_ns, &fs);
	hist__summary(&o.gp, &gs);
	uint64_t limit = jint(run, "resident_limit_pages"), peak = jint(run, "resident_peak_pages");
	printf("paging fixed L=%" PRIu64 "us: faults %" PRIu64 " (p50 %" PRIu64 "us p99 %" PRIu64
	       "us), evictions %" PRIu64 ", wp_faults %" PRIu64 ", dup %" PRIu64 "\n",
	       L / 1000, fs.count, fs.p50 / 1000, fs.p99 / 1000, jint(run, "evictions"),
	       jint(run, "wp_faults"), jint(run, "duplicate_faults"));
	printf("  grace periods %" PRIu64 ": p50 %" PRIu64 "us p99 %" PRIu64 "us; resident limit %"
	       PRIu64 " peak %" PRIu64 " mincore max %" PRIu64 " (%" PRIu64 " samples)\n",
	       gs.count, gs.p50 / 1000, gs.p99 / 1000, limit, peak, o.resident_max, o.samples);

	TEST_ASSERT_EQ(limit, f.limit_pages);
	TEST_ASSERT(fs.count > 2 * f.ws_pages, "expected faults on every pass, got %" PRIu64, fs.count);
	TEST_ASSERT(jint(run, "evictions") > f.ws_pages, "too few evictions");
	TEST_ASSERT(fs.p50 >= L * 9 / 10 && fs.p50 <= L * 11 / 10,
		    "fault service p50 %" PRIu64 " ns not within 10 %% of L = %" PRIu64, fs.p50, L);
	TEST_ASSERT(gs.count >= 50, "too few grace periods: %" PRIu64, gs.count);
	/* A grace period waits for the faults in service when it starts, each
	 * for what is left of its L: with two touchers whose faults are out of
	 * phase that is between L/2 and L.  Without the pager holding the read
	 * side on the vCPU's behalf it would be microseconds. */
	TEST_ASSERT(gs.p99 >= L / 2, "grace-period p99 %" PRIu64 " ns < L/2: readers inside "
		    "faults did not hold the VM SRCU", gs.p99);
	TEST_ASSERT(peak <= limit + PAGERS, "resident peak %" PRIu64 " > limit %" PRIu64
		    " + pagers %u", peak, limit, PAGERS);
	TEST_ASSERT(o.resident_max <= limit + PAGERS, "mincore saw %" PRIu64
		    " resident pages > limit %" PRIu64 " + pagers %u", o.resident_max, limit,
		    PAGERS);
	TEST_ASSERT(jint(run, "non_vcpu_faults") == 0, "faults not attributed to a toucher vCPU");
	/* The last phase has both touchers read every page from the first:
	 * they block on the same missing pages, and one install ends both
	 * faults (the page's waiter list).  Each fault so ended keeps its
	 * record in the device, which later finds the page present: a
	 * duplicate fault. */
	uint64_t co = jint(run, "co_waiter_faults"), dup = jint(run, "duplicate_faults");
	printf("  co-waiter faults ended by another's install %" PRIu64 ", duplicate faults %" PRIu64 "\n",
	       co, dup);
	TEST_ASSERT(co > 0, "two touchers on the same pages, but no fault ended with another's install");
	TEST_ASSERT(co <= dup, "%" PRIu64 " co-waiter faults ended but only %" PRIu64 " duplicate faults",
		    co, dup);
	json_decref(run);
	fake__exit(&f);

	/* ---- 2: real file backing store, O_DIRECT ---- */
	unsigned tmp_before = count_temp_files();
	fake__init(&f, 4u << 20 >> 12);
	f.cfg.resident_mb = 1;
	test_set_option(&f.cfg, "fault-latency", "file");
	test_set_option(&f.cfg, "backing-direct", "true");
	memset(&o, 0, sizeof(o));
	run = run_mode(&f, 3, &o);
	hist__summary(&f.metrics.fault_ns, &fs);
	printf("paging file+O_DIRECT: faults %" PRIu64 " (p50 %" PRIu64 "us), evictions %" PRIu64
	       ", mincore max %" PRIu64 "\n", fs.count, fs.p50 / 1000, jint(run, "evictions"),
	       o.resident_max);
	TEST_ASSERT(jint(run, "evictions") > f.ws_pages, "too few evictions in file mode");
	TEST_ASSERT(o.resident_max <= jint(run, "resident_limit_pages") + PAGERS,
		    "file mode: resident above limit + pagers");
	json_decref(run);
	fake__exit(&f);
	TEST_ASSERT_EQ(count_temp_files(), tmp_before);

	/* ---- 3: hot pages: 16 pages, limit 8, no latency, many passes, so
	 * pages are evicted while a toucher is writing them (WP faults) ---- */
	fake__init(&f, 16);
	f.cfg.resident_mb = 0;                        /* half: 8 pages */
	test_set_option(&f.cfg, "fault-latency", "fixed");
	test_set_option(&f.cfg, "fault-latency-us", "0");
	slow_write = true;
	memset(&o, 0, sizeof(o));
	run = run_mode(&f, 300, &o);
	printf("paging hot pages: faults %" PRIu64 ", evictions %" PRIu64 ", writes caught by "
	       "write-protect %" PRIu64 ", mincore max %" PRIu64 "\n", jint(run, "faults"),
	       jint(run, "evictions"), jint(run, "wp_faults"), o.resident_max);
	TEST_ASSERT(o.resident_max <= jint(run, "resident_limit_pages") + PAGERS,
		    "hot pages: resident above limit + pagers");
	json_decref(run);
	fake__exit(&f);

	/* ---- 4: the pager is a device, not a queue of one: 64 "vCPUs" fault
	 * on 64 distinct pages at once, L = 5 ms, 2 pager threads.  Served one
	 * at a time per thread that takes 32 x L; served as a device with a
	 * queue, every fault completes about L after it arrived. ---- */
	const uint64_t L4 = 5 * 1000 * 1000;
	fake__init(&f, 2 * FAKE_VCPUS);
	f.vm.nr_vcpus = FAKE_VCPUS;
	f.cfg.resident_mb = 1;                        /* no eviction: limit >= the region */
	test_set_option(&f.cfg, "fault-latency", "fixed");
	test_set_option(&f.cfg, "fault-latency-us", "%u", (unsigned)(L4 / 1000));
	f.vm.pressure = ops;
	TEST_ASSERT_EQ(ops->setup(&f.vm), 0);
	TEST_ASSERT_EQ(ops->start(&f.vm), 0);
	pthread_t th4[FAKE_VCPUS];
	struct burst b[FAKE_VCPUS];
	pthread_barrier_t bar4;
	pthread_barrier_init(&bar4, NULL, FAKE_VCPUS);
	for (unsigned i = 0; i < FAKE_VCPUS; i++) {
		b[i] = (struct burst){ .f = &f, .id = i, .bar = &bar4 };
		TEST_ASSERT(pthread_create(&th4[i], NULL, burst__run, &b[i]) == 0, "burst thread");
	}
	uint64_t t_first = UINT64_MAX, t_last = 0;
	for (unsigned i = 0; i < FAKE_VCPUS; i++) {
		pthread_join(th4[i], NULL);
		t_first = b[i].t0 < t_first ? b[i].t0 : t_first;
		t_last = b[i].t1 > t_last ? b[i].t1 : t_last;
	}
	pthread_barrier_destroy(&bar4);
	ops->stop(&f.vm);
	run = json_object();
	json_object_set_new(run, "pressure", ops->report(&f.vm));
	ops->teardown(&f.vm);
	hist__summary(&f.metrics.fault_ns, &fs);
	printf("paging burst: %u faults at once, L=%" PRIu64 "us, %u pager threads: all done in %.1f ms "
	       "(serial would be %.0f ms); service p50 %" PRIu64 "us p99 %" PRIu64 "us; max in flight %"
	       PRIu64 ", queue_full %" PRIu64 "\n", FAKE_VCPUS, L4 / 1000, PAGERS,
	       (double)(t_last - t_first) / 1e6, (double)FAKE_VCPUS / PAGERS * (double)L4 / 1e6,
	       fs.p50 / 1000, fs.p99 / 1000, jint(run, "max_in_flight"), jint(run, "queue_full"));
	TEST_ASSERT_EQ(fs.count, (uint64_t)FAKE_VCPUS);
	TEST_ASSERT(jint(run, "max_in_flight") >= FAKE_VCPUS / 2,
		    "at most %" PRIu64 " faults in flight at once: the pager serialises them",
		    jint(run, "max_in_flight"));
	TEST_ASSERT(fs.p50 >= L4 * 9 / 10 && fs.p50 <= L4 * 11 / 10,
		    "burst: fault service p50 %" PRIu64 " ns not within 10 %% of L = %" PRIu64, fs.p50, L4);
	TEST_ASSERT(fs.p99 <= 2 * L4, "burst: fault service p99 %" PRIu64 " ns > 2 L: faults queued "
		    "behind each other", fs.p99);
	json_decref(run);
	fake__exit(&f);

	printf("PASS\n");
	return 0;
}
