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
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "perf.h"
#include "perf-events.h"
#include "perf-output.h"
#include "fb-spawn.h"
#include "util.h"

#define PERF_MAX_WINDOWS  16
#define PERF_READY_MS     60000   /* perf attaching to many threads can be slow */
#define PERF_ACK_MS       10000
#define PERF_STOP_MS      60000   /* record writes its header + build-ids on exit */
#define PERF_NICE         (-10)   /* see spawn__child() */

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
	bool enabled;
	char ackbuf[64];
	size_t acklen;

	char *final_path;           /* DIR/perf/<v>.data | .stat.csv */
	char tmp_path[4096];        /* fixed storage: read by the async-signal-safe undo */
	char *rel_data;             /* "perf/<v>.data" as stored in results.json */
	char *log_path;

	struct perf_events ev;      /* as passed to perf, and the dropped ones */

	uint64_t win[PERF_MAX_WINDOWS][2];
	unsigned nr_win;
};

/* ---- file names ---------------------------------------------------------- */

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
	perf_events__free(&s->ev);
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
	/* Default record tracepoints get no call chain: they fire at exit /
	 * context-switch rate, and unwinding each one more than doubled perf's
	 * cost on the harness (docs/PERF.md); the cpu-clock profile carries
	 * the stacks. */
	rc = perf_events__resolve(&s->ev, defaults ? (s->record ? perf__default_record_events
						       : perf__default_stat_events) : events,
				  defaults && s->record, err, len);
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
	for (unsigned i = 0; i < s->ev.nr_events; i++) {
		argv[argc++] = "-e";
		argv[argc++] = s->ev.events[i];
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
	s->pid = spawn__start(&a, &e);
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

		if (s->pid > 0 && spawn__wait_ms(s->pid, &status, 2000))
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
		if (!spawn__wait_ms(s->pid, &status, PERF_STOP_MS)) {
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
	json_object_set_new(perf, "dropped", str_array(s->ev.dropped, s->ev.nr_dropped));

	if (!rc) {
		struct stat st;

		if (s->record) {
			json_object_set_new(perf, "events", str_array(s->ev.events, s->ev.nr_events));
			if (stat(s->tmp_path, &st) || st.st_size == 0) {
				log_reason(s->log_path, why, sizeof(why));
				rc = -ENODATA;
			} else {
				long n = perf__record_samples(s->log_path);
				if (n >= 0)
					json_object_set_new(perf, "samples", json_integer(n));
			}
		} else {
			int prc = perf__parse_stat(s->tmp_path, perf);
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
