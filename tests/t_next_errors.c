// SPDX-License-Identifier: GPL-2.0
/*
 * Errors with armed pids. Arming reports privilege and list errors at once
 * (EPERM, EINVAL); the clone reports allocation errors with the errno of
 * the immediate call (EBUSY), and EINVAL when the namespace for children
 * changed since arming or a clone3() brings its own set_tid. Each failure
 * consumes the pids: the next fork is ordinary. The ioctl's own
 * validation: bad sizes, flags and padding.
 */
#include "t.h"

#include <linux/sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

static long raw_clone3(struct clone_args *ca)
{
	return syscall(SYS_clone3, ca, sizeof(*ca));
}

int main(void)
{
	struct cwp_next_args a;
	struct clone_args ca;
	struct t_set s;
	pid_t tid = 6500;
	pid_t pid;

	/* The immediate call and the armed fork fail alike. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, getpid())), "arm: %s", strerror(errno));
	errno = 0;
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == -1 && errno == EBUSY, "armed fork of a busy pid: %d %s", pid, strerror(errno));
	T_ASSERT(t_nr_requests() == 0, "failed clone did not consume the pids");

	T_EXPECT_ERRNO(clone_with_pids_next(t_set(&s, 2, 0, 6501)), EINVAL);
	T_EXPECT_ERRNO(clone_with_pids_next(t_set(&s, 1, -1)), EINVAL);

	/* clone3() with set_tid while pids are armed. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6502)), "arm: %s", strerror(errno));
	memset(&ca, 0, sizeof(ca));
	ca.exit_signal = SIGCHLD;
	ca.set_tid = (uintptr_t)&tid;
	ca.set_tid_size = 1;
	errno = 0;
	pid = raw_clone3(&ca);
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == -1 && errno == EINVAL, "clone3 set_tid with armed pids: %d %s", pid, strerror(errno));
	T_ASSERT(!t_pid_exists(6500) && !t_pid_exists(6502), "a pid was allocated");

	/* clone3() without set_tid takes them. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6503)), "arm: %s", strerror(errno));
	ca.set_tid = 0;
	ca.set_tid_size = 0;
	pid = raw_clone3(&ca);
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 6503, "clone3 got %d %s", pid, strerror(errno));
	t_reap(pid);

	/* The ioctl's validation. */
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.pid_set = (uintptr_t)t_set(&s, 1, 6504);
	a.cwp_flags = 1;
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_SET_NEXT, &a), EINVAL);
	a.cwp_flags = 0;
	a.pad = 1;
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_SET_NEXT, &a), EINVAL);
	a.pad = 0;
	a.size = CWP_NEXT_ARGS_SIZE_VER0 - 8;
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_SET_NEXT, &a), EINVAL);
	a.size = sizeof(a);
	a.pid_set = 1;
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_SET_NEXT, &a), EFAULT);
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_SET_NEXT, (void *)8), EFAULT);
	T_ASSERT(t_nr_requests() == 0, "a refused request stayed armed");

	/* The namespace for children changed after arming. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6505)), "arm: %s", strerror(errno));
	T_ASSERT(!unshare(CLONE_NEWPID), "unshare: %s", strerror(errno));
	errno = 0;
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == -1 && errno == EINVAL, "fork after unshare: %d %s", pid, strerror(errno));
	T_ASSERT(t_nr_requests() == 0, "not consumed");
	return T_PASS;
}
