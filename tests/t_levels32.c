// SPDX-License-Identifier: GPL-2.0
/*
 * 32 chosen pids, one per level, from a process at nesting level 31 (the
 * deepest list allowed); every level gets its pid.
 */
#include "t.h"

int main(void)
{
	pid_t ns[40];
	struct t_set s;
	pid_t pid;
	int i;

	t_nest(31);
	s.set.num_pids = 32;
	for (i = 0; i < 32; i++)
		s.set.pids[i] = 1000 + i;
	if (t_pid_exists(1000))
		t_skip("pid 1000 in use");
	pid = fork_with_pids(&s.set);
	T_ASSERT(pid >= 0, "fork_with_pids: %s", strerror(errno));
	if (pid == 0) {
		int n = t_nspid_self(ns, 40);

		if (n != 32)
			_exit(2);
		for (i = 0; i < 32; i++)
			if (ns[i] != 1000 + i)
				_exit(3);
		_exit(0);
	}
	T_ASSERT(pid == 1031, "parent got %d", pid);
	t_reap(pid);
	return T_PASS;
}
