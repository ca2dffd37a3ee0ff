// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hv_fixture.h"

static const void *ram_range(void *ctx, uint64_t gpa, uint64_t len)
{
	struct ram *r = ctx;

	r->calls++;
	r->last_gpa = gpa;
	r->last_len = len;
	if (gpa >= r->size || len > r->size - gpa)
		return NULL;
	return r->buf + gpa;
}

int hv_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->ram.buf = calloc(1, RAM_SIZE);
	f->ram.size = RAM_SIZE;
	f->mem.ctx = &f->ram;
	f->mem.gpa_range = ram_range;
	for (unsigned i = 0; i < NLONGS + 2; i++)
		f->maskbuf[i] = GUARD;
	f->req.vp_mask = &f->maskbuf[1];
	*state = f;
	return 0;
}

int hv_teardown(void **state)
{
	struct fx *f = *state;

	free(f->ram.buf);
	free(f);
	return 0;
}

uint8_t *in_page(struct fx *f) { return f->ram.buf + IN_GPA; }

void put64(struct fx *f, uint64_t gpa, uint64_t v) { memcpy(f->ram.buf + gpa, &v, 8); }

uint16_t parse(struct fx *f, uint64_t control, uint64_t gpa, unsigned nr_vcpus)
{
	/* garbage in, so the test sees that the parser clears the mask */
	for (unsigned i = 0; i < NLONGS + 2; i++)
		f->maskbuf[i] = GUARD;
	uint16_t st = hv__parse(&f->mem, control, gpa, nr_vcpus, &f->req);

	/* invariants that hold for every call */
	assert_true(hv__status_known(st));
	assert_int_equal(f->maskbuf[0], GUARD);
	/* words past BITS_TO_LONGS(nr_vcpus) untouched */
	for (unsigned i = HV_BITS_TO_LONGS(nr_vcpus); i < NLONGS + 1; i++)
		assert_int_equal(f->req.vp_mask[i], GUARD);
	unsigned pop = 0;
	for (unsigned i = 0; i < HV_BITS_TO_LONGS(nr_vcpus); i++)
		pop += __builtin_popcountl(f->req.vp_mask[i]);
	assert_int_equal(pop, f->req.nr_targets);
	assert_true(f->req.nr_targets <= nr_vcpus);
	if (st != HV_STATUS_SUCCESS)
		assert_int_equal(pop, 0);
	return st;
}

bool targeted(struct fx *f, unsigned vp)
{
	return f->req.vp_mask[vp / HV_BITS_PER_LONG] & (1ul << (vp % HV_BITS_PER_LONG));
}

/* A valid HvCallFlushVirtualAddressSpace at IN_GPA targeting VP 1. */
uint64_t valid_space(struct fx *f)
{
	return hv_build_flush_space(in_page(f), 0, 0x2);
}
