/* SPDX-License-Identifier: MIT */
/*
 * Linux perf attached to the harness, scoped to the measured window
 * (docs/PERF.md).
 *
 * One session per variant: perf__start() spawns `perf record` or `perf stat`
 * with -p <our pid>, events disabled (--delay=-1) and a control channel
 * (--control fd:); perf__enable()/perf__disable() bracket the measured window
 * and wait for perf's ack, recording the window in CLOCK_MONOTONIC ns (perf
 * record runs with --clockid monotonic, so sample times are comparable);
 * perf__finish() stops perf and adds run["perf"].
 *
 * Threads: perf's per-thread events are created with inherit=1, so threads
 * created AFTER perf__start() by any attached thread (vCPUs, pagers, the
 * watchdog) are followed too.  Starting before the VM exists is therefore
 * fine and cheaper (few per-thread ring buffers); starting after is fine too.
 * One perf 6.1 limitation: --delay=-1 also holds back perf's side-band
 * tracking (fork/comm/mmap records), so a thread created BETWEEN
 * perf__start() and perf__enable() appears in `perf script` as ":<tid>"
 * with no name (its samples are still there, and its symbols resolve when
 * the code was mapped before perf__start()).  Threads that exist at
 * perf__start() (synthesized from /proc) or are created inside the window
 * are named.  ("enable <event>" cannot name the tracking event in 6.1.)
 * perf record -p keeps one ring buffer per thread existing at start; -m is
 * scaled so they total ~256 MiB at most (4 MiB each for up to 64 threads,
 * 256 KiB minimum).
 * Call perf__start() from a thread that outlives the session (the main
 * thread): the child's PR_SET_PDEATHSIG fires when the *forking thread* dies.
 *
 * The perf child never outlives the harness: PR_SET_PDEATHSIG(SIGTERM), its
 * own process group (a terminal Ctrl-C reaches only the harness, which then
 * stops perf itself), and a cleanup__push() action that kills it on any exit.
 */
#ifndef FB_PERF_H
#define FB_PERF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct perf_session;

/* Can perf run here in this mode ("record" | "stat")?  Checks that the perf
 * binary runs (`perf --version`; $FB_PERF overrides the path) and that
 * kernel.perf_event_paranoid allows us to profile.  On false, why holds one
 * line saying what is missing and how to fix it.  (perf-events.c) */
bool perf__available(const char *mode, char *why, size_t len);

/* Start perf for one variant.  events: "" = defaults (see docs/PERF.md), else
 * a comma-separated perf event list (commas inside /.../ are kept).  Missing
 * tracepoints are dropped with one warning each.  outdir is DIR/perf (created
 * if missing); output goes to outdir/<variant>.data (record) or
 * outdir/<variant>.stat.csv (stat), plus outdir/<variant>.log (perf's own
 * messages).  Returns 0 once perf is attached and answering its control
 * channel, or -errno with one line in err. */
int perf__start(struct perf_session **out, const char *mode, const char *events,
		const char *outdir, const char *variant_name, char *err, size_t len);

/* Enable / disable counting; each waits for perf's ack (timeout 10 s).
 * The window start is taken just BEFORE "enable" is sent and the end just
 * AFTER "disable" is acked, so every sample lies inside [start, end].
 * May be called more than once (several windows).  0 or -errno. */
int perf__enable(struct perf_session *s);
int perf__disable(struct perf_session *s);

/* Stop perf (SIGINT, wait up to 60 s, then SIGKILL), free s, and if run is
 * not NULL set run["perf"]:
 *   record: {mode, data: "perf/<v>.data", log, clock, window:{start_ns,end_ns},
 *            events:[...], dropped:[...]}
 *   stat:   {mode, window, events:{name: count}, units:{name: unit},
 *            unsupported:[...], dropped:[...]}
 * Returns 0 or -errno (perf failed; the reason is in run["perf"]["error"]). */
int perf__finish(struct perf_session *s, json_t *run);

/* Kill perf without collecting anything (error paths).  Frees s. */
void perf__abort(struct perf_session *s);

/* CLOCK_MONOTONIC window of the session so far (0 if never enabled). */
void perf__window(const struct perf_session *s, uint64_t *start_ns, uint64_t *end_ns);

/* Default event lists, for --help and docs. */
extern const char *const perf__default_record_events;
extern const char *const perf__default_stat_events;

/* Path of the perf binary ($FB_PERF, $PATH, /usr/bin/perf); false if none
 * is executable (out still holds the last candidate).  (perf-events.c) */
bool perf__path(char *out, size_t len);

/* Variant name as used in file names: anything outside [A-Za-z0-9._+=,-]
 * becomes '_'; names over 180 bytes are cut to 160 plus "-<64-bit hash of the
 * whole name>".  Writes at most len bytes (NUL-terminated). */
void perf__file_name(const char *variant, char *out, size_t len);

#endif
