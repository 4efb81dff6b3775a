// SPDX-License-Identifier: GPL-2.0
/*
 * CWP_IOC_SET_NEXT_LIST refuses, arms nothing and leaves the thread's
 * armed pids as they were: argument sizes (EINVAL, E2BIG), flags, a
 * non-zero err_set or pad, too many sets, unreadable arguments and sets
 * (EFAULT, also one set in the middle, named by err_set), bad sets
 * (EINVAL: no pid chosen, too many levels, out of range), pids the
 * caller may not choose (EPERM), more sets than an unprivileged user's
 * quota (EAGAIN); such a user's list of sets it reserved itself fits.
 */
#include "t.h"

#include <sys/ioctl.h>

static struct cwp_next_list_args la;

static int arm(void)
{
	return ioctl(clone_with_pids_fd(), CWP_IOC_SET_NEXT_LIST, &la);
}

/* Nothing but the single set armed at the start (6700). */
static void expect_kept(const char *what)
{
	T_ASSERT(t_nr_requests() == 1, "%s: %u sets armed, not the 1 of before", what,
		 t_nr_requests());
}

static int unprivileged(void)
{
	static struct t_set s[130];
	const struct pid_set *sets[130];
	unsigned int err_set;
	int i, quota;

	quota = t_user_quota();
	if (quota + 1 > 130)
		return 3;
	/* The initial namespace's level: not the caller's to choose. */
	sets[0] = t_set(&s[0], 2, 0, 100);
	sets[1] = t_set(&s[1], 2, 30000, 50);
	if (clone_with_pids_next_list(sets, 2, &err_set) != -1 || errno != EPERM || err_set != 1)
		return 4;
	for (i = 0; i <= quota; i++)
		sets[i] = t_set(&s[i], 2, 0, 100 + i);
	if (clone_with_pids_next_list(sets, quota + 1, NULL) != -1 || errno != EAGAIN)
		return 5;
	if (t_nr_requests())
		return 6;
	if (clone_with_pids_next_list(sets, quota, NULL) || t_nr_requests() != (unsigned int)quota)
		return 7;
	if (clone_with_pids_next_list(NULL, 0, NULL) || t_nr_requests())
		return 8;
	/* Its own reservations count for the sets already: a full list fits. */
	if (clone_with_pids_reserve(sets, quota, NULL, NULL))
		return 9;
	if (clone_with_pids_next_list(sets, quota, NULL))
		return 10;
	if (t_fork_armed(sets[0]) || t_fork_armed(sets[1]))
		return 11;
	return 0;
}

int main(void)
{
	struct t_set a, b, c, keep;
	unsigned char big[sizeof(la) + 8];
	uint64_t ptrs[4];
	int st;

	T_ASSERT(clone_with_pids_next(t_set(&keep, 1, 6700)) == 0, "next: %s", strerror(errno));
	la.size = sizeof(la);
	ptrs[0] = (uintptr_t)t_set(&a, 1, 6701);
	ptrs[1] = (uintptr_t)t_set(&b, 1, 6702);
	la.sets = (uintptr_t)ptrs;
	la.nr_sets = 2;

	/* The argument. */
	la.size = CWP_NEXT_LIST_ARGS_SIZE_VER0 - 8;
	T_EXPECT_ERRNO(arm(), EINVAL);
	la.size = sizeof(la);
	memset(big, 0, sizeof(big));
	memcpy(big, &la, sizeof(la));
	((struct cwp_next_list_args *)big)->size = sizeof(big);
	big[sizeof(la) + 3] = 1;
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_SET_NEXT_LIST, big), E2BIG);
	la.cwp_flags = 1;
	T_EXPECT_ERRNO(arm(), EINVAL);
	la.cwp_flags = 0;
	la.err_set = 1;
	T_EXPECT_ERRNO(arm(), EINVAL);
	la.err_set = 0;
	la.pad = 1;
	T_EXPECT_ERRNO(arm(), EINVAL);
	la.pad = 0;
	la.nr_sets = CWP_MAX_NEXT_SETS + 1;
	T_EXPECT_ERRNO(arm(), EINVAL);
	la.nr_sets = 2;
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_SET_NEXT_LIST, (void *)8), EFAULT);
	la.sets = 8;
	T_EXPECT_ERRNO(arm(), EFAULT);
	T_ASSERT(la.err_set == 0, "err_set %u for an unreadable array, not 0", la.err_set);
	la.sets = (uintptr_t)ptrs;
	expect_kept("argument errors");

	/* Sets: one unreadable in the middle, bad ones. */
	ptrs[2] = ptrs[1];
	ptrs[1] = 8;
	la.nr_sets = 3;
	la.err_set = 0;
	T_EXPECT_ERRNO(arm(), EFAULT);
	T_ASSERT(la.err_set == 1, "err_set %u, not 1", la.err_set);
	la.err_set = 0;
	ptrs[1] = (uintptr_t)t_set(&c, 1, 0);
	T_EXPECT_ERRNO(arm(), EINVAL);
	T_ASSERT(la.err_set == 1, "err_set %u for a set of zeros, not 1", la.err_set);
	la.err_set = 0;
	ptrs[1] = (uintptr_t)t_set(&c, 0);
	T_EXPECT_ERRNO(arm(), EINVAL);
	la.err_set = 0;
	ptrs[1] = (uintptr_t)t_set(&c, 2, 6703, 6704);	/* more levels than there are */
	T_EXPECT_ERRNO(arm(), EINVAL);
	la.err_set = 0;
	ptrs[2] = (uintptr_t)t_set(&c, 1, -5);
	ptrs[1] = ptrs[0];
	T_EXPECT_ERRNO(arm(), EINVAL);
	T_ASSERT(la.err_set == 2, "err_set %u for a negative pid, not 2", la.err_set);
	la.err_set = 0;
	expect_kept("set errors");

	/* The armed set is still the one of before. */
	T_ASSERT(t_fork_armed(&keep.set) == 0, "the kept set: %s", strerror(errno));

	/* The library: its own checks. */
	T_EXPECT_ERRNO(clone_with_pids_next_list(NULL, CWP_MAX_NEXT_SETS + 1, NULL), EINVAL);

	/* Privileges and quota. */
	st = t_as_nested_user(65534, unprivileged);
	T_ASSERT(st == 0, "unprivileged caller: step %d failed", st);
	T_ASSERT(t_nr_requests() == 0, "%u sets armed at the end", t_nr_requests());
	return T_PASS;
}
