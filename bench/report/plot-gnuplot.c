// SPDX-License-Identifier: MIT
/* Filling plot templates and running gnuplot (host/spawn.c, timeout, temp +
 * rename so a killed or failed gnuplot never leaves a half-written plot). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "embedded.h"
#include "plot-int.h"
#include "fb-spawn.h"
#include "util.h"

#define GNUPLOT_TIMEOUT_S 60

int tmpl__fill(const char *tmpl, size_t len, const struct tvar *vars, unsigned nr,
	       char **out, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	size_t i = 0;

	if (!f)
		return -errno;
	while (i < len) {
		size_t j = i + 1;
		const struct tvar *v = NULL;

		if (tmpl[i] != '@') {
			fputc(tmpl[i++], f);
			continue;
		}
		while (j < len && (isupper((unsigned char)tmpl[j]) || isdigit((unsigned char)tmpl[j]) ||
				   tmpl[j] == '_'))
			j++;
		if (j == i + 1 || j >= len || tmpl[j] != '@') {
			fputc(tmpl[i++], f);    /* a lone '@' is text */
			continue;
		}
		for (unsigned k = 0; k < nr; k++)
			if (strlen(vars[k].name) == j - i - 1 && !memcmp(vars[k].name, tmpl + i + 1, j - i - 1))
				v = &vars[k];
		if (!v) {
			snprintf(err, errlen, "template uses @%.*s@, which bench plot does not fill in",
				 (int)(j - i - 1), tmpl + i + 1);
			fclose(f);
			free(buf);
			return -EINVAL;
		}
		fputs(v->value ? v->value : "", f);
		i = j + 1;
	}
	if (fclose(f))
		return -ENOMEM;
	*out = buf;
	return 0;
}

char *gp__quote(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 2 : 1;
	char *q = xzalloc(n + 1), *d = q;
	for (const char *p = s; *p; p++) {
		if (*p == '\n' || *p == '\r') {
			*d++ = ' ';
			continue;
		}
		*d++ = *p;
		if (*p == '\'')
			*d++ = '\'';
	}
	*d = 0;
	return q;
}

/* Run gnuplot with args in cwd; stderr captured into errbuf (last line).
 * Returns 0, -ETIMEDOUT (killed), -ENOENT (exec failed) or -EIO. */
static int run_gnuplot(const char *cwd, char *const argv[], char *errline, size_t errlen,
		       char *outbuf, size_t outlen)
{
	FILE *errf = tmpfile(), *outf = outbuf ? tmpfile() : NULL;
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int status = 0, ret = 0, err;
	char path[4096];
	struct spawn_args a = { .path = path, .argv = argv, .cwd = cwd };
	pid_t pid;

	if (!errf || (outbuf && !outf) || devnull < 0) {
		ret = -errno;
		goto out;
	}
	if (!spawn__which(argv[0], NULL, path, sizeof(path))) {
		snprintf(errline, errlen, "cannot execute gnuplot");
		ret = -ENOENT;
		goto out;
	}
	a.fd[0] = devnull;
	a.fd[1] = outf ? fileno(outf) : devnull;
	a.fd[2] = fileno(errf);
	a.fd[3] = a.fd[4] = -1;
	pid = spawn__start(&a, &err);
	if (pid < 0) {
		if (err == ENOENT || err == EACCES || err == ENOEXEC) {
			snprintf(errline, errlen, "cannot execute gnuplot");
			ret = -ENOENT;
		} else {
			snprintf(errline, errlen, "cannot start gnuplot%s%s: %s",
				 cwd ? " in " : "", cwd ? cwd : "", strerror(err));
			ret = -EIO;
		}
		goto out;
	}
	if (!spawn__wait_ms(pid, &status, GNUPLOT_TIMEOUT_S * 1000)) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		snprintf(errline, errlen, "gnuplot did not finish within %d s", GNUPLOT_TIMEOUT_S);
		ret = -ETIMEDOUT;
		goto out;
	}
	if (outf) {
		size_t n;
		rewind(outf);
		n = fread(outbuf, 1, outlen - 1, outf);
		outbuf[n] = 0;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		/* gnuplot prints the failing line then "file:line: reason": keep
		 * the last non-empty line, it names the problem. */
		char line[512], last[512] = "no message";
		rewind(errf);
		while (fgets(line, sizeof(line), errf)) {
			line[strcspn(line, "\n")] = 0;
			if (*line && strspn(line, " ^") != strlen(line))
				snprintf(last, sizeof(last), "%s", line);
		}
		snprintf(errline, errlen, "gnuplot failed: %s", last);
		ret = -EIO;
	}
out:
	if (devnull >= 0)
		close(devnull);
	if (errf)
		fclose(errf);
	if (outf)
		fclose(outf);
	return ret;
}

int plot__check_gnuplot(char *err, size_t errlen)
{
	char path[4096];

	if (spawn__which("gnuplot", NULL, path, sizeof(path)))
		return 0;
	snprintf(err, errlen, "gnuplot not found; install it with 'apt-get install gnuplot-nox'");
	return -ENOENT;
}

/* pngcairo is in gnuplot-nox but not in every build; ask once. */
static int check_pngcairo(char *err, size_t errlen)
{
	static int cached = 1;
	static char why[256];
	char out[8192] = "";
	char *argv[] = { "gnuplot", "-e", "set print '-'; print GPVAL_TERMINALS", NULL };

	if (cached == 1) {
		cached = run_gnuplot(NULL, argv, why, sizeof(why), out, sizeof(out));
		if (!cached && !strstr(out, "pngcairo")) {
			snprintf(why, sizeof(why), "gnuplot has no pngcairo terminal; "
				 "install it with 'apt-get install gnuplot-nox' (or use --format svg)");
			cached = -ENOTSUP;
		}
	}
	if (cached)
		snprintf(err, errlen, "%s", why);
	return cached;
}

int plot__mkdirs(const char *dir, char *err, size_t errlen)
{
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/plots/data", dir);
	ret = mkdir_p(path);
	if (ret)
		snprintf(err, errlen, "cannot create %s: %s; check that the results directory is writable",
			 path, strerror(-ret));
	return ret;
}

int plot__write(const char *dir, const char *rel, const char *buf, size_t len,
		char *err, size_t errlen)
{
	char path[4096];
	int ret;

	snprintf(path, sizeof(path), "%s/plots/%s", dir, rel);
	ret = write_file_atomic(path, buf, len);
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
	return ret;
}

/* gnuplot (cairo) can exit 0 with a short file when the disk fills up:
 * a PNG ends with its IEND chunk, an SVG with </svg>. */
static bool plot__output_complete(const char *path, const char *fmt)
{
	static const unsigned char iend[8] = { 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82 };
	unsigned char tail[64];
	FILE *f = fopen(path, "rb");
	long n = 0;

	if (!f)
		return false;
	if (fseek(f, -(long)sizeof(tail), SEEK_END) == 0 || fseek(f, 0, SEEK_SET) == 0)
		n = (long)fread(tail, 1, sizeof(tail), f);
	fclose(f);
	if (!strcmp(fmt, "png"))
		return n >= 8 && !memcmp(tail + n - 8, iend, 8);
	for (long i = n - 6; i >= 0; i--)
		if (!memcmp(tail + i, "</svg>", 6))
			return true;
	return false;
}

static bool plot__disk_full(const char *dir)
{
	struct statvfs sv;
	return statvfs(dir, &sv) == 0 && (sv.f_bavail < 16 || sv.f_favail == 0);
}

int plot__render(struct plot_job *job, const struct tvar *vars, unsigned nr,
		 char *err, size_t errlen)
{
	const char *fmts[2];
	unsigned nfmt = 0;

	job->made[0] = 0;
	char file[64], plotsdir[4096], *script = NULL;
	const struct fb_embedded *t;
	int ret;

	if (!job->format || !strcmp(job->format, "both")) {
		fmts[nfmt++] = "png";
		fmts[nfmt++] = "svg";
	} else if (!strcmp(job->format, "png") || !strcmp(job->format, "svg")) {
		fmts[nfmt++] = job->format;
	} else {
		snprintf(err, errlen, "unknown plot format '%s'; use png, svg or both", job->format);
		return -EINVAL;
	}
	if ((ret = plot__check_gnuplot(err, errlen)))
		return ret;
	if (!strcmp(fmts[0], "png") && (ret = check_pngcairo(err, errlen)))
		return ret;

	snprintf(file, sizeof(file), "%s.gp", job->name);
	t = embedded__find(file);
	if (!t) {
		snprintf(err, errlen, "plot template %s is not embedded in this binary; rebuild bench", file);
		return -ENOENT;
	}
	ret = tmpl__fill(t->data, t->len, vars, nr, &script, err, errlen);
	if (ret)
		return ret;
	// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): tmpl__fill() returned 0, so it set script
	ret = plot__write(job->dir, file, script, strlen(script), err, errlen);
	free(script);
	if (ret)
		return ret;

	snprintf(plotsdir, sizeof(plotsdir), "%s/plots", job->dir);
	for (unsigned i = 0; i < nfmt; i++) {
		char tmp[192], fin[128], expr[512], from[4352], to[4352], line[600] = "";
		char *argv[] = { "gnuplot", "-e", expr, file, NULL };
		struct stat st;

		snprintf(fin, sizeof(fin), "%s.%s", job->name, fmts[i]);
		snprintf(tmp, sizeof(tmp), ".%s.tmp.%d", fin, (int)getpid());
		snprintf(expr, sizeof(expr), "fmt='%s'; out='%s'", fmts[i], tmp);
		snprintf(from, sizeof(from), "%s/%s", plotsdir, tmp);
		snprintf(to, sizeof(to), "%s/%s", plotsdir, fin);
		ret = run_gnuplot(plotsdir, argv, line, sizeof(line), NULL, 0);
		if (!ret && (stat(from, &st) || st.st_size == 0)) {
			snprintf(line, sizeof(line), "gnuplot wrote no output");
			ret = -EIO;
		} else if (!ret && !plot__output_complete(from, fmts[i])) {
			snprintf(line, sizeof(line), "gnuplot wrote a truncated %s", fmts[i]);
			ret = -EIO;
		}
		if (ret && plot__disk_full(plotsdir)) {
			/* gnuplot does not say why; a full disk is the usual cause */
			snprintf(line, sizeof(line), "%s", strerror(ENOSPC));
			ret = -ENOSPC;
		}
		if (!ret && rename(from, to)) {
			ret = -errno;
			snprintf(line, sizeof(line), "cannot rename %s: %s", tmp, strerror(errno));
		}
		if (ret) {
			unlink(from);
			snprintf(err, errlen, "plot %s: %s (script %s/%s)", job->name, line, plotsdir, file);
			return ret;
		}
		size_t used = strlen(job->made);
		if ((size_t)snprintf(job->made + used, sizeof(job->made) - used, "%s%s",
				     used ? " " : "", to) >= sizeof(job->made) - used) {
			snprintf(err, errlen, "plot %s: too many output files to list", job->name);
			return -ENAMETOOLONG;
		}
	}
	return 0;
}
