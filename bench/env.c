/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "backend-kvm.h"
#include "env.h"
#include "topology.h"
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
	if (backend_kvm_probe(why, sizeof(why))) {
		json_t *k = json_object();
		backend_kvm__info(k);
		json_object_set_new(env, "kvm", k);
	} else {
		json_object_set_new(env, "kvm", json_null());
		json_object_set_new(env, "kvm_unavailable", json_string(why));
	}
	json_t *topo = topology__json();
	json_object_set_new(env, "topology", topo ? topo : json_null());
	return env;
}

const struct backend_ops *env__backend(const char *want, char *note, size_t nlen, char *err, size_t elen)
{
	char why[256];

	note[0] = 0;
	if (!strcmp(want, "native")) {
		snprintf(note, nlen, "native backend requested");
		return &backend_native;
	}
	bool ok = backend_kvm_probe(why, sizeof(why));
	if (ok)
		return &backend_kvm;
	if (!strcmp(want, "kvm")) {
		snprintf(err, elen, "backend=kvm: %s", why);
		return NULL;
	}
	snprintf(note, nlen, "/dev/kvm unusable (%s): guest code ran on the native backend", why);
	return &backend_native;
}
