// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module, the errors are the module's: EFAULT for an
 * unreadable set, EINVAL for more than 32 pids or a negative one, EPERM
 * for a chosen pid without CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE, while
 * a list of zeros needs no privilege.
 */
#include "t.h"

int main(void)
{
	struct t_set s;
	pid_t pid;

	t_need_fallback();
	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, (void *)8), EFAULT);
	s.set.num_pids = CLONE_WITH_PIDS_MAX + 1;
	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, &s.set), EINVAL);
	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, -5)), EINVAL);

	t_drop_privileges();
	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 7500)), EPERM);
	T_ASSERT(!t_pid_exists(7500), "7500 allocated");
	pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 0));
	T_ASSERT(pid >= 0, "zero list unprivileged: %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	t_reap(pid);
	return T_PASS;
}
