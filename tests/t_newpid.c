// SPDX-License-Identifier: GPL-2.0
/*
 * CLONE_NEWPID: the list still aligns to the caller's namespace, and the
 * child is additionally pid 1 of its new namespace; also with
 * CLONE_NEWUSER, as an unprivileged container runtime would call it for a
 * zero list.
 */
#include "t.h"

int main(void)
{
	struct t_set s;
	pid_t ns[4];
	int pid;

	pid = clone_with_pids(CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL,
			      t_set(&s, 1, 5100));
	T_ASSERT(pid >= 0, "CLONE_NEWPID: %s", strerror(errno));
	if (pid == 0) {
		int n = t_nspid_self(ns, 4);

		_exit(n == 2 && ns[0] == 5100 && ns[1] == 1 && getpid() == 1 ? 0 : 2);
	}
	T_ASSERT(pid == 5100, "parent got %d", pid);
	t_reap(pid);

	t_nest(1);
	pid = clone_with_pids(CLONE_NEWPID | CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL,
			      t_set(&s, 2, 5101, 77));
	T_ASSERT(pid >= 0, "CLONE_NEWPID|CLONE_NEWUSER: %s", strerror(errno));
	if (pid == 0) {
		int n = t_nspid_self(ns, 4);

		_exit(n == 3 && ns[0] == 5101 && ns[1] == 77 && ns[2] == 1 ? 0 : 2);
	}
	T_ASSERT(pid == 77, "parent got %d", pid);
	t_reap(pid);
	return T_PASS;
}
