// SPDX-License-Identifier: MIT
/*
 * The worker process of one (variant, repeat) and the supervisor's side of
 * it (see supervisor.h, docs/ARCHITECTURE.md "Two processes").
 *
 * Protocol, worker -> supervisor, one JSON object per line on a pipe:
 *   {"type":"hello","pid":N}                         worker started (phase "setup")
 *   {"type":"phase","phase":"warmup"|"measure"|"stop"|"teardown"}
 *                                                    the variant entered a phase
 *                                                    (run_ctx.phase, bench/run.h)
 *   {"type":"record","run":{...}}                    the variant's record, sent
 *                                                    before teardown (run_ctx.emit)
 *   {"type":"exit","rc":-errno,"error":"...","interrupted":bool}
 *                                                    run__variant() returned
 * then the worker exits 0.  Anything else (no "exit", a signal, a non-zero
 * status) is a failure whose cause the supervisor works out itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "options.h"
#include "pressure.h"
#include "pressure/memcg.h"
#include "pressure/zram.h"
#include "run.h"
#include "supervisor.h"
#include "exit-codes.h"
#include "util.h"
#include "vm.h"

/* ---- worker --------------------------------------------------------------- */

static int worker_fd = -1;
static char hook[32];            /* FB_TEST_WORKER_HOOK for this variant */

static void worker__send(json_t *msg)
{
	char *s = json_dumps(msg, JSON_COMPACT);
	if (!s)
		return;
	size_t len = strlen(s), off = 0;
	s[len] = '\n';             /* json_dumps leaves room for the NUL */
	len++;
	while (off < len) {
		ssize_t w = write(worker_fd, s + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;          /* the supervisor is gone: nothing to tell */
		off += (size_t)w;
	}
	free(s);
}

static void worker__hang(void)
{
	for (;;)
		pause();
}

static void worker__emit(struct run_ctx *ctx, json_t *record)
{
	(void)ctx;
	json_t *m = json_pack("{s:s,s:O}", "type", "record", "run", record);
	worker__send(m);
	json_decref(m);
	if (!strcmp(hook, "hang-teardown"))
		worker__hang();
}

struct hook_arg {
	double delay_s;
	bool oom;
};

/* Test hooks, in the worker only (FB_TEST_WORKER_HOOK=WHAT:VARIANT):
 * kill = SIGKILL itself in the middle of the measured window; shutdown =
 * vCPU 0's guest dies halfway through the window (worker__hook_shutdown);
 * hang / hang-teardown = never return (setup / after the record); oom =
 * allocate locked memory from then on until its memory cgroup OOM-kills it
 * (swap mode only, at most 4 GiB). */
static void *worker__hook_thread(void *arg)
{
	struct hook_arg *h = arg;
	struct timespec ts = { (time_t)h->delay_s, (long)((h->delay_s - (double)(time_t)h->delay_s) * 1e9) };
	nanosleep(&ts, NULL);
	if (!h->oom)
		raise(SIGKILL);
	for (unsigned i = 0; i < 256; i++) {
		void *p = mmap(NULL, 16u << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED | MAP_POPULATE, -1, 0);
		(void)p;       /* a failed map just tries again */
		ts.tv_sec = 0;
		ts.tv_nsec = 10L * 1000 * 1000;
		nanosleep(&ts, NULL);
	}
	return NULL;
}

struct shutdown_arg {
	struct vm *vm;
	double delay_s;
};

/* shutdown: halfway through the measured window, vCPU 0's guest is told to
 * die (FB_STOP_TEST_SHUTDOWN: a triple fault on kvm, an abort ucall on
 * native), as a broken guest would. */
static void *worker__shutdown_thread(void *arg)
{
	struct shutdown_arg *a = arg;
	struct timespec ts = { (time_t)a->delay_s, (long)((a->delay_s - (double)(time_t)a->delay_s) * 1e9) };

	nanosleep(&ts, NULL);
	__atomic_store_n(&a->vm->vcpus[0]->page->stop, FB_STOP_TEST_SHUTDOWN, __ATOMIC_RELAXED);
	return NULL;
}

static void worker__hook_shutdown(struct vm *vm)
{
	static struct shutdown_arg a;
	pthread_t t;

	a.vm = vm;
	a.delay_s = vm->cfg->duration_s / 2;
	if (pthread_create(&t, NULL, worker__shutdown_thread, &a) == 0)
		pthread_detach(t);
}

static void worker__phase(struct run_ctx *ctx, const char *phase, struct vm *vm)
{
	static char last[16];

	(void)ctx;
	if (!strcmp(last, phase))
		return;
	snprintf(last, sizeof(last), "%s", phase);
	json_t *m = json_pack("{s:s,s:s}", "type", "phase", "phase", phase);
	worker__send(m);
	json_decref(m);
	if (strcmp(phase, "measure"))
		return;
	if (!strcmp(hook, "shutdown"))
		worker__hook_shutdown(vm);
	if (!strcmp(hook, "kill") || (!strcmp(hook, "oom") && (vm->pressure->flags & PRESSURE_F_SWAP))) {
		static struct hook_arg h;
		pthread_t t;
		h.delay_s = vm->cfg->duration_s / 2;     /* halfway through the window */
		h.oom = !strcmp(hook, "oom");
		if (pthread_create(&t, NULL, worker__hook_thread, &h) == 0)
			pthread_detach(t);
	}
}

static void worker__hooks(const struct run_ctx *ctx)
{
	const char *e = getenv("FB_TEST_WORKER_HOOK");
	char what[32];
	unsigned v;

	hook[0] = '\0';
	if (!e || sscanf(e, "%31[a-z-]:%u", what, &v) != 2 || v != ctx->variant)
		return;
	snprintf(hook, sizeof(hook), "%s", what);
	if (!strcmp(hook, "hang"))
		worker__hang();
	/* kill, oom, shutdown: armed when the window starts (worker__phase) */
}

static void __attribute__((noreturn)) worker__main(int fd, pid_t parent, const struct run_config *cfg,
						    struct run_ctx *ctx)
{
	char err[1024] = "";
	json_t *run = NULL;

	/* the supervisor gone (SIGKILLed) = stop gracefully and tear down */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
		_exit(127);
	worker_fd = fd;
	/* Ctrl-C reaches the whole process group; only the supervisor acts on
	 * it and tells the worker with exactly one SIGTERM. */
	cleanup__install_signals();
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	json_t *m = json_pack("{s:s,s:i}", "type", "hello", "pid", (int)getpid());
	worker__send(m);
	json_decref(m);
	worker__hooks(ctx);

	ctx->emit = worker__emit;
	ctx->phase = worker__phase;
	int r = run__variant(cfg, ctx, &run, err, sizeof(err));
	json_decref(run);
	m = json_pack("{s:s,s:i,s:s,s:b}", "type", "exit", "rc", r, "error", err,
		      "interrupted", ctx->interrupted);
	if (r && ctx->error_phase)
		json_object_set_new(m, "phase", json_string(ctx->error_phase));
	worker__send(m);
	json_decref(m);
	cleanup__run_all();     /* normally empty: teardown popped everything */
	fflush(NULL);
	_exit(0);
}

/* ---- supervisor ----------------------------------------------------------- */

double supervisor__budget(const struct run_config *cfg)
{
	double run = 2 * (cfg->warmup_s + cfg->duration_s);
	double b = (run > 5 ? run : 5) + 10 + cfg->vcpus * 0.02;

	if (cfg->r.pressure->flags & PRESSURE_F_SWAP)
		b += 20;        /* zram + memcg setup, swapoff of the data region */
	if (cfg->r.perf != CFG_PERF_NONE)
		b += 30;        /* perf start/ack and finish */
	return b;
}

static void supervisor__message(struct worker_result *wr, const char *line, uint64_t t0, bool *got_exit)
{
	json_error_t je;
	json_t *m = json_loads(line, 0, &je);
	const char *type = json_string_value(json_object_get(m, "type"));

	if (!type) {
		json_decref(m);
		return;
	}
	if (!strcmp(type, "hello")) {
		wr->spawn_ms = (double)(now_ns() - t0) / 1e6;
	} else if (!strcmp(type, "phase")) {
		const char *ph = json_string_value(json_object_get(m, "phase"));
		if (ph)
			snprintf(wr->phase, sizeof(wr->phase), "%s", ph);
	} else if (!strcmp(type, "record")) {
		json_decref(wr->record);
		wr->record = json_incref(json_object_get(m, "run"));
	} else if (!strcmp(type, "exit")) {
		*got_exit = true;
		wr->rc = (int)json_integer_value(json_object_get(m, "rc"));
		snprintf(wr->cause, sizeof(wr->cause), "%s",
			 json_string_value(json_object_get(m, "error")) ?: "");
		const char *ph = json_string_value(json_object_get(m, "phase"));
		if (ph)         /* where the error arose, not the teardown after it */
			snprintf(wr->phase, sizeof(wr->phase), "%s", ph);
		if (json_is_true(json_object_get(m, "interrupted")) || wr->rc == -EINTR)
			wr->outcome = WORKER_INTERRUPTED;
	}
	json_decref(m);
}

/* The worker's messages arrive as lines on the pipe: one read into lb
 * (grown as needed), then every complete line to supervisor__message().
 * Returns read()'s result (errno kept). */
struct line_buf {
	char *buf;
	size_t len, cap;
};

static ssize_t supervisor__read_lines(int fd, struct line_buf *lb, struct worker_result *wr,
				      uint64_t t0, bool *got_exit)
{
	if (lb->cap - lb->len < 65536) {
		lb->cap = lb->cap * 2 + 65536;
		lb->buf = realloc(lb->buf, lb->cap);
		if (!lb->buf)
			die(FB_EXIT_BUG, "out of memory reading the worker's record");
	}
	ssize_t r = read(fd, lb->buf + lb->len, lb->cap - lb->len - 1);
	if (r <= 0)
		return r;
	lb->len += (size_t)r;
	lb->buf[lb->len] = '\0';
	char *nl;
	while ((nl = memchr(lb->buf, '\n', lb->len))) {
		*nl = '\0';
		supervisor__message(wr, lb->buf, t0, got_exit);
		size_t used = (size_t)(nl + 1 - lb->buf);
		memmove(lb->buf, nl + 1, lb->len - used);
		lb->len -= used;
	}
	return r;
}

/* Machine state after a worker: its memory cgroup (limit lifted first),
 * then its zram swap; both only for processes that are gone. */
static void supervisor__restore(void)
{
	if (geteuid() != 0)
		return;
	memcg__reap_stale();
	zram__reap_stale();
}

void supervisor__run_variant(const struct run_config *cfg, struct run_ctx *ctx, double budget_s,
			     struct worker_result *wr)
{
	int p[2], status = 0;
	struct line_buf lb = { 0 };
	bool got_exit = false, timed_out = false, termed = false, killed = false, aborted = false;

	memset(wr, 0, sizeof(*wr));
	wr->outcome = WORKER_OK;
	wr->budget_s = budget_s;
	snprintf(wr->phase, sizeof(wr->phase), "setup");
	fflush(NULL);           /* no stdio buffer is written twice */
	if (pipe2(p, O_CLOEXEC)) {
		wr->outcome = WORKER_FAILED;
		snprintf(wr->cause, sizeof(wr->cause), "pipe: %s", strerror(errno));
		return;
	}
	uint64_t t0 = now_ns();
	pid_t parent = getpid(), pid = fork();
	if (pid < 0) {
		wr->outcome = WORKER_FAILED;
		snprintf(wr->cause, sizeof(wr->cause), "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		worker__main(p[1], parent, cfg, ctx);
	}
	close(p[1]);
	uint64_t deadline = t0 + (uint64_t)(budget_s * 1e9);

	for (;;) {
		int sigs = cleanup__signal_count();
		if (sigs >= 1 && !termed) {
			kill(pid, SIGTERM);     /* stop gracefully, tear down */
			termed = true;
		}
		if (sigs >= 2 && !killed) {
			kill(pid, SIGKILL);
			killed = aborted = true;
		}
		uint64_t now = now_ns();
		if (now >= deadline && !killed) {
			kill(pid, SIGKILL);
			killed = timed_out = true;
		}
		if (killed)
			break;          /* what is in the pipe is drained below */
		int ms = (int)((deadline - now) / 1000000) + 1;
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		int n = poll(&pfd, 1, ms > 100 ? 100 : ms);
		if (n < 0 && errno != EINTR)
			break;
		if (n <= 0)
			continue;
		ssize_t r = supervisor__read_lines(p[0], &lb, wr, t0, &got_exit);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;          /* EOF: the worker is gone */
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			break;
		if (cleanup__signal_count() >= 2 && !killed) {
			kill(pid, SIGKILL);
			killed = aborted = true;
		}
	}
	/* a record that was in the pipe when we killed it still counts */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		if (supervisor__read_lines(p[0], &lb, wr, t0, &got_exit) <= 0)
			break;
	}
	close(p[0]);
	free(lb.buf);
	wr->elapsed_s = (double)(now_ns() - t0) / 1e9;

	/* how it ended: read the OOM count before the cgroup is removed */
	char cg[600];
	if (memcg__owner_path(pid, cg, sizeof(cg)) == 0) {
		long kills = memcg__oom_kills(cg);     /* -errno if unreadable */
		wr->oom_kills = kills > 0 ? kills : 0;
	}
	uint64_t tr = now_ns();
	supervisor__restore();
	wr->restore_ms = (double)(now_ns() - tr) / 1e6;

	if (WIFSIGNALED(status))
		wr->signal = WTERMSIG(status);
	char phase[160];
	snprintf(phase, sizeof(phase), "in phase %s, %s", wr->phase,
		 wr->record ? "after the measurement (record kept)" : "before the measurement finished");
	if (aborted) {
		wr->outcome = WORKER_ABORTED;
		snprintf(wr->cause, sizeof(wr->cause), "killed on the second interrupt");
	} else if (timed_out) {
		wr->outcome = WORKER_TIMEOUT;
		snprintf(wr->cause, sizeof(wr->cause), "exceeded its budget of %.0f s %s; killed",
			 budget_s, phase);
	} else if (wr->signal) {
		wr->outcome = WORKER_FAILED;
		if (wr->oom_kills > 0)
			snprintf(wr->cause, sizeof(wr->cause), "OOM-killed (%s) in its memory cgroup "
				 "(oom_kill=%ld) %s", strsignal(wr->signal), wr->oom_kills, phase);
		else
			snprintf(wr->cause, sizeof(wr->cause), "worker killed by signal %d (%s) %s",
				 wr->signal, strsignal(wr->signal), phase);
	} else if (!got_exit || WEXITSTATUS(status)) {
		wr->outcome = WORKER_FAILED;
		snprintf(wr->cause, sizeof(wr->cause), "worker exited with status %d without a result",
			 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	} else if (wr->outcome == WORKER_INTERRUPTED) {
		/* keep: no record, the run stops */
	} else if (wr->rc == -EINVAL || wr->rc == -EPERM || wr->rc == -EACCES) {
		wr->outcome = WORKER_CONFIG;
	} else if (wr->rc || !wr->record) {
		wr->outcome = WORKER_FAILED;
		if (!wr->cause[0])
			snprintf(wr->cause, sizeof(wr->cause), "%s", wr->rc ? strerror(-wr->rc) : "no record");
		size_t n = strlen(wr->cause);
		snprintf(wr->cause + n, sizeof(wr->cause) - n, " (in phase %s)", wr->phase);
	}
	if (wr->outcome == WORKER_INTERRUPTED || wr->outcome == WORKER_CONFIG) {
		json_decref(wr->record);
		wr->record = NULL;
	}
}

json_t *supervisor__record(const struct run_config *cfg, const struct run_ctx *ctx, struct worker_result *wr)
{
	json_t *run = wr->record;

	wr->record = NULL;
	if (!run) {
		run = run__identity_json(cfg, ctx);
		json_object_set_new(run, "backend", json_string(ctx->backend ? ctx->backend->name : cfg->backend));
		json_object_set_new(run, "config", options__to_json(cfg));
	}
	if (wr->outcome == WORKER_FAILED || wr->outcome == WORKER_TIMEOUT || wr->outcome == WORKER_ABORTED) {
		json_t *f = json_object();
		json_object_set_new(run, "verdict", json_string(wr->outcome == WORKER_TIMEOUT ? "timeout" : "failed"));
		json_object_set_new(f, "cause", json_string(wr->cause));
		json_object_set_new(f, "phase", json_string(wr->phase));
		if (wr->signal)
			json_object_set_new(f, "signal", json_string(sigabbrev_np(wr->signal) ?: "?"));
		if (wr->oom_kills > 0)
			json_object_set_new(f, "oom_kills", json_integer(wr->oom_kills));
		json_object_set_new(f, "budget_s", json_real(wr->budget_s));
		json_object_set_new(f, "elapsed_s", json_real(wr->elapsed_s));
		json_object_set_new(f, "measured", json_boolean(json_object_get(run, "metrics") != NULL));
		json_object_set_new(run, "failure", f);
	}
	json_object_set_new(run, "worker", json_pack("{s:f,s:f,s:f}", "spawn_ms", wr->spawn_ms,
						     "elapsed_s", wr->elapsed_s, "restore_ms", wr->restore_ms));
	return run;
}
