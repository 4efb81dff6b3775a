// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module, clone_with_pids_fn(): a child process on a new stack
 * and a bare thread (CLONE_THREAD, CLONE_CHILD_CLEARTID,
 * CLONE_PARENT_SETTID) get their chosen pid and tid through clone3()'s
 * set_tid; fn's return value is the exit status; a taken pid is EBUSY, a
 * list longer than the nesting depth EINVAL.
 */
#include "t.h"

#include <sys/syscall.h>

static volatile long seen;

static int child(void *arg)
{
	seen = syscall(SYS_getpid);
	return (int)(long)arg;
}

static int thread(void *arg)
{
	seen = t_raw_syscall4(SYS_gettid, 0, 0, 0, 0);
	return 0;
}

int main(void)
{
	int flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
		    CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
	volatile pid_t ctid = -1;
	pid_t ptid = 0;
	struct t_set s;
	int pid;

	t_need_fallback();
	pid = clone_with_pids_fn(child, t_stack(64 * 1024), CLONE_VM | SIGCHLD, (void *)7,
				 t_set(&s, 1, 7300));
	T_ASSERT(pid == 7300, "process: %d %s", pid, strerror(errno));
	T_ASSERT(t_wait(pid) == 7, "exit status is not fn's return value");
	T_ASSERT(seen == 7300, "child saw pid %ld", seen);

	pid = clone_with_pids_fn(thread, t_stack(64 * 1024), flags, NULL, t_set(&s, 1, 7301),
				 &ptid, NULL, &ctid);
	T_ASSERT(pid == 7301, "thread: %d %s", pid, strerror(errno));
	t_futex_wait_zero(&ctid);
	T_ASSERT(ptid == 7301 && seen == 7301, "parent tid %d, thread saw %ld", ptid, seen);

	T_EXPECT_ERRNO(clone_with_pids_fn(child, t_stack(4096), SIGCHLD, NULL,
					  t_set(&s, 1, getpid())), EBUSY);
	T_EXPECT_ERRNO(clone_with_pids_fn(child, t_stack(4096), SIGCHLD, NULL,
					  t_set(&s, 2, 7302, 0)), EINVAL);
	return T_PASS;
}
