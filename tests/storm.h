/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Creating tasks along every path the library offers, each checked from
 * inside (its NSpid) and from its creator, while something keeps
 * interrupting the creator: signals, job control, a ptrace tracer.
 */
#ifndef CWP_STORM_H
#define CWP_STORM_H

#include "t.h"

enum t_storm {
	T_STORM_NONE,
	T_STORM_SIGNALS,	/* SIGUSR1 from another thread, in a loop */
	T_STORM_STOPCONT,	/* SIGSTOP/SIGCONT from another process */
	T_STORM_PTRACE,		/* PTRACE_INTERRUPT from a tracer process */
	T_STORM_ENTRY,		/* a tracer interrupting every other clone at its
				   entry: each makes a restart, on any CPU */
};

enum t_path {
	T_FORK_WITH_PIDS,	/* fork_with_pids() */
	T_NEXT_FORK,		/* clone_with_pids_next() + fork() */
	T_NEXT_CLONE,		/* clone_with_pids_next() + raw clone() */
	T_NEXT_CLONE3,		/* clone_with_pids_next() + raw clone3() */
	T_NEXT_PTHREAD,		/* clone_with_pids_next() + pthread_create() */
	T_NEXT_SPAWN,		/* clone_with_pids_next() + posix_spawn() */
	T_CLONE_WITH_PIDS,	/* clone_with_pids(), fork-like */
	T_CLONE_WITH_PIDS_FN,	/* clone_with_pids_fn(), a process on a new stack */
	T_NR_PATHS,
};

extern const char *const t_path_name[T_NR_PATHS];

struct t_tally {
	unsigned long exact;	/* the task had exactly the chosen pids */
	unsigned long wrong;	/* created, with other pids */
	unsigned long busy;	/* EBUSY, retried: a pid not free yet */
	unsigned long errors;	/* failed otherwise */
	int last_errno;
};

/*
 * Call first in main() of a test that uses T_NEXT_SPAWN: the spawned
 * program is the test itself, which checks its own pids and exits.
 */
void t_storm_spawn_hook(int argc, char **argv);

/* Start disturbing the calling thread (and its process). */
void t_storm_start(enum t_storm kind);
/*
 * Stop; returns how many disturbances were sent (T_STORM_ENTRY: how many
 * clones were interrupted at their entry, each of which must restart).
 */
unsigned long t_storm_stop(void);

/*
 * Create one task along @path with @set, let it check its own pids, check
 * the pid its creator got, and reap it. EBUSY (a pid of a task just
 * reaped, not freed yet) is retried.
 */
void t_create_checked(enum t_path path, const struct pid_set *set,
		      struct t_tally *t);

/*
 * Run @rounds creations along each path whose bit is set in @paths, with
 * the sets make_set(path, round) gives; print a stat line per path and
 * return the number of wrong pids plus errors over all of them.
 */
unsigned long t_storm_paths(const char *what, unsigned int paths, unsigned int rounds,
			    struct pid_set *(*make_set)(enum t_path path,
							unsigned int round));

#define T_ALL_PATHS	((1U << T_NR_PATHS) - 1)

/*
 * The creations per path the storm tests make (cwp_storm_rounds= on the
 * kernel command line, 1000 by default); a quarter of that for 32-bit
 * programs, whose compat path differs from the 64-bit one only at the
 * ioctl's entry.
 */
unsigned int t_storm_rounds(void);

/* Sets the storm tests make: one level, {7000 + ...}. */
struct pid_set *t_storm_one_level(enum t_path path, unsigned int round);
/* A gap list two pid namespaces deep, {7800 + k, 0, 200 + k} (t_nest(2) first). */
struct pid_set *t_storm_gap(enum t_path path, unsigned int round);

/*
 * One storm of @kind around t_storm_paths(@what, @paths, @rounds,
 * @make_set): prints "stat: N @unit" for what it sent, and fails the
 * test on a wrong pid, an error, or a storm that sent nothing.
 */
void t_storm_run(enum t_storm kind, const char *what, unsigned int paths, unsigned int rounds,
		 struct pid_set *(*make_set)(enum t_path path, unsigned int round),
		 const char *unit);

/*
 * Work made under each kind of storm in turn (a SIGUSR1 storm,
 * SIGSTOP/SIGCONT, ptrace interrupts, and a tracer interrupting clones at
 * their entry, which makes each of them restart): @run(r, t) for r = 0 to
 * @n - 1 (@n / 2 for the last kind), each making @per_unit tasks.
 */
struct t_storm_work {
	const char *unit;		/* what one @run makes: "lists", "batches" */
	unsigned int per_unit;		/* tasks one @run makes */
	void (*run)(unsigned int r, struct t_tally *t);
	void (*start)(void);		/* before each kind, or NULL */
	/* After each kind, with the restarts the module counted, or NULL. */
	void (*done)(const char *what, const struct t_tally *t, long restarts);
};

/*
 * Run @w under each kind of storm; print a stat line for each; fail the
 * test if a storm sent nothing, if a task was not exact, or if a clone
 * interrupted at its entry was not restarted. Returns the errors.
 */
unsigned long t_storm_kinds(const struct t_storm_work *w, unsigned int n);

#endif /* CWP_STORM_H */
