// SPDX-License-Identifier: GPL-2.0
/*
 * Reserved pids consumed while the creator is interrupted by a SIGUSR1
 * storm, SIGSTOP/SIGCONT and a ptrace tracer: each round reserves a batch
 * of sets, then creates them either with one list armed for its fork()s
 * or with fork_with_pids() per set. Every child is checked from inside
 * and from its creator; a clone restarted after its reservation was
 * claimed gives the reservation back whole and the restart consumes it
 * (the module counts restarts and reservations given back: one for each);
 * nothing stays reserved or armed. A tracer interrupting clones at their
 * entry makes restarts certain: the storms' are chance, and a SIGUSR1
 * never interrupts the fork() of glibc 2.41, which blocks every signal.
 */
#include "storm.h"

#define BATCH	16

/* Reserve the sets, retrying while a pid of the last round is not freed. */
static int reserve(const struct pid_set *const *sets, struct t_tally *t)
{
	int tries;

	for (tries = 0; tries < 200; tries++) {
		if (!clone_with_pids_reserve(sets, BATCH, NULL, NULL))
			return 0;
		if (errno != EBUSY && errno != EINTR)
			break;
		t->busy++;
		usleep(1000);
	}
	t->errors++;
	t->last_errno = errno;
	return -1;
}

static void round_(pid_t first, int as_list, struct t_tally *t)
{
	const struct pid_set *sets[BATCH];
	struct t_set s[BATCH];
	int i, ret;

	for (i = 0; i < BATCH; i++)
		sets[i] = t_set(&s[i], 1, first + i);
	if (reserve(sets, t))
		return;
	if (as_list && clone_with_pids_next_list(sets, BATCH, NULL)) {
		t->errors++;
		t->last_errno = errno;
		clone_with_pids_release(NULL, 0);
		return;
	}
	for (i = 0; i < BATCH; i++) {
		errno = 0;
		ret = as_list ? t_fork_armed(sets[i]) : t_fork_exact(sets[i]);
		if (ret == 0) {
			t->exact++;
			continue;
		}
		/* Reserved: nothing else can hold the pid, no EBUSY to retry. */
		t->errors++;
		t->last_errno = errno;
		clone_with_pids_next_list(NULL, 0, NULL);
		clone_with_pids_release(NULL, 0);
		return;
	}
}

static void run(unsigned int r, struct t_tally *t)
{
	round_(7000 + (r % 16) * BATCH, r % 2, t);
}

static long back;

static void start(void)
{
	back = t_stat("reservations_back");
}

/* Every clone here consumes a reservation: each undone one gave it back. */
static void done(const char *what, const struct t_tally *t, long restarts)
{
	back = t_stat("reservations_back") - back;
	printf("stat: %s: %ld reservations back\n", what, back);
	T_ASSERT(t->errors || back == restarts, "%s: %ld reservations back for %ld restarts", what,
		 back, restarts);
	T_ASSERT(t_nr_reserved() == 0, "%s: %u sets still reserved", what, t_nr_reserved());
}

int main(void)
{
	static const struct t_storm_work w = {
		.unit = "batches", .per_unit = BATCH, .run = run, .start = start, .done = done,
	};
	unsigned int rounds = t_storm_rounds() / 20;
	unsigned long errors;

	errors = t_storm_kinds(&w, rounds < 4 ? 4 : rounds);
	T_ASSERT(!errors, "%lu batches failed", errors);
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
