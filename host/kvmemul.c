// SPDX-License-Identifier: MIT
/* Counting kvm:kvm_emulate_insn over the measured window (kvmemul.h). */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvmemul.h"

long kvmemul__tracepoint_id(const char *root, const char *event)
{
	static const char *const bases[] = { "/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events" };
	char p[512];
	long id = -ENOENT;

	for (unsigned i = 0; i < 2 && id < 0; i++) {
		snprintf(p, sizeof(p), "%s%s/%s/id", root, bases[i], event);
		FILE *f = fopen(p, "r");
		if (!f) {
			if (errno != ENOENT)
				id = -errno;
			continue;
		}
		if (fscanf(f, "%ld", &id) != 1 || id < 0)
			id = -EINVAL;
		fclose(f);
	}
	return id;
}

void kvmemul__init(struct kvmemul *e)
{
	memset(e, 0, sizeof(*e));
	e->fd_insn = e->fd_exit = -1;
	snprintf(e->why, sizeof(e->why), "not the kvm backend");
}

static int tp_open(long id)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = (uint64_t)id;
	a.disabled = 1;
	a.inherit = 1;
	/* pid 0 = this thread; inherit: and every thread it creates from now on */
	int fd = (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int kvmemul__open(struct kvmemul *e)
{
	long id = kvmemul__tracepoint_id("", "kvm/kvm_emulate_insn");

	kvmemul__init(e);
	if (id < 0) {
		snprintf(e->why, sizeof(e->why), "tracepoint kvm:kvm_emulate_insn not readable in tracefs: %s",
			 strerror((int)-id));
		return (int)id;
	}
	int fd = tp_open(id);
	if (fd < 0) {
		snprintf(e->why, sizeof(e->why), "perf_event_open(kvm:kvm_emulate_insn): %s "
			 "(root or kernel.perf_event_paranoid <= -1 needed)", strerror(-fd));
		return fd;
	}
	e->fd_insn = fd;
	id = kvmemul__tracepoint_id("", "kvm/kvm_exit");
	if (id >= 0) {
		fd = tp_open(id);
		e->fd_exit = fd < 0 ? -1 : fd;
	}
	e->opened = true;
	e->why[0] = '\0';
	return 0;
}

static void each(struct kvmemul *e, unsigned long req)
{
	if (e->fd_insn >= 0)
		ioctl(e->fd_insn, req, 0);
	if (e->fd_exit >= 0)
		ioctl(e->fd_exit, req, 0);
}

void kvmemul__enable(struct kvmemul *e)  { each(e, PERF_EVENT_IOC_ENABLE); }
void kvmemul__disable(struct kvmemul *e) { each(e, PERF_EVENT_IOC_DISABLE); }

void kvmemul__read(struct kvmemul *e)
{
	uint64_t v;

	if (e->fd_insn < 0 || e->read)
		return;
	kvmemul__disable(e);
	if (read(e->fd_insn, &v, sizeof(v)) == (ssize_t)sizeof(v))
		e->insns = v;
	else
		snprintf(e->why, sizeof(e->why), "reading the kvm:kvm_emulate_insn counter failed");
	if (e->fd_exit >= 0 && read(e->fd_exit, &v, sizeof(v)) == (ssize_t)sizeof(v))
		e->kvm_exits = v;
	e->read = !e->why[0];
}

void kvmemul__close(struct kvmemul *e)
{
	if (e->fd_insn >= 0)
		close(e->fd_insn);
	if (e->fd_exit >= 0)
		close(e->fd_exit);
	e->fd_insn = e->fd_exit = -1;
}

json_t *kvmemul__json(const struct kvmemul *e, uint64_t exits)
{
	json_t *o = json_object();

	json_object_set_new(o, "counted", json_boolean(e->read));
	if (!e->read) {
		json_object_set_new(o, "why", json_string(e->why[0] ? e->why : "not read"));
		return o;
	}
	json_object_set_new(o, "source", json_string("perf tracepoint kvm:kvm_emulate_insn, measured window"));
	json_object_set_new(o, "emulated_insns", json_integer((json_int_t)e->insns));
	if (e->fd_exit >= 0 || e->kvm_exits)
		json_object_set_new(o, "kvm_exits", json_integer((json_int_t)e->kvm_exits));
	json_object_set_new(o, "exits", json_integer((json_int_t)exits));
	/* per exit to the VMM (port I/O, MMIO): what each guest round trip pays */
	json_object_set_new(o, "insns_per_exit", exits ? json_real((double)e->insns / (double)exits) : json_null());
	return o;
}
