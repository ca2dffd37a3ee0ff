/* SPDX-License-Identifier: MIT */
/*
 * The /dev/kvm execution backend (host/backend-kvm.c).  Its ops table and
 * probe are declared in vm.h; this header adds what only `bench info` and
 * the results' env.kvm need.
 */
#ifndef FB_BACKEND_KVM_H
#define FB_BACKEND_KVM_H

#include <jansson.h>

#include "abi/abi.h"

/* Guest-physical addresses the backend uses beyond include/abi/abi.h. */
#define KVM_GPA_PML4        (FB_GPA_PGTABLE + 0x0000)  /* 1 page                  */
#define KVM_GPA_PDPT        (FB_GPA_PGTABLE + 0x1000)  /* 1 page                  */
#define KVM_GPA_PD          (FB_GPA_PGTABLE + 0x2000)  /* 4 pages: 4 GiB, 2 MiB pages */
#define KVM_GPA_GDT         (FB_GPA_PGTABLE + 0x6000)  /* null, code64, data, TSS */
#define KVM_GPA_TSS         (FB_GPA_PGTABLE + 0x7000)  /* 104-byte 64-bit TSS     */
#define KVM_GPA_TSS_ADDR    0xfffbd000ull  /* KVM_SET_TSS_ADDR: 3 pages (VMX real mode) */
#define KVM_GPA_IDENT_MAP   0xfffbc000ull  /* KVM_SET_IDENTITY_MAP_ADDR: 1 page (VMX) */
#define KVM_GPA_SPARE_SLOT  0x100000000ull /* kernel_gp "memslot": slots 2.., above 4 GiB */
#define KVM_SPARE_SLOT_SIZE 0x200000ull

#define KVM_SEL_CODE        0x08
#define KVM_SEL_DATA        0x10
#define KVM_SEL_TSS         0x18

/*
 * Fill obj with KVM facts: available (bool), reason (if not), api_version,
 * max_vcpus, max_vcpu_id, nr_vcpus, sync_regs, immediate_exit, msr_filter,
 * ioeventfd, stats_fd, tsc_khz and a "hyperv" object of capability flags.
 * Opens its own /dev/kvm (and a scratch VM + vCPU for tsc_khz).  0, or
 * -ENOMEM if obj could not be filled; an unusable /dev/kvm is reported in
 * obj, not as an error.
 */
int backend_kvm__info(json_t *obj);

#endif
