// SPDX-License-Identifier: GPL-2.0
/*
 * Lists armed with clone_with_pids_next_list() under a SIGUSR1 storm,
 * SIGSTOP/SIGCONT and a ptrace tracer interrupting the creator: every
 * fork() of a list gets its set, in order, each child checked from inside
 * and from its creator; a clone interrupted and restarted keeps its set,
 * and nothing is left armed afterwards. Whether the storms catch a clone
 * while copy_process() looks for signals is chance, and a SIGUSR1 never
 * does with glibc 2.41 (the arm64 programs' C library), whose fork()
 * blocks every signal; a tracer interrupting clones at their entry makes
 * each of those restart, and the module must count a restart for each.
 * A fork that meets a pid not freed yet (EBUSY) drops the rest of its
 * list: the rest is armed again.
 */
#include "storm.h"

#define LIST	16

static void run_list(pid_t first, struct t_tally *t)
{
	const struct pid_set *sets[LIST];
	struct t_set s[LIST];
	unsigned int done = 0, tries = 0;
	int i;

	for (i = 0; i < LIST; i++)
		sets[i] = t_set(&s[i], 1, first + i);
	while (done < LIST) {
		if (clone_with_pids_next_list(sets + done, LIST - done, NULL)) {
			t->errors++;
			t->last_errno = errno;
			return;
		}
		for (; done < LIST; done++) {
			errno = 0;
			if (t_fork_armed(sets[done]) == 0) {
				t->exact++;
				continue;
			}
			if (errno == EBUSY && tries++ < 200) {
				t->busy++;
				usleep(1000);
				break;		/* the rest was dropped: arm it again */
			}
			t->errors++;
			t->last_errno = errno;
			clone_with_pids_next_list(NULL, 0, NULL);
			return;
		}
	}
}

static void run(unsigned int r, struct t_tally *t)
{
	run_list(7500 + (r % 16) * LIST, t);
}

int main(void)
{
	static const struct t_storm_work w = { .unit = "lists", .per_unit = LIST, .run = run };
	unsigned int lists = t_storm_rounds() / 20;
	unsigned long errors;

	errors = t_storm_kinds(&w, lists < 4 ? 4 : lists);
	T_ASSERT(!errors, "%lu lists failed", errors);
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
