// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module, what only the module can do fails with ENODEV and
 * allocates nothing: fork_with_pids() (whatever its list) and
 * clone_with_pids_next(); clone_with_pids() with a zero below a chosen pid
 * is in t_fallback_nested.
 */
#include "t.h"

int main(void)
{
	struct t_set s;

	t_need_fallback();
	T_EXPECT_ERRNO(fork_with_pids(t_set(&s, 1, 7400)), ENODEV);
	T_EXPECT_ERRNO(fork_with_pids(t_set(&s, 1, 0)), ENODEV);
	T_EXPECT_ERRNO(clone_with_pids_next(t_set(&s, 1, 7401)), ENODEV);
	T_EXPECT_ERRNO(clone_with_pids_next(NULL), ENODEV);
	T_ASSERT(!t_pid_exists(7400) && !t_pid_exists(7401), "a pid was allocated");
	return T_PASS;
}
