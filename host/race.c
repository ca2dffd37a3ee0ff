/* SPDX-License-Identifier: MIT */
/* Race amplification at named points (see design.h). */
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "design.h"
#include "vm.h"

static const char *const race_names[RACE_NR_POINTS] = {
	[RACE_PUBLISH] = "publish",
	[RACE_SCAN] = "scan",
	[RACE_WAKE] = "wake",
	[RACE_REQUEST] = "request",
};

int race_points__parse(const char *s)
{
	int mask = 0;

	if (!strcmp(s, "all"))
		return (1 << RACE_NR_POINTS) - 1;
	if (!strcmp(s, "none"))
		return 0;
	while (*s) {
		size_t n = strcspn(s, "+");
		int p;
		for (p = 0; p < RACE_NR_POINTS; p++)
			if (strlen(race_names[p]) == n && !strncmp(s, race_names[p], n))
				break;
		if (p == RACE_NR_POINTS)
			return -1;
		mask |= 1 << p;
		s += n;
		if (*s == '+' && !*++s)
			return -1;
	}
	return mask ? mask : -1;
}

/* Per-thread PRNG for race_stress, seeded from the run seed and the thread. */
static __thread uint64_t race_rng;

static uint32_t race__rand(struct vm *vm)
{
	if (!race_rng)
		race_rng = (vm->cfg->seed ^ ((uint64_t)(uintptr_t)&race_rng * 0x9e3779b97f4a7c15ull)) | 1;
	race_rng ^= race_rng << 13;
	race_rng ^= race_rng >> 7;
	race_rng ^= race_rng << 17;
	return (uint32_t)(race_rng >> 32);
}

void design__race(struct vm *vm, enum race_point p)
{
	unsigned us = vm->cfg->race_delay_us;

	if (!(vm->race_mask & (1u << p)))
		return;
	if (!vm->cfg->race_stress) {
		if (us)
			usleep(us);
		return;
	}
	uint32_t r = race__rand(vm);
	switch (r & 3) {
	case 0:
	case 1:
		break;                          /* half the time: no delay */
	case 2:
		sched_yield();
		break;
	default:
		if (us)
			usleep(1 + (r >> 2) % us);
		break;
	}
}
