/* SPDX-License-Identifier: MIT */
/*
 * The VM and its vCPUs.
 *
 * Two execution backends run the same guest code (guest/):
 *   kvm    - real /dev/kvm: KVM_CREATE_VM, memslots, long-mode vCPUs, KVM_RUN
 *            (host/backend-kvm.c).
 *   native - the guest code runs on the vCPU thread itself, switched to with
 *            swapcontext; its port-I/O and MMIO exits are function calls that
 *            switch back (host/backend-native.c).  Used where /dev/kvm is not
 *            available (e.g. a machine whose kernel is itself a PVM guest);
 *            everything on the host side (vCPU loop, SRCU, designs, oracle,
 *            pressure) is the same code.  Results record which one ran.
 *
 * __vm_create() returns -errno; vm_create() dies with context.
 */
#ifndef FB_VM_H
#define FB_VM_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "abi/abi.h"
#include "config.h"
#include "metrics.h"
#include "srcu.h"
#include "tstats.h"
#include "kvmemul.h"

struct vm;
struct vcpu;
struct design_ops;
struct pressure_ops;

/* ---- vCPU mode (KVM's vcpu->mode) --------------------------------------- */
enum vcpu_mode {
	OUTSIDE_GUEST_MODE = 0,
	IN_GUEST_MODE,
	EXITING_GUEST_MODE,
	/* Outside guest mode to KVM (a fault of its is being served: KVM set
	 * OUTSIDE_GUEST_MODE at the VM-exit), but the vCPU thread is still in
	 * KVM_RUN / the guest context and will re-enter without passing through
	 * our request check.  Neither kicked nor waited for; a request made
	 * meanwhile is delivered when the fault ends (vcpu__fault_end()). */
	FAULT_OUTSIDE_GUEST_MODE,
};

/* ---- requests (KVM's vcpu->requests) ---------------------------------------
 * A request number is a bit of vcpu->requests (REQ_MASK) plus flags that
 * say how vcpu__make_vcpu_request() delivers it, as KVM's request numbers
 * carry KVM_REQUEST_NO_WAKEUP / KVM_REQUEST_WAIT (KVM_ARCH_REQ_FLAGS()).
 * Named after the KVM request each models; make/test/check use the bit only. */
#define REQ_MASK        0xffu        /* KVM_REQUEST_MASK: the bit number */
#define REQ_NO_WAKEUP   (1u << 8)    /* KVM_REQUEST_NO_WAKEUP: a blocked vCPU is not
				      * woken, it sees the request when it next runs */
#define REQ_WAIT        (1u << 9)    /* KVM_REQUEST_WAIT: kick a vCPU in (or exiting)
				      * guest mode; the sender waits until it left
				      * guest mode (not until it handled the request) */
#define REQ_ARCH_BASE   8            /* KVM_REQUEST_ARCH_BASE */
#define REQ_ARCH(nr)              ((nr) + REQ_ARCH_BASE)            /* KVM_ARCH_REQ() */
#define REQ_ARCH_FLAGS(nr, flags) (REQ_ARCH(nr) | (flags))          /* KVM_ARCH_REQ_FLAGS() */
enum vcpu_req {
	REQ_UNBLOCK      = 2,              /* KVM_REQ_UNBLOCK: only ends a block */
	REQ_EVENT        = REQ_ARCH(6),    /* KVM_REQ_EVENT: full event re-evaluation */
	/* KVM_REQ_HV_TLB_FLUSH: flush + ack */
	REQ_HV_TLB_FLUSH = REQ_ARCH_FLAGS(32, REQ_WAIT | REQ_NO_WAKEUP),
};
_Static_assert((REQ_HV_TLB_FLUSH & REQ_MASK) < 64, "request bits live in one unsigned long");
/* The bit of vcpu->requests that request number req uses. */
static inline unsigned long vcpu_req_bit(unsigned req) { return 1ul << (req & REQ_MASK); }

/* ---- exits --------------------------------------------------------------- */
enum vcpu_exit_reason {
	VCPU_EXIT_IO = 1,      /* port write: port, value */
	VCPU_EXIT_MMIO,        /* access to an unbacked GPA */
	VCPU_EXIT_INTR,        /* kicked out (signal / immediate_exit) */
	VCPU_EXIT_SHUTDOWN,    /* guest died (triple fault) */
	VCPU_EXIT_UNKNOWN,
};

struct vcpu_exit {
	enum vcpu_exit_reason reason;
	uint16_t port;
	uint32_t value;        /* IO: the 32-bit value written */
	uint64_t mmio_gpa;
	uint64_t mmio_data;
	uint32_t mmio_len;
	bool     mmio_write;
	uint32_t raw_reason;   /* backend-specific (KVM_EXIT_*) for messages */
};

/* ---- execution backend ------------------------------------------------------ */
struct backend_ops {
	const char *name;
	/* Create the VM and its memory (vm->mem/mem_size already mmap'ed by the
	 * caller: one mapping, HVA = vm->mem + GPA), load the guest.  -errno. */
	int  (*vm_init)(struct vm *vm);
	void (*vm_exit)(struct vm *vm);
	/* Called on the vCPU's own thread before the first run().  -errno. */
	int  (*vcpu_init)(struct vcpu *vcpu);
	void (*vcpu_exit)(struct vcpu *vcpu);
	/* Enter the guest until the next exit.  0 or -errno (fatal). */
	int  (*run)(struct vcpu *vcpu, struct vcpu_exit *exit);
	/* From any thread: force the vCPU out of run() soon (IPI analogue). */
	void (*kick)(struct vcpu *vcpu);
	/* request=event: a real call that makes the hypervisor re-evaluate
	 * events on next entry (KVM: GET+SET_VCPU_EVENTS).  NULL if none. */
	int  (*event_reeval)(struct vcpu *vcpu);
	/* One real kvm->srcu grace period through an ioctl (kernel_ref / srcu_gp).
	 * -ENOTSUP if impossible, -EINVAL for an unknown one. */
	int  (*kernel_gp)(struct vm *vm, enum cfg_gp_ioctl which);
};

extern const struct backend_ops backend_kvm;
extern const struct backend_ops backend_native;
/* Why kvm is unusable here ("" if usable); filled by backend_kvm_probe(). */
bool backend_kvm_probe(char *why, size_t len);

/* ---- vCPU ------------------------------------------------------------------ */
struct vcpu {
	struct vm *vm;
	unsigned id;
	pthread_t thread;
	pid_t tid;
	int fd;                            /* kvm: vCPU fd */
	void *run;                         /* kvm: struct kvm_run mapping */
	void *backend_priv;
	struct fb_vcpu_page *page;         /* host view of the guest's vCPU page */
	unsigned role;                     /* enum fb_workload of this vCPU */

	_Atomic unsigned long requests;
	_Atomic int mode;                  /* enum vcpu_mode */
	/* Set by the pager while it serves a fault of this vCPU, AFTER the mode
	 * left IN_GUEST_MODE and cleared BEFORE it is restored: a kick or an
	 * ack wait that sees it set is one KVM would not do (counted). */
	_Atomic bool fault_in_service;
	/* Pager side of fault_begin/end only (never the vCPU thread): a fault
	 * record can outlive its fault (another vCPU's install of the same page
	 * woke this one), so end acts only for the vCPU's current fault. */
	atomic_flag fault_lock;
	uint32_t fault_serial, fault_cur;
	_Atomic uint64_t exit_seq;         /* ++ on every exit from guest mode */
	_Atomic uint32_t exit_futex;       /* low 32 bits of exit_seq, for ack waiters */
	_Atomic uint32_t ack_waiters;

	/* block(): futex word bumped by every wake_up() */
	_Atomic uint32_t wake_seq;
	_Atomic bool blocked;
	_Atomic bool block_timed;          /* ... in a timed sleep (HLT with a deadline): it ends by itself */
	_Atomic uint32_t block_seen;       /* wake_seq the blocker last compared (oracle) */

	/* ---- TLB-flush inhibit state (target side) ----
	 * inhibit: seq << 1 | inhibited, one word so a reader sees a consistent
	 * (inhibited, sequence) pair. */
	_Atomic uint64_t inhibit;              /* inhibit_word_set(), inhibit_word_seq() */
	_Atomic uint64_t uninhibit_start_ns;   /* of the latest uninhibit */
	_Atomic uint64_t uninhibiting_seq;     /* latest sequence whose uninhibit() started */
	_Atomic uint64_t uninhibited_seq;      /* latest sequence whose uninhibit() returned */
	_Atomic uint64_t uninhibited_ns;
	uint64_t inhibit_set_ns;

	/* ---- suspended flusher state (flusher side) ---- */
	_Atomic bool suspended;
	_Atomic int waiting_on;            /* target vCPU id, -1 none */
	_Atomic uint64_t waiting_seq;      /* target inhibit sequence seen */
	_Atomic uint64_t woken_by_seq;     /* sequence whose uninhibit woke us */
	_Atomic uint64_t wake_start_ns;    /* uninhibit start of the waker */
	_Atomic uint64_t wake_ns;          /* when the wake was issued */
	uint64_t suspend_ns;
	uint64_t runnable_ns;
	bool resume_pending;               /* resumed; record re-entry latency at next entry */
	bool suspend_pending;              /* suspended by this thread, resume not yet accounted */

	pthread_mutex_t wake_lock;         /* serialises wakers of this flusher */
	/* Oracle bookkeeping.  Suspension number susp_gen is pending while
	 * done_gen != susp_gen; both are written only by this vCPU's thread
	 * (publish, resume, retract); the watchdog reads them. */
	_Atomic uint64_t susp_gen, done_gen;
	_Atomic uint64_t reported_gen;     /* suspension the oracle already reported */
	_Atomic int suspended_target;      /* target of the current/last suspension */
	_Atomic uint64_t flushes_ok;       /* flush hypercalls answered SUCCESS (liveness) */

	/* design private per-vCPU state (e.g. targeted's waiter link) */
	void *design_priv;

	/* per-vCPU tallies for host/guest agreement checks */
	uint64_t exits, hypercalls, flushes_acked;
	/* passes of the run loop on the vCPU's own account (liveness: did it
	 * get to run?): exits the guest made itself (not a kick, which a
	 * starved or thrashing guest takes without running its code) and
	 * cancelled entries (a livelock).  Single writer, read by the watchdog */
	uint64_t own_passes;

	/* rusage of this thread at start of the measured window */
	int srcu_slot;                     /* slot in vm->srcu */
	char *errmsg;                      /* fatal error, reported by vm__error() */
	bool joined;                       /* thread joined by __vm_stop() */
};

/* ---- oracle + time series (host/oracle.c) ------------------------------------- */
enum oracle_kind {
	ORACLE_LOST_WAKEUP = 1,   /* the uninhibit of its sequence did not wake it */
	ORACLE_WOKEN_NEVER_RAN,   /* woken, yet not running lost_timeout_ms later */
	ORACLE_EARLY_RESUME,      /* ran while its target was still inhibited */
	ORACLE_FLUSH_INHIBITED,   /* SUCCESS although a target was inhibited when the requests were visible */
	ORACLE_FLUSH_UNACKED,     /* SUCCESS before a kicked in-guest target left guest mode */
	ORACLE_NO_PROGRESS,       /* a flusher completed nothing and is not legitimately suspended */
	ORACLE_NR_KINDS,
};
#define ORACLE_MAX_EVENTS 64
struct oracle_event {
	int kind;
	int vcpu, target;
	uint64_t seq;
	char detail[112];
};
struct oracle_watch;              /* watchdog-private, per vCPU (host/oracle.c) */

struct timeseries {
	unsigned n, cap;
	uint64_t interval_ns;
	double *t_s;
	uint64_t *gp_max_ns, *resume_max_ns, *faults, *flushes, *resident_pages;
};

/* ---- VM ----------------------------------------------------------------------- */
/* The levels __vm_create() brings a VM up through, in order; a failure and
 * vm__destroy() unwind exactly the levels done, in reverse (kvmtool's
 * init/exit levels).  host/vm.c has one init/exit pair per level. */
enum vm_level {
	VM_LEVEL_MEMORY,       /* guest memory mapped (+ NUMA placement), VM SRCU */
	VM_LEVEL_BACKEND,      /* backend VM (kvm: KVM_CREATE_VM, memslots, guest image) */
	VM_LEVEL_VCPUS,        /* vCPU structures and guest vCPU pages */
	VM_LEVEL_PRESSURE,     /* pressure mode setup() / teardown() */
	VM_LEVEL_DESIGN,       /* design init() / exit() */
	VM_LEVEL_THREADS,      /* pressure start() / stop(), vCPU threads parked at the gate */
	VM_NR_LEVELS,
};

struct vm {
	const struct run_config *cfg;
	const struct backend_ops *backend;
	void *backend_priv;
	int kvm_fd, vm_fd;
	uint64_t tsc_khz;

	uint8_t *mem;                      /* HVA of GPA 0 */
	uint64_t mem_size;
	uint64_t data_gpa, data_size;      /* memslot 1: workload memory */

	unsigned nr_vcpus;
	struct vcpu **vcpus;

	struct srcu_struct srcu;           /* kvm->srcu analogue */
	unsigned srcu_helper_slots;        /* slots after the vCPUs: helper threads */
	_Atomic unsigned srcu_next_helper;

	const struct design_ops *design;
	void *design_priv;
	unsigned wake_req;                 /* REQ_EVENT or REQ_UNBLOCK */
	unsigned race_mask;                /* enum race_point bits where race_delay_us applies */

	const struct pressure_ops *pressure;
	void *pressure_priv;

	struct run_metrics *metrics;       /* merged from stats by vm__stop() */
	struct vm_tstats stats;             /* per-thread slots (host/tstats.h) */
	struct kvmemul emul;               /* kvm: emulated instructions in the window */
	_Atomic bool measuring;            /* inside the measured window */
	_Atomic bool stopping;
	uint64_t t_measure_ns, t_stop_ns;

	pthread_t watchdog;
	bool watchdog_running;
	pthread_mutex_t oracle_lock;
	struct oracle_event oracle_events[ORACLE_MAX_EVENTS];
	unsigned nr_oracle_events;
	_Atomic uint64_t oracle_counts[ORACLE_NR_KINDS];  /* failures by kind, whole run */
	_Atomic uint64_t stalled_suspensions;  /* suspended > lost_timeout_ms behind an unfinished uninhibit */
	uint64_t pending_inhibited;            /* at stop: pending on a target still inhibited (legitimate) */
	struct oracle_watch *oracle_watch;
	bool oracle_final_done;
	bool oracle_window_ended;
	bool liveness_unjudged;
	uint64_t oracle_window_exits;
	struct timeseries ts;
	_Atomic uint64_t ts_gp_max, ts_resume_max;   /* max within the current interval */
	_Atomic uint64_t resident_pages;             /* pressure modes keep this current */
	_Atomic uint64_t all_suspends, all_resumes;  /* whole run incl. warm-up: must balance */
	/* roles (mixed workload): [0,flushers) [inhibitors) [touchers) rest idle */
	unsigned nr_flushers, nr_inhibitors, nr_touchers, first_inhibitor, first_toucher;
	uint64_t completion_gpa, completion_bytes;   /* per inhibitor, in the data region */
	uint32_t start_gate;                         /* futex: 1 = vCPUs may enter */
	_Atomic uint32_t vcpus_ready;
	char backend_note[256];
	_Atomic uint32_t fatal;            /* a vCPU hit a fatal error */
	bool leaked;                       /* __vm_stop() timed out: never freed */
	unsigned level;                    /* levels done (enum vm_level) */
	uint64_t level_ns[VM_NR_LEVELS];   /* time each level's init took */
	bool started, stopped;             /* vm__start() / __vm_stop() called */
	bool pressure_started;             /* pressure start() done, stop() not yet */
};

/* Lifecycle: create (the levels above, vCPU threads parked) -> start ->
 * stop (vCPU threads joined, pressure helpers stopped) -> destroy.
 * cfg must have been through options__check() (cfg->r resolved). */
int  __vm_create(struct vm **out, const struct run_config *cfg,
		 const struct backend_ops *backend, struct run_metrics *m,
		 char *err, size_t errlen);
struct vm *vm_create(const struct run_config *cfg, const struct backend_ops *backend,
		     struct run_metrics *m);
int  vm__start(struct vm *vm);         /* release vCPU threads */
void vm__begin_measure(struct vm *vm); /* end of warm-up */
void vm__end_measure(struct vm *vm);   /* end of the measured window (vm__stop implies it) */
int  vm__stop(struct vm *vm);          /* set stop, kick all, join; -errno if a vCPU failed */
/* Same, but waits for the vCPU threads only until deadline_ns (monotonic;
 * 0 = forever): -ETIMEDOUT leaves the VM marked leaked (vm__destroy then
 * frees nothing, the threads still use it). */
int  __vm_stop(struct vm *vm, uint64_t deadline_ns);
/* First fatal vCPU error message, or NULL. */
const char *vm__error(const struct vm *vm);
void vm__destroy(struct vm *vm);

static inline void *vm__gpa_to_hva(struct vm *vm, uint64_t gpa) { return vm->mem + gpa; }
/* Bounds-checked: NULL unless [gpa, gpa+len) lies inside guest RAM. */
void *vm__gpa_range(struct vm *vm, uint64_t gpa, uint64_t len);
/* Reserve an SRCU slot for a helper thread (pager, writer).  -ENOSPC. */
int vm__srcu_helper_slot(struct vm *vm);

/* ---- vCPU loop pieces (host/vcpu.c), named after KVM ---------------------- */
void vcpu__make_request(struct vcpu *vcpu, unsigned req);   /* release ordering */
bool vcpu__check_request(struct vcpu *vcpu, unsigned req);  /* test-and-clear, acquire */
bool vcpu__test_request(struct vcpu *vcpu, unsigned req);
void vcpu__kick(struct vcpu *vcpu);          /* force out of guest mode if in it */
bool vcpu__wake_up(struct vcpu *vcpu);       /* wake if blocked; true if it was */
/* kvm_make_vcpu_request() (the per-vCPU step of kvm_make_vcpus_request_mask()):
 * set the request; unless REQ_NO_WAKEUP, wake the vCPU if it is blocked and
 * stop there; else force it out of guest mode.  Returns true if req has
 * REQ_WAIT and the vCPU was in (or exiting) guest mode: the sender must then
 * vcpu__wait_guest_exit(vcpu, *exit_seq) (exit_seq may be NULL without WAIT). */
bool vcpu__make_vcpu_request(struct vcpu *vcpu, unsigned req, uint64_t *exit_seq);
/* The wait of a REQ_WAIT request (smp_call_function_many(.., wait)): until
 * the vCPU left guest mode since exit_seq was taken, or the VM stops. */
void vcpu__wait_guest_exit(struct vcpu *vcpu, uint64_t exit_seq);
void *vcpu__thread(void *arg);

/* The fields of vcpu->inhibit (seq << 1 | inhibited). */
static inline bool inhibit_word_set(uint64_t w) { return w & 1; }
static inline uint64_t inhibit_word_seq(uint64_t w) { return w >> 1; }

#endif
