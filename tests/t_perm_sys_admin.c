// SPDX-License-Identifier: GPL-2.0
/* CAP_SYS_ADMIN alone is enough to choose pids (the seed's rule). */
#include "t.h"

#include <linux/capability.h>

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;

	t_only_caps(1ULL << CAP_SYS_ADMIN);
	t_clone_args(&a, t_set(&s, 1, 4900));
	T_ASSERT(t_ioctl_clone(&a) == 4900, "CAP_SYS_ADMIN refused: %s", strerror(errno));
	return T_PASS;
}
