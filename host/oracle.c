/* SPDX-License-Identifier: MIT */
/* Correctness oracle and time-series sampler (one watchdog thread per VM). */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "flush.h"
#include "oracle.h"
#include "util.h"
#include "vcpu.h"

#define WATCHDOG_TICK_NS   (10ull * 1000 * 1000)
#define SERIES_INTERVAL_NS (100ull * 1000 * 1000)

void oracle__report(struct vm *vm, int kind, int vcpu, int target, uint64_t seq,
		    const char *fmt, ...)
{
	/* Counted whether or not we are in the measured window: a
	 * correctness failure during warm-up is still a failure. */
	if (kind == ORACLE_LOST_WAKEUP)
		atomic_fetch_add(&vm->metrics->lost_wakeups, 1);
	else
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

/* A flusher still suspended lost_timeout_ms after its target cleared the
 * sequence it waits on was forgotten: report it and wake it so the run can
 * go on (and the rest of the oracle keeps working). */
static void oracle__scan(struct vm *vm, uint64_t now)
{
	uint64_t timeout = (uint64_t)vm->cfg->lost_timeout_ms * 1000000ull;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *f = vm->vcpus[i];
		if (!atomic_load_explicit(&f->suspended, memory_order_acquire) || f->lost_reported)
			continue;
		int tid = atomic_load(&f->waiting_on);
		if (tid < 0 || (unsigned)tid >= vm->nr_vcpus)
			continue;
		struct vcpu *t = vm->vcpus[tid];
		uint64_t want = atomic_load(&f->waiting_seq);
		/* measured from the END of the uninhibit: a correct design has
		 * woken every waiter of that cycle before uninhibit() returns,
		 * however long its grace period took */
		uint64_t done = atomic_load(&t->uninhibited_seq);
		uint64_t done_ns = atomic_load(&t->uninhibited_ns);
		if (done < want || now < done_ns + timeout)
			continue;
		f->lost_reported = true;
		oracle__report(vm, ORACLE_LOST_WAKEUP, (int)f->id, tid, want,
			       "still suspended %lu ms after seq %lu was uninhibited; rescued by watchdog",
			       (unsigned long)((now - done_ns) / 1000000), (unsigned long)want);
		flush__wake_flusher(f, t, 0);
	}
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
	}
}
