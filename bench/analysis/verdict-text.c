// SPDX-License-Identifier: MIT
/* The words of bench verdict: wrapped paragraphs, the context of a finding,
 * metric names, factors and durations (verdict.h, verdict-int.h). */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "results.h"
#include "verdict.h"
#include "verdict-int.h"

/* Words are bounded by their buffers on purpose; snprintf truncates. */
#if defined(__GNUC__) && !defined(__clang__)   /* clang has no such warning */
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

void verdict__wrap(FILE *out, const char *text, unsigned width, const char *first, const char *indent)
{
	const char *p = text, *lead = first;

	while (*p) {
		unsigned room = width - (unsigned)strlen(lead);
		size_t n = strlen(p), cut = n;

		if (n > room) {
			cut = room;
			while (cut > 0 && p[cut] != ' ')
				cut--;
			if (!cut)       /* one word longer than the line */
				cut = strcspn(p, " ");
		}
		fputs(lead, out);
		for (size_t k = 0; k < cut; k++)
			fputc(p[k] == '\x01' ? ' ' : p[k], out);
		fputc('\n', out);
		p += cut;
		while (*p == ' ')
			p++;
		lead = indent;
	}
}

/* "Under swap pressure at 64 vCPUs with request=event": every key part but
 * skip (the compared axis). */
void verdict__context(const char *key, const char *skip, char *out, size_t len)
{
	char tail[256] = "", pressure[128] = "", vcpus[128] = "";
	size_t tl = 0;

	for (const char *p = key; p && *p;) {
		const char *eq = strchr(p, '='), *comma = strchr(p, ',');
		if (!eq)
			break;
		int kl = (int)(eq - p), vl = comma ? (int)(comma - eq - 1) : (int)strlen(eq + 1);
		char k[64], v[128];
		snprintf(k, sizeof(k), "%.*s", kl, p);
		snprintf(v, sizeof(v), "%.*s", vl, eq + 1);
		p = comma ? comma + 1 : NULL;
		if (skip && !strcmp(k, skip))
			continue;
		if (!strcmp(k, "pressure"))
			snprintf(pressure, sizeof(pressure), "%s", v);
		else if (!strcmp(k, "vcpus"))
			snprintf(vcpus, sizeof(vcpus), "%s", v);
		else if (!(!strcmp(k, "workload") && !strcmp(v, "mixed")))
			tl += (size_t)snprintf(tail + tl, sizeof(tail) - tl, "%s%s=%s", tl ? ", " : " with ", k, v);
		if (tl >= sizeof(tail))
			tl = sizeof(tail) - 1;
	}
	if (!pressure[0] || !strcmp(pressure, "none"))
		snprintf(out, len, "Without memory pressure%s%s%s%s", vcpus[0] ? " at " : "", vcpus,
			 vcpus[0] ? " vCPUs" : "", tail);
	else
		snprintf(out, len, "Under %s pressure%s%s%s%s", pressure, vcpus[0] ? " at " : "", vcpus,
			 vcpus[0] ? " vCPUs" : "", tail);
}

void verdict__nice_metric(const char *path, char *out, size_t len)
{
	static const char *const names[][2] = {
		{ "resume_latency.", "resume " }, { "flush_latency.", "flush " },
		{ "grace_period.", "grace-period " }, { "exit_rtt.", "exit round trip " },
		{ "hypercall_rtt.", "hypercall round trip " },
	};
	if (!strcmp(path, "rates.flushes_per_s")) {
		snprintf(out, len, "flush rate");
		return;
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(path, names[i][0], strlen(names[i][0]))) {
			snprintf(out, len, "%s%s", names[i][1], path + strlen(names[i][0]));
			return;
		}
	snprintf(out, len, "%s", path);
}

void verdict__fmt_factor(double x, char *out, size_t len)
{
	if (!isfinite(x))
		snprintf(out, len, "?");
	else if (x >= 10)
		snprintf(out, len, "%.0f", x);
	else
		snprintf(out, len, "%.2f", x);
}

void verdict__fmt_ns(double ns, char *out, size_t len)
{
	if (ns >= 1e9)
		snprintf(out, len, "%.2f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(out, len, "%.1f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(out, len, "%.1f us", ns / 1e3);
	else
		snprintf(out, len, "%.0f ns", ns);
}
