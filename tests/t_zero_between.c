// SPDX-License-Identifier: GPL-2.0
/*
 * A zero between chosen pids: {555, 0, 177} from a level-2 namespace gives
 * 555 in the initial namespace, a kernel-chosen pid in the middle one, and
 * 177 in the innermost (clone3()'s set_tid cannot do this).
 */
#include "t.h"

int main(void)
{
	pid_t ns[4];
	struct t_set s;
	pid_t pid;

	if (t_pid_exists(555))
		t_skip("pid 555 in use");
	t_nest(2);
	pid = fork_with_pids(t_set(&s, 3, 555, 0, 177));
	T_ASSERT(pid >= 0, "fork_with_pids: %s", strerror(errno));
	if (pid == 0) {
		int n = t_nspid_self(ns, 4);

		_exit(n == 3 && ns[0] == 555 && ns[1] > 0 && ns[2] == 177 ? 0 : 2);
	}
	T_ASSERT(pid == 177, "parent got %d", pid);
	t_reap(pid);
	return T_PASS;
}
