// SPDX-License-Identifier: MIT
/*
 * Interleaved repeats of two bench binaries (interleave.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cleanup.h"
#include "interleave.h"
#include "results.h"
#include "util.h"

extern char **environ;

const char *interleave__self(void)
{
	static char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return "bench";
	self[n] = '\0';
	return self;
}

/* One child: BIN run [--scenario F] --repeat N --seed S --out DIR --no-plot -q EXTRA...
 * stdout and stderr go to DIR.log.  Returns its exit status, or -errno. */
static int child(const struct interleave *il, const char *bin, const char *dir, unsigned seed, unsigned repeat)
{
	char log[4200], seeds[32], reps[32];
	const char **argv = calloc((size_t)il->nextra + 16, sizeof(*argv));
	posix_spawn_file_actions_t fa;
	int n = 0, st, r;
	pid_t pid;

	if (!argv)
		return -ENOMEM;
	snprintf(log, sizeof(log), "%s.log", dir);
	snprintf(seeds, sizeof(seeds), "%u", seed);
	snprintf(reps, sizeof(reps), "%u", repeat);
	argv[n++] = bin;
	argv[n++] = "run";
	if (il->scenario) {
		argv[n++] = "--scenario";
		argv[n++] = il->scenario;
	}
	argv[n++] = "--repeat";
	argv[n++] = reps;
	argv[n++] = "--seed";
	argv[n++] = seeds;
	argv[n++] = "--out";
	argv[n++] = dir;
	argv[n++] = "--no-plot";
	argv[n++] = "-q";
	for (int i = 0; i < il->nextra; i++)
		argv[n++] = il->extra[i];
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
	r = posix_spawn(&pid, bin, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	if (r)
		return -r;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Last line of a child's log, for the error message. */
static void log_tail(const char *dir, char *buf, size_t len)
{
	char path[4200], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s.log", dir);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\n')
			snprintf(buf, len, "%.*s", (int)(len - 1), line);
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static int merge(json_t **tree, json_t *res, unsigned round)
{
	json_t *run;
	size_t i;

	if (!*tree) {
		*tree = json_deep_copy(res);
		if (!*tree)
			return -ENOMEM;
		json_array_clear(json_object_get(*tree, "runs"));
		json_object_set_new(json_object_get(*tree, "scenario"), "interleaved", json_true());
	}
	json_array_foreach(json_object_get(res, "runs"), i, run) {
		json_t *c = json_deep_copy(run);

		json_object_set_new(c, "repeat", json_integer(round));
		json_array_append_new(json_object_get(*tree, "runs"), c);
	}
	return 0;
}

int interleave__run(const struct interleave *il, json_t **trees, char *err, size_t len)
{
	unsigned total = il->groups * il->rounds * 2, done = 0;
	int r = mkdir_p(il->workdir);

	for (unsigned i = 0; i < il->groups * 2; i++)
		trees[i] = NULL;
	if (r) {
		snprintf(err, len, "cannot create '%s': %s; choose another --out", il->workdir, strerror(-r));
		return r;
	}
	for (unsigned round = 0; round < il->rounds; round++) {
		for (unsigned g = 0; g < il->groups; g++) {
			for (unsigned k = 0; k < 2; k++) {
				/* A B, B A, A B, ...: neither side always goes first */
				unsigned side = (round + g) % 2 ? 1 - k : k;
				char dir[4096], e2[512], tail[400];
				json_t *res;
				int rc;

				if (cleanup__interrupted()) {
					snprintf(err, len, "interrupted after %u of %u runs", done, total);
					return -EINTR;
				}
				snprintf(dir, sizeof(dir), "%s/g%u-%c-r%u", il->workdir, g, side ? 'B' : 'A', round);
				if (!il->quiet && isatty(STDERR_FILENO))
					fprintf(stderr, "\rbench %s: [%u/%u] pair %u side %c repeat %u   ",
						il->cmd, done + 1, total, g, side ? 'B' : 'A', round);
				rc = child(il, il->bin[side], dir, round + 1, 1);
				/* 1: an oracle failure; the results are still written */
				if (rc != 0 && rc != 1) {
					log_tail(dir, tail, sizeof(tail));
					snprintf(err, len, "%s run failed (exit %d%s%s); see %s.log", il->bin[side], rc,
						 tail[0] ? ": " : "", tail, dir);
					return -EIO;
				}
				res = results__load(dir, e2, sizeof(e2));
				if (!res) {
					snprintf(err, len, "%s", e2);
					return -EIO;
				}
				r = merge(&trees[2 * g + side], res, round);
				json_decref(res);
				if (r) {
					snprintf(err, len, "out of memory merging results");
					return r;
				}
				done++;
			}
		}
	}
	if (!il->quiet && isatty(STDERR_FILENO))
		fputc('\n', stderr);
	return 0;
}

int interleave__session(const struct interleave *il, unsigned s, json_t **tree, char *err, size_t len)
{
	char dir[4096], tail[400];
	int rc, r = mkdir_p(il->workdir);

	*tree = NULL;
	if (r) {
		snprintf(err, len, "cannot create '%s': %s; choose another --out", il->workdir, strerror(-r));
		return r;
	}
	if (cleanup__interrupted()) {
		snprintf(err, len, "interrupted before session %u", s);
		return -EINTR;
	}
	snprintf(dir, sizeof(dir), "%s/s%u", il->workdir, s);
	if (!il->quiet && isatty(STDERR_FILENO))
		fprintf(stderr, "\rbench %s: session %u (%u repeats)   ", il->cmd, s, il->rounds);
	rc = child(il, il->bin[0], dir, 1, il->rounds);
	if (rc != 0 && rc != 1) {
		log_tail(dir, tail, sizeof(tail));
		snprintf(err, len, "%s run failed (exit %d%s%s); see %s.log", il->bin[0], rc,
			 tail[0] ? ": " : "", tail, dir);
		return -EIO;
	}
	*tree = results__load(dir, err, len);
	return *tree ? 0 : -EIO;
}
