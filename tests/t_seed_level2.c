// SPDX-License-Identifier: GPL-2.0
/*
 * The seed's example: from a process in a level-2 pid namespace,
 * {3, {0, 99, 177}} gives the child pid 177 in its namespace, 99 in the
 * parent namespace and a kernel-chosen pid in the initial one.
 */
#include "t.h"

int main(void)
{
	pid_t ns[4];
	struct t_set s;
	pid_t pid;

	t_nest(2);
	pid = fork_with_pids(t_set(&s, 3, 0, 99, 177));
	T_ASSERT(pid >= 0, "fork_with_pids: %s", strerror(errno));
	if (pid == 0) {
		int n = t_nspid_self(ns, 4);

		if (n != 3 || ns[1] != 99 || ns[2] != 177 || getpid() != 177)
			_exit(2);
		printf("NSpid: %d %d %d\n", ns[0], ns[1], ns[2]);
		exit(0);
	}
	T_ASSERT(pid == 177, "parent got %d", pid);
	t_reap(pid);
	return T_PASS;
}
