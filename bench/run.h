/* SPDX-License-Identifier: MIT */
/* One variant, one repeat: VM up, pressure on, warm-up, measure, tear down. */
#ifndef FB_RUN_H
#define FB_RUN_H

#include <jansson.h>
#include <stdbool.h>

#include "config.h"

struct backend_ops;

struct run_ctx {
	const char *outdir;              /* results dir (perf data goes under it) */
	const char *key;                 /* variant key "k=v,..." */
	unsigned variant, repeat;
	const struct backend_ops *backend;
	double vm_setup_ms;              /* out */
	bool interrupted;                /* out: Ctrl-C during this run */
};

/* 0 and *out = the run object; -errno and err (one line) on failure. */
int run__variant(const struct run_config *cfg, struct run_ctx *ctx, json_t **out, char *err, size_t len);

#endif
