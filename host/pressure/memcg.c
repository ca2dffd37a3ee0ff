// SPDX-License-Identifier: MIT
/* Memory cgroup for pressure=swap (see memcg.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "memcg.h"

#define V1_ROOT "/sys/fs/cgroup/memory"
#define V2_ROOT "/sys/fs/cgroup"

static bool exists(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0;
}

static int memcg__version(void)
{
	if (exists(V1_ROOT "/memory.limit_in_bytes"))
		return 1;
	FILE *f = fopen(V2_ROOT "/cgroup.subtree_control", "re");
	if (!f)
		return 0;
	char buf[512] = "";
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return strstr(buf, "memory") ? 2 : 0;
}

bool memcg__available(char *why, size_t len)
{
	if (memcg__version())
		return true;
	snprintf(why, len, "no memory cgroup: neither v1 %s nor v2 %s with \"memory\" in "
		 "cgroup.subtree_control; mount the memory controller", V1_ROOT, V2_ROOT);
	return false;
}

/* Our cgroup path in the memory hierarchy ("/" if unknown). */
static void memcg__self(int version, char *out, size_t len)
{
	snprintf(out, len, "/");
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return;
	char line[1024];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1;
		bool match = version == 2 ? !strcmp(line, "0") && !*ctrls : false;
		if (version == 1) {
			/* "4:memory:/a/b", also "4:memory,xyz:/..." */
			char tmp[256];
			snprintf(tmp, sizeof(tmp), ",%s,", ctrls);
			match = strstr(tmp, ",memory,") != NULL;
		}
		if (match) {
			snprintf(out, len, "%s", c2 + 1);
			break;
		}
	}
	fclose(f);
}

/* ---- undo: async-signal-safe --------------------------------------------- */

static void memcg__move_all_back(struct memcg *cg)
{
	/* Read our cgroup.procs and write each pid to the original one. */
	char buf[4096];
	int fd = open(cg->procs, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	char *s = buf;
	while (*s) {
		char *e = s;
		while (*e && *e != '\n')
			e++;
		char c = *e;
		*e = '\0';
		if (*s)
			cleanup__write_str(cg->orig_procs, s);
		if (!c)
			break;
		s = e + 1;
	}
}

static const char *volatile escape_procs;   /* see memcg__escape_procs() */

/* Lift the limit first: whatever is swapped in or faulted from now on (a
 * swapoff pulling pages back, the exit of the process) must never be
 * charged against it and OOM-kill anyone. */
static void memcg__unlimit(const char *limit_file)
{
	size_t n = strlen(limit_file);
	bool v1 = n > 15 && !strcmp(limit_file + n - 15, "limit_in_bytes");
	cleanup__write_str(limit_file, v1 ? "-1" : "max");
}

static void memcg__undo(void *arg)
{
	struct memcg *cg = arg;
	escape_procs = NULL;
	if (cg->limit_file[0])
		memcg__unlimit(cg->limit_file);
	for (int i = 0; i < 100; i++) {
		if (rmdir(cg->path) == 0 || errno == ENOENT) {
			if (cg->owner[0])
				unlink(cg->owner);
			return;
		}
		if (errno != EBUSY) {
			cleanup__say("cannot remove memory cgroup", cg->path);
			return;
		}
		/* tasks still inside (us, or a child we forked): move them out */
		memcg__move_all_back(cg);
		struct timespec ts = { 0, 10L * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	cleanup__say("memory cgroup stayed busy:", cg->path);
}

/* ---- API ------------------------------------------------------------------- */

int memcg__create(struct memcg *cg, uint64_t limit, char *err, size_t len)
{
	char self[400], dir[512];
	memset(cg, 0, sizeof(*cg));
	cg->handle = -1;
	cg->version = memcg__version();
	if (!cg->version) {
		memcg__available(err, len);
		return -ENODEV;
	}
	memcg__self(cg->version, self, sizeof(self));
	const char *root = cg->version == 1 ? V1_ROOT : V2_ROOT;
	snprintf(cg->orig_procs, sizeof(cg->orig_procs), "%s%s%scgroup.procs", root, self,
		 self[strlen(self) - 1] == '/' ? "" : "/");
	/* v1: a child of where we are, so enclosing limits still apply. */
	if (cg->version == 1)
		snprintf(dir, sizeof(dir), "%s%s", root, strcmp(self, "/") ? self : "");
	else
		snprintf(dir, sizeof(dir), "%s", root);
	int n = snprintf(cg->path, sizeof(cg->path), "%s/flushbench-%d", dir, (int)getpid());
	if (n < 0 || (size_t)n >= sizeof(cg->path)) {
		snprintf(err, len, "memory cgroup path too long");
		return -ENAMETOOLONG;
	}
	snprintf(cg->procs, sizeof(cg->procs), "%s/cgroup.procs", cg->path);
	snprintf(cg->limit_file, sizeof(cg->limit_file), "%s/%s", cg->path,
		 cg->version == 1 ? "memory.limit_in_bytes" : "memory.max");

	cg->handle = cleanup__push("remove memory cgroup", memcg__undo, cg);
	/* owner file first: a SIGKILL after the mkdir leaves a record of where */
	snprintf(cg->owner, sizeof(cg->owner), "/run/flushbench-memcg-%d", (int)getpid());
	FILE *of = fopen(cg->owner, "we");
	if (!of || fprintf(of, "%d\n%s\n%s\n", (int)getpid(), cg->path, cg->orig_procs) < 0)
		cg->owner[0] = '\0';
	if (of && fclose(of))
		cg->owner[0] = '\0';
	if (mkdir(cg->path, 0755) < 0 && errno != EEXIST) {
		int e = errno;
		snprintf(err, len, "mkdir %s: %s; swap mode needs root and a writable memory cgroup",
			 cg->path, strerror(e));
		return -e;
	}
	char val[32];
	snprintf(val, sizeof(val), "%" PRIu64, limit);
	int r = cleanup__write_str(cg->limit_file, val);
	if (r) {
		snprintf(err, len, "setting %s to %s: %s", cg->limit_file, val, strerror(-r));
		return r;
	}
	return 0;
}

int memcg__enter(struct memcg *cg, char *err, size_t len)
{
	char pid[16];
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	int r = cleanup__write_str(cg->procs, pid);
	if (r)
		snprintf(err, len, "moving the process into %s: %s", cg->path, strerror(-r));
	else
		escape_procs = cg->orig_procs;
	return r;
}

void memcg__destroy(struct memcg *cg)
{
	if (cg->handle >= 0)
		cleanup__pop(cg->handle, true);
	cg->handle = -1;
}

int memcg__stat(const struct memcg *cg, const char *key, uint64_t *val)
{
	char file[600], line[256];
	snprintf(file, sizeof(file), "%s/memory.stat", cg->path);
	FILE *f = fopen(file, "re");
	if (!f)
		return -errno;
	size_t kl = strlen(key);
	int r = -ENOENT;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ' ') {
			*val = strtoull(line + kl + 1, NULL, 10);
			r = 0;
			break;
		}
	}
	fclose(f);
	return r;
}

const char *memcg__escape_procs(void)
{
	return escape_procs;
}

static bool pid_gone(int pid)
{
	char p[64], st[256] = "";
	snprintf(p, sizeof(p), "/proc/%d/stat", pid);
	FILE *f = fopen(p, "re");
	if (f) {
		if (!fgets(st, sizeof(st), f))
			st[0] = '\0';
		fclose(f);
	}
	if (strstr(st, ") Z "))
		return true;        /* a zombie holds nothing */
	return pid > 0 && kill(pid, 0) < 0 && errno == ESRCH;
}

/* Lift the limit, move leftover tasks to dest_procs, rmdir (retried while
 * the kernel finishes an exit).  true when the directory is gone. */
static bool memcg__repair(const char *path, const char *dest_procs)
{
	struct memcg cg = { 0 };
	snprintf(cg.path, sizeof(cg.path), "%s", path);
	snprintf(cg.procs, sizeof(cg.procs), "%s/cgroup.procs", path);
	snprintf(cg.orig_procs, sizeof(cg.orig_procs), "%s", dest_procs);
	snprintf(cg.limit_file, sizeof(cg.limit_file), "%s/memory.limit_in_bytes", path);
	if (!exists(cg.limit_file))
		snprintf(cg.limit_file, sizeof(cg.limit_file), "%s/memory.max", path);
	if (!exists(path))
		return true;
	memcg__unlimit(cg.limit_file);
	for (int i = 0; i < 100; i++) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return true;
		if (errno != EBUSY)
			return false;
		memcg__move_all_back(&cg);
		struct timespec ts = { 0, 10L * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return false;
}

int memcg__owner_path(int pid, char *path, size_t len)
{
	char owner[64], line[600];
	snprintf(owner, sizeof(owner), "/run/flushbench-memcg-%d", pid);
	FILE *f = fopen(owner, "re");
	if (!f)
		return -ENOENT;
	int r = -ENOENT;
	if (fgets(line, sizeof(line), f) && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, len, "%s", line);
		r = 0;
	}
	fclose(f);
	return r;
}

long memcg__oom_kills(const char *path)
{
	char file[600], line[256];
	snprintf(file, sizeof(file), "%s/memory.oom_control", path);
	FILE *f = fopen(file, "re");
	if (!f) {
		snprintf(file, sizeof(file), "%s/memory.events", path);
		f = fopen(file, "re");
	}
	if (!f)
		return -errno;
	long n = 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "oom_kill ", 9))
			n = strtol(line + 9, NULL, 10);
	fclose(f);
	return n;
}

/* Owner files: the full path of every cgroup a run made, wherever it was. */
static int memcg__reap_owned(void)
{
	DIR *d = opendir("/run");
	struct dirent *de;
	int n = 0;
	while (d && (de = readdir(d))) {
		int pid;
		char tail, file[300], path[600] = "", dest[600] = "";
		if (sscanf(de->d_name, "flushbench-memcg-%d%c", &pid, &tail) != 1 || pid <= 0)
			continue;
		if (pid == getpid() || !pid_gone(pid))
			continue;
		snprintf(file, sizeof(file), "/run/%s", de->d_name);
		FILE *f = fopen(file, "re");
		if (f) {
			if (fgets(path, sizeof(path), f) && fgets(path, sizeof(path), f) &&
			    !fgets(dest, sizeof(dest), f))
				dest[0] = '\0';
			fclose(f);
		}
		path[strcspn(path, "\n")] = '\0';
		dest[strcspn(dest, "\n")] = '\0';
		if (path[0] && exists(path)) {
			if (!dest[0]) {        /* the parent's cgroup.procs */
				snprintf(dest, sizeof(dest), "%s", path);
				char *sl = strrchr(dest, '/');
				if (sl)
					snprintf(sl, sizeof(dest) - (size_t)(sl - dest), "/cgroup.procs");
			}
			if (!memcg__repair(path, dest))
				continue;      /* keep the owner file: try again next time */
			fprintf(stderr, "bench: removed memory cgroup %s left by dead run %d\n", path, pid);
			n++;
		}
		unlink(file);
	}
	if (d)
		closedir(d);
	return n;
}

/* Cgroups without an owner file (older runs): search the whole hierarchy. */
static int memcg__reap_tree(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;
	while (d && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		char p[1024];
		if ((size_t)snprintf(p, sizeof(p), "%s/%s", dir, de->d_name) >= sizeof(p))
			continue;       /* deeper than any cgroup we make */
		int pid;
		char tail;
		if (sscanf(de->d_name, "flushbench-%d%c", &pid, &tail) == 1 && pid > 0) {
			char dest[1100];
			snprintf(dest, sizeof(dest), "%s/cgroup.procs", dir);
			if (pid != getpid() && pid_gone(pid) && memcg__repair(p, dest)) {
				fprintf(stderr, "bench: removed memory cgroup %s left by a killed run\n", p);
				n++;
			}
			continue;
		}
		if (depth > 0)
			n += memcg__reap_tree(p, depth - 1);
	}
	if (d)
		closedir(d);
	return n;
}

int memcg__reap_stale(void)
{
	int n = memcg__reap_owned();
	int v = memcg__version();
	if (v)
		n += memcg__reap_tree(v == 1 ? V1_ROOT : V2_ROOT, 5);
	return n;
}
