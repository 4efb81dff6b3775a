// SPDX-License-Identifier: GPL-2.0
/*
 * EINVAL: more than 32 pids, even from the deepest namespace (level 32),
 * where 33 levels exist.
 */
#include "t.h"

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;
	int i;

	t_nest(32);
	s.set.num_pids = 33;
	for (i = 0; i < 33; i++)
		s.set.pids[i] = 0;
	s.set.pids[32] = 7;
	t_clone_args(&a, &s.set);
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	/* 32 entries from the same place are fine. */
	s.set.num_pids = 32;
	for (i = 0; i < 32; i++)
		s.set.pids[i] = 0;
	s.set.pids[31] = 7;
	T_ASSERT(t_ioctl_clone(&a) == 7, "32 pids failed: %s", strerror(errno));
	return T_PASS;
}
