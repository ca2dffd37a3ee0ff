// SPDX-License-Identifier: MIT
/*
 * pressure=swap: real zram swap + memory cgroup, without a guest.  Needs root
 * and zram (or an active swap) and a memory cgroup, else SKIP (4).
 *
 *  1. set up, touch a working set larger than the memcg limit with a per-page
 *     pattern, read it back (no data loss), see swap-ins > 0, tear down;
 *  2. a child sets up swap mode and is interrupted by SIGINT midway (it
 *     polls cleanup__interrupted() and tears down, like `bench run`);
 *  3. a child that never polls gets SIGINT twice (second = undo now, exit 130).
 * After each: `swapon --show`, /proc/swaps, zram0 disksize and the memory
 * cgroup directories are exactly as found.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cleanup.h"
#include "metrics.h"
#include "pressure.h"
#include "pressure/zram.h"
#include "srcu.h"
#include "test_util.h"
#include "vm.h"

#define DATA_MB 128
#define LIMIT_MB 48

static uint64_t pgsz;
static pid_t child_pid;

/* ---- machine state ------------------------------------------------------- */

/* What f (NULL: nothing) holds, as a string in buf; then close_fn(f). */
static void slurp_from(FILE *f, int (*close_fn)(FILE *), char *buf, size_t len)
{
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		close_fn(f);
}

static void slurp_cmd(const char *cmd, char *buf, size_t len)
{
	slurp_from(popen(cmd, "r"), pclose, buf, len);
}

static void slurp(const char *path, char *buf, size_t len)
{
	slurp_from(fopen(path, "r"), fclose, buf, len);
}

/* Memory cgroup directories (two levels below the v1 root, and below our
 * own cgroup), ignoring flushbench-<pid> of processes that are not ours:
 * other runs on the machine may come and go. */
static void cg_list(const char *dir, int depth, char *out, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		int pid;
		if (sscanf(de->d_name, "flushbench-%d", &pid) == 1 && pid != getpid() && pid != child_pid)
			continue;
		char p[1024];
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= sizeof(p))
			continue;
		strncat(out, p, len - strlen(out) - 2);
		strncat(out, "\n", len - strlen(out) - 1);
		if (depth > 0)
			cg_list(p, depth - 1, out, len);
	}
	if (d)
		closedir(d);
}

struct machine {
	char swapon[4096], swaps[4096], zram[64], cgroups[65536];
};

static void machine__snap(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	slurp_cmd("PATH=/usr/sbin:/sbin:$PATH swapon --show 2>&1", m->swapon, sizeof(m->swapon));
	slurp("/proc/swaps", m->swaps, sizeof(m->swaps));
	slurp("/sys/block/zram0/disksize", m->zram, sizeof(m->zram));
	/* whole v1 tree to depth 3 is enough here (ours is /process_api/<id>) */
	cg_list("/sys/fs/cgroup/memory", 3, m->cgroups, sizeof(m->cgroups));
	if (!m->cgroups[0])
		cg_list("/sys/fs/cgroup", 3, m->cgroups, sizeof(m->cgroups));
}

static void machine__assert_same(const struct machine *a, const char *when)
{
	struct machine b;
	machine__snap(&b);
	TEST_ASSERT(!strcmp(a->swapon, b.swapon), "%s: swapon --show differs:\nbefore:\n%s\nafter:\n%s",
		    when, a->swapon, b.swapon);
	TEST_ASSERT(!strcmp(a->swaps, b.swaps), "%s: /proc/swaps differs", when);
	TEST_ASSERT(!strcmp(a->zram, b.zram), "%s: zram0 disksize %s -> %s", when, a->zram, b.zram);
	TEST_ASSERT(!strcmp(a->cgroups, b.cgroups), "%s: memory cgroups differ:\nbefore:\n%s\nafter:\n%s",
		    when, a->cgroups, b.cgroups);
}

/* ---- a hand-built VM ------------------------------------------------------- */

struct fake {
	struct vm vm;
	struct run_config cfg;
	struct run_metrics metrics;
};

static void fake__init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	f->vm.mem_size = (uint64_t)DATA_MB << 20;
	f->vm.mem = mmap(NULL, f->vm.mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(f->vm.mem != MAP_FAILED, "mmap");
	f->vm.data_gpa = 0;
	f->vm.data_size = f->vm.mem_size;
	f->vm.cfg = &f->cfg;
	TEST_ASSERT(srcu__init(&f->vm.srcu, "vm", 4) == 0, "srcu__init");
	f->vm.srcu_helper_slots = 4;
	metrics__init(&f->metrics);
	f->vm.metrics = &f->metrics;
	atomic_store(&f->vm.measuring, true);
	test_set_option(&f->cfg, "zram-mb", "256");
	test_set_option(&f->cfg, "memcg-limit-mb", "%u", (unsigned)LIMIT_MB);
	f->cfg.seed = 7;
}

static uint64_t touch(struct fake *f, unsigned pass, bool verify)
{
	uint64_t bad = 0;
	for (uint64_t i = 0; i < f->vm.data_size / pgsz; i++) {
		volatile uint64_t *p = (uint64_t *)(f->vm.mem + i * pgsz);
		uint64_t v = (i ^ f->cfg.seed) + ((uint64_t)pass << 40);
		if (verify) {
			bad += p[0] != v || p[pgsz / 8 - 1] != ~v;
		} else {
			p[0] = v;
			p[pgsz / 8 - 1] = ~v;
		}
	}
	return bad;
}

/* ---- children -------------------------------------------------------------- */

static void child(int ready_fd, bool polls)
{
	struct fake f;
	fake__init(&f);
	cleanup__install_signals();
	const struct pressure_ops *ops = pressure__find("swap");
	f.vm.pressure = ops;
	if (ops->setup(&f.vm) || ops->start(&f.vm))
		_exit(3);
	char c = 'R';
	if (write(ready_fd, &c, 1) != 1)
		_exit(3);
	for (unsigned pass = 0; !polls || !cleanup__interrupted(); pass++)
		touch(&f, pass, false);
	ops->stop(&f.vm);
	ops->teardown(&f.vm);
	_exit(0);
}

static int run_child(bool polls, int nsignals)
{
	int fds[2];
	TEST_ASSERT(pipe(fds) == 0, "pipe");
	fflush(NULL);
	pid_t pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		close(fds[0]);
		child(fds[1], polls);
	}
	child_pid = pid;
	close(fds[1]);
	char c;
	TEST_ASSERT(read(fds[0], &c, 1) == 1, "child failed to set up swap mode");
	close(fds[0]);
	struct timespec ts = { 0, 300 * 1000 * 1000 };
	nanosleep(&ts, NULL);       /* midway: the child is swapping */
	for (int i = 0; i < nsignals; i++) {
		kill(pid, SIGINT);
		struct timespec gap = { 0, 50 * 1000 * 1000 };
		nanosleep(&gap, NULL);
	}
	int st;
	TEST_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid");
	TEST_ASSERT(WIFEXITED(st), "child died by signal %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return WEXITSTATUS(st);
}

int main(void)
{
	pgsz = (uint64_t)sysconf(_SC_PAGESIZE);
	char why[512] = "";
	const struct pressure_ops *ops = pressure__find("swap");
	TEST_ASSERT(ops, "swap mode registered");
	TEST_REQUIRE(ops->available(why, sizeof(why)), "swap unavailable: %s", why);

	/* other swap-mode runs on the machine (bench run, other tests) take
	 * this lock too: hold it so that none of them comes or goes between
	 * our snapshots of the machine */
	int holder = 0, lock = swap__lock(true, &holder);
	TEST_ASSERT(lock >= 0, "swap-mode lock: %s", strerror(-lock));

	struct machine before;
	machine__snap(&before);

	/* ---- 1: swap-ins, integrity, clean teardown ---- */
	struct fake f;
	fake__init(&f);
	f.vm.pressure = ops;
	TEST_ASSERT_EQ(ops->setup(&f.vm), 0);
	TEST_ASSERT_EQ(ops->start(&f.vm), 0);
	touch(&f, 1, false);
	uint64_t bad = touch(&f, 1, true);
	bad += touch(&f, 1, true);
	ops->stop(&f.vm);
	json_t *run = json_object();
	json_object_set_new(run, "pressure", ops->report(&f.vm));
	json_t *pr = json_object_get(run, "pressure");
	uint64_t ins = (uint64_t)json_integer_value(json_object_get(pr, "swap_ins_total"));
	uint64_t outs = (uint64_t)json_integer_value(json_object_get(pr, "swap_outs_total"));
	printf("swap: %s, memcg limit %.0f MiB, data %u MiB: swap-ins %" PRIu64 ", swap-outs %" PRIu64 "\n",
	       json_string_value(json_object_get(pr, "swap_device")),
	       json_real_value(json_object_get(pr, "memcg_limit_mb")), DATA_MB, ins, outs);
	ops->teardown(&f.vm);
	json_decref(run);
	TEST_ASSERT(bad == 0, "%" PRIu64 " pages lost their pattern through swap", bad);
	TEST_ASSERT(ins > 0, "no swap-ins with a %u MiB working set under a %u MiB memcg limit",
		    DATA_MB, LIMIT_MB);
	machine__assert_same(&before, "after teardown");
	munmap(f.vm.mem, f.vm.mem_size);
	srcu__exit(&f.vm.srcu);

	/* ---- 2: SIGINT midway, graceful stop ---- */
	int rc = run_child(true, 1);
	TEST_ASSERT(rc == 0, "interrupted child exited %d", rc);
	machine__assert_same(&before, "after SIGINT");

	/* ---- 3: two signals: immediate undo, exit 130 ---- */
	rc = run_child(false, 2);
	TEST_ASSERT(rc == 130, "twice-interrupted child exited %d, want 130", rc);
	machine__assert_same(&before, "after double SIGINT");

	printf("PASS\n");
	return 0;
}
