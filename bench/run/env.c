/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "backend-kvm.h"
#include "env.h"
#include "kvmhost.h"
#include "topology.h"
#include "util.h"
#include "vm.h"

void env__cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');
			if (p) {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				p[strcspn(p, "\n")] = 0;
				snprintf(buf, len, "%s", p);
			}
			break;
		}
	}
	fclose(f);
}

void env__iso_time(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *env__json(void)
{
	struct utsname u;
	char cpu[256], host[256] = "", t[64];
	json_t *env = json_object();

	uname(&u);
	env__cpu_model(cpu, sizeof(cpu));
	gethostname(host, sizeof(host) - 1);
	env__iso_time(t, sizeof(t));
	json_object_set_new(env, "kernel", json_string(u.release));
	json_object_set_new(env, "kernel_version", json_string(u.version));
	json_object_set_new(env, "arch", json_string(u.machine));
	json_object_set_new(env, "cpu", json_string(cpu));
	json_object_set_new(env, "host_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(env, "hostname", json_string(host));
	json_object_set_new(env, "start_time", json_string(t));
	char why[256];
	json_t *k = json_object();
	struct kvmhost_cpuid cpuid;
	struct kvmhost *kh = xzalloc(sizeof(*kh));
	if (backend_kvm_probe(why, sizeof(why))) {
		backend_kvm__info(k);
	} else {
		/* the host facts below are reported whether or not KVM is usable */
		json_object_set_new(k, "available", json_false());
		json_object_set_new(k, "reason", json_string(why));
		json_object_set_new(env, "kvm_unavailable", json_string(why));
	}
	kvmhost__cpuid(&cpuid);
	kvmhost__probe(kh, "", &cpuid);
	json_object_set_new(k, "host", kvmhost__json(kh));
	free(kh);
	json_object_set_new(env, "kvm", k);
	json_t *topo = topology__json();
	json_object_set_new(env, "topology", topo ? topo : json_null());
	return env;
}

const struct backend_ops *env__backend(enum cfg_backend want, char *note, size_t nlen, char *err, size_t elen)
{
	char why[256];

	note[0] = 0;
	if (want == CFG_BACKEND_NATIVE) {
		snprintf(note, nlen, "native backend requested");
		return &backend_native;
	}
	bool ok = backend_kvm_probe(why, sizeof(why));
	if (ok)
		return &backend_kvm;
	if (want == CFG_BACKEND_KVM) {
		snprintf(err, elen, "backend=kvm: %s", why);
		return NULL;
	}
	snprintf(note, nlen, "/dev/kvm unusable (%s): guest code ran on the native backend", why);
	return &backend_native;
}
