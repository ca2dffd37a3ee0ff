// SPDX-License-Identifier: MIT
/*
 * bench run's output directory: a fresh results/<time> or the --out the
 * user named (never silently another one, never one that holds files),
 * checked writable before minutes are spent on a run; results/latest.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outdir.h"
#include "results.h"
#include "util.h"

/* Check we can create files in dir before spending minutes on a run. */
static int outdir__writable(const char *dir)
{
	char p[4200];
	snprintf(p, sizeof(p), "%s/.bench-write-test.%d", dir, (int)getpid());
	int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	unlink(p);
	return 0;
}

/* results/<time>, created exclusively: a run started in the same second
 * gets <time>-2, -3, ... (never a shared directory). */
static int outdir__make_default(char *outdir, size_t len, char *err, size_t errlen)
{
	char t[32];
	results__time_name("", t, sizeof(t));
	int r = mkdir_p("results");
	if (r) {
		set_err(err, errlen, "cannot create 'results': %s; choose --out", strerror(-r));
		return -1;
	}
	for (unsigned n = 1; n < 1000; n++) {
		if (n == 1)
			snprintf(outdir, len, "results/%s", t);
		else
			snprintf(outdir, len, "results/%s-%u", t, n);
		if (mkdir(outdir, 0755) == 0)
			return 0;
		if (errno != EEXIST) {
			set_err(err, errlen, "cannot create '%s': %s; choose --out", outdir,
				strerror(errno));
			return -1;
		}
	}
	set_err(err, errlen, "results/%s-1..999 all exist; choose --out", t);
	return -1;
}

/* An explicit --out is the path a script reads afterwards, so it is never
 * silently replaced by DIR-2: it is created if missing, used if it is an
 * empty directory (mktemp -d, a fresh mount), and refused if it holds
 * anything, such as an earlier run's results.  A flock on the directory,
 * held until exit, keeps two runs given the same empty one apart. */
static int outdir__claim(const char *outdir, bool *created, char *err, size_t errlen)
{
	*created = mkdir(outdir, 0755) == 0;
	if (!*created && errno == ENOENT) {
		int r0 = mkdir_p(outdir);    /* parents too */
		if (r0) {
			set_err(err, errlen, "cannot write results to '%s': %s; choose another --out",
				outdir, strerror(-r0));
			return -1;
		}
		*created = true;
	} else if (!*created && errno != EEXIST) {
		set_err(err, errlen, "cannot write results to '%s': %s; choose another --out",
			outdir, strerror(errno));
		return -1;
	}
	int fd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, errlen, "cannot write results to '%s': %s; choose another --out",
			outdir, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		set_err(err, errlen, "--out '%s' is in use by another bench run; choose another --out",
			outdir);
		return -1;
	}
	DIR *d = fdopendir(dup(fd));
	struct dirent *e;
	const char *first = NULL;
	char name[256] = "";
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "lost+found")) {
			snprintf(name, sizeof(name), "%s", e->d_name);
			first = name;
			break;
		}
	if (d)
		closedir(d);
	if (first) {
		set_err(err, errlen, "--out '%s' is not empty (it holds '%s'); a run never mixes "
			"its files with others': choose a new directory or empty this one", outdir, first);
		return -1;
	}
	/* fd stays open (and locked) until exit */
	return 0;
}

int outdir__open(const char *out, char *outdir, size_t len, bool *created, char *err, size_t errlen)
{
	int r;

	*created = true;
	if (!out) {
		r = outdir__make_default(outdir, len, err, errlen);
	} else {
		snprintf(outdir, len, "%s", out);
		r = outdir__claim(outdir, created, err, errlen);
	}
	if (r)
		return r;
	r = outdir__writable(outdir);
	if (r) {
		set_err(err, errlen, "cannot write results to '%s': %s; choose another --out",
			outdir, strerror(-r));
		return -1;
	}
	return 0;
}

void outdir__link_latest(const char *outdir)
{
	char tmp[64];

	snprintf(tmp, sizeof(tmp), "results/.latest.%d", (int)getpid());
	unlink(tmp);
	if (symlink(outdir + strlen("results/"), tmp) == 0 && rename(tmp, "results/latest"))
		unlink(tmp);
}
