// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module, CLONE_NEWPID: the list still aligns to the caller's
 * namespace and the child is pid 1 of its new one (set_tid gets 1 first).
 */
#include "t.h"

int main(void)
{
	struct t_set s;
	pid_t ns[4];
	int pid;

	t_need_fallback();
	pid = clone_with_pids(CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL,
			      t_set(&s, 1, 7200));
	T_ASSERT(pid >= 0, "CLONE_NEWPID: %s", strerror(errno));
	if (pid == 0) {
		int n = t_nspid_self(ns, 4);

		_exit(n == 2 && ns[0] == 7200 && ns[1] == 1 && getpid() == 1 ? 0 : 2);
	}
	T_ASSERT(pid == 7200, "parent got %d", pid);
	t_reap(pid);
	return T_PASS;
}
