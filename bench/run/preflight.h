/* SPDX-License-Identifier: MIT */
/* bench run's checks before the first VM (preflight.c): 0 or FB_EXIT_USAGE + one line in err. */
#ifndef FB_PREFLIGHT_H
#define FB_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>

struct scenario;
struct backend_ops;

/* The kvm backend holds one fd per vCPU: raise RLIMIT_NOFILE or refuse. */
int preflight__nofile(const struct scenario *sc, char *err, size_t len);
/* Guest memory must fit in RAM (+ swap for the pressure modes). */
int preflight__memory(const struct scenario *sc, char *err, size_t len);
/* Backend (one for all variants; note = why not kvm), vCPU limit, srcu_gp,
 * NUMA, perf; keep[i] = false for variants whose pressure mode cannot run
 * here (a warning each mode), an error if none can. */
int preflight__run(struct scenario *sc, const struct backend_ops **backend, char *note, size_t nlen,
		   bool *keep, char *err, size_t len);

#endif
