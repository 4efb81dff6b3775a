// SPDX-License-Identifier: GPL-2.0
/*
 * EINVAL: an argument size smaller than the first published one; the
 * request is otherwise valid and succeeds with the right size.
 */
#include "t.h"

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;

	t_clone_args(&a, t_set(&s, 1, 4400));
	a.size = CWP_CLONE_ARGS_SIZE_VER0 - 8;
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	a.size = 0;
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	a.size = CWP_CLONE_ARGS_SIZE_VER0;
	T_ASSERT(t_ioctl_clone(&a) == 4400, "VER0 size failed: %s", strerror(errno));
	return T_PASS;
}
