/* SPDX-License-Identifier: MIT */
/* Correctness oracle and time-series sampler (one watchdog thread per VM). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "abi/abi.h"
#include "flush-op.h"
#include "oracle.h"
#include "util.h"
#include "vm.h"

#define WATCHDOG_TICK_NS   (10ull * 1000 * 1000)
#define LIVENESS_MIN_EXITS 20     /* per vCPU in the window, to judge liveness */
#define SERIES_INTERVAL_NS (100ull * 1000 * 1000)

struct oracle_watch {              /* watchdog-private, one per vCPU */
	uint64_t gen;                  /* suspension being watched */
	uint64_t seen_ns;              /* first tick that saw it */
	uint64_t cond_ns;              /* first tick that saw its wake condition true */
	uint64_t woken_ns;             /* first tick that saw it woken but not resumed */
	bool stalled;                  /* counted as a stalled suspension */
	bool stuck;                    /* final: a flusher with zero progress */
	uint64_t ok0;                  /* progress (below) when the measured window began */
	uint64_t ok1;                  /* ... when it ended (before stop wakes everyone) */
	uint64_t exits0, exits1;       /* its own passes through the run loop (own_passes: exits
					* it made itself and cancelled entries) at the window's start / end */
	bool asleep1;                  /* suspended, or blocked without a deadline, when the window ended */
};

static const char *const kind_names[ORACLE_NR_KINDS] = {
	[ORACLE_LOST_WAKEUP] = "lost_wakeup",
	[ORACLE_WOKEN_NEVER_RAN] = "woken_never_ran",
	[ORACLE_EARLY_RESUME] = "early_resume",
	[ORACLE_FLUSH_INHIBITED] = "flush_inhibited_target",
	[ORACLE_FLUSH_UNACKED] = "flush_unacked_kick",
	[ORACLE_NO_PROGRESS] = "no_progress",
};

/* The run verdict's failure kinds (bench/run/run.c maps them to `verdict`). */
static const char *const failure_names[ORACLE_NR_KINDS] = {
	[ORACLE_LOST_WAKEUP] = "lost-wakeup",
	[ORACLE_WOKEN_NEVER_RAN] = "lost-wakeup",
	[ORACLE_EARLY_RESUME] = "early-resume",
	[ORACLE_FLUSH_INHIBITED] = "flush-semantics",
	[ORACLE_FLUSH_UNACKED] = "flush-semantics",
	[ORACLE_NO_PROGRESS] = "no-progress",
};

/* Liveness: flushes answered SUCCESS plus suspensions that ended (woken and
 * resumed, or retracted): a flusher whose targets are inhibited most of the
 * time still progresses through correct suspend/resume cycles. */
static uint64_t oracle__progress(struct vcpu *f)
{
	return atomic_load(&f->flushes_ok) + atomic_load(&f->done_gen);
}

static uint64_t oracle__timeout_ns(const struct vm *vm)
{
	return (uint64_t)vm->cfg->lost_timeout_ms * 1000000ull;
}

void oracle__report(struct vm *vm, int kind, int vcpu, int target, uint64_t seq,
		    const char *fmt, ...)
{
	/* Counted whether or not we are in the measured window: a
	 * correctness failure during warm-up is still a failure. */
	atomic_fetch_add(&vm->oracle_counts[kind], 1);
	if (kind == ORACLE_LOST_WAKEUP || kind == ORACLE_WOKEN_NEVER_RAN)
		atomic_fetch_add(&vm->metrics->lost_wakeups, 1);
	else if (kind == ORACLE_EARLY_RESUME)
		atomic_fetch_add(&vm->metrics->early_resumes, 1);
	pthread_mutex_lock(&vm->oracle_lock);
	if (vm->nr_oracle_events < ORACLE_MAX_EVENTS) {
		struct oracle_event *e = &vm->oracle_events[vm->nr_oracle_events++];
		va_list ap;
		e->kind = kind;
		e->vcpu = vcpu;
		e->target = target;
		e->seq = seq;
		va_start(ap, fmt);
		vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&vm->oracle_lock);
}

/* First reporter of suspension gen wins (watchdog, resume, final check). */
static bool oracle__claim(struct vcpu *f, uint64_t gen)
{
	return atomic_exchange(&f->reported_gen, gen) != gen;
}

/* ---- flush semantics ---------------------------------------------------- */

void oracle__requests_visible(struct flush_op *op)
{
	struct vm *vm = op->f->vm;

	/* after every request bit is set (release): the point the requests
	 * are visible.  A target inhibited now, in a cycle that is still on
	 * when we answer SUCCESS, was never checked after the requests. */
	atomic_thread_fence(memory_order_seq_cst);
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		op->w_req[i] = flush__is_target(op, i) ? atomic_load(&vm->vcpus[i]->inhibit) : 0;
}

void oracle__flush_success(const struct flush_op *op)
{
	struct vcpu *f = op->f;
	struct vm *vm = f->vm;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		uint64_t w = op->w_req[i];
		if (!flush__is_target(op, i) || !inhibit_word_set(w))
			continue;
		if (atomic_load(&vm->vcpus[i]->inhibit) == w)
			oracle__report(vm, ORACLE_FLUSH_INHIBITED, (int)f->id, (int)i, inhibit_word_seq(w),
				       "SUCCESS while target inhibited (seq %lu) since before the requests were visible",
				       (unsigned long)inhibit_word_seq(w));
	}
	if (atomic_load(&vm->stopping))
		return;                 /* ack waits end early at stop */
	for (unsigned k = 0; k < op->nk; k++) {
		struct vcpu *t = op->kicked[k];
		/* mode first: every way back into guest mode bumps exit_seq
		 * first, so "in guest mode, then still the same exit_seq"
		 * means it never left; the other order would race with a
		 * target between its OUTSIDE store and its exit_seq bump */
		int mode = atomic_load(&t->mode);
		if (mode != OUTSIDE_GUEST_MODE && atomic_load(&t->exit_seq) == op->snap[k])
			oracle__report(vm, ORACLE_FLUSH_UNACKED, (int)f->id, (int)t->id, op->snap[k],
				       "SUCCESS before kicked target left guest mode (exit seq %lu)",
				       (unsigned long)op->snap[k]);
	}
}

/* ---- resume ------------------------------------------------------------- */

void oracle__check_resume(struct vcpu *f, struct vcpu *t, uint64_t now)
{
	struct vm *vm = f->vm;
	uint64_t gen = atomic_load(&f->susp_gen);
	(void)now;
	uint64_t want = atomic_load(&f->waiting_seq), got = atomic_load(&f->woken_by_seq);
	uint64_t w = atomic_load(&t->inhibit);

	/* Early: its cycle is still inhibited.  Lost: woken by a LATER
	 * cycle than the one it waited on, or by no wake at all. */
	if (inhibit_word_set(w) && inhibit_word_seq(w) == want)
		oracle__report(vm, ORACLE_EARLY_RESUME, (int)f->id, (int)t->id, want,
			       "resumed while target still inhibited (woken by seq %lu)", (unsigned long)got);
	else if ((got == 0 || got > want) && oracle__claim(f, gen))
		oracle__report(vm, ORACLE_LOST_WAKEUP, (int)f->id, (int)t->id, want,
			       "uninhibit of seq %lu did not wake it; woken by %s %lu",
			       (unsigned long)want, got ? "seq" : "nobody", (unsigned long)got);
}

/* ---- watchdog ------------------------------------------------------------ */

/* Per suspension: lost if still suspended lost_timeout_ms after its wake
 * condition (the uninhibit of its sequence returned) was first seen true,
 * however often the target cycles since; woken-never-ran if woken that
 * long ago and not resumed; stalled if its target's uninhibit has been
 * running (grace period) that long.  Reports, never wakes. */
static void oracle__scan(struct vm *vm, uint64_t now)
{
	uint64_t timeout = oracle__timeout_ns(vm);

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *f = vm->vcpus[i];
		struct oracle_watch *w = &vm->oracle_watch[i];
		uint64_t gen = atomic_load_explicit(&f->susp_gen, memory_order_acquire);
		if (gen == atomic_load_explicit(&f->done_gen, memory_order_acquire))
			continue;
		if (w->gen != gen) {
			w->gen = gen;
			w->seen_ns = now;
			w->cond_ns = w->woken_ns = 0;
			w->stalled = false;
		}
		if (atomic_load(&f->reported_gen) == gen)
			continue;
		int tid = atomic_load(&f->suspended_target);
		if (tid < 0 || (unsigned)tid >= vm->nr_vcpus)
			continue;
		struct vcpu *t = vm->vcpus[tid];
		uint64_t want = atomic_load(&f->waiting_seq);
		if (!atomic_load_explicit(&f->suspended, memory_order_acquire)) {
			/* woken; a failure only if it has run since the wake
			 * and sleeps again (a thread merely waiting for a CPU
			 * on a loaded machine has not seen the wake yet) */
			bool asleep = atomic_load(&f->blocked) &&
				      atomic_load(&f->block_seen) == atomic_load(&f->wake_seq);
			if (!asleep)
				w->woken_ns = 0;
			else if (!w->woken_ns)
				w->woken_ns = now;
			else if (now >= w->woken_ns + timeout && oracle__claim(f, gen))
				oracle__report(vm, ORACLE_WOKEN_NEVER_RAN, (int)f->id, tid, want,
					       "woken >= %lu ms ago (seq %lu), never ran",
					       (unsigned long)((now - w->woken_ns) / 1000000), (unsigned long)want);
			continue;
		}
		if (atomic_load(&t->uninhibited_seq) >= want) {
			if (!w->cond_ns)
				w->cond_ns = now;
			else if (now >= w->cond_ns + timeout && oracle__claim(f, gen))
				oracle__report(vm, ORACLE_LOST_WAKEUP, (int)f->id, tid, want,
					       "still suspended >= %lu ms after the uninhibit of seq %lu returned",
					       (unsigned long)((now - w->cond_ns) / 1000000), (unsigned long)want);
		} else if (atomic_load(&t->uninhibiting_seq) >= want && !w->stalled &&
			   now >= w->seen_ns + timeout) {
			w->stalled = true;         /* a design finding, not a failure */
			atomic_fetch_add(&vm->stalled_suspensions, 1);
		}
	}
}

/* After the vCPU threads were joined: every uninhibit that started has
 * returned, so a flusher still suspended on a target that is no longer
 * inhibited in its sequence was forgotten; then liveness. */
static void oracle__final(struct vm *vm)
{
	char ids[96];
	size_t len = 0;
	unsigned nstuck = 0;
	int first = -1;

	vm->pending_inhibited = 0;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *f = vm->vcpus[i];
		struct oracle_watch *w = &vm->oracle_watch[i];
		uint64_t gen = atomic_load(&f->susp_gen);
		bool pending = gen != atomic_load(&f->done_gen), legit = false;
		int tid = atomic_load(&f->suspended_target);

		if (pending && tid >= 0) {
			struct vcpu *t = vm->vcpus[tid];
			uint64_t want = atomic_load(&f->waiting_seq), iw = atomic_load(&t->inhibit);
			bool still = inhibit_word_set(iw) && inhibit_word_seq(iw) == want;
			if (atomic_load(&f->suspended)) {
				if (still) {
					legit = true;
					vm->pending_inhibited++;
				} else if (w->gen == gen && w->stalled) {
					legit = true;
				} else if (atomic_load(&t->uninhibited_seq) >= want && oracle__claim(f, gen)) {
					oracle__report(vm, ORACLE_LOST_WAKEUP, (int)f->id, tid, want,
						       "suspended at stop; the uninhibit of seq %lu returned long ago",
						       (unsigned long)want);
				}
			}
		}
		if (f->role != FB_WL_FLUSH || legit)
			continue;
		if ((vm->oracle_window_ended ? w->ok1 : oracle__progress(f)) - w->ok0)
			continue;
		/* a VM that hardly ran in the window (a host starved by other
		 * load) says nothing about its flushers: judge liveness only
		 * when the other vCPUs got through LIVENESS_MIN_EXITS exits each */
		if (!vm->oracle_window_ended || vm->oracle_window_exits < LIVENESS_MIN_EXITS * vm->nr_vcpus) {
			vm->liveness_unjudged = true;
			continue;
		}
		/* Likewise one flusher that was runnable at the end but hardly
		 * ran itself (on an overcommitted host its thread may get no CPU,
		 * or one flush of it waited for acks the whole window: its
		 * latency is censored, not lost).  A stuck flusher is asleep. */
		if (!w->asleep1 && w->exits1 - w->exits0 < LIVENESS_MIN_EXITS) {
			vm->liveness_unjudged = true;
			continue;
		}
		/* liveness: this flusher completed nothing, and no suspension of
		 * it ended */
		w->stuck = true;
		if (first < 0)
			first = (int)i;
		nstuck++;
		if (len < sizeof(ids) - 12)
			len += (size_t)snprintf(ids + len, sizeof(ids) - len, "%s%u", len ? "," : "", i);
		else if (len < sizeof(ids) - 1)
			len += (size_t)snprintf(ids + len, sizeof(ids) - len, ",...");
	}
	if (nstuck)
		oracle__report(vm, ORACLE_NO_PROGRESS, first, -1, 0,
			       "%u flusher(s) made no progress (no flush, no resume): vCPU %s", nstuck, ids);
}

static void oracle__sample(struct vm *vm, uint64_t now, uint64_t *last_faults, uint64_t *last_flushes)
{
	struct timeseries *ts = &vm->ts;

	if (!atomic_load(&vm->measuring) || ts->n >= ts->cap)
		return;
	unsigned k = ts->n++;
	uint64_t faults = M_READ(vm, faults), flushes = M_READ(vm, flushes);
	ts->t_s[k] = (double)(now - vm->t_measure_ns) / 1e9;
	ts->gp_max_ns[k] = atomic_exchange(&vm->ts_gp_max, 0);
	ts->resume_max_ns[k] = atomic_exchange(&vm->ts_resume_max, 0);
	ts->faults[k] = faults - *last_faults;
	ts->flushes[k] = flushes - *last_flushes;
	ts->resident_pages[k] = atomic_load(&vm->resident_pages);
	*last_faults = faults;
	*last_flushes = flushes;
}

static void *oracle__thread(void *arg)
{
	struct vm *vm = arg;
	uint64_t next_sample = 0, last_faults = 0, last_flushes = 0;
	bool was_measuring = false;

	while (!atomic_load(&vm->stopping)) {
		struct timespec ts = { 0, (long)WATCHDOG_TICK_NS };
		nanosleep(&ts, NULL);
		uint64_t now = now_ns();
		oracle__scan(vm, now);
		bool m = atomic_load(&vm->measuring);
		if (m && !was_measuring) {
			next_sample = now + SERIES_INTERVAL_NS;
			last_faults = M_READ(vm, faults);
			last_flushes = M_READ(vm, flushes);
			atomic_store(&vm->ts_gp_max, 0);
			atomic_store(&vm->ts_resume_max, 0);
		}
		was_measuring = m;
		if (m && now >= next_sample) {
			oracle__sample(vm, now, &last_faults, &last_flushes);
			next_sample += SERIES_INTERVAL_NS;
		}
	}
	return NULL;
}

int oracle__start(struct vm *vm)
{
	struct timeseries *ts = &vm->ts;
	double secs = vm->cfg->duration_s + 1.0;

	ts->interval_ns = SERIES_INTERVAL_NS;
	ts->cap = (unsigned)(secs * 1e9 / (double)SERIES_INTERVAL_NS) + 2;
	ts->t_s = xcalloc(ts->cap, sizeof(double));
	ts->gp_max_ns = xcalloc(ts->cap, sizeof(uint64_t));
	ts->resume_max_ns = xcalloc(ts->cap, sizeof(uint64_t));
	ts->faults = xcalloc(ts->cap, sizeof(uint64_t));
	ts->flushes = xcalloc(ts->cap, sizeof(uint64_t));
	ts->resident_pages = xcalloc(ts->cap, sizeof(uint64_t));
	vm->oracle_watch = xcalloc(vm->nr_vcpus, sizeof(*vm->oracle_watch));
	int r = pthread_create(&vm->watchdog, NULL, oracle__thread, vm);
	if (r)
		return -r;
	vm->watchdog_running = true;
	return 0;
}

void oracle__stop(struct vm *vm)
{
	if (vm->watchdog_running) {
		pthread_join(vm->watchdog, NULL);
		vm->watchdog_running = false;
		oracle__final(vm);
		vm->oracle_final_done = true;
	}
}

void oracle__window_begin(struct vm *vm)
{
	if (!vm->oracle_watch)
		return;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		vm->oracle_watch[i].ok0 = oracle__progress(vm->vcpus[i]);
		vm->oracle_watch[i].exits0 = __atomic_load_n(&vm->vcpus[i]->own_passes, __ATOMIC_RELAXED);
	}
}

void oracle__window_end(struct vm *vm)
{
	if (!vm->oracle_watch || vm->oracle_window_ended)
		return;
	/* A vCPU that went around its run loop on its own account counts as
	 * having run: exits its guest made, and cancelled entries (a livelock
	 * must be judged); not kicks, which a guest starved of CPU or
	 * thrashing in swap-in takes without running its own code */
	vm->oracle_window_exits = 0;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpus[i];
		vm->oracle_watch[i].ok1 = oracle__progress(v);
		vm->oracle_watch[i].exits1 = __atomic_load_n(&v->own_passes, __ATOMIC_RELAXED);
		/* asleep: suspended, or blocked with no deadline and no wake it
		 * has not seen.  A timed sleep ends by itself, and a woken thread
		 * that has not run since (block_seen behind wake_seq) waits for a
		 * CPU: both are runnable, judged by their passes (on a starved
		 * host they may have none) */
		vm->oracle_watch[i].asleep1 = atomic_load(&v->suspended) ||
			(atomic_load(&v->blocked) && !atomic_load(&v->block_timed) &&
			 atomic_load(&v->block_seen) == atomic_load(&v->wake_seq));
		vm->oracle_window_exits += vm->oracle_watch[i].exits1 - vm->oracle_watch[i].exits0;
	}
	vm->oracle_window_ended = true;
}

bool oracle__ok(struct vm *vm)
{
	uint64_t su = atomic_load(&vm->all_suspends), re = atomic_load(&vm->all_resumes);

	for (int k = 1; k < ORACLE_NR_KINDS; k++)
		if (atomic_load(&vm->oracle_counts[k]))
			return false;
	return su == re + atomic_load(&vm->metrics->pending_at_stop);
}

json_t *oracle__json(struct vm *vm)
{
	struct run_metrics *m = vm->metrics;
	json_t *o = json_object(), *ev = json_array(), *fail = json_array(), *np = json_array();
	uint64_t su = atomic_load(&vm->all_suspends), re = atomic_load(&vm->all_resumes);
	uint64_t pend = atomic_load(&m->pending_at_stop);
	bool balanced = su == re + pend;
#define CNT(k) ((json_int_t)atomic_load(&vm->oracle_counts[k]))

	json_object_set_new(o, "ok", json_boolean(oracle__ok(vm)));
	/* kind names of the run verdict, each once, in a fixed order */
	static const int order[] = { ORACLE_LOST_WAKEUP, ORACLE_EARLY_RESUME, ORACLE_NO_PROGRESS,
				     ORACLE_FLUSH_INHIBITED };
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int k = order[i];
		bool any = CNT(k) > 0;
		if (k == ORACLE_LOST_WAKEUP)
			any |= CNT(ORACLE_WOKEN_NEVER_RAN) > 0 || !balanced;
		if (k == ORACLE_FLUSH_INHIBITED)
			any |= CNT(ORACLE_FLUSH_UNACKED) > 0;
		if (any)
			json_array_append_new(fail, json_string(failure_names[k]));
	}
	json_object_set_new(o, "failures", fail);
	json_object_set_new(o, "lost_wakeups", json_integer(CNT(ORACLE_LOST_WAKEUP)));
	json_object_set_new(o, "woken_never_ran", json_integer(CNT(ORACLE_WOKEN_NEVER_RAN)));
	json_object_set_new(o, "early_resumes", json_integer(CNT(ORACLE_EARLY_RESUME)));
	json_object_set_new(o, "flush_semantics", json_pack("{s:I,s:I}",
		"inhibited_target", CNT(ORACLE_FLUSH_INHIBITED), "unacked_kick", CNT(ORACLE_FLUSH_UNACKED)));
	json_object_set_new(o, "stalled_suspensions",
			    json_integer((json_int_t)atomic_load(&vm->stalled_suspensions)));
	json_object_set_new(o, "pending_at_stop", json_integer((json_int_t)pend));
	json_object_set_new(o, "pending_inhibited", json_integer((json_int_t)vm->pending_inhibited));
	/* every suspension ends in a resume, or is still pending at stop */
	json_object_set_new(o, "suspends", json_integer((json_int_t)su));
	json_object_set_new(o, "resumes", json_integer((json_int_t)re));
	json_object_set_new(o, "balanced", json_boolean(balanced));
	if (vm->oracle_final_done)
		for (unsigned i = 0; i < vm->nr_vcpus; i++) {
			if (vm->oracle_watch[i].stuck)
				json_array_append_new(np, json_integer(i));
		}
	json_object_set_new(o, "no_progress", np);
	/* true: some flusher made no progress, but the whole VM ran too
	 * little in the window (a starved host) to call it a failure */
	json_object_set_new(o, "liveness_unjudged", json_boolean(vm->liveness_unjudged));
	pthread_mutex_lock(&vm->oracle_lock);
	for (unsigned i = 0; i < vm->nr_oracle_events; i++) {
		struct oracle_event *e = &vm->oracle_events[i];
		json_array_append_new(ev, json_pack("{s:s,s:i,s:i,s:I,s:s}",
			"kind", kind_names[e->kind], "vcpu", e->vcpu, "target", e->target,
			"seq", (json_int_t)e->seq, "detail", e->detail));
	}
	pthread_mutex_unlock(&vm->oracle_lock);
	json_object_set_new(o, "events", ev);
#undef CNT
	return o;
}
