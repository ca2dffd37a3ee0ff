/* SPDX-License-Identifier: MIT */
/* Host topology (hwloc) and thread pinning; see host/topology.h. */
#define _GNU_SOURCE
#include <hwloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "topology.h"
#include "util.h"

static hwloc_topology_t topo;
static bool topo_ok;
static pthread_once_t topo_once = PTHREAD_ONCE_INIT;

/* scatter: hwloc_distrib() result for the last `count`, reused by every
 * vCPU thread of a run instead of recomputed per thread. */
static pthread_mutex_t distrib_lock = PTHREAD_MUTEX_INITIALIZER;
static hwloc_bitmap_t *distrib;
static unsigned distrib_n;

static void topo_load(void)
{
	if (hwloc_topology_init(&topo))
		return;
	if (hwloc_topology_load(topo)) {
		hwloc_topology_destroy(topo);
		return;
	}
	topo_ok = true;
}

static bool topo_get(void)
{
	pthread_once(&topo_once, topo_load);
	return topo_ok;
}

static unsigned nb(hwloc_obj_type_t t)
{
	int n = topo_get() ? hwloc_get_nbobjs_by_type(topo, t) : 0;
	return n > 0 ? (unsigned)n : 0;
}

unsigned topology__nr_pus(void) { return nb(HWLOC_OBJ_PU); }
unsigned topology__nr_cores(void) { return nb(HWLOC_OBJ_CORE); }

static json_t *cpuset_json(hwloc_const_bitmap_t set)
{
	json_t *arr = json_array();
	int i;

	hwloc_bitmap_foreach_begin(i, set)
		json_array_append_new(arr, json_integer(i));
	hwloc_bitmap_foreach_end();
	return arr;
}

/* First cache object of a type (data/unified for L1), with the count. */
static hwloc_obj_t cache_obj(hwloc_obj_type_t t, unsigned *count)
{
	hwloc_obj_t o = NULL, first = NULL;

	*count = 0;
	while ((o = hwloc_get_next_obj_by_type(topo, t, o))) {
		if (o->attr->cache.type == HWLOC_OBJ_CACHE_INSTRUCTION && t != HWLOC_OBJ_L1ICACHE)
			continue;
		if (!first)
			first = o;
		(*count)++;
	}
	return first;
}

json_t *topology__json(void)
{
	static const struct { const char *name; hwloc_obj_type_t t; } caches[] = {
		{ "L1d", HWLOC_OBJ_L1CACHE }, { "L1i", HWLOC_OBJ_L1ICACHE },
		{ "L2", HWLOC_OBJ_L2CACHE }, { "L3", HWLOC_OBJ_L3CACHE },
	};
	json_t *j, *nodes, *cj, *pus, *cores;
	hwloc_obj_t o = NULL;
	char ver[32];
	unsigned api = hwloc_get_api_version();

	if (!topo_get())
		return NULL;
	snprintf(ver, sizeof(ver), "%u.%u.%u", api >> 16, (api >> 8) & 0xff, api & 0xff);
	j = json_pack("{s:s,s:i,s:i,s:i}", "hwloc_version", ver,
		      "packages", (int)nb(HWLOC_OBJ_PACKAGE), "cores", (int)nb(HWLOC_OBJ_CORE),
		      "pus", (int)nb(HWLOC_OBJ_PU));
	json_object_set_new(j, "pus_per_core", json_integer(nb(HWLOC_OBJ_CORE) ?
				nb(HWLOC_OBJ_PU) / nb(HWLOC_OBJ_CORE) : 0));

	nodes = json_array();
	while ((o = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, o)))
		json_array_append_new(nodes, json_pack("{s:i,s:I,s:o}", "os_index", (int)o->os_index,
				"memory_bytes", (json_int_t)o->attr->numanode.local_memory,
				"cpus", cpuset_json(o->cpuset)));
	json_object_set_new(j, "numa_nodes", nodes);

	cj = json_object();
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		unsigned count;
		hwloc_obj_t c = cache_obj(caches[i].t, &count);
		if (c)
			json_object_set_new(cj, caches[i].name, json_pack("{s:I,s:i}",
				"size_bytes", (json_int_t)c->attr->cache.size, "count", (int)count));
	}
	json_object_set_new(j, "caches", cj);

	pus = json_array();
	for (unsigned i = 0; i < nb(HWLOC_OBJ_PU); i++)
		json_array_append_new(pus, json_integer(hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i)->os_index));
	json_object_set_new(j, "pu_os_index", pus);

	cores = json_array();
	o = NULL;
	while ((o = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE, o)))
		json_array_append_new(cores, cpuset_json(o->cpuset));
	json_object_set_new(j, "cores_list", cores);
	return j;
}

/* Singlified hwloc_distrib() sets for count threads (cached). */
static hwloc_const_bitmap_t scatter_set(unsigned index, unsigned count)
{
	hwloc_obj_t root = hwloc_get_root_obj(topo);
	hwloc_const_bitmap_t r;

	pthread_mutex_lock(&distrib_lock);
	if (distrib_n != count) {
		for (unsigned i = 0; i < distrib_n; i++)
			hwloc_bitmap_free(distrib[i]);
		free(distrib);
		/* hwloc_distrib() allocates each set itself */
		distrib = xcalloc(count, sizeof(*distrib));
		distrib_n = 0;
		if (hwloc_distrib(topo, &root, 1, distrib, count, INT_MAX, 0) == 0) {
			for (unsigned i = 0; i < count; i++)
				hwloc_bitmap_singlify(distrib[i]);
			distrib_n = count;
		}
	}
	r = distrib_n == count ? distrib[index] : NULL;
	pthread_mutex_unlock(&distrib_lock);
	return r;
}

const char *topology__pin_name(enum cfg_pin mode)
{
	static const char *const names[] = { "none", "compact", "scatter" };
	return (unsigned)mode < sizeof(names) / sizeof(names[0]) ? names[mode] : "?";
}

int topology__expected_cpu(enum cfg_pin mode, unsigned index, unsigned count)
{
	unsigned n = topology__nr_pus();

	if (!n)
		return -1;
	if (mode == CFG_PIN_COMPACT)
		return (int)hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, index % n)->os_index;
	if (mode == CFG_PIN_SCATTER && index < count) {
		hwloc_const_bitmap_t set = scatter_set(index, count);
		return set ? hwloc_bitmap_first(set) : -1;
	}
	return -1;
}

int topology__pin(enum cfg_pin m, unsigned index, unsigned count, bool helper,
		  char *err, size_t len)
{
	const char *mode = topology__pin_name(m);
	hwloc_bitmap_t set;
	int cpu;

	if (m == CFG_PIN_NONE)
		return 0;
	if (m != CFG_PIN_COMPACT && m != CFG_PIN_SCATTER) {
		set_err(err, len, "--pin: unknown mode %d (expected none, compact or scatter)", (int)m);
		return -EINVAL;
	}
	if (!topo_get()) {
		set_err(err, len, "--pin %s: hwloc could not load the topology; use --pin none", mode);
		return -ENODEV;
	}
	if (!helper && index >= count) {
		set_err(err, len, "--pin %s: thread %u of %u", mode, index, count);
		return -EINVAL;
	}
	if (helper) {
		set = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(topo));
	} else {
		cpu = topology__expected_cpu(m, index, count);
		if (cpu < 0) {
			set_err(err, len, "--pin %s: no PU for thread %u", mode, index);
			return -EINVAL;
		}
		set = hwloc_bitmap_alloc();
		hwloc_bitmap_only(set, (unsigned)cpu);
	}
	if (hwloc_set_cpubind(topo, set, HWLOC_CPUBIND_THREAD)) {
		int e = errno;
		char *s = NULL;

		hwloc_bitmap_list_asprintf(&s, set);
		set_err(err, len, "--pin %s: binding thread %u to CPU(s) %s failed: %s",
			mode, index, s ? s : "?", strerror(e));
		free(s);
		hwloc_bitmap_free(set);
		return -e;
	}
	hwloc_bitmap_free(set);
	return 0;
}

json_t *topology__thread_affinity(pid_t tid)
{
	size_t ncpu = 4096, sz = CPU_ALLOC_SIZE(ncpu);
	cpu_set_t *set = CPU_ALLOC(ncpu);
	json_t *arr;

	if (!set)
		return NULL;
	if (sched_getaffinity(tid, sz, set)) {
		CPU_FREE(set);
		return NULL;
	}
	arr = json_array();
	for (size_t i = 0; i < ncpu; i++)
		if (CPU_ISSET_S(i, sz, set))
			json_array_append_new(arr, json_integer((json_int_t)i));
	CPU_FREE(set);
	return arr;
}

static void print_size(FILE *f, uint64_t b)
{
	if (b >= (1ull << 30) && !(b % (1ull << 30)))
		fprintf(f, "%llu GiB", (unsigned long long)(b >> 30));
	else if (b >= (1ull << 30))
		fprintf(f, "%.1f GiB", (double)b / (1ull << 30));
	else if (b >= (1ull << 20))
		fprintf(f, "%llu MiB", (unsigned long long)(b >> 20));
	else
		fprintf(f, "%llu KiB", (unsigned long long)(b >> 10));
}

void topology__print(FILE *f)
{
	static const struct { const char *name; hwloc_obj_type_t t; } caches[] = {
		{ "L1d", HWLOC_OBJ_L1CACHE }, { "L2", HWLOC_OBJ_L2CACHE }, { "L3", HWLOC_OBJ_L3CACHE },
	};
	hwloc_obj_t o = NULL;
	unsigned ci = 0;

	if (!topo_get()) {
		fprintf(f, "  unavailable (hwloc could not load the topology)\n");
		return;
	}
	fprintf(f, "  %u package(s), %u core(s), %u PU(s), %u NUMA node(s)\n",
		nb(HWLOC_OBJ_PACKAGE), nb(HWLOC_OBJ_CORE), nb(HWLOC_OBJ_PU), nb(HWLOC_OBJ_NUMANODE));
	while ((o = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, o))) {
		char *s = NULL;

		hwloc_bitmap_list_asprintf(&s, o->cpuset);
		fprintf(f, "  node %-6u CPUs %s, ", o->os_index, s ? s : "?");
		print_size(f, o->attr->numanode.local_memory);
		fputc('\n', f);
		free(s);
	}
	fprintf(f, "  caches      ");
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		unsigned count;
		hwloc_obj_t c = cache_obj(caches[i].t, &count);
		if (!c)
			continue;
		fprintf(f, "%s%s ", ci++ ? ", " : "", caches[i].name);
		print_size(f, c->attr->cache.size);
		fprintf(f, " x%u", count);
	}
	fprintf(f, "%s\n", ci ? "" : "unknown");
	fprintf(f, "  cores       ");
	o = NULL;
	ci = 0;
	while ((o = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_CORE, o))) {
		char *s = NULL;

		hwloc_bitmap_list_asprintf(&s, o->cpuset);
		fprintf(f, "%s[%s]", ci++ ? " " : "", s ? s : "?");
		free(s);
	}
	fputc('\n', f);
}
