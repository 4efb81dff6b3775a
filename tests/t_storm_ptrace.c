// SPDX-License-Identifier: GPL-2.0
/*
 * Exact pids under ptrace: a tracer seizes the creator and keeps
 * interrupting it (PTRACE_INTERRUPT, then PTRACE_CONT), which interrupts
 * its clones; the kernel restarts them. Every creation path, one level
 * and a gap list two namespaces deep.
 */
#include "storm.h"

static struct t_set s;

static struct pid_set *one_level(enum t_path path, unsigned int round)
{
	return t_set(&s, 1, 7000 + path * 100 + round % 64);
}

static struct pid_set *gap(enum t_path path, unsigned int round)
{
	unsigned int k = path * 16 + round % 16;

	return t_set(&s, 3, 7800 + k, 0, 200 + k);
}

int main(int argc, char **argv)
{
	unsigned int rounds = t_storm_rounds() * 3 / 40;
	unsigned long bad, sent;

	t_storm_spawn_hook(argc, argv);
	t_storm_start(T_STORM_PTRACE);
	bad = t_storm_paths("ptrace interrupts", T_ALL_PATHS, rounds, one_level);
	sent = t_storm_stop();
	printf("stat: %lu interrupts\n", sent);
	T_ASSERT(!bad, "%lu tasks with wrong pids or failed", bad);
	T_ASSERT(sent > 0, "the tracer never interrupted");

	t_nest(2);
	t_storm_start(T_STORM_PTRACE);
	bad = t_storm_paths("gap list, ptrace interrupts", T_ALL_PATHS, rounds / 2, gap);
	sent = t_storm_stop();
	printf("stat: %lu interrupts (gap lists)\n", sent);
	T_ASSERT(!bad, "%lu tasks with wrong pids or failed (gap lists)", bad);
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
