// SPDX-License-Identifier: GPL-2.0
/* EINVAL: a negative pid, at any position of the list. */
#include "t.h"

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;

	t_clone_args(&a, t_set(&s, 1, -5));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	t_nest(1);
	t_clone_args(&a, t_set(&s, 2, -1, 0));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	t_clone_args(&a, t_set(&s, 2, 0, -2147483647 - 1));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	return T_PASS;
}
