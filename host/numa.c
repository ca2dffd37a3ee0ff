/* SPDX-License-Identifier: MIT */
/* Guest memory placement with libnuma; see host/numa.h. */
#define _GNU_SOURCE
#include <ctype.h>
#include <numaif.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include <numa.h>        /* libnuma + ours: see host/numa.h */
#include "util.h"

#define NUMA_SAMPLE_PAGES 4096

void numa__nodes_string(char *out, size_t len)
{
	struct bitmask *m;
	size_t o = 0;
	int max, i = 0;

	if (!len)
		return;
	out[0] = 0;
	if (numa_available() < 0)
		return;
	m = numa_get_mems_allowed();
	max = numa_max_node();
	while (i <= max) {
		int j;

		if (!numa_bitmask_isbitset(m, (unsigned)i)) {
			i++;
			continue;
		}
		for (j = i; j + 1 <= max && numa_bitmask_isbitset(m, (unsigned)j + 1); j++)
			;
		o += (size_t)snprintf(out + o, o < len ? len - o : 0, "%s%d-%d", o ? "," : "", i, j);
		if (o >= len)
			break;
		i = j + 1;
	}
	numa_bitmask_free(m);
}

/* Parse mem_node into *node: -1 = default, -2 = interleave, -3 = local,
 * >= 0 a node.  0 or -errno with err set. */
static int parse(const char *mem_node, int *node, char *err, size_t len)
{
	char nodes[128];
	char *end;
	long n;

	*node = -1;
	if (!mem_node || !*mem_node)
		return 0;
	if (numa_available() < 0) {
		set_err(err, len, "--mem-node %s: NUMA policy is not available on this kernel "
			"(numa_available() failed); leave --mem-node empty", mem_node);
		return -ENOTSUP;
	}
	if (!strcmp(mem_node, "interleave")) {
		*node = -2;
		return 0;
	}
	if (!strcmp(mem_node, "local")) {
		*node = -3;
		return 0;
	}
	n = strtol(mem_node, &end, 10);
	if (end == mem_node || *end || n < 0 || !isdigit((unsigned char)mem_node[0])) {
		set_err(err, len, "--mem-node %s: expected a node number, 'interleave' or 'local'",
			mem_node);
		return -EINVAL;
	}
	numa__nodes_string(nodes, sizeof(nodes));
	if (n > numa_max_node()) {
		set_err(err, len, "--mem-node %s: no such NUMA node (this machine has nodes %s)",
			mem_node, nodes);
		return -EINVAL;
	}
	struct bitmask *m = numa_get_mems_allowed();
	bool ok = numa_bitmask_isbitset(m, (unsigned)n);
	numa_bitmask_free(m);
	if (!ok) {
		set_err(err, len, "--mem-node %s: node not allowed for this process (allowed: %s); "
			"check the cpuset cgroup", mem_node, nodes);
		return -EINVAL;
	}
	*node = (int)n;
	return 0;
}

int numa__check(const char *mem_node, char *err, size_t len)
{
	int n;

	return parse(mem_node, &n, err, len);
}

int numa__place(void *addr, size_t len, const char *mem_node, char *err, size_t errlen)
{
	int n, prc = parse(mem_node, &n, err, errlen);
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr & ~(page - 1);
	uintptr_t end = ((uintptr_t)addr + len + page - 1) & ~(page - 1);
	struct bitmask *mask = NULL;
	int mode, rc = 0;

	if (prc)
		return prc;
	if (n == -1 || !len)
		return 0;
	if (n == -2) {
		mode = MPOL_INTERLEAVE;
		mask = numa_get_mems_allowed();
	} else if (n == -3) {
		mode = MPOL_LOCAL;
	} else {
		mode = MPOL_BIND;
		mask = numa_allocate_nodemask();
		numa_bitmask_setbit(mask, (unsigned)n);
	}
	/* MPOL_MF_MOVE: pages already present move too (best effort; pages
	 * shared with other processes stay, as documented for mbind). */
	if (mbind((void *)start, end - start, mode, mask ? mask->maskp : NULL,
		  mask ? mask->size + 1 : 0, MPOL_MF_MOVE)) {
		rc = -errno;
		set_err(err, errlen, "--mem-node %s: mbind of %zu MiB failed: %s", mem_node,
			(size_t)((end - start) >> 20), strerror(errno));
	}
	if (mask)
		numa_bitmask_free(mask);
	return rc;
}

static const char *policy_name(int mode)
{
	switch (mode & 0xff) {          /* strip MPOL_F_* mode flags (high bits) */
	case MPOL_DEFAULT:    return "default";
	case MPOL_PREFERRED:  return "preferred";
	case MPOL_BIND:       return "bind";
	case MPOL_INTERLEAVE: return "interleave";
	case MPOL_LOCAL:      return "local";
	default:              return "other";
	}
}

json_t *numa__describe(void *addr, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)addr & ~(page - 1);
	size_t npages = (((uintptr_t)addr + len + page - 1) & ~(page - 1)) - start;
	size_t nsample;
	struct bitmask *mask;
	json_t *j, *pn, *nodes;
	void **pages;
	int *status, mode = 0, present = 0;

	if (numa_available() < 0 || !len)
		return NULL;
	npages /= page;
	nsample = npages < NUMA_SAMPLE_PAGES ? npages : NUMA_SAMPLE_PAGES;

	mask = numa_allocate_nodemask();
	if (get_mempolicy(&mode, mask->maskp, mask->size + 1, (void *)start, MPOL_F_ADDR)) {
		numa_bitmask_free(mask);
		return NULL;
	}
	j = json_object();
	json_object_set_new(j, "policy", json_string(policy_name(mode)));
	pn = json_array();
	for (unsigned i = 0; i < mask->size; i++)
		if (numa_bitmask_isbitset(mask, i))
			json_array_append_new(pn, json_integer(i));
	json_object_set_new(j, "policy_nodes", pn);
	numa_bitmask_free(mask);

	pages = xcalloc(nsample, sizeof(*pages));
	status = xcalloc(nsample, sizeof(*status));
	for (size_t i = 0; i < nsample; i++)
		pages[i] = (void *)(start + (i * npages / nsample) * page);
	nodes = json_object();
	if (move_pages(0, nsample, pages, NULL, status, 0) == 0) {
		for (size_t i = 0; i < nsample; i++) {
			char key[16];
			json_t *c;

			if (status[i] < 0)
				continue;         /* -ENOENT: not faulted in yet */
			present++;
			snprintf(key, sizeof(key), "%d", status[i]);
			c = json_object_get(nodes, key);
			json_object_set_new(nodes, key, json_integer(c ? json_integer_value(c) + 1 : 1));
		}
	}
	json_object_set_new(j, "sampled_pages", json_integer((json_int_t)nsample));
	json_object_set_new(j, "present_pages", json_integer(present));
	json_object_set_new(j, "nodes", nodes);
	free(pages);
	free(status);
	return j;
}
