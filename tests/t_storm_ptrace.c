// SPDX-License-Identifier: GPL-2.0
/*
 * Exact pids under ptrace: a tracer seizes the creator and keeps
 * interrupting it (PTRACE_INTERRUPT, then PTRACE_CONT), which interrupts
 * its clones; the kernel restarts them. Every creation path, one level
 * and a gap list two namespaces deep.
 */
#include "storm.h"

int main(int argc, char **argv)
{
	unsigned int rounds = t_storm_rounds() * 3 / 40;

	t_storm_spawn_hook(argc, argv);
	t_storm_run(T_STORM_PTRACE, "ptrace interrupts", T_ALL_PATHS, rounds, t_storm_one_level,
		    "interrupts");
	t_nest(2);
	t_storm_run(T_STORM_PTRACE, "gap list, ptrace interrupts", T_ALL_PATHS, rounds / 2,
		    t_storm_gap, "interrupts (gap lists)");
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
