// SPDX-License-Identifier: MIT
/* Host TSC frequency, once per process (tsc.h). */
#include <cpuid.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "tsc.h"
#include "util.h"

#define CALIBRATE_NS (20ull * 1000 * 1000)

static uint64_t khz;
static const char *khz_source = "none";
static pthread_once_t once = PTHREAD_ONCE_INIT;

uint64_t tsc__khz_from_leaf15(uint32_t eax, uint32_t ebx, uint32_t ecx)
{
	if (!eax || !ebx || !ecx)
		return 0;          /* ratio or crystal not enumerated */
	return (uint64_t)ecx / 1000 * ebx / eax;
}

static uint64_t from_sysfs(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/cpu0/tsc_freq_khz", "r");
	unsigned long v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%lu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static uint64_t from_cpuid(const char **src)
{
	unsigned a, b, c, d, max = __get_cpuid_max(0, NULL);
	uint64_t v;

	if (max >= 0x15) {
		__cpuid_count(0x15, 0, a, b, c, d);
		v = tsc__khz_from_leaf15(a, b, c);
		if (v) {
			*src = "cpuid-0x15";
			return v;
		}
	}
	__cpuid(1, a, b, c, d);
	if (!(c & (1u << 31)))
		return 0;          /* no hypervisor: no timing leaf */
	__cpuid(0x40000000, a, b, c, d);
	if (a >= 0x40000010) {
		__cpuid(0x40000010, a, b, c, d);
		if (a) {
			*src = "cpuid-0x40000010";
			return a;
		}
	}
	return 0;
}

static uint64_t calibrate(void)
{
	uint64_t t0 = now_ns(), c0 = rdtsc();
	struct timespec ts = { 0, (long)CALIBRATE_NS };

	nanosleep(&ts, NULL);
	uint64_t t1 = now_ns(), c1 = rdtsc();
	return (uint64_t)((double)(c1 - c0) * 1e6 / (double)(t1 - t0));
}

static void tsc__find(void)
{
	const char *src = "sysfs";

	khz = from_sysfs();
	if (!khz)
		khz = from_cpuid(&src);
	if (!khz) {
		khz = calibrate();
		src = "calibrated";
	}
	if (!khz)
		khz = 1;
	khz_source = src;
}

uint64_t tsc__khz(const char **source)
{
	pthread_once(&once, tsc__find);
	if (source)
		*source = khz_source;
	return khz;
}
