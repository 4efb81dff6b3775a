// SPDX-License-Identifier: GPL-2.0
/*
 * CLONE_PARENT with a chosen pid: the child's parent is its creator's
 * parent, which reaps it.
 */
#include "t.h"

int main(void)
{
	pid_t me = getpid(), mid;
	struct t_set s;

	mid = fork();
	T_ASSERT(mid >= 0, "fork");
	if (mid == 0) {
		int pid = clone_with_pids(CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL,
					  t_set(&s, 1, 7000));
		if (pid == 0)
			_exit(getppid() == me ? 0 : 2);
		_exit(pid == 7000 ? 0 : 3);
	}
	t_reap(mid);
	/* Our grandchild by creation, our child by CLONE_PARENT. */
	t_reap(7000);
	return T_PASS;
}
