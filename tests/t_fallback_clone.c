// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module, clone_with_pids() gives the child its chosen pid
 * through clone3()'s set_tid, fork-like and on a new stack; a zero list is
 * a plain clone; a pid in use is EBUSY (clone3() says EEXIST) and leaves
 * nothing behind.
 */
#include "t.h"

#include <sys/syscall.h>

int main(void)
{
	struct t_set s;
	pid_t pid;

	t_need_fallback();
	pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 7100));
	T_ASSERT(pid >= 0, "clone_with_pids: %s", strerror(errno));
	if (pid == 0)
		_exit(syscall(SYS_getpid) == 7100 ? 0 : 2);
	T_ASSERT(pid == 7100, "parent got %d", pid);
	t_reap(pid);

	pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 0));
	T_ASSERT(pid > 0 || pid == 0, "zero list: %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	t_reap(pid);
	pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, NULL);
	T_ASSERT(pid >= 0, "no list: %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	t_reap(pid);

	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, getpid())),
		       EBUSY);
	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL,
				       t_set(&s, 1, t_pid_max())), EINVAL);
	return T_PASS;
}
