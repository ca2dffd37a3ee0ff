// SPDX-License-Identifier: MIT
/*
 * x86 state of the kvm backend's guest (like the KVM selftests'
 * lib/x86/processor.c): identity page tables, GDT + TSS, IDT, long-mode
 * segment and control registers, the entry registers, and the CPUID KVM
 * supports with each vCPU's APIC IDs.  docs/KVM-BACKEND.md explains each
 * piece; backend-kvm.h lays out the guest-physical pages.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "abi/abi.h"
#include "backend-kvm.h"
#include "kvm-ioctl.h"
#include "util.h"
#include "x86.h"

/* IDT for vectors 0-31: the first free page of the FB_GPA_PGTABLE area
 * (backend-kvm.h lays out the pages below it).  Its gates point at the
 * guest's 16-byte exception stubs at FB_GPA_CODE + 0x100 (guest/entry.S;
 * guest/guest.lds asserts the address). */
#define KVM_GPA_IDT         (KVM_GPA_TSS + FB_PAGE_SIZE)
#define KVM_EXC_STUBS       (FB_GPA_CODE + 0x100)
#define KVM_EXC_STUB_SIZE   16

/* x86 bits, named as in the SDM / Linux. */
#define X86_CR0_PE   (1ull << 0)
#define X86_CR0_MP   (1ull << 1)
#define X86_CR0_ET   (1ull << 4)
#define X86_CR0_NE   (1ull << 5)
#define X86_CR0_WP   (1ull << 16)
#define X86_CR0_PG   (1ull << 31)
#define X86_CR4_PAE  (1ull << 5)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define PTE_P        (1ull << 0)
#define PTE_RW       (1ull << 1)
#define PTE_A        (1ull << 5)
#define PTE_D        (1ull << 6)
#define PTE_PS       (1ull << 7)

/* ---- guest memory: page tables, GDT, TSS, IDT ------------------------------------ */

static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
	return (uint64_t)(limit & 0xffff) |
	       ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)access << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)(flags & 0xf) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

/* Identity map of the first 4 GiB with 2 MiB pages (PML4 -> PDPT -> 4 PDs),
 * so every GPA the guest uses, FB_GPA_INTERCEPT included, has GVA == GPA. */
static void x86__build_pgtables(uint8_t *mem)
{
	uint64_t *pml4 = (uint64_t *)(mem + KVM_GPA_PML4);
	uint64_t *pdpt = (uint64_t *)(mem + KVM_GPA_PDPT);
	uint64_t *pd = (uint64_t *)(mem + KVM_GPA_PD);

	memset(mem + FB_GPA_PGTABLE, 0, KVM_GPA_TSS + FB_PAGE_SIZE - FB_GPA_PGTABLE);
	/* A and D preset: the CPU need not write the tables back on first use. */
	pml4[0] = KVM_GPA_PDPT | PTE_P | PTE_RW | PTE_A;
	for (unsigned i = 0; i < 4; i++)
		pdpt[i] = (KVM_GPA_PD + i * FB_PAGE_SIZE) | PTE_P | PTE_RW | PTE_A;
	for (uint64_t i = 0; i < 4ull * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_A | PTE_D | PTE_PS;
}

/* GDT: null, 64-bit code (0x08), data (0x10), 64-bit TSS (0x18, 16 bytes).
 * The guest never reloads segments, but descriptors that match the sregs
 * keep an IRET or a reload from faulting. */
static void x86__build_gdt(uint8_t *mem)
{
	uint64_t *gdt = (uint64_t *)(mem + KVM_GPA_GDT);
	uint8_t *tss = mem + KVM_GPA_TSS;

	gdt[0] = 0;
	gdt[1] = gdt_entry(0, 0xfffff, 0x9b, 0xa);    /* P, S, code X/R/A; G, L */
	gdt[2] = gdt_entry(0, 0xfffff, 0x93, 0xc);    /* P, S, data R/W/A; G, D/B */
	gdt[3] = gdt_entry((uint32_t)KVM_GPA_TSS, 0x67, 0x89, 0x0);  /* P, 64-bit TSS available */
	gdt[4] = KVM_GPA_TSS >> 32;
	/* 64-bit TSS: I/O map base past the limit = no I/O bitmap. */
	memset(tss, 0, 0x68);
	tss[102] = 0x68;
}

/* 64-bit interrupt gates (type 0xe, DPL 0, IST 0) for vectors 0-31.  With
 * IF=0 and no irqchip nothing else is ever delivered; a vector above 31
 * would #GP on the IDT limit and land in vector 13. */
static void x86__build_idt(uint8_t *mem)
{
	uint64_t *idt = (uint64_t *)(mem + KVM_GPA_IDT);

	memset(idt, 0, FB_PAGE_SIZE);
	for (unsigned v = 0; v < X86_NR_EXCEPTIONS; v++) {
		uint64_t h = KVM_EXC_STUBS + (uint64_t)v * KVM_EXC_STUB_SIZE;

		idt[2 * v] = (h & 0xffff) | ((uint64_t)KVM_SEL_CODE << 16) |
			     (0x8eull << 40) |              /* P, DPL 0, 64-bit interrupt gate */
			     (((h >> 16) & 0xffff) << 48);
		idt[2 * v + 1] = h >> 32;
	}
}

void x86__build_tables(uint8_t *mem)
{
	x86__build_pgtables(mem);
	x86__build_gdt(mem);
	x86__build_idt(mem);
}

/* ---- CPUID ------------------------------------------------------------------------ */

struct kvm_cpuid2 *x86__supported_cpuid(int kvm_fd, int *err)
{
	struct kvm_cpuid2 *c = NULL;
	int r = -E2BIG;

	/* Grow until KVM stops saying E2BIG (selftests start at 100). */
	for (unsigned n = 64; n <= 4096; n *= 2) {
		free(c);
		c = xzalloc(sizeof(*c) + n * sizeof(c->entries[0]));
		c->nent = n;
		r = __kvm_ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c);
		if (r == 0)
			return c;
		if (r != -E2BIG)
			break;
	}
	*err = -r;
	pr_err("kvm: KVM_GET_SUPPORTED_CPUID failed: %s", strerror(-r));
	free(c);
	return NULL;
}

/* ---- vCPU registers --------------------------------------------------------------- */

static void x86__cpuid_set_ids(struct kvm_cpuid2 *c, unsigned id)
{
	for (unsigned i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 1)            /* EBX[31:24]: initial APIC ID */
			e->ebx = (e->ebx & 0x00ffffffu) | ((id & 0xffu) << 24);
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = id;                 /* x2APIC ID, every subleaf */
	}
}

static void x86__seg(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->dpl = 0;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;            /* L=1 requires D=0 */
}

static int x86__setup_sregs(int fd, unsigned id)
{
	struct kvm_sregs sr;
	int r;

	r = kvm_ioctl(fd, KVM_GET_SREGS, &sr);
	if (r < 0)
		return r;
	x86__seg(&sr.cs, KVM_SEL_CODE, 11, true);   /* execute/read, accessed */
	x86__seg(&sr.ds, KVM_SEL_DATA, 3, false);   /* read/write, accessed */
	sr.es = sr.fs = sr.gs = sr.ss = sr.ds;
	/* The guest's exception handler finds its vCPU page through GS.base
	 * (rdmsr, so a corrupt RSP does not matter); nothing else uses GS. */
	sr.gs.base = FB_GPA_VCPU_PAGES + (uint64_t)id * FB_VCPU_AREA;

	memset(&sr.tr, 0, sizeof(sr.tr));
	sr.tr.base = KVM_GPA_TSS;
	sr.tr.limit = 0x67;
	sr.tr.selector = KVM_SEL_TSS;
	sr.tr.type = 11;                           /* 64-bit TSS, busy (VMX entry check) */
	sr.tr.present = 1;

	memset(&sr.ldt, 0, sizeof(sr.ldt));
	sr.ldt.unusable = 1;

	sr.gdt.base = KVM_GPA_GDT;
	sr.gdt.limit = 5 * 8 - 1;
	sr.idt.base = KVM_GPA_IDT;                 /* exceptions report through FB_UCALL_ABORT */
	sr.idt.limit = X86_NR_EXCEPTIONS * 16 - 1;

	sr.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_PG;
	sr.cr3 = KVM_GPA_PML4;
	sr.cr4 = X86_CR4_PAE;
	sr.efer = X86_EFER_LME | X86_EFER_LMA;
	return kvm_ioctl(fd, KVM_SET_SREGS, &sr);
}

static int x86__setup_regs(int fd, unsigned id)
{
	uint64_t area = FB_GPA_VCPU_PAGES + (uint64_t)id * FB_VCPU_AREA;
	struct kvm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.rip = FB_GPA_CODE;                    /* _start */
	regs.rsp = area + FB_VCPU_STACK_TOP_OFF;
	regs.rdi = area;                           /* struct fb_vcpu_page * (GVA == GPA) */
	regs.rflags = 0x2;                         /* reserved bit 1; IF=0 */
	return kvm_ioctl(fd, KVM_SET_REGS, &regs);
}

int x86__vcpu_setup(int fd, unsigned id, const struct kvm_cpuid2 *supported)
{
	size_t size = sizeof(*supported) + supported->nent * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *cpuid = xzalloc(size);
	int r;

	memcpy(cpuid, supported, size);
	x86__cpuid_set_ids(cpuid, id);
	r = kvm_ioctl(fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
	if (r < 0)
		return r;
	r = x86__setup_sregs(fd, id);
	if (r < 0)
		return r;
	return x86__setup_regs(fd, id);
}

const char *x86__exception_name(uint64_t vector)
{
	static const char *const names[X86_NR_EXCEPTIONS] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "coproc",
		"#TS", "#NP", "#SS", "#GP", "#PF", "15", "#MF", "#AC", "#MC", "#XM",
		"#VE", "#CP", "22", "23", "24", "25", "26", "27", "#HV", "#VC", "#SX", "31",
	};

	return vector < X86_NR_EXCEPTIONS ? names[vector] : "?";
}
