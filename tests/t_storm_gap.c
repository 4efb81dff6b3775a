// SPDX-License-Identifier: GPL-2.0
/*
 * Exact pids under a signal storm for lists with a gap: two pid
 * namespaces deep, {A, 0, B} chooses the pid in the initial namespace and
 * in the innermost one and leaves the middle one to the kernel (the
 * allocation diversion). Every creation path, checked from inside.
 */
#include "storm.h"

int main(int argc, char **argv)
{
	unsigned int rounds = t_storm_rounds() * 3 / 10;
	unsigned long bad, sent;

	t_storm_spawn_hook(argc, argv);
	t_nest(2);
	t_storm_start(T_STORM_SIGNALS);
	bad = t_storm_paths("gap list, SIGUSR1 storm", 1U << T_NEXT_CLONE, rounds, t_storm_gap);
	bad += t_storm_paths("gap list, SIGUSR1 storm", T_ALL_PATHS & ~(1U << T_NEXT_CLONE),
			     rounds / 3, t_storm_gap);
	sent = t_storm_stop();
	printf("stat: %lu signals sent\n", sent);
	T_ASSERT(!bad, "%lu tasks with wrong pids or failed", bad);
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
