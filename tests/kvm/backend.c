// SPDX-License-Identifier: MIT
/*
 * kvm/backend: the /dev/kvm backend ops on real KVM, without the rest of the
 * harness (selftests style: the test owns struct vm / struct vcpu).
 *
 *  1 vCPU  (workload NULL): HELLO ucall contents; FB_PORT_NULL exits carry
 *          the guest's iteration count; event_reeval makes KVM process
 *          KVM_REQ_EVENT on the next entry (counted with the vCPU's binary
 *          stats "req_event" when KVM_GET_STATS_FD exists); a kick issued
 *          before run() makes run() return INTR without entering the guest;
 *          each kernel_gp variant; stop -> DONE.
 *  2 vCPUs (TOUCH spinning in guest mode, INHIBIT doing MMIO writes to the
 *          intercept GPA): every kick from another thread takes the spinning
 *          vCPU out with VCPU_EXIT_INTR and it keeps making progress between
 *          kicks; MMIO exits carry gpa/len/data; kernel_gp runs concurrently
 *          with running vCPUs; stop -> DONE on both.
 * 64 vCPUs (IDLE), one thread each: every vCPU starts at _start with its
 *          own page and stack and says HELLO with its own id.
 *  1 vCPU  started on a UD2: the guest's IDT reports #UD (vector, RIP, RSP,
 *          CS) through the ABORT ucall instead of a triple fault.
 *
 * Exits 4 (SKIP) with the reason when /dev/kvm is unusable (e.g. this kernel
 * is itself a guest without nested virtualization): run it through
 * tests/qemu/run-in-vm.sh there.
 */
#define _GNU_SOURCE
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backend-kvm.h"
#include "test_util.h"
#include "util.h"
#include "vm.h"

extern const uint8_t fb_guest_image_start[];
extern const uint8_t fb_guest_image_end[];

#define DATA_SIZE      (4ull << 20)
#define TOUCH_BYTES    (1ull << 20)
#define NR_KICKS       20
#define NR_NULL_EXITS  100
#define NR_REEVAL      10
#define WAIT_NS        (20ull * 1000 * 1000 * 1000)   /* nested TCG is slow */

#define MAX_TEST_VCPUS 64

struct tvm {
	struct vm vm;
	struct vcpu vcpu[MAX_TEST_VCPUS];
	struct vcpu *vcpus[MAX_TEST_VCPUS];
};

static struct fb_vcpu_page *page_of(struct tvm *t, unsigned id)
{
	return (struct fb_vcpu_page *)(t->vm.mem + FB_GPA_VCPU_PAGES + (uint64_t)id * FB_VCPU_AREA);
}

static uint64_t ucall_gpa(unsigned id)
{
	return FB_GPA_VCPU_PAGES + (uint64_t)id * FB_VCPU_AREA + offsetof(struct fb_vcpu_page, ucall);
}

static void tvm_create(struct tvm *t, unsigned nr, const uint32_t *workloads)
{
	size_t img = (size_t)(fb_guest_image_end - fb_guest_image_start);
	uint64_t *pd;

	memset(t, 0, sizeof(*t));
	t->vm.mem_size = FB_GPA_DATA + DATA_SIZE;
	t->vm.mem = mmap(NULL, t->vm.mem_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(t->vm.mem != MAP_FAILED, "mmap %" PRIu64 " bytes", t->vm.mem_size);
	t->vm.data_gpa = FB_GPA_DATA;
	t->vm.data_size = DATA_SIZE;
	t->vm.nr_vcpus = nr;
	t->vm.vcpus = t->vcpus;
	t->vm.backend = &backend_kvm;

	int r = backend_kvm.vm_init(&t->vm);
	TEST_ASSERT(r == 0, "vm_init: %s", strerror(-r));
	TEST_ASSERT(t->vm.vm_fd >= 0 && t->vm.kvm_fd >= 0, "fds %d %d", t->vm.kvm_fd, t->vm.vm_fd);
	TEST_ASSERT(t->vm.tsc_khz > 0, "tsc_khz not read");

	/* What vm_init put into guest memory. */
	TEST_ASSERT(img > 0 && img <= FB_CODE_MAX, "image size %zu", img);
	TEST_ASSERT(!memcmp(t->vm.mem + FB_GPA_CODE, fb_guest_image_start, img), "image not at FB_GPA_CODE");
	pd = (uint64_t *)(t->vm.mem + KVM_GPA_PD);
	TEST_ASSERT_EQ(pd[FB_GPA_INTERCEPT >> 21] & ~0xfffull, FB_GPA_INTERCEPT);
	TEST_ASSERT(pd[FB_GPA_INTERCEPT >> 21] & 0x81, "intercept 2 MiB page present");

	for (unsigned i = 0; i < nr; i++) {
		struct vcpu *v = &t->vcpu[i];
		struct fb_vcpu_page *p = page_of(t, i);

		t->vcpus[i] = v;
		v->vm = &t->vm;
		v->id = i;
		v->fd = -1;
		v->page = p;
		v->role = workloads[i];
		p->abi_version = FB_ABI_VERSION;
		p->vcpu_id = i;
		p->nr_vcpus = nr;
		p->workload = workloads[i];
		p->tsc_khz = t->vm.tsc_khz;
		p->seed = 42;
		p->touch_gpa = FB_GPA_DATA;
		p->touch_bytes = TOUCH_BYTES;
		p->touch_batch = 1u << 30;          /* never pause: spin in guest mode */
		p->guest_base = 0;
	}
}

static void tvm_destroy(struct tvm *t)
{
	backend_kvm.vm_exit(&t->vm);
	TEST_ASSERT(t->vm.backend_priv == NULL, "vm_exit left backend_priv");
	munmap(t->vm.mem, t->vm.mem_size);
}

static void vcpu_init(struct vcpu *v)
{
	int r = backend_kvm.vcpu_init(v);

	TEST_ASSERT(r == 0, "vcpu_init(%u): %s", v->id, strerror(-r));
	TEST_ASSERT(v->fd >= 0 && v->run, "vcpu %u fd %d run %p", v->id, v->fd, v->run);
}

static void run_once(struct vcpu *v, struct vcpu_exit *ex)
{
	int r = backend_kvm.run(v, ex);

	TEST_ASSERT(r == 0, "run(vCPU %u): %s", v->id, strerror(-r));
	TEST_ASSERT(ex->reason != VCPU_EXIT_SHUTDOWN && ex->reason != VCPU_EXIT_UNKNOWN,
		    "vCPU %u: fatal exit reason %d (KVM exit %u)", v->id, ex->reason, ex->raw_reason);
}

/* Run until a ucall (skipping INTR); check it is cmd and where it must be. */
static struct fb_ucall *expect_ucall(struct vcpu *v, uint64_t cmd)
{
	struct vcpu_exit ex;

	do
		run_once(v, &ex);
	while (ex.reason == VCPU_EXIT_INTR);
	TEST_ASSERT(ex.reason == VCPU_EXIT_IO && ex.port == FB_PORT_UCALL,
		    "vCPU %u: want ucall %" PRIu64 ", got exit %d port %#x", v->id, cmd, ex.reason, ex.port);
	TEST_ASSERT_EQ((uint64_t)ex.value, ucall_gpa(v->id));
	struct fb_ucall *uc = &v->page->ucall;
	if (uc->cmd == FB_UCALL_ABORT)
		TEST_FAIL("guest assert %.64s:%" PRIu64 " (%#" PRIx64 ", %#" PRIx64 ")",
			  uc->msg, uc->args[0], uc->args[1], uc->args[2]);
	TEST_ASSERT_EQ(uc->cmd, cmd);
	return uc;
}

static void expect_hello(struct vcpu *v)
{
	struct fb_ucall *uc = expect_ucall(v, FB_UCALL_HELLO);

	TEST_ASSERT_EQ(uc->args[0], (uint64_t)FB_ABI_VERSION);
	TEST_ASSERT_EQ(uc->args[1], (uint64_t)v->id);
}

/* ---- binary stats (KVM_GET_STATS_FD): vCPU "req_event" --------------------- */

static int64_t stat_read(int sfd, const char *name)
{
	struct kvm_stats_header h;
	size_t dsz;
	char *buf;
	int64_t val = -1;

	if (pread(sfd, &h, sizeof(h), 0) != sizeof(h))
		return -1;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	buf = xzalloc(dsz);
	for (uint32_t i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (struct kvm_stats_desc *)buf;
		uint64_t v;

		if (pread(sfd, buf, dsz, h.desc_offset + (off_t)i * dsz) != (ssize_t)dsz)
			break;
		if (strncmp(d->name, name, h.name_size))
			continue;
		if (pread(sfd, &v, sizeof(v), h.data_offset + d->offset) == sizeof(v))
			val = (int64_t)v;
		break;
	}
	free(buf);
	return val;
}

/* ---- 1 vCPU ------------------------------------------------------------------ */

static void test_one_vcpu_exits_kick_reeval_gp(void)
{
	const uint32_t wl[] = { FB_WL_NULL };
	struct vcpu_exit ex;
	struct tvm t;
	struct vcpu *v;
	struct fb_vcpu_page *p;
	int r, sfd;

	tvm_create(&t, 1, wl);
	v = &t.vcpu[0];
	p = v->page;
	vcpu_init(v);
	expect_hello(v);

	/* FB_PORT_NULL: the value is the iteration count before the increment. */
	for (uint32_t i = 0; i < NR_NULL_EXITS; i++) {
		run_once(v, &ex);
		TEST_ASSERT(ex.reason == VCPU_EXIT_IO && ex.port == FB_PORT_NULL,
			    "exit %d port %#x", ex.reason, ex.port);
		TEST_ASSERT_EQ(ex.value, i);
	}

	/* event_reeval: SET_VCPU_EVENTS -> KVM_REQ_EVENT -> ++req_event on entry. */
	sfd = ioctl(v->fd, KVM_GET_STATS_FD, NULL);
	int64_t s0 = sfd >= 0 ? stat_read(sfd, "req_event") : -1;
	for (int i = 0; i < NR_REEVAL; i++)
		run_once(v, &ex);
	int64_t s1 = sfd >= 0 ? stat_read(sfd, "req_event") : -1;
	for (int i = 0; i < NR_REEVAL; i++) {
		r = backend_kvm.event_reeval(v);
		TEST_ASSERT(r == 0, "event_reeval: %s", strerror(-r));
		run_once(v, &ex);
		TEST_ASSERT(ex.reason == VCPU_EXIT_IO && ex.port == FB_PORT_NULL, "exit %d", ex.reason);
	}
	int64_t s2 = sfd >= 0 ? stat_read(sfd, "req_event") : -1;
	if (s0 >= 0 && s2 >= 0) {
		printf("req_event: %" PRId64 " over %d plain entries, %" PRId64 " over %d entries after event_reeval\n",
		       s1 - s0, NR_REEVAL, s2 - s1, NR_REEVAL);
		TEST_ASSERT(s2 - s1 >= NR_REEVAL, "event_reeval did not make KVM process KVM_REQ_EVENT "
			    "(req_event +%" PRId64 " over %d entries)", s2 - s1, NR_REEVAL);
	} else {
		printf("req_event: binary stats unavailable, KVM_REQ_EVENT not counted\n");
	}
	if (sfd >= 0)
		close(sfd);

	/* A kick before run(): the handler sets immediate_exit, KVM_RUN returns
	 * EINTR without entering, so the guest makes no progress. */
	uint64_t it = p->iterations;
	backend_kvm.kick(v);
	run_once(v, &ex);
	TEST_ASSERT_EQ((int)ex.reason, (int)VCPU_EXIT_INTR);
	TEST_ASSERT_EQ(p->iterations, it);
	TEST_ASSERT_EQ(((struct kvm_run *)v->run)->immediate_exit, 0);
	run_once(v, &ex);        /* and the next run enters again */
	TEST_ASSERT(ex.reason == VCPU_EXIT_IO && ex.port == FB_PORT_NULL, "exit %d after kick", ex.reason);

	/* Every real kvm->srcu grace period the backend offers. */
	static const enum cfg_gp_ioctl gpi[] = { CFG_GP_IOCTL_MSR_FILTER, CFG_GP_IOCTL_IOEVENTFD, CFG_GP_IOCTL_MEMSLOT };
	for (size_t i = 0; i < sizeof(gpi) / sizeof(gpi[0]); i++) {
		const char *gps_i = cfg_gp_ioctl__name(gpi[i]);
		for (int k = 0; k < 3; k++) {
			uint64_t t0 = now_ns();
			r = backend_kvm.kernel_gp(&t.vm, gpi[i]);
			if (r == -ENOTSUP && k == 0) {
				printf("kernel_gp %s: not supported by this KVM\n", gps_i);
				break;
			}
			TEST_ASSERT(r == 0, "kernel_gp(%s): %s", gps_i, strerror(-r));
			if (k == 0)
				printf("kernel_gp %s: %.1f us\n", gps_i, (now_ns() - t0) / 1e3);
		}
	}
	TEST_ASSERT(backend_kvm.kernel_gp(&t.vm, CFG_GP_IOCTL_NR) == -EINVAL, "unknown kernel_gp accepted");
	run_once(v, &ex);        /* guest unaffected */
	TEST_ASSERT(ex.reason == VCPU_EXIT_IO && ex.port == FB_PORT_NULL, "exit %d after kernel_gp", ex.reason);

	p->stop = 1;
	struct vcpu_exit last;
	do
		run_once(v, &last);
	while (last.reason == VCPU_EXIT_IO && last.port == FB_PORT_NULL);
	TEST_ASSERT(last.reason == VCPU_EXIT_IO && last.port == FB_PORT_UCALL, "exit %d", last.reason);
	TEST_ASSERT_EQ(p->ucall.cmd, (uint64_t)FB_UCALL_DONE);
	TEST_ASSERT_EQ(p->ucall.args[0], p->iterations);

	printf("1 vCPU: ok (%" PRIu64 " NULL exits)\n", p->iterations);
	backend_kvm.vcpu_exit(v);
	TEST_ASSERT(v->run == NULL && v->fd == -1 && v->backend_priv == NULL, "vcpu_exit leftovers");
	tvm_destroy(&t);
}

/* ---- 2 vCPUs ------------------------------------------------------------------ */

static struct tvm t2;
static atomic_int ready;
static atomic_bool stop_flag;
static atomic_uint_fast64_t intr_exits;     /* vCPU 0 */
static atomic_uint_fast64_t mmio_exits;     /* vCPU 1 */

static void *spinner(void *arg)
{
	struct vcpu *v = arg;
	struct vcpu_exit ex;

	vcpu_init(v);
	atomic_fetch_add(&ready, 1);
	expect_hello(v);
	for (;;) {
		run_once(v, &ex);
		if (ex.reason == VCPU_EXIT_INTR) {
			atomic_fetch_add(&intr_exits, 1);
			if (atomic_load(&stop_flag))
				v->page->stop = 1;
			continue;
		}
		TEST_ASSERT(ex.reason == VCPU_EXIT_IO && ex.port == FB_PORT_UCALL,
			    "spinner: unexpected exit %d port %#x", ex.reason, ex.port);
		TEST_ASSERT_EQ(v->page->ucall.cmd, (uint64_t)FB_UCALL_DONE);
		break;
	}
	return NULL;
}

static void *interceptor(void *arg)
{
	struct vcpu *v = arg;
	struct vcpu_exit ex;
	uint64_t seq = 0;

	vcpu_init(v);
	atomic_fetch_add(&ready, 1);
	expect_hello(v);
	for (;;) {
		int r = backend_kvm.event_reeval(v);
		TEST_ASSERT(r == 0, "event_reeval: %s", strerror(-r));
		run_once(v, &ex);
		if (atomic_load(&stop_flag))
			v->page->stop = 1;
		if (ex.reason == VCPU_EXIT_INTR)
			continue;
		if (ex.reason == VCPU_EXIT_IO && ex.port == FB_PORT_UCALL) {
			TEST_ASSERT_EQ(v->page->ucall.cmd, (uint64_t)FB_UCALL_DONE);
			break;
		}
		TEST_ASSERT_EQ((int)ex.reason, (int)VCPU_EXIT_MMIO);
		TEST_ASSERT_EQ(ex.mmio_gpa, FB_GPA_INTERCEPT + 8ull * v->id);
		TEST_ASSERT_EQ(ex.mmio_len, 8u);
		TEST_ASSERT(ex.mmio_write, "intercept access not a write");
		TEST_ASSERT_EQ(ex.mmio_data, ++seq);
		atomic_fetch_add(&mmio_exits, 1);
	}
	return NULL;
}

static bool wait_until(bool (*cond)(uint64_t), uint64_t arg)
{
	uint64_t deadline = now_ns() + WAIT_NS;

	while (!cond(arg)) {
		if (now_ns() > deadline)
			return false;
		usleep(100);
	}
	return true;
}

static bool cond_ready(uint64_t n) { return (uint64_t)atomic_load(&ready) >= n; }
static bool cond_intr(uint64_t n) { return atomic_load(&intr_exits) >= n; }
static bool cond_mmio(uint64_t n) { return atomic_load(&mmio_exits) >= n; }
static bool cond_touched(uint64_t n) { return *(volatile uint64_t *)&t2.vcpu[0].page->pages_touched > n; }

static void test_kick_takes_spinning_vcpu_out(void)
{
	const uint32_t wl[] = { FB_WL_TOUCH, FB_WL_INHIBIT };
	pthread_t th[2];
	int r;

	tvm_create(&t2, 2, wl);
	TEST_ASSERT(!pthread_create(&th[0], NULL, spinner, &t2.vcpu[0]), "pthread_create");
	TEST_ASSERT(!pthread_create(&th[1], NULL, interceptor, &t2.vcpu[1]), "pthread_create");
	t2.vcpu[0].thread = th[0];
	t2.vcpu[1].thread = th[1];
	TEST_ASSERT(wait_until(cond_ready, 2), "vCPU threads did not start");

	/* Each kick takes the spinning vCPU out of guest mode; between kicks it
	 * keeps touching memory (it really is in the guest, not stuck). */
	for (uint64_t k = 1; k <= NR_KICKS; k++) {
		uint64_t touched = *(volatile uint64_t *)&t2.vcpu[0].page->pages_touched;

		TEST_ASSERT(wait_until(cond_touched, touched), "vCPU 0 makes no progress (kick %" PRIu64 ")", k);
		backend_kvm.kick(&t2.vcpu[0]);
		TEST_ASSERT(wait_until(cond_intr, k), "kick %" PRIu64 " produced no VCPU_EXIT_INTR "
			    "(%" PRIu64 " so far)", k, (uint64_t)atomic_load(&intr_exits));
	}

	/* Real grace periods while both vCPUs run. */
	TEST_ASSERT(wait_until(cond_mmio, 10), "vCPU 1: no MMIO exits");
	for (int k = 0; k < 5; k++) {
		r = backend_kvm.kernel_gp(&t2.vm, CFG_GP_IOCTL_MEMSLOT);
		TEST_ASSERT(r == 0, "kernel_gp(memslot) with running vCPUs: %s", strerror(-r));
		r = backend_kvm.kernel_gp(&t2.vm, CFG_GP_IOCTL_MSR_FILTER);
		TEST_ASSERT(r == 0 || r == -ENOTSUP, "kernel_gp(msr-filter) with running vCPUs: %s", strerror(-r));
		r = backend_kvm.kernel_gp(&t2.vm, CFG_GP_IOCTL_IOEVENTFD);
		TEST_ASSERT(r == 0 || r == -ENOTSUP, "kernel_gp(ioeventfd) with running vCPUs: %s", strerror(-r));
	}

	atomic_store(&stop_flag, true);
	t2.vcpu[0].page->stop = 1;
	t2.vcpu[1].page->stop = 1;
	backend_kvm.kick(&t2.vcpu[0]);
	backend_kvm.kick(&t2.vcpu[1]);
	pthread_join(th[0], NULL);
	pthread_join(th[1], NULL);

	TEST_ASSERT(atomic_load(&intr_exits) >= NR_KICKS, "intr %" PRIu64, (uint64_t)atomic_load(&intr_exits));
	TEST_ASSERT_EQ(t2.vcpu[1].page->intercepts, (uint64_t)atomic_load(&mmio_exits));
	printf("2 vCPUs: ok (%" PRIu64 " kicks -> %" PRIu64 " INTR exits, %" PRIu64 " pages touched, "
	       "%" PRIu64 " MMIO exits)\n", (uint64_t)NR_KICKS, (uint64_t)atomic_load(&intr_exits),
	       t2.vcpu[0].page->pages_touched, (uint64_t)atomic_load(&mmio_exits));

	backend_kvm.vcpu_exit(&t2.vcpu[0]);
	backend_kvm.vcpu_exit(&t2.vcpu[1]);
	tvm_destroy(&t2);
}

/* ---- many vCPUs: per-vCPU entry state -------------------------------------------- */

static struct tvm tm;

static void *hello_thread(void *arg)
{
	struct vcpu *v = arg;

	vcpu_init(v);
	expect_hello(v);
	backend_kvm.vcpu_exit(v);
	return NULL;
}

static void test_many_vcpus_hello_own_id(unsigned n)
{
	uint32_t wl[MAX_TEST_VCPUS];
	pthread_t th[MAX_TEST_VCPUS];
	uint64_t t0 = now_ns();

	for (unsigned i = 0; i < n; i++)
		wl[i] = FB_WL_IDLE;
	tvm_create(&tm, n, wl);
	for (unsigned i = 0; i < n; i++) {
		TEST_ASSERT(!pthread_create(&th[i], NULL, hello_thread, &tm.vcpu[i]), "pthread_create %u", i);
		tm.vcpu[i].thread = th[i];
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	tvm_destroy(&tm);
	printf("%u vCPUs: ok (all said HELLO with their id, %.1f ms)\n", n, (now_ns() - t0) / 1e6);
}

/* A CPU exception in the guest is reported through the ABORT ucall by the
 * IDT the backend installs (guest/entry.S, guest/exception.c), not a triple
 * fault: start the vCPU on a UD2 and read vector, RIP and RSP back. */
static void test_guest_exception_reported_not_triple_fault(void)
{
	const uint32_t wl[] = { FB_WL_NULL };
	const uint64_t ud2_gpa = FB_GPA_DATA + 0x10;
	struct kvm_regs regs;
	struct vcpu_exit ex;
	struct fb_ucall *uc;
	struct tvm t;
	struct vcpu *v;

	tvm_create(&t, 1, wl);
	v = &t.vcpu[0];
	vcpu_init(v);
	t.vm.mem[ud2_gpa] = 0x0f;
	t.vm.mem[ud2_gpa + 1] = 0x0b;
	/* before the first entry: no I/O completion pending */
	TEST_ASSERT(ioctl(v->fd, KVM_GET_REGS, &regs) == 0, "KVM_GET_REGS");
	regs.rip = ud2_gpa;
	TEST_ASSERT(ioctl(v->fd, KVM_SET_REGS, &regs) == 0, "KVM_SET_REGS");
	TEST_ASSERT_EQ(backend_kvm.run(v, &ex), 0);
	TEST_ASSERT(ex.reason == VCPU_EXIT_IO && ex.port == FB_PORT_UCALL,
		    "exit %d (raw %u) instead of the exception ucall", ex.reason, ex.raw_reason);
	TEST_ASSERT_EQ((uint64_t)ex.value, ucall_gpa(v->id));
	uc = &v->page->ucall;
	TEST_ASSERT_EQ(uc->cmd, (uint64_t)FB_UCALL_ABORT);
	TEST_ASSERT(!strcmp(uc->msg, "exception"), "msg %.64s", uc->msg);
	TEST_ASSERT_EQ(uc->args[0], 6ull);                  /* #UD */
	TEST_ASSERT_EQ(uc->args[2], ud2_gpa);               /* RIP */
	TEST_ASSERT_EQ(uc->args[4], regs.rsp);              /* RSP at the fault */
	TEST_ASSERT_EQ(uc->args[6], (uint64_t)KVM_SEL_CODE);
	printf("exception: #UD reported at RIP %#" PRIx64 "\n", uc->args[2]);
	backend_kvm.vcpu_exit(v);
	tvm_destroy(&t);
}

int main(void)
{
	char why[256];
	json_t *info;

	setvbuf(stdout, NULL, _IONBF, 0);
	TEST_REQUIRE(backend_kvm_probe(why, sizeof(why)), "kvm backend unavailable: %s", why);
	TEST_ASSERT(why[0] == '\0', "probe succeeded but left a reason: %s", why);

	info = json_object();
	TEST_ASSERT(info && backend_kvm__info(info) == 0, "backend_kvm__info");
	TEST_ASSERT(json_is_true(json_object_get(info, "available")), "info says unavailable");
	TEST_ASSERT_EQ(json_integer_value(json_object_get(info, "api_version")), (json_int_t)KVM_API_VERSION);
	TEST_ASSERT(json_integer_value(json_object_get(info, "max_vcpus")) >= 1, "max_vcpus");
	char *s = json_dumps(info, JSON_COMPACT | JSON_SORT_KEYS);
	printf("env.kvm: %s\n", s);
	free(s);
	json_decref(info);

	alarm(240);     /* a hang is a failure, not a ctest timeout */
	test_one_vcpu_exits_kick_reeval_gp();
	test_kick_takes_spinning_vcpu_out();
	test_many_vcpus_hello_own_id(MAX_TEST_VCPUS);
	test_guest_exception_reported_not_triple_fault();
	printf("PASS\n");
	return 0;
}
