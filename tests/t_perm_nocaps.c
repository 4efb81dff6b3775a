// SPDX-License-Identifier: GPL-2.0
/*
 * EPERM: a caller with no capabilities cannot choose a pid, at any level;
 * a list of zeros needs no privilege and is an ordinary fork.
 */
#include "t.h"

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;
	pid_t pid;

	t_drop_privileges();
	t_clone_args(&a, t_set(&s, 1, 4700));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EPERM);
	T_EXPECT_ERRNO(fork_with_pids(t_set(&s, 1, 4701)), EPERM);

	pid = fork_with_pids(t_set(&s, 1, 0));
	T_ASSERT(pid >= 0, "zeros refused: %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	t_reap(pid);
	return T_PASS;
}
