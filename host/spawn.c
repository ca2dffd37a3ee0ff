// SPDX-License-Identifier: MIT
/* Starting helper programs without copying the guest's page tables or leaking
 * fds (see spawn.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pressure/memcg.h"
#include "fb-spawn.h"

#define SPAWN_SBIN_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int spawn__child(void *arg)
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
	 * cgroup: a helper must not be OOM-killed by it ("0" = the writer). */
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
	if (a->nice)
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
	if (a->cwd && chdir(a->cwd)) {
		a->err = errno;
		_exit(127);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execv(a->path, a->argv);
	a->err = errno;
	_exit(127);
}

pid_t spawn__start(struct spawn_args *a, int *err)
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
	pid = clone(spawn__child, (char *)stack + stack_size,
		    CLONE_VM | CLONE_VFORK | SIGCHLD, a);
	*err = pid < 0 ? errno : a->err;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	munmap(stack, stack_size);
	if (pid > 0 && a->err) {        /* chdir/exec failed: reap it */
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void spawn__nap_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

bool spawn__wait_ms(pid_t pid, int *status, unsigned ms)
{
	for (unsigned t = 0;; t += 5) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD))
			return true;
		if (t >= ms)
			return false;
		spawn__nap_ms(5);
	}
}

int spawn__wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status)
				 : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

int spawn__capture(const char *path, char *const argv[], char *out, size_t len)
{
	struct spawn_args a = { .path = path, .argv = argv };
	int p[2], err;
	size_t n = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	a.fd[0] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	a.fd[1] = a.fd[2] = p[1];
	a.fd[3] = a.fd[4] = -1;
	pid = spawn__start(&a, &err);
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
	return spawn__wait(pid);
}

bool spawn__which(const char *prog, const char *search, char *out, size_t len)
{
	const char *path = search ? search : getenv("PATH");

	if (!path || !*path)
		return false;
	while (*path) {
		size_t n = strcspn(path, ":");
		if ((size_t)snprintf(out, len, "%.*s/%s", (int)n, n ? path : ".", prog) < len &&
		    !access(out, X_OK))
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

int spawn__run_quiet(const char *const argv[])
{
	struct spawn_args a = { .argv = (char *const *)argv };
	char path[4096];
	const char *env = getenv("PATH");
	int err;
	pid_t pid;

	if (!spawn__which(argv[0], SPAWN_SBIN_PATH, path, sizeof(path)) &&
	    !(env && spawn__which(argv[0], env, path, sizeof(path))))
		return -ENOENT;
	a.path = path;
	a.fd[0] = a.fd[1] = a.fd[2] = open("/dev/null", O_RDWR | O_CLOEXEC);
	a.fd[3] = a.fd[4] = -1;
	if (a.fd[0] < 0)
		return -errno;
	pid = spawn__start(&a, &err);
	close(a.fd[0]);
	if (pid < 0)
		return -(err ? err : ECHILD);
	return spawn__wait(pid);
}
