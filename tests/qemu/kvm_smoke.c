// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_smoke - minimal /dev/kvm check, independent of the flushbench code.
 *
 * Runs 16-bit real-mode code that does N "out 0x10, al" (al = 0, 1, 2, ...)
 * and then "hlt", and checks that KVM reports exactly N KVM_EXIT_IO with the
 * right port/size/direction/value followed by KVM_EXIT_HLT.  Used to prove a
 * nested /dev/kvm works inside the QEMU VM (tests/qemu/run-in-vm.sh).
 *
 * usage: kvm_smoke [N]   (default N = 1000, 1..65535)
 * exit: 0 pass, 1 fail, 4 no /dev/kvm (SKIP)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MEM_SIZE	0x10000
#define CODE_GPA	0x1000
#define IO_PORT		0x10

static int fail(const char *what)
{
	printf("kvm_smoke: FAIL: %s: %s\n", what, strerror(errno));
	return 1;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	/* mov al,0; mov cx,N; 1: out 0x10,al; inc al; dec cx; jnz 1b; hlt */
	uint8_t code[] = { 0xb0, 0x00, 0xb9, 0, 0, 0xe6, IO_PORT, 0xfe, 0xc0,
			   0x49, 0x75, 0xf9, 0xf4 };
	long n = argc > 1 ? strtol(argv[1], NULL, 0) : 1000;
	unsigned long ios = 0, exits = 0;
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	int kvm, vm, vcpu, api, run_size;
	uint8_t *mem;
	double t0, t1;

	if (n < 1 || n > 65535) {
		fprintf(stderr, "kvm_smoke: N must be 1..65535\n");
		return 2;
	}
	code[3] = n & 0xff;
	code[4] = n >> 8;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		printf("kvm_smoke: SKIP: open /dev/kvm: %s\n", strerror(errno));
		return 4;
	}
	api = ioctl(kvm, KVM_GET_API_VERSION, 0);
	printf("kvm_smoke: KVM_GET_API_VERSION = %d\n", api);
	if (api != KVM_API_VERSION)
		return fail("unexpected API version");

	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap guest memory");
	memcpy(mem + CODE_GPA, code, sizeof(code));
	region = (struct kvm_userspace_memory_region) {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");

	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(*run))
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;	/* real mode, CS:IP = 0:CODE_GPA */
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		return fail("KVM_SET_REGS");

	t0 = now();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0)
			return fail("KVM_RUN");
		exits++;
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO) {
			printf("kvm_smoke: FAIL: unexpected exit_reason %u after %lu I/O exits\n",
			       run->exit_reason, ios);
			return 1;
		}
		uint8_t val = *((uint8_t *)run + run->io.data_offset);

		if (run->io.direction != KVM_EXIT_IO_OUT || run->io.port != IO_PORT ||
		    run->io.size != 1 || run->io.count != 1 || val != (uint8_t)ios) {
			printf("kvm_smoke: FAIL: bad I/O exit #%lu: dir %u port 0x%x size %u count %u val %u\n",
			       ios, run->io.direction, run->io.port, run->io.size,
			       run->io.count, val);
			return 1;
		}
		ios++;
	}
	t1 = now();
	printf("kvm_smoke: exits: %lu KVM_EXIT_IO (port 0x%x) + 1 KVM_EXIT_HLT\n", ios, IO_PORT);
	printf("kvm_smoke: %.1f us per exit round trip\n", (t1 - t0) * 1e6 / exits);
	if (ios != (unsigned long)n) {
		printf("kvm_smoke: FAIL: expected %ld I/O exits\n", n);
		return 1;
	}
	printf("kvm_smoke: PASS\n");
	return 0;
}
