/* SPDX-License-Identifier: MIT */
/* Guest RAM and a parse wrapper for the unit tests of the TLFS flush
 * hypercall parser (host/hv.c) and guest builders (guest/hv.c).  Guest RAM
 * is a heap buffer at GPA 0; its gpa_range() is bounds-checked and records
 * every call so the tests can prove what the parser touched. */
#ifndef FB_TEST_HV_FIXTURE_H
#define FB_TEST_HV_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include "hv.h"                 /* host/hv.h */
#include "../../guest/hv.h"

#define RAM_SIZE        (64 * 1024ull)
#define IN_GPA          0x1000ull
#define MAX_VCPUS       1024u
#define GUARD           0xa5a5a5a5a5a5a5a5ul
#define NLONGS          HV_BITS_TO_LONGS(MAX_VCPUS)

struct ram {
	uint8_t *buf;
	uint64_t size;
	unsigned calls;
	uint64_t last_gpa, last_len;
};

struct fx {
	struct ram ram;
	struct hv_guest_mem mem;
	/* mask plus guard words on both sides: the parser must stay inside */
	unsigned long maskbuf[NLONGS + 2];
	struct hv_flush_req req;
};

/* per-test setup/teardown: *state is a struct fx */
int hv_setup(void **state);
int hv_teardown(void **state);

uint8_t *in_page(struct fx *f);
void put64(struct fx *f, uint64_t gpa, uint64_t v);
/* hv__parse() with the mask full of garbage, checking the invariants of
 * every call (mask guards intact, nr_targets = popcount, empty on error) */
uint16_t parse(struct fx *f, uint64_t control, uint64_t gpa, unsigned nr_vcpus);
bool targeted(struct fx *f, unsigned vp);
/* A valid HvCallFlushVirtualAddressSpace at IN_GPA targeting VP 1. */
uint64_t valid_space(struct fx *f);

#define T(fn) cmocka_unit_test_setup_teardown(fn, hv_setup, hv_teardown)

#endif
