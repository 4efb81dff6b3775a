// SPDX-License-Identifier: GPL-2.0
/*
 * CLONE_PARENT_SETTID stores the chosen pid in the parent's memory,
 * CLONE_CHILD_SETTID in the child's.
 */
#include "t.h"


int main(void)
{
	int ptid = 0, ctid = 0;
	pid_t pid;
	struct t_set s;

	pid = clone_with_pids(CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD,
			      NULL, &ptid, &ctid, NULL, t_set(&s, 1, 5200));
	T_ASSERT(pid >= 0, "clone: %s", strerror(errno));
	if (pid == 0)
		_exit(ctid == 5200 && ptid == 0 ? 0 : 2);	/* PARENT_SETTID: parent's copy only */
	T_ASSERT(pid == 5200 && ptid == 5200, "pid %d ptid %d", pid, ptid);
	T_ASSERT(ctid == 0, "CLONE_CHILD_SETTID wrote the parent's memory: %d", ctid);
	t_reap(pid);

	return T_PASS;
}
