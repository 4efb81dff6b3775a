// SPDX-License-Identifier: GPL-2.0
/*
 * clone_with_pids_fn() with CLONE_VM on a new stack: the child runs fn(arg)
 * with the chosen pid, writes the parent's memory, and its return value is
 * its exit status. With CLONE_VFORK the parent resumes only after the
 * child exited. A NULL fn or stack is EINVAL.
 */
#include "t.h"

#include <sys/syscall.h>

static volatile long child_pid;

static int child(void *arg)
{
	child_pid = syscall(SYS_getpid);
	return (int)(long)arg;
}

int main(void)
{
	struct t_set s;
	int pid;

	pid = clone_with_pids_fn(child, t_stack(64 * 1024), CLONE_VM | SIGCHLD, (void *)7,
				 t_set(&s, 1, 6300));
	T_ASSERT(pid == 6300, "clone: %d %s", pid, strerror(errno));
	T_ASSERT(t_wait(pid) == 7, "exit status is not fn's return value");
	T_ASSERT(child_pid == 6300, "child saw pid %ld", child_pid);

	child_pid = 0;
	pid = clone_with_pids_fn(child, t_stack(64 * 1024), CLONE_VM | CLONE_VFORK | SIGCHLD,
				 NULL, t_set(&s, 1, 6301));
	T_ASSERT(pid == 6301, "vfork clone: %d %s", pid, strerror(errno));
	T_ASSERT(child_pid == 6301, "parent resumed before the vfork child ran");
	t_reap(pid);

	T_EXPECT_ERRNO(clone_with_pids_fn(NULL, t_stack(4096), SIGCHLD, NULL, t_set(&s, 1, 6302)), EINVAL);
	T_EXPECT_ERRNO(clone_with_pids_fn(child, NULL, SIGCHLD, NULL, t_set(&s, 1, 6302)), EINVAL);
	T_EXPECT_ERRNO(clone_with_pids_fn(child, t_stack(4096), SIGCHLD, NULL, t_set(&s, 1, getpid())), EBUSY);
	return T_PASS;
}
