/* SPDX-License-Identifier: MIT */
/*
 * A vCPU whose entries are all cancelled (a request bit nobody consumes:
 * kvm_vcpu_exit_request() is true forever) never reaches the guest's stop
 * check; stopping the VM (what Ctrl-C and SIGTERM do) must still end it.
 * The alarm is only a liveness bound that turns a hang into a failure.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "options.h"
#include "test_util.h"
#include "vm.h"

#define REQ_NOBODY_CONSUMES 20

static void hung(int sig)
{
	static const char msg[] = "vm/livelock: vm__stop() did not return in 30 s: "
		"a livelocked vCPU ignores stop\n";
	(void)sig;
	if (write(2, msg, sizeof(msg) - 1) < 0) { /* nothing more to do */ }
	_exit(1);
}

int main(void)
{
	struct run_config cfg;
	struct run_metrics *m = NULL;
	char err[512];
	struct vm *vm;

	test_backend();
	TEST_ASSERT(!posix_memalign((void **)&m, 64, sizeof(*m)), "out of memory");
	options__defaults(&cfg);
	cfg.vcpus = 4;
	cfg.mem_mb = 16;
	snprintf(cfg.workload, sizeof(cfg.workload), "mixed");
	metrics__init(m);
	TEST_ASSERT(options__check(&cfg, err, sizeof(err)) == 0, "%s", err);   /* resolves the names */
	TEST_ASSERT(__vm_create(&vm, &cfg, test_backend(), m, err, sizeof(err)) == 0, "%s", err);
	TEST_ASSERT_EQ(vm__start(vm), 0);
	usleep(100 * 1000);
	vcpu__make_request(vm->vcpus[0], REQ_NOBODY_CONSUMES);
	vcpu__kick(vm->vcpus[0]);
	vcpu__wake_up(vm->vcpus[0]);
	usleep(200 * 1000);
	/* the livelock is real: nothing consumed the request */
	TEST_ASSERT(atomic_load(&vm->vcpus[0]->requests) & (1ul << REQ_NOBODY_CONSUMES),
		    "the request was consumed: no livelock to test");
	signal(SIGALRM, hung);
	alarm(30);
	TEST_ASSERT_EQ(vm__stop(vm), 0);
	alarm(0);
	printf("livelocked vCPU stopped\n");
	vm__destroy(vm);
	free(m);
	return 0;
}
