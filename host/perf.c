/* SPDX-License-Identifier: MIT */
/*
 * perf record / perf stat attached to the harness for one variant, enabled
 * only inside the measured window (host/perf.h, docs/PERF.md).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "perf.h"
#include "pressure/memcg.h"
#include "util.h"

#define PERF_MAX_WINDOWS  16
#define PERF_MAX_EVENTS   64
#define PERF_READY_MS     60000   /* perf attaching to many threads can be slow */
#define PERF_ACK_MS       10000
#define PERF_STOP_MS      60000   /* record writes its header + build-ids on exit */
#define PERF_NICE         (-10)   /* see spawn_child() */

const char *const perf__default_record_events =
	"cpu-clock,kvm:kvm_exit,kvm:kvm_entry,kvm:kvm_userspace_exit,"
	"kvm:kvm_vcpu_wakeup,sched:sched_switch,sched:sched_wakeup";
const char *const perf__default_stat_events =
	"context-switches,cpu-migrations,page-faults,task-clock,cpu-clock,"
	"kvm:kvm_exit,kvm:kvm_entry,kvm:kvm_userspace_exit,kvm:kvm_vcpu_wakeup,"
	"sched:sched_switch,sched:sched_wakeup";

struct perf_session {
	bool record;
	pid_t pid;                  /* perf child; 0 once reaped */
	int sock;                   /* our end of the control socket */
	int cleanup;                /* cleanup__push handle */
	bool tracefs_ref;
	bool enabled;
	char ackbuf[64];
	size_t acklen;

	char *final_path;           /* DIR/perf/<v>.data | .stat.csv */
	char tmp_path[4096];        /* fixed storage: read by the async-signal-safe undo */
	char *rel_data;             /* "perf/<v>.data" as stored in results.json */
	char *log_path;

	char *events[PERF_MAX_EVENTS];   /* as passed to perf (with /terms/) */
	unsigned nr_events;
	char *dropped[PERF_MAX_EVENTS];
	unsigned nr_dropped;

	uint64_t win[PERF_MAX_WINDOWS][2];
	unsigned nr_win;
};

/* ---- small helpers ------------------------------------------------------- */

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		die(FB_EXIT_BUG, "out of memory");
	va_end(ap);
	return s;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

// NOLINTNEXTLINE(misc-no-recursion): recurses once, on a 160-char cut of the key
void perf__file_name(const char *variant, char *out, size_t len)
{
	size_t i = 0, vlen = variant ? strlen(variant) : 0;

	if (!len)
		return;
	/* Keep names under NAME_MAX with room for ".stat.csv" and the temp
	 * prefix: long keys are cut and get a hash of the whole key. */
	if (vlen > 180 && len > 180) {
		uint64_t h = 1469598103934665603ull;           /* FNV-1a */
		char cut[161];

		for (size_t k = 0; k < vlen; k++)
			h = (h ^ (unsigned char)variant[k]) * 1099511628211ull;
		memcpy(cut, variant, 160);
		cut[160] = 0;
		perf__file_name(cut, out, len);
		snprintf(out + strlen(out), len - strlen(out), "-%016llx", (unsigned long long)h);
		return;
	}
	for (; variant && variant[i] && i + 1 < len; i++) {
		char c = variant[i];
		out[i] = (char)((isalnum((unsigned char)c) || strchr("._+=,-", c)) ? c : '_');
	}
	if (i == 0 && len > 1)
		out[i++] = '_';
	out[i] = 0;
	if (out[0] == '.')          /* never a hidden file */
		out[0] = '_';
}

/* Locate perf: $FB_PERF, else "perf" on $PATH, else /usr/bin/perf. */
bool perf__path(char *out, size_t len)
{
	const char *env = getenv("FB_PERF");
	const char *path = getenv("PATH");

	if (env && *env) {
		snprintf(out, len, "%s", env);
		return access(out, X_OK) == 0;
	}
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		const char *e = strchr(path, ':');
		size_t n = e ? (size_t)(e - path) : strlen(path);

		if (n && n + 6 < len) {
			snprintf(out, len, "%.*s/perf", (int)n, path);
			if (access(out, X_OK) == 0)
				return true;
		}
		path += n + (e ? 1 : 0);
	}
	snprintf(out, len, "/usr/bin/perf");
	return access(out, X_OK) == 0;
}

/* ---- spawning ---------------------------------------------------------------
 * clone(CLONE_VM|CLONE_VFORK) like posix_spawn: no page-table copy of the
 * (possibly huge, userfaultfd-registered) guest memory, and the parent waits
 * until exec.  Unlike posix_spawn we can set PR_SET_PDEATHSIG and close every
 * other fd: a leaked userfaultfd or KVM fd in perf would keep the harness's
 * objects alive after it closes them.  The child only makes raw syscalls. */
struct spawn_args {
	const char *path;
	char *const *argv;
	int fd[5];                  /* becomes fd 0..4 in the child; -1 = none */
	pid_t ppid;
	int nice;
	int err;                    /* errno of a failed exec, read by the parent */
	const char *escape;         /* cgroup.procs to leave the limited memcg for */
};

static int spawn_child(void *arg)
{
	struct spawn_args *a = arg;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	int tmp[5], top = 0;
	sigset_t none;

	/* The parent's handlers must not run in this child (shared memory):
	 * reset them before unblocking, as posix_spawn does. */
	for (int sig = 1; sig < _NSIG; sig++) {
		struct sigaction old;

		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (!sigaction(sig, NULL, &old) && old.sa_handler != SIG_IGN)
			sigaction(sig, &dfl, NULL);
	}
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != a->ppid)
		_exit(127);
	setpgid(0, 0);
	/* Only the measured process belongs in the swap mode's limited memory
	 * cgroup: perf must not be OOM-killed by it ("0" = the writer). */
	if (a->escape) {
		int cfd = open(a->escape, O_WRONLY | O_CLOEXEC);
		if (cfd >= 0) {
			ssize_t w = write(cfd, "0", 1);
			(void)w;
			close(cfd);
		}
	}
	/* perf competes with up to 1024 runnable vCPU threads on few CPUs; at
	 * nice 0 it can take seconds to act on "disable" or to drain its ring
	 * buffers (lost samples).  A higher weight keeps its reaction time short.
	 * Fails harmlessly without CAP_SYS_NICE. */
	setpriority(PRIO_PROCESS, 0, a->nice);
	for (int i = 0; i < 5; i++) {
		tmp[i] = a->fd[i] >= 0 ? fcntl(a->fd[i], F_DUPFD, 100) : -1;
		if (a->fd[i] >= 0)
			top = i + 1;
	}
	for (int i = 0; i < 5; i++)
		if (tmp[i] >= 0)
			dup2(tmp[i], i);
	close_range(top > 3 ? top : 3, ~0U, 0);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(a->path, a->argv);
	a->err = errno;
	_exit(127);
}

static pid_t spawn(struct spawn_args *a, int *err)
{
	const size_t stack_size = 256 << 10;
	sigset_t all, old;
	void *stack;
	pid_t pid;

	stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED) {
		*err = errno;
		return -1;
	}
	a->ppid = getpid();
	a->err = 0;
	a->escape = memcg__escape_procs();
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = clone(spawn_child, (char *)stack + stack_size,
		    CLONE_VM | CLONE_VFORK | SIGCHLD, a);
	*err = pid < 0 ? errno : a->err;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	munmap(stack, stack_size);
	if (pid > 0 && a->err) {        /* exec failed: reap it */
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

/* waitpid with a timeout; true when reaped (status filled). */
static bool wait_child(pid_t pid, int *status, unsigned ms)
{
	for (unsigned t = 0;; t += 5) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		if (t >= ms)
			return false;
		sleep_ms(5);
	}
}

/* Run argv, capture up to len-1 bytes of stdout+stderr; exit status or -errno. */
static int run_capture(const char *path, char *const argv[], char *out, size_t len)
{
	struct spawn_args a = { .path = path, .argv = argv };
	int p[2], err, status = 0;
	size_t n = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	a.fd[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	a.fd[1] = a.fd[2] = p[1];
	a.fd[3] = a.fd[4] = -1;
	pid = spawn(&a, &err);
	close(p[1]);
	if (a.fd[0] >= 0)
		close(a.fd[0]);
	if (pid < 0) {
		close(p[0]);
		return -(err ? err : ECHILD);
	}
	for (;;) {
		char sink[256];
		ssize_t r = read(p[0], n + 1 < len ? out + n : sink,
				 n + 1 < len ? len - 1 - n : sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n + 1 < len)
			n += (size_t)r;
	}
	if (len)
		out[n] = 0;
	close(p[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- tracefs ------------------------------------------------------------------
 * perf resolves tracepoints through tracefs and copies their formats into
 * perf.data when it exits.  If tracefs is not mounted we mount it for as long
 * as a session needs it and unmount it afterwards (and from the cleanup
 * registry on any abnormal exit), leaving the machine as found. */
#define TRACEFS_MNT "/sys/kernel/tracing"
static pthread_mutex_t tracefs_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned tracefs_refs;
static int tracefs_cleanup = -1;

static const char *tracefs_dir(void)
{
	if (access(TRACEFS_MNT "/events", F_OK) == 0)
		return TRACEFS_MNT;
	if (access("/sys/kernel/debug/tracing/events", F_OK) == 0)
		return "/sys/kernel/debug/tracing";
	return NULL;
}

static void tracefs_umount(void *arg)
{
	(void)arg;
	if (umount2(TRACEFS_MNT, 0) && errno != EINVAL)
		cleanup__say("tracefs busy, left mounted at", TRACEFS_MNT);
}

/* Take a reference; returns the tracefs directory or NULL (why in err). */
static const char *tracefs_get(char *why, size_t len)
{
	const char *dir;

	pthread_mutex_lock(&tracefs_lock);
	dir = tracefs_dir();
	if (!dir && tracefs_cleanup < 0) {
		int h = cleanup__push("umount tracefs", tracefs_umount, NULL);

		if (h < 0) {
			set_err(why, len, "cleanup registry full");
		} else if (mount("nodev", TRACEFS_MNT, "tracefs", 0, NULL)) {
			set_err(why, len, "tracefs is not mounted and mounting it at "
				TRACEFS_MNT " failed (%s); mount it as root: "
				"mount -t tracefs nodev " TRACEFS_MNT, strerror(errno));
			cleanup__pop(h, false);
		} else {
			tracefs_cleanup = h;
			dir = tracefs_dir();
			pr_verbose("perf: mounted tracefs at %s for the run", TRACEFS_MNT);
		}
	}
	if (dir)
		tracefs_refs++;
	pthread_mutex_unlock(&tracefs_lock);
	return dir;
}

static void tracefs_put(void)
{
	pthread_mutex_lock(&tracefs_lock);
	if (tracefs_refs && --tracefs_refs == 0 && tracefs_cleanup >= 0) {
		cleanup__pop(tracefs_cleanup, true);
		tracefs_cleanup = -1;
	}
	pthread_mutex_unlock(&tracefs_lock);
}

/* ---- event lists ------------------------------------------------------------- */

/* Split on commas outside /.../ and {...}; trims blanks. */
static unsigned split_events(const char *list, char **out, unsigned max)
{
	unsigned n = 0;
	const char *p = list;

	while (p && *p && n < max) {
		const char *s = p;
		int slash = 0, brace = 0;

		for (; *p; p++) {
			if (*p == '/')
				slash ^= 1;
			else if (*p == '{')
				brace++;
			else if (*p == '}' && brace)
				brace--;
			else if (*p == ',' && !slash && !brace)
				break;
		}
		while (s < p && isspace((unsigned char)*s))
			s++;
		size_t l = (size_t)(p - s);
		while (l && isspace((unsigned char)s[l - 1]))
			l--;
		if (l)
			out[n++] = strndup(s, l);
		if (*p == ',')
			p++;
	}
	return n;
}

/* "sys:name[/terms/]" with sys and name in [a-z0-9_] (name may hold '*').
 * "cycles:u" style modifiers are not tracepoints. */
static bool tracepoint_split(const char *ev, char *sys, char *name, size_t len)
{
	const char *c = strchr(ev, ':');
	size_t ls, ln;

	if (!c)
		return false;
	ls = (size_t)(c - ev);
	ln = strcspn(c + 1, "/");
	if (!ls || !ln || ls >= len || ln >= len)
		return false;
	for (size_t i = 0; i < ls; i++)
		if (!isalnum((unsigned char)ev[i]) && ev[i] != '_')
			return false;
	bool modifiers_only = true;
	for (size_t i = 0; i < ln; i++) {
		char ch = c[1 + i];
		if (!isalnum((unsigned char)ch) && ch != '_' && ch != '*' && ch != '?')
			return false;
		if (!strchr("ukhIGHpPSDWe", ch))
			modifiers_only = false;
	}
	if (modifiers_only)
		return false;
	memcpy(sys, ev, ls);
	sys[ls] = 0;
	memcpy(name, c + 1, ln);
	name[ln] = 0;
	return true;
}

static bool tracepoint_exists(const char *dir, const char *sys, const char *name)
{
	char p[512];

	if (strpbrk(name, "*?"))
		snprintf(p, sizeof(p), "%s/events/%s", dir, sys);
	else
		snprintf(p, sizeof(p), "%s/events/%s/%s", dir, sys, name);
	return access(p, F_OK) == 0;
}

/* Warn once per process per missing tracepoint. */
static void warn_missing(const char *ev, const char *why)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static char *warned[PERF_MAX_EVENTS];
	static unsigned nr;
	bool seen = false;

	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < nr; i++)
		if (!strcmp(warned[i], ev))
			seen = true;
	if (!seen && nr < PERF_MAX_EVENTS)
		warned[nr++] = strdup(ev);
	pthread_mutex_unlock(&lock);
	if (!seen)
		pr_warn("perf: tracepoint %s %s; continuing without it", ev, why);
}

/* Resolve the event list into s->events / s->dropped.  Default record
 * tracepoints get no call chain: they fire at exit / context-switch rate,
 * and unwinding each one more than doubled perf's cost on the harness
 * (docs/PERF.md); the cpu-clock profile carries the stacks. */
static int resolve_events(struct perf_session *s, const char *events, bool defaults,
			  char *err, size_t len)
{
	char *list[PERF_MAX_EVENTS];
	unsigned n = split_events(events, list, PERF_MAX_EVENTS);
	const char *dir = NULL;
	char why[256] = "";
	bool tried = false;

	for (unsigned i = 0; i < n; i++) {
		char sys[128], name[128];

		if (!tracepoint_split(list[i], sys, name, sizeof(sys))) {
			s->events[s->nr_events++] = list[i];
			continue;
		}
		if (!tried) {
			tried = true;
			dir = tracefs_get(why, sizeof(why));
			s->tracefs_ref = dir != NULL;
		}
		if (!dir || !tracepoint_exists(dir, sys, name)) {
			warn_missing(list[i], dir ? "is not available on this kernel" : why);
			s->dropped[s->nr_dropped++] = list[i];
			continue;
		}
		if (defaults && s->record) {
			s->events[s->nr_events++] = xasprintf("%s/call-graph=no/", list[i]);
			free(list[i]);
		} else {
			s->events[s->nr_events++] = list[i];
		}
	}
	if (!s->nr_events) {
		set_err(err, len, "--perf-events '%s': no usable event left", events);
		return -EINVAL;
	}
	return 0;
}

/* ---- availability -------------------------------------------------------------- */

static long read_long(const char *path, long def)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return def;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return def;
	buf[n] = 0;
	return strtol(buf, NULL, 10);
}

/* CAP_PERFMON (38) or CAP_SYS_ADMIN (21) in the effective set. */
static bool have_perf_caps(void)
{
	char line[256];
	bool ok = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long eff;
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			ok = (eff >> 38 & 1) || (eff >> 21 & 1);
	}
	fclose(f);
	return ok;
}

bool perf__available(const char *mode, char *why, size_t len)
{
	char path[4096], out[512];
	long paranoid;
	int rc;

	if (!mode || (strcmp(mode, "record") && strcmp(mode, "stat"))) {
		set_err(why, len, "unknown perf mode '%s' (expected none, record or stat)",
			mode ? mode : "");
		return false;
	}
	if (!perf__path(path, sizeof(path))) {
		set_err(why, len, "perf not found (%s); install it: apt-get install linux-perf"
			" (or set FB_PERF=/path/to/perf)", path);
		return false;
	}
	char *argv[] = { path, "--version", NULL };
	rc = run_capture(path, argv, out, sizeof(out));
	if (rc != 0 || strncmp(out, "perf version", 12)) {
		out[strcspn(out, "\n")] = 0;
		if (rc < 0)
			set_err(why, len, "cannot run %s: %s; apt-get install linux-perf",
				path, strerror(-rc));
		else
			set_err(why, len, "%s --version failed (status %d: %s); install a perf "
				"that runs on this kernel: apt-get install linux-perf",
				path, rc, out);
		return false;
	}
	paranoid = read_long("/proc/sys/kernel/perf_event_paranoid", 2);
	if (geteuid() != 0 && !have_perf_caps() && paranoid > 1) {
		set_err(why, len, "kernel.perf_event_paranoid=%ld forbids profiling without "
			"CAP_PERFMON; run as root or: sysctl kernel.perf_event_paranoid=-1",
			paranoid);
		return false;
	}
	if (why && len)
		why[0] = 0;
	return true;
}

/* ---- control channel ----------------------------------------------------------- */

static int wait_ack(struct perf_session *s, unsigned ms)
{
	uint64_t deadline = now_ns() + (uint64_t)ms * 1000000ull;

	for (;;) {
		char *hit;

		s->ackbuf[s->acklen] = 0;
		hit = strstr(s->ackbuf, "ack\n");
		if (hit) {
			size_t used = (size_t)(hit + 4 - s->ackbuf);
			memmove(s->ackbuf, hit + 4, s->acklen - used);
			s->acklen -= used;
			return 0;
		}
		if (s->acklen > sizeof(s->ackbuf) / 2) {   /* garbage: keep the tail */
			memmove(s->ackbuf, s->ackbuf + s->acklen - 8, 8);
			s->acklen = 8;
		}
		uint64_t now = now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		struct pollfd pfd = { .fd = s->sock, .events = POLLIN };
		int r = poll(&pfd, 1, (int)((deadline - now) / 1000000ull) + 1);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		char buf[32];
		ssize_t n = read(s->sock, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return -EPIPE;        /* perf exited */
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] && s->acklen + 1 < sizeof(s->ackbuf))
				s->ackbuf[s->acklen++] = buf[i];
	}
}

static int ctl(struct perf_session *s, const char *cmd, unsigned ms)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%s\n", cmd);

	if (send(s->sock, line, (size_t)n, MSG_NOSIGNAL) != n)
		return -EPIPE;
	return wait_ack(s, ms);
}

/* ---- lifecycle ------------------------------------------------------------------- */

static unsigned count_threads(void)
{
	unsigned n = 0;
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;

	if (!d)
		return 1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n ? n : 1;
}

/* perf record -p keeps one ring buffer per thread that exists when it
 * attaches; threads created later write into their creator's buffer.  So the
 * first thread's buffer carries most samples: 4 MiB each when few threads
 * exist, scaled down to keep the total near 256 MiB with hundreds of vCPU
 * threads (power of two pages, as perf requires; at least 256 KiB). */
static unsigned mmap_pages_for(unsigned threads)
{
	unsigned budget = (256u << 20) / 4096 / threads, pages = 1024;

	while (pages > 64 && pages > budget)
		pages >>= 1;
	return pages;
}

/* Cleanup action: async-signal-safe (runs from signal handlers / atexit). */
static void perf_kill(void *arg)
{
	struct perf_session *s = arg;
	pid_t pid = s->pid;
	int status;

	if (pid <= 0)
		goto out;
	kill(pid, SIGTERM);
	for (int i = 0; i < 500; i++) {            /* 5 s: let it close its file */
		struct timespec ts = { 0, 10000000L };
		if (waitpid(pid, &status, WNOHANG) != 0)
			goto reaped;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
reaped:
	s->pid = 0;
out:
	unlink(s->tmp_path);              /* never leave a half-written file */
}

static void session_free(struct perf_session *s)
{
	if (!s)
		return;
	if (s->sock >= 0)
		close(s->sock);
	if (s->tracefs_ref)
		tracefs_put();
	for (unsigned i = 0; i < s->nr_events; i++)
		free(s->events[i]);
	for (unsigned i = 0; i < s->nr_dropped; i++)
		free(s->dropped[i]);
	free(s->final_path);
	free(s->rel_data);
	free(s->log_path);
	free(s);
}

/* First meaningful line of perf's log, for error messages. */
static void log_reason(const char *log, char *out, size_t len)
{
	char line[512];
	FILE *f = fopen(log, "re");

	snprintf(out, len, "see %s", log);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!*line || !strncmp(line, "Events disabled", 15) || line[0] == '#')
			continue;
		snprintf(out, len, "%s (log: %s)", line, log);
		break;
	}
	fclose(f);
}

void perf__abort(struct perf_session *s)
{
	if (!s)
		return;
	if (s->cleanup >= 0)
		cleanup__pop(s->cleanup, true);      /* runs perf_kill */
	session_free(s);
}

int perf__start(struct perf_session **out, const char *mode, const char *events,
		const char *outdir, const char *variant_name, char *err, size_t len)
{
	struct perf_session *s;
	char path[4096], fname[200], ctlarg[32], mmap_pages[16];
	char *argv[32 + 2 * PERF_MAX_EVENTS];
	struct spawn_args a;
	int sv[2], rc, e, argc = 0;
	const char *base;

	*out = NULL;
	if (!perf__available(mode, err, len))
		return -ENOTSUP;
	perf__path(path, sizeof(path));
	rc = mkdir_p(outdir);
	if (rc) {
		set_err(err, len, "cannot create %s: %s; choose a writable --out", outdir, strerror(-rc));
		return rc;
	}

	s = xzalloc(sizeof(*s));
	s->sock = -1;
	s->cleanup = -1;
	s->record = !strcmp(mode, "record");
	perf__file_name(variant_name, fname, sizeof(fname));
	s->final_path = xasprintf("%s/%s.%s", outdir, fname, s->record ? "data" : "stat.csv");
	s->log_path = xasprintf("%s/%s.log", outdir, fname);
	base = strrchr(outdir, '/');
	s->rel_data = xasprintf("%s/%s.%s", base ? base + 1 : outdir, fname,
				s->record ? "data" : "stat.csv");
	if ((size_t)snprintf(s->tmp_path, sizeof(s->tmp_path), "%s/.%s.tmp.%d",
			     outdir, fname, (int)getpid()) >= sizeof(s->tmp_path)) {
		set_err(err, len, "--out path too long");
		session_free(s);
		return -ENAMETOOLONG;
	}

	bool defaults = !events || !*events;
	rc = resolve_events(s, defaults ? (s->record ? perf__default_record_events
					   : perf__default_stat_events) : events,
			    defaults, err, len);
	if (rc) {
		session_free(s);
		return rc;
	}

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		rc = -errno;
		set_err(err, len, "perf control socket: %s", strerror(errno));
		session_free(s);
		return rc;
	}
	s->sock = sv[0];

	/* perf sees the control socket as fds 3 (commands) and 4 (acks). */
	snprintf(ctlarg, sizeof(ctlarg), "fd:3,4");
	char pidarg[16];
	snprintf(pidarg, sizeof(pidarg), "%d", (int)getpid());
	argv[argc++] = path;
	if (s->record) {
		argv[argc++] = "record";
		argv[argc++] = "-g";
		argv[argc++] = "--clockid";
		argv[argc++] = "monotonic";
		argv[argc++] = "-N";          /* no build-id cache: faster stop */
		argv[argc++] = "-m";
		snprintf(mmap_pages, sizeof(mmap_pages), "%u", mmap_pages_for(count_threads()));
		argv[argc++] = mmap_pages;
	} else {
		argv[argc++] = "stat";
		argv[argc++] = "-x,";
	}
	for (unsigned i = 0; i < s->nr_events; i++) {
		argv[argc++] = "-e";
		argv[argc++] = s->events[i];
	}
	argv[argc++] = "-p";
	argv[argc++] = pidarg;
	argv[argc++] = "--delay=-1";
	argv[argc++] = "--control";
	argv[argc++] = ctlarg;
	argv[argc++] = "-o";
	argv[argc++] = s->tmp_path;
	argv[argc] = NULL;

	a = (struct spawn_args){ .path = path, .argv = argv, .nice = PERF_NICE };
	a.fd[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	a.fd[1] = open(s->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	a.fd[2] = a.fd[1];
	a.fd[3] = a.fd[4] = sv[1];
	if (a.fd[0] < 0 || a.fd[1] < 0) {
		rc = -errno;
		set_err(err, len, "cannot open %s: %s", s->log_path, strerror(errno));
		goto fail_fds;
	}

	/* Undo first, then the change (host/cleanup.h). */
	s->cleanup = cleanup__push("perf", perf_kill, s);
	if (s->cleanup < 0) {
		rc = s->cleanup;
		set_err(err, len, "cleanup registry full");
		goto fail_fds;
	}
	s->pid = spawn(&a, &e);
	if (s->pid < 0) {
		s->pid = 0;
		rc = -e;
		set_err(err, len, "cannot run %s: %s; apt-get install linux-perf", path, strerror(e));
		goto fail_fds;
	}
	close(a.fd[0]);
	close(a.fd[1]);
	close(sv[1]);

	/* Ready when perf answers on its control channel: events are parsed
	 * and opened on every thread by then. */
	rc = ctl(s, "ping", PERF_READY_MS);
	if (rc) {
		char why[600];
		int status = 0;

		if (s->pid > 0 && wait_child(s->pid, &status, 2000))
			s->pid = 0;
		log_reason(s->log_path, why, sizeof(why));
		set_err(err, len, "perf %s did not start (%s): %s", mode,
			rc == -ETIMEDOUT ? "no answer in 60 s" : "exited", why);
		perf__abort(s);
		return rc == -ETIMEDOUT ? rc : -EIO;
	}
	pr_verbose("perf %s started (pid %d) for %s", mode, (int)s->pid, variant_name);
	*out = s;
	return 0;

fail_fds:
	if (a.fd[0] >= 0)
		close(a.fd[0]);
	if (a.fd[1] >= 0)
		close(a.fd[1]);
	close(sv[1]);
	perf__abort(s);
	return rc;
}

int perf__enable(struct perf_session *s)
{
	uint64_t t0 = now_ns();
	int rc;

	if (!s || s->enabled)
		return 0;
	rc = ctl(s, "enable", PERF_ACK_MS);
	if (rc) {
		pr_warn("perf: enable not acknowledged: %s", strerror(-rc));
		return rc;
	}
	if (s->nr_win < PERF_MAX_WINDOWS) {
		s->win[s->nr_win][0] = t0;
		s->win[s->nr_win][1] = 0;
		s->nr_win++;
	}
	s->enabled = true;
	return 0;
}

int perf__disable(struct perf_session *s)
{
	int rc;

	if (!s || !s->enabled)
		return 0;
	rc = ctl(s, "disable", PERF_ACK_MS);
	s->enabled = false;
	if (s->nr_win)
		s->win[s->nr_win - 1][1] = now_ns();
	if (rc)
		pr_warn("perf: disable not acknowledged: %s", strerror(-rc));
	return rc;
}

void perf__window(const struct perf_session *s, uint64_t *start_ns, uint64_t *end_ns)
{
	*start_ns = s && s->nr_win ? s->win[0][0] : 0;
	*end_ns = s && s->nr_win ? s->win[s->nr_win - 1][1] : 0;
}

/* ---- results ----------------------------------------------------------------------- */

static json_t *window_json(const struct perf_session *s)
{
	uint64_t a, b;

	perf__window(s, &a, &b);
	return json_pack("{s:I,s:I}", "start_ns", (json_int_t)a, "end_ns", (json_int_t)b);
}

static json_t *str_array(char *const *v, unsigned n)
{
	json_t *arr = json_array();

	for (unsigned i = 0; i < n; i++)
		json_array_append_new(arr, json_string(v[i]));
	return arr;
}

/* perf stat -x, lines: value,unit,event,run-time,pct,metric,metric-unit */
static int parse_stat(const char *path, json_t *perf)
{
	json_t *ev = json_object(), *units = json_object(), *unsup = json_array();
	char line[1024];
	FILE *f = fopen(path, "re");
	int n = 0;

	if (!f) {
		json_decref(ev);
		json_decref(units);
		json_decref(unsup);
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char *field[4] = { 0 }, *p = line;
		int nf = 0;

		line[strcspn(line, "\n")] = 0;
		if (!*line || line[0] == '#')
			continue;
		while (nf < 4) {
			field[nf++] = p;
			p = strchr(p, ',');
			if (!p)
				break;
			*p++ = 0;
		}
		if (nf < 3 || !*field[2])
			continue;
		char *end;
		double v = strtod(field[0], &end);
		if (end == field[0] || *end) {
			json_array_append_new(unsup, json_string(field[2]));
			json_object_set_new(ev, field[2], json_null());
			continue;
		}
		if (strchr(field[0], '.'))
			json_object_set_new(ev, field[2], json_real(v));
		else
			json_object_set_new(ev, field[2], json_integer((json_int_t)v));
		if (*field[1])
			json_object_set_new(units, field[2], json_string(field[1]));
		n++;
	}
	fclose(f);
	json_object_set_new(perf, "events", ev);
	json_object_set_new(perf, "units", units);
	json_object_set_new(perf, "unsupported", unsup);
	return n ? 0 : -ENODATA;
}

/* "(12345 samples)" from perf record's closing message. */
static long record_samples(const char *log)
{
	char line[512];
	long samples = -1;
	FILE *f = fopen(log, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Captured and wrote");
		if (p && (p = strchr(p, '(')))
			samples = strtol(p + 1, NULL, 10);
	}
	fclose(f);
	return samples;
}

int perf__finish(struct perf_session *s, json_t *run)
{
	json_t *perf;
	int status = 0, rc = 0;
	char why[600] = "";

	if (!s)
		return 0;
	perf__disable(s);
	if (s->pid > 0) {
		kill(s->pid, SIGINT);
		if (!wait_child(s->pid, &status, PERF_STOP_MS)) {
			kill(s->pid, SIGKILL);
			waitpid(s->pid, &status, 0);
			snprintf(why, sizeof(why), "perf did not stop within 60 s; killed");
			rc = -ETIMEDOUT;
		}
		s->pid = 0;
	}
	cleanup__pop(s->cleanup, false);
	s->cleanup = -1;

	/* perf re-raises SIGINT after writing its output: that is success. */
	bool ok = (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
		  (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM));
	if (!rc && !ok) {
		log_reason(s->log_path, why, sizeof(why));
		rc = -EIO;
	}

	perf = json_object();
	json_object_set_new(perf, "mode", json_string(s->record ? "record" : "stat"));
	json_object_set_new(perf, "window", window_json(s));
	if (s->nr_win > 1) {
		json_t *w = json_array();
		for (unsigned i = 0; i < s->nr_win; i++)
			json_array_append_new(w, json_pack("[I,I]", (json_int_t)s->win[i][0],
							   (json_int_t)s->win[i][1]));
		json_object_set_new(perf, "windows", w);
	}
	json_object_set_new(perf, "clock", json_string("CLOCK_MONOTONIC"));
	json_object_set_new(perf, "dropped", str_array(s->dropped, s->nr_dropped));

	if (!rc) {
		struct stat st;

		if (s->record) {
			json_object_set_new(perf, "events", str_array(s->events, s->nr_events));
			if (stat(s->tmp_path, &st) || st.st_size == 0) {
				log_reason(s->log_path, why, sizeof(why));
				rc = -ENODATA;
			} else {
				long n = record_samples(s->log_path);
				if (n >= 0)
					json_object_set_new(perf, "samples", json_integer(n));
			}
		} else {
			int prc = parse_stat(s->tmp_path, perf);
			if (prc) {
				log_reason(s->log_path, why, sizeof(why));
				rc = prc;
			}
		}
	}
	if (!rc && rename(s->tmp_path, s->final_path)) {
		rc = -errno;
		snprintf(why, sizeof(why), "rename to %s: %s", s->final_path, strerror(errno));
	}
	if (rc) {
		unlink(s->tmp_path);
		json_object_set_new(perf, "error", json_string(why));
		pr_warn("perf %s failed: %s", s->record ? "record" : "stat", why);
	} else {
		json_object_set_new(perf, s->record ? "data" : "csv", json_string(s->rel_data));
	}
	{
		const char *b = strrchr(s->log_path, '/');
		const char *r = strchr(s->rel_data, '/');
		char *rel_log = xasprintf("%.*s%s", r ? (int)(r - s->rel_data) : 0,
					  s->rel_data, b ? b : s->log_path);
		json_object_set_new(perf, "log", json_string(rel_log));
		free(rel_log);
	}
	if (run)
		json_object_set_new(run, "perf", perf);
	else
		json_decref(perf);
	session_free(s);
	return rc;
}
