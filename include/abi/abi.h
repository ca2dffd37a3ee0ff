/* SPDX-License-Identifier: MIT */
/*
 * flushbench guest <-> host ABI.
 *
 * Freestanding: included by the guest (compiled -ffreestanding, no libc) and
 * by the host.  Fixed-width types only; every layout is _Static_assert'ed so
 * the two sides cannot drift apart silently.  The guest reports
 * FB_ABI_VERSION in its first exit (FB_UCALL_HELLO).
 *
 * Exits: the guest writes a 32-bit value to an I/O port (KVM forwards
 * unclaimed port I/O to userspace, as KVM selftests' ucall does).  The value
 * is the *GPA* of a struct fb_ucall or struct fb_hcall in the vCPU's own page,
 * so the hot path needs no KVM_GET_REGS.
 */
#ifndef FB_ABI_H
#define FB_ABI_H

#ifdef __FB_GUEST__
typedef unsigned char      uint8_t;
typedef unsigned short     uint16_t;
typedef unsigned int       uint32_t;
typedef unsigned long long uint64_t;
typedef long long          int64_t;
#else
#include <stdint.h>
#endif

#define FB_ABI_VERSION          1u

/* ---- guest physical layout (identity mapped: GVA == GPA) ---------------- */
#define FB_PAGE_SIZE            4096ull
#define FB_GPA_CODE             0x00100000ull   /* guest image, 1 MiB .. */
#define FB_CODE_MAX             0x00100000ull   /* .. at most 1 MiB       */
#define FB_GPA_PGTABLE          0x00200000ull   /* host-built page tables */
#define FB_PGTABLE_MAX          0x00200000ull
#define FB_GPA_VCPU_PAGES       0x00400000ull   /* per-vCPU: page + stack */
#define FB_VCPU_AREA            0x00008000ull   /* 32 KiB per vCPU, see FB_VCPU_*_OFF */
#define FB_MAX_VCPUS            1024u
#define FB_GPA_SHARED           (FB_GPA_VCPU_PAGES + FB_MAX_VCPUS * FB_VCPU_AREA) /* 0x2400000: VM-wide page */
#define FB_GPA_DATA             (FB_GPA_SHARED + 0x00100000ull) /* 0x2500000: workload memory (memslot 1) */
#define FB_GPA_DATA_END_MAX     0xf0000000ull   /* data must end below this */
/* An intercepted GPA: not backed by any memslot, so an access exits as
 * KVM_EXIT_MMIO.  This is the "memory intercept" that sets TlbFlushInhibit. */
#define FB_GPA_INTERCEPT        0xfe000000ull

/* ---- ports ---------------------------------------------------------------- */
#define FB_PORT_UCALL           0x1000   /* value = GPA of struct fb_ucall  */
#define FB_PORT_HCALL           0x1004   /* value = GPA of struct fb_hcall  */
#define FB_PORT_NULL            0x1008   /* bare exit: the physical floor   */

/* ---- ucall: control channel (selftests style) ------------------------------ */
enum fb_ucall_cmd {
	FB_UCALL_NONE = 0,
	FB_UCALL_HELLO,          /* args[0] = FB_ABI_VERSION                        */
	FB_UCALL_SYNC,           /* args[0] = stage                                 */
	FB_UCALL_SLEEP,          /* args[0] = ns: halt for that long (HLT+timer)    */
	FB_UCALL_DONE,           /* workload finished (stop requested)              */
	FB_UCALL_ABORT,          /* guest assert: args[0]=line, args[1..2]=values,  */
	                         /* file name in msg                                 */
	FB_UCALL_VERIFY_FAIL,    /* data check failed: args[0]=gpa, [1]=want, [2]=got */
	FB_UCALL_MAX,
};

struct fb_ucall {
	uint64_t cmd;
	uint64_t args[7];
	char     msg[64];
};
_Static_assert(sizeof(struct fb_ucall) == 128, "fb_ucall layout");

/* ---- hypercall: TLFS-shaped ---------------------------------------------------
 * The guest fills control/input_gpa/output_gpa exactly as RCX/RDX/R8 of a
 * Hyper-V hypercall and exits; the host writes result (RAX). */
struct fb_hcall {
	uint64_t control;        /* RCX: TLFS hypercall input value */
	uint64_t input_gpa;      /* RDX */
	uint64_t output_gpa;     /* R8  */
	uint64_t result;         /* RAX: status 15:0, reps completed 43:32 */
};
_Static_assert(sizeof(struct fb_hcall) == 32, "fb_hcall layout");

/* TLFS hypercall codes (Linux include/hyperv/hvgdk_mini.h) */
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE      0x0002
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST       0x0003
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX   0x0013
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX    0x0014
/* flushbench private code: does nothing, exercises the full ABI + parser. */
#define HVCALL_FB_NULL                          0x0fb0

/* input value (control) fields */
#define HV_HYPERCALL_CODE_MASK          0x000000000000ffffull
#define HV_HYPERCALL_FAST_BIT           (1ull << 16)
#define HV_HYPERCALL_VARHEAD_OFFSET     17
#define HV_HYPERCALL_VARHEAD_MASK       0x0000000007fe0000ull  /* 26:17 */
#define HV_HYPERCALL_RSVD0_MASK         0x00000000f8000000ull  /* 31:27 */
#define HV_HYPERCALL_REP_COMP_OFFSET    32
#define HV_HYPERCALL_REP_COMP_MASK      0x00000fff00000000ull  /* 43:32 */
#define HV_HYPERCALL_RSVD1_MASK         0x0000f00000000000ull  /* 47:44 */
#define HV_HYPERCALL_REP_START_OFFSET   48
#define HV_HYPERCALL_REP_START_MASK     0x0fff000000000000ull  /* 59:48 */
#define HV_HYPERCALL_RSVD2_MASK         0xf000000000000000ull  /* 63:60 */

/* result */
#define HV_HYPERCALL_RESULT_MASK        0xffffull

/* status codes */
#define HV_STATUS_SUCCESS                       0x0
#define HV_STATUS_INVALID_HYPERCALL_CODE        0x2
#define HV_STATUS_INVALID_HYPERCALL_INPUT       0x3
#define HV_STATUS_INVALID_ALIGNMENT             0x4
#define HV_STATUS_INVALID_PARAMETER             0x5
#define HV_STATUS_ACCESS_DENIED                 0x6
#define HV_STATUS_OPERATION_DENIED              0x8
#define HV_STATUS_INVALID_VP_INDEX              0xe
/* flushbench private: the flusher was suspended and has been resumed; the
 * guest re-issues the call (KVM re-executes the hypercall instruction,
 * since kvm_hv_hypercall_complete() did not advance RIP). Never a TLFS code. */
#define HV_STATUS_FB_RETRY                      0xfb01

/* flush flags */
#define HV_FLUSH_ALL_PROCESSORS                 (1ull << 0)
#define HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES     (1ull << 1)
#define HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY       (1ull << 2)
#define HV_FLUSH_USE_EXTENDED_RANGE_FORMAT      (1ull << 3)

/* VP set formats */
#define HV_GENERIC_SET_SPARSE_4K        0
#define HV_GENERIC_SET_ALL              1
#define HV_MAX_SPARSE_VCPU_BANKS        64

struct hv_tlb_flush {
	uint64_t address_space;
	uint64_t flags;
	uint64_t processor_mask;
	uint64_t gva_list[];
};
_Static_assert(sizeof(struct hv_tlb_flush) == 24, "hv_tlb_flush layout");

struct hv_vpset {
	uint64_t format;
	uint64_t valid_bank_mask;
	uint64_t bank_contents[];
};

struct hv_tlb_flush_ex {
	uint64_t address_space;
	uint64_t flags;
	struct hv_vpset hv_vp_set;   /* + bank_contents[], then gva_list[] */
};
_Static_assert(sizeof(struct hv_tlb_flush_ex) == 32, "hv_tlb_flush_ex layout");

/* ---- workloads -------------------------------------------------------------- */
enum fb_workload {
	FB_WL_IDLE = 0,      /* vCPU sleeps until stop (spare vCPU)          */
	FB_WL_NULL,          /* bare port-I/O exit loop                      */
	FB_WL_HYPERCALL,     /* null TLFS hypercall through the full ABI     */
	FB_WL_FLUSH,         /* TLFS flush hypercalls                        */
	FB_WL_INHIBIT,       /* memory-intercept inhibit cycles              */
	FB_WL_TOUCH,         /* memory toucher: one word per page            */
	FB_WL_MAX,
};

enum fb_flush_kind {     /* which TLFS call a flusher issues */
	FB_FLUSH_SPACE = 0,  /* HvCallFlushVirtualAddressSpace           */
	FB_FLUSH_LIST,       /* HvCallFlushVirtualAddressList            */
	FB_FLUSH_SPACE_EX,   /* ...SpaceEx (sparse VP set)               */
	FB_FLUSH_LIST_EX,    /* ...ListEx                                */
	FB_FLUSH_MIX,        /* rotate through the four                  */
};

enum fb_target_mode {
	FB_TARGET_ALL = 0,   /* every vCPU (ALL_PROCESSORS / SET_ALL)    */
	FB_TARGET_SPARSE,    /* K random vCPUs                           */
	FB_TARGET_NEIGHBOURS,/* the K vCPUs after this one               */
	FB_TARGET_INHIBITORS,/* K random inhibiting vCPUs (worst case)   */
};

/* Per-vCPU page at FB_GPA_VCPU_PAGES + id * FB_VCPU_AREA.  Host writes the
 * args before the vCPU first runs; guest writes counters; both read stop. */
struct fb_vcpu_page {
	/* host -> guest, set before first entry */
	uint32_t abi_version;
	uint32_t vcpu_id;
	uint32_t nr_vcpus;
	uint32_t workload;           /* enum fb_workload */
	uint64_t tsc_khz;
	uint64_t seed;
	/* flush */
	uint32_t flush_kind;         /* enum fb_flush_kind */
	uint32_t target_mode;        /* enum fb_target_mode */
	uint32_t targets;            /* K */
	uint32_t gva_count;          /* list forms: GVA ranges per call (rep count) */
	uint64_t think_ns;           /* sleep between calls (0 = none) */
	/* inhibit */
	uint64_t inhibit_period_ns;  /* sleep between intercepts */
	/* touch */
	uint64_t touch_gpa;          /* working set start */
	uint64_t touch_bytes;        /* working set size */
	uint64_t touch_think_ns;     /* sleep between passes over N pages */
	uint32_t touch_batch;        /* pages between sleeps */
	uint32_t touch_verify;       /* write a per-page pattern and check it */
	/* guest -> host: counters, written only by the guest */
	uint64_t iterations;
	uint64_t hypercalls;
	uint64_t hypercall_errors;
	uint64_t flushes;
	uint64_t retries;            /* HV_STATUS_FB_RETRY seen */
	uint64_t intercepts;
	uint64_t pages_touched;
	uint64_t verify_failures;
	/* guest latency sample, piggybacked on the next exit so sampling costs
	 * no extra exit: TSC cycles of the last completed flush call (including
	 * suspension and retries).  The host consumes it and writes 0. */
	uint64_t lat_sample_tsc;
	/* host <-> guest */
	volatile uint64_t stop;      /* host sets 1: finish and FB_UCALL_DONE;
	                              * FB_STOP_TEST_SHUTDOWN: tests only */
	volatile uint64_t kick;      /* native backend only: pending kick */
	uint64_t guest_base;         /* native backend: HVA of GPA 0; KVM: 0 */
	uint32_t first_inhibitor;    /* mixed: inhibitors are vCPUs [first, first + nr) */
	uint32_t nr_inhibitors;
	uint32_t bad_input_every;    /* hypercall workload: every Nth call passes a GPA outside RAM (tests) */
	uint32_t pad32;
	uint64_t pad[2];
	struct fb_ucall ucall;
	struct fb_hcall hcall;
	/* hypercall input/output blocks: one page-aligned page each in the area */
};
/* stop = FB_STOP_TEST_SHUTDOWN (test hook FB_TEST_WORKER_HOOK=shutdown:V,
 * bench/supervisor.c): the guest finishes its workload and then dies instead
 * of reporting done: a triple fault (KVM_EXIT_SHUTDOWN) in the kvm image, an
 * abort ucall in the native build (it has no CPU exceptions). */
#define FB_STOP_TEST_SHUTDOWN   2u
#define FB_VCPU_INPUT_OFF       0x1000u       /* hypercall input page  */
#define FB_VCPU_OUTPUT_OFF      0x2000u       /* hypercall output page */
#define FB_VCPU_STACK_TOP_OFF   0x8000u       /* stack: area + 12..32 KiB, grows down */
_Static_assert(sizeof(struct fb_vcpu_page) <= 0x800, "fb_vcpu_page fits half a page");

/* VM-wide page: at FB_GPA_SHARED. */
struct fb_vm_page {
	uint32_t abi_version;
	uint32_t nr_vcpus;
	uint64_t flags;
};

#endif /* FB_ABI_H */
