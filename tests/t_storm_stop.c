// SPDX-License-Identifier: GPL-2.0
/*
 * Exact pids under job control: another process sends SIGSTOP and SIGCONT
 * to the creator all the time; a stop interrupts a clone, which the kernel
 * restarts after the SIGCONT. Every creation path.
 */
#include "storm.h"

int main(int argc, char **argv)
{
	t_storm_spawn_hook(argc, argv);
	t_storm_run(T_STORM_STOPCONT, "SIGSTOP/SIGCONT", T_ALL_PATHS, t_storm_rounds() * 3 / 40,
		    t_storm_one_level, "stop/continue cycles");
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
