// SPDX-License-Identifier: MIT
/* The scaling plot of `bench plot`: p99 resume latency and flush rate over vCPU counts (docs/PLOTS.md). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot-int.h"

int plot__scaling(struct plot_ctx *c)
{
	const char *pressure;
	char names[4096] = "", colors[2048] = "", dashes[512] = "", title[256];
	unsigned ns = 0, points = 0;
	double ylo = INFINITY, yhi = 0;
	struct dfile d;
	struct vars vs = { 0 };
	int ret;

	if (c->set.nr_vcpus < 2) {
		plot__note(c, "scaling", "skipped, results have a single vCPU count");
		return 0;
	}
	pressure = c->set.pressures[0];     /* "none" when present */
	if ((ret = dfile__open(&d, "scaling; one block per series")))
		return ret;
	fprintf(d.f, "# columns: vcpus p99_resume_us min max flushes_per_s min max (mean, min..max over repeats)\n");
	for (unsigned l = 0; l < c->set.nr_labels; l++) {
		unsigned rows = 0;
		const char *design = NULL, *request = NULL;
		for (unsigned k = 0; k < c->set.nr; k++) {
			struct pvar *v = &c->set.v[k];
			double x[256], lo, mean, hi, flo, fmean, fhi;
			unsigned n;
			if (strcmp(v->label, c->set.labels[l]) || strcmp(v->pressure, pressure))
				continue;
			n = pvar__values(v, "resume_latency.p99", x, 256);
			plot__minmeanmax(x, n, &lo, &mean, &hi);
			n = pvar__values(v, "rates.flushes_per_s", x, 256);
			plot__minmeanmax(x, n, &flo, &fmean, &fhi);
			if (isnan(mean) && isnan(fmean))
				continue;
			if (lo > 0)
				ylo = fmin(ylo, lo / 1000);
			if (hi > 0)
				yhi = fmax(yhi, hi / 1000);
			if (!rows++) {
				fprintf(d.f, "\n\n# %s pressure=%s\n", v->label, pressure);
				design = v->design;
				request = v->request;
			}
			fprintf(d.f, "%ld %.4f %.4f %.4f %.2f %.2f %.2f\n", v->vcpus,
				mean / 1000, lo / 1000, hi / 1000, fmean, flo, fhi);
		}
		if (rows < 1)
			continue;
		points += rows;
		snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", ns ? " " : "", c->set.labels[l]);
		snprintf(colors + strlen(colors), sizeof(colors) - strlen(colors), "%s%s", ns ? " " : "",
			 plot__design_color(design));
		snprintf(dashes + strlen(dashes), sizeof(dashes) - strlen(dashes), "%s%d", ns ? " " : "",
			 plot__request_dash(request));
		ns++;
	}
	if (!ns || points <= ns) {
		fclose(d.f);
		free(d.buf);
		plot__note(c, "scaling", "skipped, no design has resume latency or flush rate at two vCPU counts");
		return 0;
	}
	if ((ret = dfile__commit(c, &d, "data/scaling.dat")))
		return ret;
	snprintf(title, sizeof(title), "Scaling with vCPUs (pressure=%s)", pressure);
	plot__common_vars(c, &vs, "scaling", title, 1240, 600);
	vars__add(&vs, "SERIES", "%s", names);
	vars__add(&vs, "COLORS", "%s", colors);
	vars__add(&vs, "DASHES", "%s", dashes);
	vars__add(&vs, "YMIN", "%.12g", isfinite(ylo) ? pow(10, floor(log10(ylo))) : 1.0);
	vars__add(&vs, "YMAX", "%.12g", yhi > 0 ? pow(10, ceil(log10(yhi * 1.05))) : 1e6);
	ret = plot__draw(c, "scaling", &vs);
	vars__free(&vs);
	return ret ? ret : 1;
}
