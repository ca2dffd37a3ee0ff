/* SPDX-License-Identifier: MIT */
/*
 * Freestanding guest runtime shared by every workload: context, exits
 * (ucall / hypercall), sleeping, a PRNG, GUEST_ASSERT.  Compiled for the KVM
 * image and for the native backend (guest/arch.h is the only difference).
 */
#ifndef FB_GUEST_H
#define FB_GUEST_H

#include "abi/abi.h"
#include "arch.h"

typedef unsigned long guest_uptr;

struct gctx {
	struct fb_vcpu_page *page;
	uint64_t base;          /* HVA of GPA 0 (native) or 0 (kvm, identity map) */
	uint64_t rng;
};

static inline void *g_ptr(const struct gctx *g, uint64_t gpa) { return (void *)(guest_uptr)(gpa + g->base); }
static inline uint64_t g_gpa(const struct gctx *g, const void *p) { return (uint64_t)(guest_uptr)p - g->base; }
/* The vCPU page is shared with host threads (the native backend runs the
 * guest on a host thread): flags and counters the host reads while the guest
 * runs are accessed with relaxed atomics (plain moves on x86). */
static inline int g_stop(const struct gctx *g) { return __atomic_load_n(&g->page->stop, __ATOMIC_RELAXED) != 0; }
static inline void g_iteration(struct fb_vcpu_page *p)
{
	__atomic_store_n(&p->iterations, p->iterations + 1, __ATOMIC_RELAXED);
}

/* xorshift64*: cheap, seeded per vCPU, reproducible. */
static inline uint64_t g_rand(struct gctx *g)
{
	uint64_t x = g->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	g->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

static inline uint64_t g_rand_below(struct gctx *g, uint64_t n) { return n ? g_rand(g) % n : 0; }

void g_ucall(struct gctx *g, uint64_t cmd, uint64_t a0, uint64_t a1, uint64_t a2);
uint64_t g_hypercall(struct gctx *g, uint64_t control, uint64_t in_gpa, uint64_t out_gpa);
void g_sleep_ns(struct gctx *g, uint64_t ns);
void g_abort(struct gctx *g, const char *file, int line, uint64_t a, uint64_t b);
/* Publish the latency of the operation just completed (TSC cycles); the
 * host picks it up at the next exit, so sampling costs no extra exit. */
static inline void g_sample(struct gctx *g, uint64_t cycles) { g->page->lat_sample_tsc = cycles ? cycles : 1; }

#define GUEST_ASSERT(g, cond, a, b) do { if (!(cond)) g_abort((g), __FILE__, __LINE__, (a), (b)); } while (0)

/* workloads (guest/workloads.c, guest/flush.c) */
void wl_null(struct gctx *g);
void wl_hypercall(struct gctx *g);
void wl_flush(struct gctx *g);
void wl_inhibit(struct gctx *g);
void wl_touch(struct gctx *g);
void wl_idle(struct gctx *g);

void guest_main(struct fb_vcpu_page *page);

#endif
