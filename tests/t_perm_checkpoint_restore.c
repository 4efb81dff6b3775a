// SPDX-License-Identifier: GPL-2.0
/*
 * CAP_CHECKPOINT_RESTORE alone is enough to choose pids (as for clone3()'s
 * set_tid since 5.9); with every capability but it and CAP_SYS_ADMIN the
 * request is refused.
 */
#include "t.h"

#include <linux/capability.h>

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;
	unsigned long long all = (1ULL << (CAP_CHECKPOINT_RESTORE + 1)) - 1;

	t_only_caps(all & ~(1ULL << CAP_SYS_ADMIN) & ~(1ULL << CAP_CHECKPOINT_RESTORE));
	t_clone_args(&a, t_set(&s, 1, 4800));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EPERM);

	/* Permitted still holds it: raise it alone. */
	t_only_caps(1ULL << CAP_CHECKPOINT_RESTORE);
	T_ASSERT(t_ioctl_clone(&a) == 4800, "CAP_CHECKPOINT_RESTORE refused: %s", strerror(errno));
	return T_PASS;
}
