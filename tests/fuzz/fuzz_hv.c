/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the TLFS flush hypercall parser (host/hv.c).
 *
 * Input: [0..8) control (RCX, little endian), [8..16) input GPA (RDX),
 * [16] nr_vcpus selector, [17..) guest RAM at GPA 0.  RAM and the VP mask
 * are separate heap blocks of exactly the right size, so ASan reports any
 * read past RAM or write past BITS_TO_LONGS(nr_vcpus) longs.  Invariants
 * are checked with CHECK() (not assert(): RelWithDebInfo defines NDEBUG),
 * and the result is compared with a naive reference model (ref_parse()).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hv.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_hv: %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
	abort(); } } while (0)

struct fuzz_ram {
	const uint8_t *buf;
	uint64_t size;
	unsigned calls;
	uint64_t last_len;
};

static const void *fuzz_gpa_range(void *ctx, uint64_t gpa, uint64_t len)
{
	struct fuzz_ram *r = ctx;

	r->calls++;
	r->last_len = len;
	/* the parser must never ask for a wrapping range */
	CHECK(gpa + len >= gpa);
	if (gpa >= r->size || len > r->size - gpa)
		return NULL;
	return r->buf + gpa;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* 0..127, or 960..1087 (around 64, 65 and FB_MAX_VCPUS = 1024). */
static unsigned nr_vcpus_from(uint8_t b)
{
	return b < 128 ? b : 960u + (b - 128u);
}

/*
 * Reference model: the rules of docs/HYPERCALLS.md written out again,
 * naively (walk all 4096 possible VP indexes), to cross-check the parser's
 * status, targets and page count on every input.
 */
struct ref {
	uint16_t status;
	bool all;
	unsigned targets, ignored;
	uint64_t pages;
	bool full;
};

static bool ref_vp_in_set(const uint8_t *in, bool ex, unsigned vp)
{
	if (!ex)
		return vp < 64 && (le64(in + 16) >> vp & 1);
	uint64_t valid = le64(in + 24);
	unsigned bank = vp / 64, slot = 0;

	if (!(valid >> bank & 1))
		return false;
	for (unsigned b = 0; b < bank; b++)
		slot += valid >> b & 1;
	return le64(in + 32 + 8 * slot) >> (vp % 64) & 1;
}

static struct ref ref_parse(uint64_t ctl, uint64_t gpa, const uint8_t *ram,
			    uint64_t ram_size, unsigned nr_vcpus)
{
	struct ref r = { .status = HV_STATUS_INVALID_HYPERCALL_INPUT };
	unsigned code = ctl & 0xffff, vh = (ctl >> 17) & 0x3ff;
	unsigned rc = (ctl >> 32) & 0xfff, rs = (ctl >> 48) & 0xfff;

	if (ctl & 0xf000f000f8000000ull)
		return r;
	if (code == HVCALL_FB_NULL) {
		if (!vh && !rc && !rs)
			r.status = HV_STATUS_SUCCESS;
		return r;
	}
	bool list = code == 0x3 || code == 0x14, ex = code == 0x13 || code == 0x14;
	if (code != 0x2 && !list && !ex) {
		r.status = HV_STATUS_INVALID_HYPERCALL_CODE;
		return r;
	}
	if ((!ex && vh) || (list && (!rc || rs)) || (!list && (rc || rs)))
		return r;
	if (ctl & HV_HYPERCALL_FAST_BIT) {
		if (code == 0x2) {
			r.status = HV_STATUS_SUCCESS;
			r.all = r.full = true;
			r.targets = nr_vcpus;
		}
		return r;
	}
	if (gpa % 8) {
		r.status = HV_STATUS_INVALID_ALIGNMENT;
		return r;
	}
	uint64_t hdr = ex ? 32 : 24, size = hdr + 8ull * vh + (list ? 8ull * rc : 0);
	if (size > 4096 || gpa >= ram_size || ram_size - gpa < size)
		return r;
	const uint8_t *in = ram + gpa;
	if (ex && (unsigned)__builtin_popcountll(le64(in + 24)) != vh)
		return r;
	r.status = HV_STATUS_SUCCESS;
	r.all = ex ? le64(in + 16) != HV_GENERIC_SET_SPARSE_4K
		   : (le64(in + 8) & HV_FLUSH_ALL_PROCESSORS) || !le64(in + 16);
	if (r.all)
		r.targets = nr_vcpus;
	else
		for (unsigned vp = 0; vp < 4096; vp++)
			if (ref_vp_in_set(in, ex, vp))
				*(vp < nr_vcpus ? &r.targets : &r.ignored) += 1;
	r.full = !list || rc > 15;
	if (!r.full)
		for (unsigned i = 0; i < rc; i++)
			r.pages += (le64(in + hdr + 8ull * vh + 8ull * i) & 0xfff) + 1;
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 17)
		return 0;

	uint64_t control = le64(data);
	uint64_t input_gpa = le64(data + 8);
	uint64_t output_gpa = ~input_gpa;
	unsigned nr_vcpus = nr_vcpus_from(data[16]);
	size_t ram_size = size - 17;

	uint8_t *ram = malloc(ram_size ? ram_size : 1);
	CHECK(ram);
	memcpy(ram, data + 17, ram_size);
	size_t nlongs = HV_BITS_TO_LONGS(nr_vcpus);
	unsigned long *mask = nlongs ? malloc(nlongs * sizeof(*mask)) : NULL;
	for (size_t i = 0; i < nlongs; i++)
		mask[i] = ~0ul;                 /* garbage: the parser must clear it */

	struct fuzz_ram r = { .buf = ram, .size = ram_size };
	struct hv_guest_mem mem = { .ctx = &r, .gpa_range = fuzz_gpa_range };
	struct hv_flush_req req = { .vp_mask = mask };

	uint16_t st = hv__parse_regs(&mem, control, input_gpa, output_gpa, nr_vcpus, &req);

	CHECK(hv__status_known(st));
	CHECK(req.vp_mask == mask);
	CHECK(r.calls <= 1);                    /* one fetch of the whole input */
	if (r.calls)
		CHECK(r.last_len <= HV_INPUT_MAX);

	unsigned pop = 0;
	for (size_t i = 0; i < nlongs; i++)
		pop += (unsigned)__builtin_popcountl(mask[i]);
	if (nr_vcpus % HV_BITS_PER_LONG)       /* no bit at or above nr_vcpus */
		CHECK(!(mask[nlongs - 1] >> (nr_vcpus % HV_BITS_PER_LONG)));
	CHECK(pop == req.nr_targets);
	CHECK(req.nr_targets <= nr_vcpus);
	CHECK(req.code == (control & HV_HYPERCALL_CODE_MASK));

	unsigned rep_cnt = (control & HV_HYPERCALL_REP_COMP_MASK) >> HV_HYPERCALL_REP_COMP_OFFSET;
	if (st != HV_STATUS_SUCCESS) {
		CHECK(pop == 0 && req.nr_ignored_vps == 0 && !req.all_vcpus);
	} else if (req.code == HVCALL_FB_NULL) {
		CHECK(r.calls == 0 && pop == 0);
	} else {
		CHECK(req.code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE ||
		      req.code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST ||
		      req.code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX ||
		      req.code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX);
		CHECK(!(control & (HV_HYPERCALL_RSVD0_MASK | HV_HYPERCALL_RSVD1_MASK |
				   HV_HYPERCALL_RSVD2_MASK)));
		if (req.all_vcpus)
			CHECK(req.nr_targets == nr_vcpus && req.nr_ignored_vps == 0);
		/* non-Ex sets name VPs 0..63, Ex sets at most 64 banks of 64 */
		CHECK(req.nr_targets + req.nr_ignored_vps <= (req.ex ? 4096u : 64u) ||
		      req.all_vcpus);
		if (req.fast) {
			CHECK(r.calls == 0 && req.code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE);
			CHECK(req.address_space == input_gpa && req.flags == output_gpa);
		} else {
			CHECK(r.calls == 1 && !(input_gpa & 7));
			CHECK(req.address_space == le64(ram + input_gpa));
		}
		if (req.list) {
			CHECK(req.nr_gva_ranges == rep_cnt && rep_cnt > 0);
			if (req.full_flush)
				CHECK(rep_cnt > HV_TLB_FLUSH_MAX_ENTRIES && req.nr_pages == 0);
			else
				CHECK(req.nr_pages >= rep_cnt && req.nr_pages <= 4096ull * rep_cnt);
		} else {
			CHECK(req.full_flush && req.nr_gva_ranges == 0 && req.nr_pages == 0);
		}
	}

	struct ref ref = ref_parse(control, input_gpa, ram, ram_size, nr_vcpus);
	if (ref.status != st)
		fprintf(stderr, "fuzz_hv: control %#llx gpa %#llx: parser %s, model %s\n",
			(unsigned long long)control, (unsigned long long)input_gpa,
			hv__status_name(st), hv__status_name(ref.status));
	CHECK(ref.status == st);
	if (st == HV_STATUS_SUCCESS && req.code != HVCALL_FB_NULL) {
		CHECK(ref.all == req.all_vcpus && ref.full == req.full_flush);
		CHECK(ref.targets == req.nr_targets && ref.ignored == req.nr_ignored_vps);
		CHECK(ref.pages == req.nr_pages);
		for (unsigned vp = 0; vp < nr_vcpus && !req.all_vcpus; vp++)
			CHECK(!!(mask[vp / HV_BITS_PER_LONG] >> (vp % HV_BITS_PER_LONG) & 1) ==
			      ref_vp_in_set(ram + input_gpa, req.ex, vp));
	}

	free(mask);
	free(ram);
	return 0;
}
