// SPDX-License-Identifier: GPL-2.0
/*
 * Exact pids under job control: another process sends SIGSTOP and SIGCONT
 * to the creator all the time; a stop interrupts a clone, which the kernel
 * restarts after the SIGCONT. Every creation path.
 */
#include "storm.h"

static struct t_set s;

static struct pid_set *one_level(enum t_path path, unsigned int round)
{
	return t_set(&s, 1, 7000 + path * 100 + round % 64);
}

int main(int argc, char **argv)
{
	unsigned int rounds = t_storm_rounds() * 3 / 40;
	unsigned long bad, sent;

	t_storm_spawn_hook(argc, argv);
	t_storm_start(T_STORM_STOPCONT);
	bad = t_storm_paths("SIGSTOP/SIGCONT", T_ALL_PATHS, rounds, one_level);
	sent = t_storm_stop();
	printf("stat: %lu stop/continue cycles\n", sent);
	T_ASSERT(!bad, "%lu tasks with wrong pids or failed", bad);
	T_ASSERT(sent > 0, "no stop was sent");
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
