/* SPDX-License-Identifier: MIT */
/*
 * Guest memory placement with libnuma (--mem-node, docs/PERF.md).
 *
 * host/ is on the project's include path, so this file shadows libnuma's
 * <numa.h> for every project file: it therefore pulls the real one in with
 * #include_next first, and "numa.h" / <numa.h> both give libnuma + ours.
 *
 *   ""          leave the default policy (first touch)
 *   "N"         MPOL_BIND to node N (numa_tonode_memory semantics)
 *   "interleave" MPOL_INTERLEAVE over every node we may allocate from
 *   "local"     MPOL_LOCAL: the node of the CPU that first touches a page
 * Applied with mbind(MPOL_MF_MOVE) so pages already touched move too; the
 * policy belongs to the mapping, so pages faulted in later (first touch,
 * userfaultfd UFFDIO_COPY, swap-in) follow it.
 */
/* Outside the guard on purpose: when this file is reached through the
 * including file's own directory, #include_next restarts at the top of the
 * search path and finds this file again; that second pass (found via -I)
 * then reaches libnuma's header. */
#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wpragmas"
#pragma clang diagnostic ignored "-Wunknown-warning-option"
#pragma clang diagnostic ignored "-Winclude-next-absolute-path"
#endif
#include_next <numa.h>
#ifdef __clang__
#pragma clang diagnostic pop
#endif

#ifndef FB_NUMA_H
#define FB_NUMA_H

#include <stddef.h>
#include <jansson.h>

/* Validate mem_node without placing anything: 0 or -EINVAL / -ENOTSUP with
 * one line in err ("--mem-node 3: no such NUMA node (this machine has nodes 0-0)"). */
int numa__check(const char *mem_node, char *err, size_t len);

/* Place [addr, addr+len) (page-aligned outward).  0 or -errno + err. */
int numa__place(void *addr, size_t len, const char *mem_node, char *err, size_t errlen);

/* {policy: "default"|"bind"|"interleave"|"local"|"preferred"|..., policy_nodes: [..],
 *  sampled_pages, present_pages, nodes: {"0": pages, ...}} from
 * get_mempolicy(MPOL_F_ADDR) and move_pages(nodes=NULL) on up to 4096 pages
 * spread evenly over the range.  New reference; NULL if NUMA is unavailable. */
json_t *numa__describe(void *addr, size_t len);

/* "0-1" style list of the nodes memory may come from (for messages). */
void numa__nodes_string(char *out, size_t len);

#endif
