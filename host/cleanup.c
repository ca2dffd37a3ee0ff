// SPDX-License-Identifier: MIT
/* Process-global stack of undo actions; see cleanup.h for the rules. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

enum { SLOT_FREE = 0, SLOT_ARMED, SLOT_DONE };

struct cleanup_action {
	const char *name;
	void (*fn)(void *);
	void *arg;
	_Atomic int state;
};

static struct cleanup_action actions[CLEANUP_MAX];
static _Atomic int nr_actions;           /* slots [0, nr) may be in use */
static pthread_mutex_t push_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atexit_once = PTHREAD_ONCE_INIT;
static volatile sig_atomic_t interrupted_sig;
static _Atomic int nr_signals;

static void cleanup__atexit(void) { cleanup__run_all(); }
static void cleanup__register_atexit(void) { atexit(cleanup__atexit); }

/* Best effort: nothing useful to do if stderr is gone. */
static void cleanup__put(const char *s, size_t n)
{
	ssize_t r = write(2, s, n);
	(void)r;
}

void cleanup__say(const char *a, const char *b)
{
	/* write(2) only: may run in a signal handler */
	static const char pfx[] = "bench: cleanup: ";
	cleanup__put(pfx, sizeof(pfx) - 1);
	cleanup__put(a, strlen(a));
	if (b) {
		cleanup__put(" ", 1);
		cleanup__put(b, strlen(b));
	}
	cleanup__put("\n", 1);
}

int cleanup__write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, s, strlen(s));
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

int cleanup__push(const char *name, void (*fn)(void *), void *arg)
{
	pthread_once(&atexit_once, cleanup__register_atexit);
	pthread_mutex_lock(&push_lock);
	int n = atomic_load(&nr_actions);
	if (n >= CLEANUP_MAX) {
		pthread_mutex_unlock(&push_lock);
		return -ENOSPC;
	}
	struct cleanup_action *a = &actions[n];
	a->name = name;
	a->fn = fn;
	a->arg = arg;
	atomic_store_explicit(&a->state, SLOT_ARMED, memory_order_release);
	atomic_store(&nr_actions, n + 1);
	pthread_mutex_unlock(&push_lock);
	return n;
}

/* Claim an armed action so it runs at most once, whoever gets there first. */
static bool cleanup__claim(struct cleanup_action *a)
{
	int armed = SLOT_ARMED;
	return atomic_compare_exchange_strong_explicit(&a->state, &armed, SLOT_DONE,
						       memory_order_acq_rel, memory_order_acquire);
}

void cleanup__pop(int handle, bool run)
{
	if (handle < 0 || handle >= CLEANUP_MAX)
		return;
	struct cleanup_action *a = &actions[handle];
	if (cleanup__claim(a) && run)
		a->fn(a->arg);
	/* Shrink the stack over finished top entries so slots get reused. */
	pthread_mutex_lock(&push_lock);
	int n = atomic_load(&nr_actions);
	while (n > 0 && atomic_load(&actions[n - 1].state) == SLOT_DONE) {
		atomic_store(&actions[n - 1].state, SLOT_FREE);
		n--;
	}
	atomic_store(&nr_actions, n);
	pthread_mutex_unlock(&push_lock);
}

void cleanup__run_all(void)
{
	for (int i = atomic_load(&nr_actions) - 1; i >= 0; i--) {
		struct cleanup_action *a = &actions[i];
		if (cleanup__claim(a))
			a->fn(a->arg);
	}
}

bool cleanup__interrupted(void) { return interrupted_sig != 0; }
int cleanup__signal(void) { return interrupted_sig; }

static void cleanup__on_interrupt(int sig)
{
	if (atomic_fetch_add(&nr_signals, 1) == 0) {
		interrupted_sig = sig;
		static const char msg[] = "\nbench: interrupted; stopping and restoring the machine "
					  "(send the signal again to abort now)\n";
		ssize_t r = write(2, msg, sizeof(msg) - 1);
		(void)r;
		return;
	}
	cleanup__say("second signal: undoing machine changes now", NULL);
	cleanup__run_all();
	_exit(FB_EXIT_INTERRUPTED);
}

static void cleanup__on_supervisor_signal(int sig)
{
	int n = atomic_fetch_add(&nr_signals, 1);
	if (n == 0) {
		interrupted_sig = sig;
		static const char msg[] = "\nbench: interrupted; stopping the current variant and keeping the "
					  "finished ones (send the signal again to abort now)\n";
		cleanup__put(msg, sizeof(msg) - 1);
	} else if (n == 1) {
		static const char msg[] = "bench: second signal: killing the worker and restoring the machine\n";
		cleanup__put(msg, sizeof(msg) - 1);
	}
}

int cleanup__signal_count(void) { return atomic_load(&nr_signals); }

/* SIGINT, SIGTERM and SIGHUP to handler, without SA_RESTART: a blocked
 * read()/poll()/waitpid()/flock()/nanosleep returns EINTR so the loop
 * around it notices the flag promptly and acts. */
static void cleanup__on_stop_signals(void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = handler;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

void cleanup__install_supervisor_signals(void)
{
	cleanup__on_stop_signals(cleanup__on_supervisor_signal);
}

static void cleanup__on_fatal(int sig)
{
	/* SA_RESETHAND restored the default action: undo, then die the same way. */
	cleanup__run_all();
	raise(sig);
}

void cleanup__install_signals(void)
{
	pthread_once(&atexit_once, cleanup__register_atexit);
	cleanup__on_stop_signals(cleanup__on_interrupt);

	struct sigaction sa;
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	for (unsigned i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++) {
		struct sigaction old;
		/* Leave a handler someone else installed (ASan, a debugger) alone. */
		if (sigaction(fatal[i], NULL, &old) == 0 && old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sigemptyset(&sa.sa_mask);
		sa.sa_handler = cleanup__on_fatal;
		sa.sa_flags = SA_RESETHAND | SA_NODEFER;
		sigaction(fatal[i], &sa, NULL);
	}
}
