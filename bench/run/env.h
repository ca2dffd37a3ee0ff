/* SPDX-License-Identifier: MIT */
/* The machine a run happened on: results.json "env" and `bench info`. */
#ifndef FB_ENV_H
#define FB_ENV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct backend_ops;

/* Kernel, CPU, host CPUs, hostname, KVM facts (when /dev/kvm works), time. */
json_t *env__json(void);
void env__cpu_model(char *buf, size_t len);
void env__iso_time(char *buf, size_t len);
/* Resolve backend=auto|kvm|native (run_config.r.backend) to a backend; note
 * says why native was used.  NULL + err when the request cannot be met
 * (backend=kvm without /dev/kvm). */
const struct backend_ops *env__backend(enum cfg_backend want, char *note, size_t nlen, char *err, size_t elen);

#endif
