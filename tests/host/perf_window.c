/* SPDX-License-Identifier: MIT */
/*
 * host/perf.c on its own, without a VM: perf record attached to this
 * process must
 *   - contain samples only from inside the enabled window (perf's
 *     --clockid monotonic timestamps vs our CLOCK_MONOTONIC window),
 *   - follow threads created AFTER perf__start() (inherit),
 *   - carry the sched tracepoints;
 * perf stat must report context-switches > 0; a bad event must fail
 * cleanly with no perf child left behind; a missing perf must name the
 * package.  Activity happens before, inside and after the window, so a
 * window that is not honoured fails the test.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "perf.h"
#include "test_util.h"
#include "util.h"

#define NR_EARLY 2
#define NR_LATE  2

static _Atomic bool stop;

static void *busy(void *arg)
{
	_Atomic pid_t *tid = arg;

	*tid = (pid_t)syscall(SYS_gettid);
	while (!stop) {
		for (volatile int i = 0; i < 20000; i++)
			;
		usleep(100);              /* context switches for sched:* */
	}
	return NULL;
}

static void sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };
	nanosleep(&ts, NULL);
}

static bool tid_in(pid_t t, _Atomic pid_t *v, int n)
{
	for (int i = 0; i < n; i++)
		if (v[i] == t)
			return true;
	return false;
}

static void no_child_left(void)
{
	errno = 0;
	TEST_ASSERT(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD,
		    "a perf child is still around");
}

static void test_record_samples_only_in_window(const char *dir)
{
	pthread_t th[NR_EARLY + NR_LATE];
	_Atomic pid_t tids[NR_EARLY + NR_LATE] = { 0 };
	struct perf_session *s;
	char outdir[512], err[512], cmd[1200], line[512];
	json_t *run = json_object(), *perf;
	uint64_t start, end;
	long n = 0, outside = 0, late = 0, switches = 0;
	int rc;

	snprintf(outdir, sizeof(outdir), "%s/perf", dir);
	stop = false;
	for (int i = 0; i < NR_EARLY; i++)
		pthread_create(&th[i], NULL, busy, &tids[i]);

	rc = perf__start(&s, "record", "", outdir, "workload=test,design=srcu", err, sizeof(err));
	TEST_ASSERT(rc == 0, "perf__start(record): %s", err);
	for (int i = NR_EARLY; i < NR_EARLY + NR_LATE; i++)
		pthread_create(&th[i], NULL, busy, &tids[i]);

	sleep_s(0.3);                      /* activity before the window */
	TEST_ASSERT_EQ(perf__enable(s), 0);
	sleep_s(0.5);
	TEST_ASSERT_EQ(perf__disable(s), 0);
	sleep_s(0.3);                      /* activity after the window */
	stop = true;
	for (int i = 0; i < NR_EARLY + NR_LATE; i++)
		pthread_join(th[i], NULL);

	perf__window(s, &start, &end);
	TEST_ASSERT(start && end > start, "window %lu..%lu", start, end);
	rc = perf__finish(s, run);
	perf = json_object_get(run, "perf");
	TEST_ASSERT(rc == 0, "perf__finish: %s", json_string_value(json_object_get(perf, "error")));
	TEST_ASSERT(!strcmp(json_string_value(json_object_get(perf, "data")),
			    "perf/workload=test,design=srcu.data"), "data path");
	TEST_ASSERT((uint64_t)json_integer_value(json_object_get(json_object_get(perf, "window"),
				"start_ns")) == start, "window in json");
	no_child_left();

	snprintf(cmd, sizeof(cmd), "perf script --ns -F tid,time,event -i '%s/workload=test,design=srcu.data' 2>/dev/null",
		 outdir);
	FILE *f = popen(cmd, "r");
	TEST_ASSERT(f, "popen %s", cmd);
	while (fgets(line, sizeof(line), f)) {
		int tid;
		unsigned long sec, nsec;
		char ev[128];

		if (sscanf(line, "%d %lu.%lu: %127s", &tid, &sec, &nsec, ev) != 4)
			continue;
		uint64_t t = sec * 1000000000ull + nsec;
		n++;
		/* 1 ms slack for the two monotonic clock readers */
		if (t + 1000000 < start || t > end + 1000000) {
			if (outside++ < 5)
				fprintf(stderr, "outside window: %s", line);
		}
		if (tid_in(tid, tids + NR_EARLY, NR_LATE))
			late++;
		if (!strcmp(ev, "sched:sched_switch:"))
			switches++;
	}
	pclose(f);
	printf("record: %ld samples, %ld outside the window, %ld from late threads, %ld sched_switch\n",
	       n, outside, late, switches);
	TEST_ASSERT(n > 0, "no samples in the window");
	TEST_ASSERT(outside == 0, "%ld of %ld samples outside [%lu, %lu]", outside, n, start, end);
	TEST_ASSERT(late > 0, "threads created after perf__start were not followed");
	TEST_ASSERT(switches > 0, "no sched:sched_switch events");
	json_decref(run);
}

static void test_stat_counts_context_switches(const char *dir)
{
	pthread_t th[NR_EARLY];
	_Atomic pid_t tids[NR_EARLY];
	struct perf_session *s;
	char outdir[512], err[512];
	json_t *run = json_object(), *ev;
	int rc;

	snprintf(outdir, sizeof(outdir), "%s/perf", dir);
	rc = perf__start(&s, "stat", "", outdir, "v/1", err, sizeof(err));
	TEST_ASSERT(rc == 0, "perf__start(stat): %s", err);
	stop = false;
	for (int i = 0; i < NR_EARLY; i++)
		pthread_create(&th[i], NULL, busy, &tids[i]);
	TEST_ASSERT_EQ(perf__enable(s), 0);
	sleep_s(0.3);
	TEST_ASSERT_EQ(perf__disable(s), 0);
	stop = true;
	for (int i = 0; i < NR_EARLY; i++)
		pthread_join(th[i], NULL);
	rc = perf__finish(s, run);
	TEST_ASSERT(rc == 0, "perf__finish(stat): %s",
		    json_string_value(json_object_get(json_object_get(run, "perf"), "error")));
	ev = json_object_get(json_object_get(run, "perf"), "events");
	char *dump = json_dumps(ev, JSON_COMPACT);
	printf("stat: %s\n", dump);
	free(dump);
	TEST_ASSERT(json_number_value(json_object_get(ev, "context-switches")) > 0,
		    "context-switches not counted");
	TEST_ASSERT(json_number_value(json_object_get(ev, "task-clock")) > 0, "task-clock");
	char csv[600];
	snprintf(csv, sizeof(csv), "%s/v_1.stat.csv", outdir);
	TEST_ASSERT(access(csv, F_OK) == 0, "%s missing", csv);
	no_child_left();
	json_decref(run);
}

static void test_bad_event_mode_or_perf_fail(const char *dir)
{
	struct perf_session *s = NULL;
	char outdir[512], err[512] = "";
	int rc;

	snprintf(outdir, sizeof(outdir), "%s/perf", dir);
	rc = perf__start(&s, "record", "cpu-clock,no-such-event-xyz", outdir, "bad", err, sizeof(err));
	printf("bad event: rc=%d: %s\n", rc, err);
	TEST_ASSERT(rc < 0 && !s && *err, "a bad event must fail perf__start");
	no_child_left();
	/* no temp output left: checked for the whole DIR/perf at the end */

	rc = perf__start(&s, "flame", "", outdir, "bad", err, sizeof(err));
	TEST_ASSERT(rc < 0 && strstr(err, "record or stat"), "bad mode: %s", err);

	setenv("FB_PERF", "/nonexistent/perf", 1);
	TEST_ASSERT(!perf__available("record", err, sizeof(err)) && strstr(err, "linux-perf"),
		    "missing perf: %s", err);
	unsetenv("FB_PERF");
}

int main(void)
{
	char why[512], dir[] = "/tmp/fb-perf-window-XXXXXX", cmd[600];

	TEST_REQUIRE(perf__available("record", why, sizeof(why)), "%s", why);
	TEST_ASSERT(mkdtemp(dir), "mkdtemp");
	test_record_samples_only_in_window(dir);
	test_stat_counts_context_switches(dir);
	test_bad_event_mode_or_perf_fail(dir);

	/* only final files: no *.tmp.* left in DIR/perf */
	snprintf(cmd, sizeof(cmd), "%s/perf", dir);
	DIR *d = opendir(cmd);
	struct dirent *de;
	TEST_ASSERT(d, "opendir %s", cmd);
	while ((de = readdir(d)))
		TEST_ASSERT(!strstr(de->d_name, ".tmp."), "leftover %s", de->d_name);
	closedir(d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "warning: could not remove %s\n", dir);
	printf("ok\n");
	return 0;
}
