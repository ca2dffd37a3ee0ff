// SPDX-License-Identifier: MIT
/* Reading what perf wrote: perf stat's CSV into JSON, perf record's sample count (perf-output.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf-output.h"

/* perf stat -x, lines: value,unit,event,run-time,pct,metric,metric-unit */
int perf__parse_stat(const char *path, json_t *perf)
{
	json_t *ev = json_object(), *units = json_object(), *unsup = json_array();
	char line[1024];
	FILE *f = fopen(path, "re");
	int n = 0;

	if (!f) {
		json_decref(ev);
		json_decref(units);
		json_decref(unsup);
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char *field[4] = { 0 }, *p = line;
		int nf = 0;

		line[strcspn(line, "\n")] = 0;
		if (!*line || line[0] == '#')
			continue;
		while (nf < 4) {
			field[nf++] = p;
			p = strchr(p, ',');
			if (!p)
				break;
			*p++ = 0;
		}
		if (nf < 3 || !*field[2])
			continue;
		char *end;
		double v = strtod(field[0], &end);
		if (end == field[0] || *end) {
			json_array_append_new(unsup, json_string(field[2]));
			json_object_set_new(ev, field[2], json_null());
			continue;
		}
		if (strchr(field[0], '.'))
			json_object_set_new(ev, field[2], json_real(v));
		else
			json_object_set_new(ev, field[2], json_integer((json_int_t)v));
		if (*field[1])
			json_object_set_new(units, field[2], json_string(field[1]));
		n++;
	}
	fclose(f);
	json_object_set_new(perf, "events", ev);
	json_object_set_new(perf, "units", units);
	json_object_set_new(perf, "unsupported", unsup);
	return n ? 0 : -ENODATA;
}

/* "(12345 samples)" from perf record's closing message. */
long perf__record_samples(const char *log)
{
	char line[512];
	long samples = -1;
	FILE *f = fopen(log, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strstr(line, "Captured and wrote");
		if (p && (p = strchr(p, '(')))
			samples = strtol(p + 1, NULL, 10);
	}
	fclose(f);
	return samples;
}
