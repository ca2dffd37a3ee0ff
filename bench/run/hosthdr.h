/* SPDX-License-Identifier: MIT */
/*
 * The console header of `bench run`: which KVM the numbers come from (module,
 * nested, TDP), and the warnings a reader needs before reading any number
 * (vCPUs overcommitting the host CPUs; nested or software-assisted KVM).
 * The warnings are also kept in results.json env.warnings.  After the runs,
 * the exit floor measured by this run goes into env.exit_floor (and
 * env.kvm.exit_floor_ns on the kvm backend).
 */
#ifndef FB_HOSTHDR_H
#define FB_HOSTHDR_H

#include <jansson.h>
#include <stdio.h>

/* Print the header to f (NULL: only fill env.warnings). */
void hosthdr__print(FILE *f, json_t *env, const char *backend, unsigned max_vcpus);
/* Overcommit factor of vcpus on host_cpus (0 when not overcommitted). */
double hosthdr__overcommit(unsigned vcpus, long host_cpus);
/* env.exit_floor from the runs' null/hypercall rows; prints one line to f. */
void hosthdr__exit_floor(FILE *f, json_t *env, json_t *runs);

#endif
