/* SPDX-License-Identifier: MIT */
/*
 * What KVM the numbers come from: the vendor module (kvm_intel, kvm_amd,
 * kvm_pvm), whether the host is itself a guest (CPUID hypervisor bit, a
 * PVM module, /sys/hypervisor), two-dimensional paging (kvm_intel ept,
 * kvm_amd npt; kvm_pvm always shadow-pages) and the module parameters that
 * change what an exit costs (kvm_pvm's pvm_emul_batch, kvm's tdp_mmu, ...).
 *
 * kvmhost__probe() only reads files under a root directory ("" = the real
 * system: <root>/sys/module/..., <root>/dev/kvm, <root>/sys/hypervisor/type)
 * and takes the CPUID answers as an argument, so tests run it on fixture
 * trees.  Nothing here needs /dev/kvm to be usable: on a host whose module
 * is loaded but did not register /dev/kvm the facts are still reported.
 */
#ifndef FB_KVMHOST_H
#define FB_KVMHOST_H

#include <stdbool.h>
#include <jansson.h>

struct kvmhost_cpuid {
	bool valid;                 /* the answers below were read */
	bool hypervisor;            /* CPUID.1:ECX[31] */
	char signature[13];         /* CPUID 0x40000000 EBX:ECX:EDX, e.g. "KVMKVMKVM" */
};

#define KVMHOST_MAX_PARAMS 96

struct kvmhost_param {
	char module[16];
	char name[48];
	char value[48];
};

struct kvmhost {
	char vendor[16];            /* kvm_intel | kvm_amd | kvm_pvm | "" (none loaded) */
	bool kvm_loaded;            /* /sys/module/kvm exists */
	bool dev_kvm;               /* /dev/kvm exists */
	int nested;                 /* host is itself a guest: 1, 0, -1 unknown */
	char nested_why[200];
	int tdp;                    /* EPT/NPT in use: 1, 0 (shadow paging), -1 unknown */
	char tdp_why[200];
	bool software_assisted;     /* exits or paging handled in software (PVM, no TDP) */
	char assist_why[200];
	char emulation[200];        /* "pvm_emul_batch=1024 pvm_native=Y" etc., "" none */
	unsigned nr_params;
	struct kvmhost_param params[KVMHOST_MAX_PARAMS];   /* vendor module, then kvm */
};

/* Fill h from files under root and the given CPUID answers (NULL: unknown). */
void kvmhost__probe(struct kvmhost *h, const char *root, const struct kvmhost_cpuid *cpuid);
/* The real CPUID answers of this machine. */
void kvmhost__cpuid(struct kvmhost_cpuid *c);
/* A parameter's value, NULL when absent. */
const char *kvmhost__param(const struct kvmhost *h, const char *module, const char *name);
/* Y/1 -> 1, N/0 -> 0, else -1 (kernel bool and int parameter spellings). */
int kvmhost__bool(const char *v);
json_t *kvmhost__json(const struct kvmhost *h);
/* One line: "kvm_pvm (/dev/kvm present), nested: yes (...), TDP: off (...)" */
void kvmhost__summary(const struct kvmhost *h, char *buf, size_t len);

#endif
