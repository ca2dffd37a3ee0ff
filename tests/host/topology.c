/* SPDX-License-Identifier: MIT */
/*
 * host/topology.c and host/numa.c against the machine:
 *   - topology__json() agrees with sysconf / hwloc counts;
 *   - --pin compact: thread i's affinity (sched_getaffinity) is exactly hwloc
 *     PU (i mod nr_pu), computed here from hwloc directly, not via the code
 *     under test;
 *   - --pin scatter: each thread on exactly one PU, the one hwloc_distrib
 *     chooses; count <= cores => distinct cores; else balanced PU loads;
 *   - helper threads get every allowed PU, even when created by a pinned
 *     thread;
 *   - --mem-node 0: every page of an 8 MiB mapping ends up on node 0
 *     (move_pages), the policy reads back as bind; interleave/local work;
 *     a node that does not exist and garbage are clear errors.
 */
#define _GNU_SOURCE
#include <hwloc.h>
#include <numa.h>
#include <numaif.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include "numa.h"
#include "test_util.h"
#include "topology.h"
#include "util.h"

static hwloc_topology_t topo;

struct pin_arg {
	enum cfg_pin mode;
	unsigned index, count;
	bool helper;
	int rc;
	char err[256];
	cpu_set_t got;
	pthread_t child;          /* helper test: thread created by a pinned thread */
	cpu_set_t child_got;
};

static void *pin_thread(void *p)
{
	struct pin_arg *a = p;

	a->rc = topology__pin(a->mode, a->index, a->count, a->helper, a->err, sizeof(a->err));
	CPU_ZERO(&a->got);
	sched_getaffinity(0, sizeof(a->got), &a->got);
	return NULL;
}

static unsigned os_index_of_pu(unsigned i)
{
	return hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i)->os_index;
}

static int core_of_cpu(int cpu)
{
	hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(topo, (unsigned)cpu);
	hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
	return core ? (int)core->logical_index : -1;
}

static void run_pins(enum cfg_pin mode, unsigned count, struct pin_arg *a)
{
	pthread_t *th = xcalloc(count, sizeof(*th));

	for (unsigned i = 0; i < count; i++) {
		a[i] = (struct pin_arg){ .mode = mode, .index = i, .count = count };
		pthread_create(&th[i], NULL, pin_thread, &a[i]);
	}
	for (unsigned i = 0; i < count; i++) {
		pthread_join(th[i], NULL);
		TEST_ASSERT(a[i].rc == 0, "pin %s %u/%u: %s", topology__pin_name(mode), i, count, a[i].err);
		TEST_ASSERT(CPU_COUNT(&a[i].got) == 1, "pin %s %u: %d CPUs in affinity",
			    topology__pin_name(mode), i, CPU_COUNT(&a[i].got));
	}
	free(th);
}

static void test_json_matches_hwloc_counts(void)
{
	json_t *j = topology__json();
	json_t *nodes;

	TEST_ASSERT(j, "topology__json");
	char *dump = json_dumps(j, JSON_COMPACT);
	printf("topology: %s\n", dump);
	free(dump);
	TEST_ASSERT_EQ(json_integer_value(json_object_get(j, "pus")),
		       (json_int_t)hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU));
	TEST_ASSERT(json_integer_value(json_object_get(j, "packages")) >= 1, "packages");
	TEST_ASSERT(json_integer_value(json_object_get(j, "cores")) >= 1, "cores");
	TEST_ASSERT(json_array_size(json_object_get(j, "pu_os_index")) == topology__nr_pus(),
		    "pu_os_index length");
	nodes = json_object_get(j, "numa_nodes");
	TEST_ASSERT(json_array_size(nodes) >= 1, "no NUMA node");
	TEST_ASSERT(json_integer_value(json_object_get(json_array_get(nodes, 0), "memory_bytes")) > 0,
		    "node 0 has no memory");
	json_decref(j);
	topology__print(stdout);
}

static void test_pin_compact_is_hwloc_pu_order(void)
{
	unsigned nr_pu = topology__nr_pus();
	unsigned count = 2 * nr_pu + 1;    /* wraps around: i mod nr_pu */
	struct pin_arg *a = xcalloc(count, sizeof(*a));

	run_pins(CFG_PIN_COMPACT, count, a);
	for (unsigned i = 0; i < count; i++) {
		unsigned want = os_index_of_pu(i % nr_pu);
		TEST_ASSERT(CPU_ISSET(want, &a[i].got), "compact %u: expected CPU %u", i, want);
		TEST_ASSERT_EQ(topology__expected_cpu(CFG_PIN_COMPACT, i, count), (int)want);
	}
	printf("compact: %u threads ok\n", count);
	free(a);
}

/* hwloc_distrib() hands out contiguous, evenly sized chunks: with count <=
 * cores every thread gets its own core; with more threads than PUs the
 * per-PU load differs by at most one. */
static void scatter_case(unsigned count)
{
	unsigned nr_pu = topology__nr_pus(), nr_core = topology__nr_cores();
	struct pin_arg *a = xcalloc(count, sizeof(*a));
	hwloc_bitmap_t *sets = xcalloc(count, sizeof(*sets));
	hwloc_obj_t root = hwloc_get_root_obj(topo);
	unsigned *load = xcalloc(CPU_SETSIZE, sizeof(*load));

	TEST_ASSERT(hwloc_distrib(topo, &root, 1, sets, count, INT_MAX, 0) == 0, "hwloc_distrib");
	run_pins(CFG_PIN_SCATTER, count, a);
	for (unsigned i = 0; i < count; i++) {
		hwloc_bitmap_singlify(sets[i]);
		int want = hwloc_bitmap_first(sets[i]);
		TEST_ASSERT(CPU_ISSET(want, &a[i].got), "scatter %u/%u: expected CPU %d", i, count, want);
		TEST_ASSERT_EQ(topology__expected_cpu(CFG_PIN_SCATTER, i, count), want);
		load[want]++;
	}
	if (count <= nr_core) {
		for (unsigned i = 0; i < count; i++)
			for (unsigned k = i + 1; k < count; k++) {
				int ci = core_of_cpu(topology__expected_cpu(CFG_PIN_SCATTER, i, count));
				int ck = core_of_cpu(topology__expected_cpu(CFG_PIN_SCATTER, k, count));
				TEST_ASSERT(ci != ck, "scatter: threads %u and %u share core %d", i, k, ci);
			}
	}
	if (count >= nr_pu) {
		unsigned lo = ~0u, hi = 0;
		for (unsigned i = 0; i < nr_pu; i++) {
			unsigned l = load[os_index_of_pu(i)];
			lo = l < lo ? l : lo;
			hi = l > hi ? l : hi;
		}
		TEST_ASSERT(hi - lo <= 1, "scatter %u: PU loads %u..%u", count, lo, hi);
	}
	printf("scatter: %u threads ok\n", count);
	for (unsigned i = 0; i < count; i++)
		hwloc_bitmap_free(sets[i]);
	free(sets);
	free(load);
	free(a);
}

static void test_pin_scatter_is_hwloc_distrib(void)
{
	scatter_case(topology__nr_cores());
	scatter_case(2 * topology__nr_pus() + 1);
	scatter_case(64);
}

static void *helper_child(void *p)
{
	struct pin_arg *a = p;
	char err[256];

	TEST_ASSERT(topology__pin(a->mode, 0, 0, true, err, sizeof(err)) == 0, "helper: %s", err);
	sched_getaffinity(0, sizeof(a->child_got), &a->child_got);
	return NULL;
}

static void *pinned_parent(void *p)
{
	struct pin_arg *a = p;

	pin_thread(a);
	pthread_create(&a->child, NULL, helper_child, a);
	pthread_join(a->child, NULL);
	return NULL;
}

static void test_helper_threads_get_every_pu(void)
{
	struct pin_arg a = { .mode = CFG_PIN_COMPACT, .index = 0, .count = 1 };
	cpu_set_t all;
	pthread_t t;
	hwloc_const_bitmap_t allowed = hwloc_topology_get_allowed_cpuset(topo);
	int c;

	pthread_create(&t, NULL, pinned_parent, &a);
	pthread_join(t, NULL);
	TEST_ASSERT(CPU_COUNT(&a.got) == 1, "parent pinned");
	CPU_ZERO(&all);
	hwloc_bitmap_foreach_begin(c, allowed)
		CPU_SET(c, &all);
	hwloc_bitmap_foreach_end();
	TEST_ASSERT(CPU_EQUAL(&all, &a.child_got), "helper affinity: %d CPUs, want %d",
		    CPU_COUNT(&a.child_got), CPU_COUNT(&all));

	json_t *aff = topology__thread_affinity(0);
	TEST_ASSERT(aff && json_array_size(aff) >= 1, "thread_affinity");
	json_decref(aff);

	char err[256];
	TEST_ASSERT(topology__pin(CFG_PIN_NONE, 0, 1, false, err, sizeof(err)) == 0, "none");
	TEST_ASSERT(topology__pin((enum cfg_pin)7, 0, 1, false, err, sizeof(err)) == -EINVAL &&
		    strstr(err, "compact"), "bad mode: %s", err);
	TEST_ASSERT(!strcmp(topology__pin_name(CFG_PIN_SCATTER), "scatter"), "pin name");
	printf("helper/none/bad mode ok\n");
}

static void test_mem_node_binds_pages(void)
{
	const size_t len = 8 << 20;
	long page = sysconf(_SC_PAGESIZE);
	size_t n = len / (size_t)page;
	char err[256], bogus[16];
	void **pages = xcalloc(n, sizeof(*pages));
	int *status = xcalloc(n, sizeof(*status));
	char *mem;
	json_t *d;

	TEST_REQUIRE(numa_available() >= 0, "NUMA policy unavailable on this kernel");
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap");
	TEST_ASSERT(numa__place(mem, len, "0", err, sizeof(err)) == 0, "place 0: %s", err);
	memset(mem, 0x5a, len);
	for (size_t i = 0; i < n; i++)
		pages[i] = mem + i * (size_t)page;
	TEST_ASSERT(move_pages(0, n, pages, NULL, status, 0) == 0, "move_pages");
	for (size_t i = 0; i < n; i++)
		TEST_ASSERT(status[i] == 0, "page %zu on node %d", i, status[i]);
	d = numa__describe(mem, len);
	TEST_ASSERT(d, "numa__describe");
	char *dump = json_dumps(d, JSON_COMPACT);
	printf("mem-node 0: %s\n", dump);
	free(dump);
	TEST_ASSERT(!strcmp(json_string_value(json_object_get(d, "policy")), "bind"), "policy");
	TEST_ASSERT_EQ(json_integer_value(json_object_get(json_object_get(d, "nodes"), "0")),
		       json_integer_value(json_object_get(d, "sampled_pages")));
	json_decref(d);

	TEST_ASSERT(numa__place(mem, len, "interleave", err, sizeof(err)) == 0, "interleave: %s", err);
	d = numa__describe(mem, len);
	TEST_ASSERT(!strcmp(json_string_value(json_object_get(d, "policy")), "interleave"), "interleave");
	json_decref(d);
	TEST_ASSERT(numa__place(mem, len, "local", err, sizeof(err)) == 0, "local: %s", err);
	TEST_ASSERT(numa__place(mem, len, "", err, sizeof(err)) == 0, "empty");

	snprintf(bogus, sizeof(bogus), "%d", numa_max_node() + 3);
	TEST_ASSERT(numa__place(mem, len, bogus, err, sizeof(err)) == -EINVAL &&
		    strstr(err, "no such NUMA node") && strstr(err, "this machine has nodes"),
		    "bogus node: %s", err);
	printf("bogus node: %s\n", err);
	TEST_ASSERT(numa__check("fast", err, sizeof(err)) == -EINVAL && strstr(err, "interleave"),
		    "garbage: %s", err);
	munmap(mem, len);
	free(pages);
	free(status);
}

int main(void)
{
	TEST_REQUIRE(hwloc_topology_init(&topo) == 0 && hwloc_topology_load(topo) == 0,
		     "hwloc cannot load the topology");
	TEST_REQUIRE(topology__nr_pus() > 0, "topology unavailable");
	test_json_matches_hwloc_counts();
	test_pin_compact_is_hwloc_pu_order();
	test_pin_scatter_is_hwloc_distrib();
	test_helper_threads_get_every_pu();
	test_mem_node_binds_pages();
	hwloc_topology_destroy(topo);
	printf("ok\n");
	return 0;
}
