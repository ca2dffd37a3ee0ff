// SPDX-License-Identifier: MIT
/* What this machine's perf can record: the perf binary and the permission to
 * profile, tracefs mounted for as long as a session needs it, and the event
 * list, tracepoints this kernel lacks dropped with one warning (see
 * perf-events.h, perf.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "cleanup.h"
#include "fb-spawn.h"
#include "perf.h"
#include "perf-events.h"
#include "util.h"

/* ---- perf and the permission to profile --------------------------------------- */

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
	rc = spawn__capture(path, argv, out, sizeof(out));
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
const char *perf_events__tracefs_get(char *why, size_t len)
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

void perf_events__tracefs_put(void)
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

int perf_events__resolve(struct perf_events *s, const char *events, bool no_callchain,
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
			dir = perf_events__tracefs_get(why, sizeof(why));
			s->tracefs_ref = dir != NULL;
		}
		if (!dir || !tracepoint_exists(dir, sys, name)) {
			warn_missing(list[i], dir ? "is not available on this kernel" : why);
			s->dropped[s->nr_dropped++] = list[i];
			continue;
		}
		if (no_callchain) {
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

void perf_events__free(struct perf_events *s)
{
	if (s->tracefs_ref)
		perf_events__tracefs_put();
	for (unsigned i = 0; i < s->nr_events; i++)
		free(s->events[i]);
	for (unsigned i = 0; i < s->nr_dropped; i++)
		free(s->dropped[i]);
	memset(s, 0, sizeof(*s));
}
