/* SPDX-License-Identifier: MIT */
/*
 * The event list of a perf session (docs/PERF.md): a comma-separated list
 * (commas inside /terms/ and {groups} do not split) resolved against
 * tracefs.  Tracepoints this kernel lacks are dropped with one warning per
 * process and recorded as "dropped"; other events go to perf as given.
 *
 * perf resolves tracepoints through tracefs and copies their formats into
 * perf.data when it exits.  If tracefs is not mounted it is mounted for as
 * long as a session holds a reference and unmounted afterwards (and from the
 * cleanup registry on any abnormal exit), leaving the machine as found.
 */
#ifndef FB_PERF_EVENTS_H
#define FB_PERF_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#define PERF_MAX_EVENTS 64

struct perf_events {
	char *events[PERF_MAX_EVENTS];   /* as passed to perf (with /terms/) */
	unsigned nr_events;
	char *dropped[PERF_MAX_EVENTS];  /* tracepoints this kernel lacks */
	unsigned nr_dropped;
	bool tracefs_ref;                /* holds a tracefs reference */
};

/* Split and resolve events into *s (zeroed by the caller); no_callchain
 * appends /call-graph=no/ to each tracepoint.  -EINVAL (why in err) when no
 * usable event is left. */
int  perf_events__resolve(struct perf_events *s, const char *events, bool no_callchain,
			  char *err, size_t len);
/* Free the lists and drop the tracefs reference. */
void perf_events__free(struct perf_events *s);

/* A tracefs reference: the directory (mounted if it was not), or NULL with
 * the reason in why. */
const char *perf_events__tracefs_get(char *why, size_t len);
void perf_events__tracefs_put(void);

#endif
