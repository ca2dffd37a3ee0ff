/* SPDX-License-Identifier: MIT */
/*
 * Promela model of flushbench's flush / inhibit / uninhibit protocol
 * (host/flush.c, host/designs/), checked exhaustively by spin
 * (tests/model/run.sh, docs/ORACLE.md).
 *
 * One target T runs one inhibit cycle (set the design's state, set the
 * inhibit, clear it through the design's uninhibit); two flushers F0, F1
 * each issue one flush to T at any moment.  Properties:
 *   - no lost wakeup: a suspended flusher is always woken (a flusher left
 *     blocked is an invalid end state);
 *   - no early resume: a woken flusher finds the inhibit cleared;
 *   - flush semantics: a flush that saw T inhibited after its request was
 *     visible answers SUCCESS only once that cycle was cleared.
 *
 * Memory model: every process has a store buffer (one pending store per
 * variable; a drain process commits them in any order, which is weaker
 * than x86-TSO's FIFO, so every program-order store->store dependence is
 * written as a FENCE, like the code's release/seq_cst stores).  Loads see
 * the own pending store first.  FENCE = mfence / locked instruction: wait
 * until the own buffer is empty.  So dropping a full fence that the
 * store->load order depends on (SRCU's read lock vs synchronize) is a
 * counterexample.
 *
 * Designs (-DDESIGN=): 1 srcu, 2 srcu-private, 3 targeted.
 * Broken variants (-DBUG=): 1 no grace period, 2 no full fence in the SRCU
 * read lock, 3 srcu-private publishes its state after the inhibit,
 * 4 targeted takes its waiter list before the clear, 5 wake before clear,
 * 6 targeted without its two smp_mb() (NOT a bug: the list lock's locked
 * acquire and FIFO release already order register vs clear; the model
 * checks that claim of docs/DESIGNS.md).
 */
#ifndef DESIGN
#define DESIGN 1
#endif
#ifndef BUG
#define BUG 0
#endif

#define NP 3            /* processes with a store buffer: 0 T, 1 F0, 2 F1 */
#define NV 9
#define INH    0        /* T's inhibit word (1 = inhibited; one cycle) */
#define STATE  1        /* srcu-private's RCU pointer (1 = non-NULL) */
#define LOCK   2        /* targeted: T's list lock (accessed only with locked ops) */
#define RD(f)  (3 + (f))        /* VM SRCU read side of flusher f */
#define SUSP(f) (5 + (f))       /* f suspended, waiting on T */
#define LIST(f) (7 + (f))       /* targeted: f on T's waiter list */

typedef row { byte v[NV] };
byte mem[NV];
row pend[NP], pval[NP];
byte npend[NP];
bool cleared;           /* ghost: T issued the clear of its cycle */
bool inhibit_on;        /* ghost: T issued the set of its cycle */

inline STORE(p, var, x) {
	atomic {
		if
		:: !pend[p].v[var] -> pend[p].v[var] = 1; npend[p]++
		:: else -> skip
		fi;
		pval[p].v[var] = x
	}
}
inline LOAD(p, var, x) {
	atomic {
		if
		:: pend[p].v[var] -> x = pval[p].v[var]
		:: else -> x = mem[var]
		fi
	}
}
inline FENCE(p) { (npend[p] == 0) }

proctype drain(byte p)
{
	byte v;
end:	do
	:: atomic {
		npend[p] > 0 ->
		select(v : 0 .. NV - 1);
		if
		:: pend[p].v[v] -> mem[v] = pval[p].v[v]; pend[p].v[v] = 0; npend[p]--
		:: else -> skip
		fi
	   }
	od
}

/* locked instruction on the lock word (xchg / lock cmpxchg): full fence */
inline LOCK_ACQ(p) { atomic { npend[p] == 0 && mem[LOCK] == 0 -> mem[LOCK] = 1 } }
inline LOCK_REL(p) { FENCE(p); mem[LOCK] = 0 }

/* synchronize_srcu() over the flushers' read sides (srcu: the VM domain;
 * srcu-private: its own domain, the same variables here): epoch bump (full
 * fence), then wait for every reader seen inside */
inline SYNCHRONIZE(p) {
	byte r, i;
	FENCE(p);
	for (i : 0 .. 1) {
		LOAD(p, RD(i), r);
		if
		:: r -> (mem[RD(i)] == 0)
		:: else -> skip
		fi
	}
}

inline WAKE_SCAN(p) {
	byte s, j;
	for (j : 0 .. 1) {
		LOAD(p, SUSP(j), s);
		if
		:: s -> STORE(p, SUSP(j), 0)     /* flush__wake_flusher: clear, request, kick */
		:: else -> skip
		fi
	}
}

proctype target()
{
	byte l0, l1;

	/* inhibit: design state first (host/flush.c), then the seq_cst set */
#if DESIGN == 2
#if BUG == 3
	FENCE(0); STORE(0, INH, 1); inhibit_on = 1; FENCE(0);
	STORE(0, STATE, 1);
#else
	STORE(0, STATE, 1); FENCE(0);
	STORE(0, INH, 1); inhibit_on = 1; FENCE(0);
#endif
#else
	STORE(0, INH, 1); inhibit_on = 1; FENCE(0);
#endif
	/* ... instruction completion, hold; then the uninhibit ioctl */
#if BUG == 5
	WAKE_SCAN(0);
#endif
#if DESIGN == 1
	atomic { STORE(0, INH, 0); cleared = 1 }; FENCE(0);
#if BUG != 1
	SYNCHRONIZE(0);
#endif
	WAKE_SCAN(0);
#elif DESIGN == 2
	atomic { STORE(0, INH, 0); cleared = 1 }; FENCE(0);
	FENCE(0); STORE(0, STATE, 0); FENCE(0);          /* xchg(state, NULL) */
#if BUG != 1
	SYNCHRONIZE(0);
#endif
	WAKE_SCAN(0);
#else
	/* targeted */
#if BUG == 4
	LOCK_ACQ(0);
	LOAD(0, LIST(0), l0); LOAD(0, LIST(1), l1);
	STORE(0, LIST(0), 0); STORE(0, LIST(1), 0);
	LOCK_REL(0);
	atomic { STORE(0, INH, 0); cleared = 1 }; FENCE(0);
#else
	atomic { STORE(0, INH, 0); cleared = 1 }; FENCE(0);
#if BUG != 6
	FENCE(0);                                        /* smp_mb() */
#endif
	LOCK_ACQ(0);
	LOAD(0, LIST(0), l0); LOAD(0, LIST(1), l1);
	STORE(0, LIST(0), 0); STORE(0, LIST(1), 0);
	LOCK_REL(0);
#endif
	if
	:: l0 -> STORE(0, SUSP(0), 0)
	:: else -> skip
	fi;
	if
	:: l1 -> STORE(0, SUSP(1), 0)
	:: else -> skip
	fi;
#endif
	FENCE(0)
}

proctype flusher(byte f)
{
	byte p = f + 1, x, s, mine;
	bool saw_inhibit = 0, suspended = 0;

	/* vCPU thread: VM SRCU read side (srcu__read_lock: slot store, full
	 * fence, re-check) - srcu-private takes its own around suspend() */
#if DESIGN == 1
	STORE(p, RD(f), 1);
#if BUG != 2
	FENCE(p);
#endif
#endif
	/* requests are out (release); the request point is here */
	LOAD(p, INH, x);
	if
	:: x -> saw_inhibit = 1;
#if DESIGN == 1
		STORE(p, SUSP(f), 1); suspended = 1
#elif DESIGN == 2
		STORE(p, RD(f), 1);
#if BUG != 2
		FENCE(p);
#endif
		LOAD(p, STATE, s);
		if
		:: s -> STORE(p, SUSP(f), 1); suspended = 1
		:: else -> skip          /* uninhibited meanwhile: go on (SUCCESS) */
		fi;
		FENCE(p); STORE(p, RD(f), 0)                     /* read unlock (release) */
#else
		LOCK_ACQ(p);
		STORE(p, LIST(f), 1); STORE(p, SUSP(f), 1);
		LOCK_REL(p);
#if BUG != 6
		FENCE(p);                                        /* smp_mb() */
#endif
		LOAD(p, INH, x);
		if
		:: x -> suspended = 1
		:: else ->
			LOCK_ACQ(p);
			LOAD(p, LIST(f), mine);
			if
			:: mine -> STORE(p, LIST(f), 0); STORE(p, SUSP(f), 0)   /* retract: retry */
			:: else -> suspended = 1                                 /* wake imminent */
			fi;
			LOCK_REL(p)
		fi
#endif
	:: else -> skip
	fi;
#if DESIGN == 1
	FENCE(p); STORE(p, RD(f), 0);                    /* leave the read side to block */
#endif
	if
	:: suspended ->
		/* blocked until a wake clears SUSP(f) */
		atomic { !pend[p].v[SUSP(f)] && mem[SUSP(f)] == 0 };
		/* resumed: its cycle must be over (no early resume) */
		assert(cleared)
	:: else ->
		/* SUCCESS: if it saw T inhibited after its requests were
		 * visible, that cycle must have been cleared since */
		assert(!saw_inhibit || cleared)
	fi
}

init {
	atomic {
		run drain(0); run drain(1); run drain(2);
		run target(); run flusher(0); run flusher(1)
	}
}
