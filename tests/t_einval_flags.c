// SPDX-License-Identifier: GPL-2.0
/*
 * EINVAL: unknown bits. cwp_flags must be zero, the padding must be zero,
 * and clone flags above bit 31 (which clone() cannot carry) are refused.
 * Each otherwise-valid request then succeeds with the bits cleared.
 */
#include "t.h"

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;

	t_clone_args(&a, t_set(&s, 1, 4600));
	a.cwp_flags = 1;
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	a.cwp_flags = 0x80000000u;
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	a.cwp_flags = 0;

	a.pad = 1;
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	a.pad = 0;

	a.flags = SIGCHLD | (1ULL << 32);	/* CLONE_CLEAR_SIGHAND, clone3 only */
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	a.flags = SIGCHLD | (1ULL << 63);
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	a.flags = SIGCHLD;

	T_ASSERT(t_ioctl_clone(&a) == 4600, "valid request failed: %s", strerror(errno));
	return T_PASS;
}
