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

struct tally {
	unsigned long exact, wrong, errors, busy;
	int last_errno;
};

static void run_list(pid_t first, struct tally *t)
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

static unsigned long storm(enum t_storm kind, const char *what, unsigned int lists)
{
	struct tally t = { 0 };
	unsigned long sent;
	long restarts = t_stat("restarts");
	unsigned int r;

	t_storm_start(kind);
	for (r = 0; r < lists; r++)
		run_list(7500 + (r % 16) * LIST, &t);
	sent = t_storm_stop();
	restarts = t_stat("restarts") - restarts;
	printf("stat: %s, %u lists of %d: %lu exact, %lu errors%s%s, %lu EBUSY retried, %lu sent, %ld restarts\n",
	       what, lists, LIST, t.exact, t.errors, t.errors ? " last " : "",
	       t.errors ? strerror(t.last_errno) : "", t.busy, sent, restarts);
	fflush(stdout);
	T_ASSERT(sent > 0, "%s: nothing sent", what);
	T_ASSERT(kind != T_STORM_ENTRY || restarts >= (long)sent,
		 "%s: %lu clones interrupted, %ld restarts", what, sent, restarts);
	T_ASSERT(t.exact == (unsigned long)lists * LIST, "%s: %lu exact of %u", what, t.exact,
		 lists * LIST);
	return t.errors;
}

int main(void)
{
	unsigned int lists = t_storm_rounds() / 20;
	unsigned long bad = 0;

	if (lists < 4)
		lists = 4;
	bad += storm(T_STORM_SIGNALS, "SIGUSR1 storm", lists);
	bad += storm(T_STORM_STOPCONT, "SIGSTOP/SIGCONT", lists);
	bad += storm(T_STORM_PTRACE, "ptrace interrupts", lists);
	bad += storm(T_STORM_ENTRY, "interrupted at clone entry", lists / 2);
	T_ASSERT(!bad, "%lu lists failed", bad);
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
