// SPDX-License-Identifier: GPL-2.0
/*
 * EINVAL: after unshare(CLONE_NEWPID) the namespace for new children has
 * no init yet, so any pid there other than 1 is refused; pid 1 is taken,
 * and afterwards other pids are accepted.
 */
#include "t.h"

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;
	pid_t pid;

	if (unshare(CLONE_NEWPID))
		t_fail("unshare: %s", strerror(errno));
	t_clone_args(&a, t_set(&s, 2, 0, 5));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);

	/* Pid 1 is the only valid first pid: the child becomes that init. */
	pid = fork_with_pids(t_set(&s, 2, 0, 1));
	T_ASSERT(pid > 0 || pid == 0, "pid 1 refused: %s", strerror(errno));
	if (pid == 0) {
		pid_t c;

		if (getpid() != 1)
			_exit(2);
		c = fork_with_pids(t_set(&s, 1, 5));
		if (c == 0)
			_exit(0);
		_exit(c == 5 && t_wait(c) == 0 ? 0 : 3);
	}
	t_reap(pid);
	return T_PASS;
}
