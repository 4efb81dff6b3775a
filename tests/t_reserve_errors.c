// SPDX-License-Identifier: GPL-2.0
/*
 * CWP_IOC_RESERVE and CWP_IOC_RELEASE refuse, and reserve nothing:
 * argument sizes (EINVAL, E2BIG), flags, too many sets, unreadable
 * arguments and sets (EFAULT, also one set in the middle), bad sets
 * (EINVAL: no pid chosen, too many levels, out of range, any pid in a
 * namespace without init), a pid twice (EBUSY), pids the
 * caller may not choose (EPERM), more sets than an unprivileged user's
 * quota (EAGAIN); a set armed for a clone while its user's quota is full
 * of reservations is still consumed. CWP_IOC_RELEASE: flags, a set not
 * reserved (ENOENT).
 */
#include "t.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static int reserve(struct cwp_reserve_args *ra)
{
	return ioctl(clone_with_pids_fd(), CWP_IOC_RESERVE, ra);
}

static void expect_none(const char *what)
{
	T_ASSERT(t_nr_reserved() == 0, "%s: %u sets reserved", what, t_nr_reserved());
}

static int unprivileged(void)
{
	static struct t_set s[130];
	const struct pid_set *sets[130];
	int i, quota;

	quota = t_user_quota();
	if (quota + 1 > 130)
		return 3;
	/* The initial namespace's level: not the caller's to choose. */
	sets[0] = t_set(&s[0], 2, 30000, 50);
	if (clone_with_pids_reserve(sets, 1, NULL, NULL) != -1 || errno != EPERM)
		return 4;
	for (i = 0; i <= quota; i++)
		sets[i] = t_set(&s[i], 2, 0, 100 + i);
	if (clone_with_pids_reserve(sets, quota + 1, NULL, NULL) != -1 || errno != EAGAIN)
		return 5;
	if (t_nr_reserved())
		return 6;
	if (clone_with_pids_reserve(sets, quota, NULL, NULL))
		return 7;
	/* At the quota: a set of its own reservation can still be armed. */
	if (t_fork_exact(sets[0]))
		return 8;
	if (clone_with_pids_release(NULL, 0) || t_nr_reserved())
		return 9;
	return 0;
}

int main(void)
{
	struct cwp_reserve_args ra;
	struct t_set a, b, c;
	uint64_t ptrs[4];
	unsigned char big[sizeof(ra) + 8];
	pid_t pid;
	int st;

	expect_none("before");
	memset(&ra, 0, sizeof(ra));
	ra.size = sizeof(ra);
	ptrs[0] = (uintptr_t)t_set(&a, 1, 6600);
	ptrs[1] = (uintptr_t)t_set(&b, 1, 6601);
	ra.sets = (uintptr_t)ptrs;
	ra.nr_sets = 2;

	/* The argument. */
	ra.size = CWP_RESERVE_ARGS_SIZE_VER0 - 8;
	T_EXPECT_ERRNO(reserve(&ra), EINVAL);
	ra.size = sizeof(ra);
	memset(big, 0, sizeof(big));
	memcpy(big, &ra, sizeof(ra));
	((struct cwp_reserve_args *)big)->size = sizeof(big);
	big[sizeof(ra) + 3] = 1;
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_RESERVE, big), E2BIG);
	big[sizeof(ra) + 3] = 0;
	T_ASSERT(ioctl(clone_with_pids_fd(), CWP_IOC_RESERVE, big) == 0,
		 "a larger argument with zeros: %s", strerror(errno));
	T_ASSERT(clone_with_pids_release(NULL, 0) == 0, "release: %s", strerror(errno));
	ra.cwp_flags = 1;
	T_EXPECT_ERRNO(reserve(&ra), EINVAL);
	ra.cwp_flags = 0;
	ra.nr_sets = CWP_MAX_RESERVE_SETS + 1;
	T_EXPECT_ERRNO(reserve(&ra), EINVAL);
	ra.nr_sets = 2;
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_RESERVE, (void *)8), EFAULT);
	ra.sets = 8;
	T_EXPECT_ERRNO(reserve(&ra), EFAULT);
	ra.sets = (uintptr_t)ptrs;
	expect_none("argument errors");

	/* Sets: one unreadable in the middle, bad ones; nothing reserved. */
	ptrs[2] = ptrs[1];
	ptrs[1] = 8;
	ra.nr_sets = 3;
	T_EXPECT_ERRNO(reserve(&ra), EFAULT);
	ptrs[1] = (uintptr_t)t_set(&c, 1, 0);
	T_EXPECT_ERRNO(reserve(&ra), EINVAL);
	ptrs[1] = (uintptr_t)t_set(&c, 2, 6602, 6603);	/* more levels than there are */
	T_EXPECT_ERRNO(reserve(&ra), EINVAL);
	ptrs[1] = (uintptr_t)t_set(&c, 1, -5);
	T_EXPECT_ERRNO(reserve(&ra), EINVAL);
	ptrs[1] = (uintptr_t)t_set(&c, 1, 6600);	/* twice */
	ra.busy_set = ra.busy_index = 0;
	T_EXPECT_ERRNO(reserve(&ra), EBUSY);
	T_ASSERT(ra.busy_set == 1 && ra.busy_index == 0, "busy %u %u, not 1 0",
		 ra.busy_set, ra.busy_index);
	expect_none("set errors");
	T_ASSERT(t_fork_exact(&a.set) == 0, "pid 6600 after refusals: %s", strerror(errno));

	/* Release: flags, a set not reserved. */
	ptrs[1] = (uintptr_t)t_set(&c, 1, 6604);
	ra.nr_sets = 2;
	T_ASSERT(reserve(&ra) == 0, "reserve: %s", strerror(errno));
	ra.cwp_flags = 1;
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_RELEASE, &ra), EINVAL);
	ra.cwp_flags = 0;
	ptrs[0] = (uintptr_t)t_set(&a, 1, 6605);
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_RELEASE, &ra), ENOENT);
	T_ASSERT(t_nr_reserved() == 2, "%u reserved after a refused release", t_nr_reserved());
	T_ASSERT(clone_with_pids_release(NULL, 0) == 0, "release: %s", strerror(errno));
	expect_none("release all");

	/* A namespace without init: only its pid 1. */
	pid = fork();
	if (pid == 0) {
		struct t_set s;
		const struct pid_set *one[1];

		if (unshare(CLONE_NEWPID))
			_exit(2);
		one[0] = t_set(&s, 2, 0, 5);
		if (clone_with_pids_reserve(one, 1, NULL, NULL) != -1 || errno != EINVAL)
			_exit(3);
		/* Not even its pid 1: the next fork there must be its init. */
		one[0] = t_set(&s, 2, 0, 1);
		if (clone_with_pids_reserve(one, 1, NULL, NULL) != -1 || errno != EINVAL)
			_exit(4);
		/* The outer level, for the parent to find in their file. */
		one[0] = t_set(&s, 2, 6610, 0);
		if (clone_with_pids_reserve(one, 1, NULL, NULL))
			_exit(5);
		_exit(0);
	}
	st = t_wait(pid);
	T_ASSERT(st == 0, "namespace without init: step %d", st);
	/* The child shared the parent's file: its reservation stays with it. */
	T_ASSERT(t_nr_reserved() == 1, "%u reserved after the child, not 1", t_nr_reserved());
	T_ASSERT(clone_with_pids_release(NULL, 0) == 0, "release: %s", strerror(errno));
	expect_none("after the release");

	st = t_as_nested_user(65534, unprivileged);
	T_ASSERT(st == 0, "unprivileged: step %d", st);
	expect_none("after the unprivileged user");
	return T_PASS;
}
