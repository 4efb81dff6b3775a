// SPDX-License-Identifier: GPL-2.0
/*
 * EINVAL: more pids than nesting levels. From the initial namespace
 * (level 0) two pids are one too many; from level 1, three are.
 */
#include "t.h"

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;

	t_clone_args(&a, t_set(&s, 2, 0, 4300));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	t_nest(1);
	t_clone_args(&a, t_set(&s, 3, 0, 0, 4301));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	/* The same request fits once it is one shorter. */
	t_clone_args(&a, t_set(&s, 2, 0, 4301));
	T_ASSERT(t_ioctl_clone(&a) == 4301, "valid request failed: %s", strerror(errno));
	return T_PASS;
}
