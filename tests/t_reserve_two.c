// SPDX-License-Identifier: GPL-2.0
/*
 * A set stands for one reservation at most: a clone whose pids hold the
 * numbers of two reservations of its file ({A, 0} and {0, B}, cloned as
 * {A, B}) consumes the one of its innermost pid and finds the other's
 * number taken: it fails with EBUSY, and both reservations are left
 * whole (each released afterwards, exactly). Reserved as one set, {A, B}
 * is consumed by that clone.
 */
#include "t.h"

int main(void)
{
	unsigned long long features;
	struct t_set a, b, ab;
	pid_t pid;

	if (clone_with_pids_query(&features) < 0 || !(features & CWP_FEATURE_RESERVE))
		t_skip("the module cannot reserve pids on this kernel");
	/* In a pid namespace of our own: pids at two levels. */
	t_nest(1);

	t_set(&a, 2, 7811, 0);
	t_set(&b, 2, 0, 812);
	T_ASSERT(!clone_with_pids_reserve((const struct pid_set *[]){ &a.set, &b.set }, 2,
					  NULL, NULL), "reserve {7811, 0} and {0, 812}: %s",
		 strerror(errno));
	T_EXPECT_ERRNO(t_fork_exact(t_set(&ab, 2, 7811, 812)), EBUSY);
	T_ASSERT(t_nr_reserved() == 2, "%u sets reserved after the refused clone",
		 t_nr_reserved());
	T_ASSERT(!clone_with_pids_release((const struct pid_set *[]){ &a.set }, 1),
		 "release {7811, 0}: %s", strerror(errno));
	T_ASSERT(!clone_with_pids_release((const struct pid_set *[]){ &b.set }, 1),
		 "release {0, 812}: %s", strerror(errno));

	/* The same pids reserved as one set: the clone consumes it. */
	T_ASSERT(!clone_with_pids_reserve((const struct pid_set *[]){ &ab.set }, 1, NULL, NULL),
		 "reserve {7811, 812}: %s", strerror(errno));
	pid = fork_with_pids(&ab.set);
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 812, "fork_with_pids({7811, 812}) through its reservation: %d (%s)", pid,
		 strerror(errno));
	t_reap(pid);
	T_ASSERT(t_nr_reserved() == 0, "%u sets reserved after the clone consumed it",
		 t_nr_reserved());
	return T_PASS;
}
