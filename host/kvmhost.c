// SPDX-License-Identifier: MIT
/* KVM host facts from /sys/module and CPUID (kvmhost.h). */
#include <cpuid.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "kvmhost.h"

static const char *const vendors[] = { "kvm_intel", "kvm_amd", "kvm_pvm", NULL };
/* Parameters that change what an exit or a fault costs, shown by bench info. */
static const char *const emul_params[] = {
	"pvm_emul_batch", "pvm_native", "emul_ibpb",                       /* kvm_pvm */
	"emulate_invalid_guest_state", "unrestricted_guest", "enable_apicv", /* kvm_intel */
	"avic", "force_emulation_prefix", NULL,
};

static bool exists(const char *root, const char *rel)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	return stat(p, &st) == 0;
}

static bool read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");

	buf[0] = '\0';
	if (!f)
		return false;
	if (!fgets(buf, (int)len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return true;
}

int kvmhost__bool(const char *v)
{
	if (!v || !*v)
		return -1;
	if (!strcmp(v, "Y") || !strcmp(v, "y") || !strcmp(v, "1"))
		return 1;
	if (!strcmp(v, "N") || !strcmp(v, "n") || !strcmp(v, "0"))
		return 0;
	return -1;
}

static int param_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kvmhost_param *)a)->name, ((const struct kvmhost_param *)b)->name);
}

/* Every readable parameter of a module, sorted by name. */
static void read_params(struct kvmhost *h, const char *root, const char *module)
{
	char dir[1024], p[1400];
	DIR *d;
	struct dirent *e;
	unsigned first = h->nr_params;

	snprintf(dir, sizeof(dir), "%s/sys/module/%s/parameters", root, module);
	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) && h->nr_params < KVMHOST_MAX_PARAMS) {
		struct kvmhost_param *kp = &h->params[h->nr_params];
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		if (!read_line(p, kp->value, sizeof(kp->value)))
			continue;       /* write-only or unreadable */
		snprintf(kp->module, sizeof(kp->module), "%s", module);
		snprintf(kp->name, sizeof(kp->name), "%.47s", e->d_name);
		h->nr_params++;
	}
	closedir(d);
	qsort(&h->params[first], h->nr_params - first, sizeof(h->params[0]), param_cmp);
}

const char *kvmhost__param(const struct kvmhost *h, const char *module, const char *name)
{
	for (unsigned i = 0; i < h->nr_params; i++)
		if (!strcmp(h->params[i].module, module) && !strcmp(h->params[i].name, name))
			return h->params[i].value;
	return NULL;
}

static void probe_nested(struct kvmhost *h, const char *root, const struct kvmhost_cpuid *c)
{
	char p[1024], type[64];

	h->nested = -1;
	if (c && c->valid && c->hypervisor) {
		h->nested = 1;
		snprintf(h->nested_why, sizeof(h->nested_why),
			 "CPUID hypervisor bit set%s%s%s: this host is itself a virtual machine",
			 c->signature[0] ? " (signature '" : "", c->signature, c->signature[0] ? "')" : "");
		return;
	}
	if (!strcmp(h->vendor, "kvm_pvm")) {
		h->nested = 1;
		snprintf(h->nested_why, sizeof(h->nested_why),
			 "kvm_pvm is loaded: PVM runs KVM guests inside a guest");
		return;
	}
	snprintf(p, sizeof(p), "%s/sys/hypervisor/type", root);
	if (read_line(p, type, sizeof(type)) && type[0]) {
		h->nested = 1;
		snprintf(h->nested_why, sizeof(h->nested_why), "/sys/hypervisor/type is '%s'", type);
		return;
	}
	if (c && c->valid) {
		h->nested = 0;
		snprintf(h->nested_why, sizeof(h->nested_why), "CPUID hypervisor bit clear: bare metal");
	} else {
		snprintf(h->nested_why, sizeof(h->nested_why), "CPUID not read");
	}
}

static void probe_tdp(struct kvmhost *h)
{
	const char *tdp_mmu = kvmhost__param(h, "kvm", "tdp_mmu");
	char mmu[48] = "";

	if (tdp_mmu)
		snprintf(mmu, sizeof(mmu), "; kvm tdp_mmu=%s", tdp_mmu);
	h->tdp = -1;
	if (!strcmp(h->vendor, "kvm_pvm")) {
		h->tdp = 0;
		snprintf(h->tdp_why, sizeof(h->tdp_why), "kvm_pvm uses shadow paging%s", mmu);
	} else if (!strcmp(h->vendor, "kvm_intel") || !strcmp(h->vendor, "kvm_amd")) {
		const char *name = !strcmp(h->vendor, "kvm_intel") ? "ept" : "npt";
		const char *v = kvmhost__param(h, h->vendor, name);
		h->tdp = kvmhost__bool(v);
		if (h->tdp < 0)
			snprintf(h->tdp_why, sizeof(h->tdp_why), "%s %s not readable%s", h->vendor, name, mmu);
		else
			snprintf(h->tdp_why, sizeof(h->tdp_why), "%s %s=%s%s%s", h->vendor, name, v,
				 h->tdp ? "" : " (shadow paging)", mmu);
	} else {
		snprintf(h->tdp_why, sizeof(h->tdp_why), "no KVM vendor module loaded");
	}
}

void kvmhost__probe(struct kvmhost *h, const char *root, const struct kvmhost_cpuid *cpuid)
{
	memset(h, 0, sizeof(*h));
	if (!root)
		root = "";
	h->kvm_loaded = exists(root, "/sys/module/kvm");
	h->dev_kvm = exists(root, "/dev/kvm");
	for (unsigned i = 0; vendors[i]; i++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "/sys/module/%s", vendors[i]);
		if (exists(root, rel)) {
			snprintf(h->vendor, sizeof(h->vendor), "%s", vendors[i]);
			break;
		}
	}
	if (h->vendor[0])
		read_params(h, root, h->vendor);
	if (h->kvm_loaded)
		read_params(h, root, "kvm");
	probe_nested(h, root, cpuid);
	probe_tdp(h);

	size_t n = 0;
	for (unsigned i = 0; i < h->nr_params && n < sizeof(h->emulation); i++)
		for (unsigned k = 0; emul_params[k]; k++)
			if (!strcmp(h->params[i].name, emul_params[k]))
				n += (size_t)snprintf(h->emulation + n, sizeof(h->emulation) - n, "%s%s=%s",
						      n ? " " : "", h->params[i].name, h->params[i].value);

	if (!strcmp(h->vendor, "kvm_pvm")) {
		const char *b = kvmhost__param(h, "kvm_pvm", "pvm_emul_batch");
		h->software_assisted = true;
		snprintf(h->assist_why, sizeof(h->assist_why),
			 "kvm_pvm: guest instructions after an exit are emulated in software%s%s%s, shadow paging",
			 b ? " (pvm_emul_batch=" : "", b ? b : "", b ? ")" : "");
	} else if (h->tdp == 0) {
		h->software_assisted = true;
		snprintf(h->assist_why, sizeof(h->assist_why), "no two-dimensional paging: %.170s", h->tdp_why);
	}
}

void kvmhost__cpuid(struct kvmhost_cpuid *c)
{
	unsigned a, b, cx, d;

	memset(c, 0, sizeof(*c));
	if (!__get_cpuid(1, &a, &b, &cx, &d))
		return;
	c->valid = true;
	c->hypervisor = cx & (1u << 31);
	if (c->hypervisor) {
		__cpuid(0x40000000, a, b, cx, d);
		memcpy(c->signature, &b, 4);
		memcpy(c->signature + 4, &cx, 4);
		memcpy(c->signature + 8, &d, 4);
		c->signature[12] = '\0';
		for (int i = 0; i < 12; i++)       /* printable only */
			if (c->signature[i] && (c->signature[i] < 0x20 || c->signature[i] > 0x7e))
				c->signature[i] = '?';
	}
}

static json_t *tristate(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

json_t *kvmhost__json(const struct kvmhost *h)
{
	json_t *o = json_object(), *params = json_object();

	json_object_set_new(o, "module", h->vendor[0] ? json_string(h->vendor) : json_null());
	json_object_set_new(o, "kvm_loaded", json_boolean(h->kvm_loaded));
	json_object_set_new(o, "dev_kvm", json_boolean(h->dev_kvm));
	json_object_set_new(o, "nested", tristate(h->nested));
	json_object_set_new(o, "nested_why", json_string(h->nested_why));
	json_object_set_new(o, "tdp", tristate(h->tdp));
	json_object_set_new(o, "tdp_why", json_string(h->tdp_why));
	json_object_set_new(o, "software_assisted", json_boolean(h->software_assisted));
	if (h->software_assisted)
		json_object_set_new(o, "software_assisted_why", json_string(h->assist_why));
	json_object_set_new(o, "emulation", json_string(h->emulation));
	for (unsigned i = 0; i < h->nr_params; i++) {
		json_t *m = json_object_get(params, h->params[i].module);
		if (!m) {
			m = json_object();
			json_object_set_new(params, h->params[i].module, m);
		}
		json_object_set_new(m, h->params[i].name, json_string(h->params[i].value));
	}
	json_object_set_new(o, "params", params);
	return o;
}

void kvmhost__summary(const struct kvmhost *h, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s, nested: %s, TDP: %s (%s)",
		 h->vendor[0] ? h->vendor : "no KVM module",
		 h->vendor[0] ? (h->dev_kvm ? " (/dev/kvm present)" : " (loaded, no /dev/kvm)") : "",
		 h->nested > 0 ? "yes" : h->nested == 0 ? "no" : "unknown",
		 h->tdp > 0 ? "on" : h->tdp == 0 ? "off" : "unknown", h->tdp_why);
}
