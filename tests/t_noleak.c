// SPDX-License-Identifier: GPL-2.0
/*
 * No pid stays allocated after a failure: when the outer level is busy the
 * inner pid, already allocated, is released; when the inner one is busy
 * the outer one is never taken. After 100 failures of each kind, one child
 * gets both pids.
 */
#include "t.h"

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;
	pid_t outer_busy = getpid();
	int i;
	pid_t child;

	t_nest(1);
	for (i = 0; i < 100; i++) {
		/* Inner 60 allocated first, then the outer level fails. */
		t_clone_args(&a, t_set(&s, 2, outer_busy, 60));
		T_EXPECT_ERRNO(t_ioctl_clone(&a), EBUSY);
		/* Inner level busy (pid 1 is us): outer 7000 must stay free. */
		t_clone_args(&a, t_set(&s, 2, 7000, 1));
		T_EXPECT_ERRNO(t_ioctl_clone(&a), EBUSY);
	}
	/* Both pids are free: one child gets inner 60 and outer 7000. */
	t_clone_args(&a, t_set(&s, 2, 7000, 60));
	child = t_ioctl_clone(&a);
	T_ASSERT(child == 60, "reusing the pids failed: %ld %s", (long)child, strerror(errno));
	return T_PASS;
}
