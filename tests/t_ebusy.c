// SPDX-License-Identifier: GPL-2.0
/*
 * EBUSY: a pid in use, at the innermost level and at an outer one
 * (pid 1 of a namespace, which its init holds, included).
 */
#include "t.h"

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;

	t_clone_args(&a, t_set(&s, 1, getpid()));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EBUSY);
	t_clone_args(&a, t_set(&s, 1, 1));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EBUSY);

	pid_t outer = getpid();

	t_nest(1);
	/* In the nested namespace: pid 1 is this process. */
	t_clone_args(&a, t_set(&s, 2, 0, 1));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EBUSY);
	/* Outer level busy, inner free. */
	t_clone_args(&a, t_set(&s, 2, outer, 50));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EBUSY);
	return T_PASS;
}
