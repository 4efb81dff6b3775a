// SPDX-License-Identifier: GPL-2.0
/*
 * Exact pids under a signal storm: another thread sends SIGUSR1 to the
 * creating thread in a loop, so that clones are interrupted and restarted
 * by the kernel (ERESTARTNOINTR). Every creation path, each task checked
 * from inside and from its creator: no wrong pid, no error, and nothing
 * left armed afterwards.
 */
#include "storm.h"

int main(int argc, char **argv)
{
	unsigned int rounds = t_storm_rounds();
	unsigned int headline = 1U << T_FORK_WITH_PIDS | 1U << T_NEXT_CLONE;
	unsigned long bad, sent;

	t_storm_spawn_hook(argc, argv);
	t_storm_start(T_STORM_SIGNALS);
	bad = t_storm_paths("SIGUSR1 storm", headline, rounds, t_storm_one_level);
	bad += t_storm_paths("SIGUSR1 storm", T_ALL_PATHS & ~headline, rounds / 5, t_storm_one_level);
	sent = t_storm_stop();
	printf("stat: %lu signals sent\n", sent);
	T_ASSERT(!bad, "%lu tasks with wrong pids or failed", bad);
	T_ASSERT(sent > rounds, "the storm sent only %lu signals", sent);
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
