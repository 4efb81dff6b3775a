// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module, two pid namespaces deep: the seed's {0, 99, 177}
 * (chosen levels innermost and contiguous) works through set_tid; a list
 * with a zero below a chosen pid needs the module (ENODEV); a list longer
 * than the nesting depth is EINVAL even when its extra entries are zeros,
 * as with the module. Nothing is allocated by a refused call.
 */
#include "t.h"

int main(void)
{
	struct t_set s;
	pid_t ns[4];
	pid_t pid;

	t_need_fallback();
	t_nest(2);
	pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 3, 0, 99, 177));
	T_ASSERT(pid >= 0, "{0, 99, 177}: %s", strerror(errno));
	if (pid == 0) {
		int n = t_nspid_self(ns, 4);

		_exit(n == 3 && ns[1] == 99 && ns[2] == 177 ? 0 : 2);
	}
	T_ASSERT(pid == 177, "parent got %d", pid);
	t_reap(pid);

	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL,
				       t_set(&s, 3, 0, 98, 0)), ENODEV);
	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL,
				       t_set(&s, 2, 97, 0)), ENODEV);
	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL,
				       t_set(&s, 4, 0, 0, 96, 178)), EINVAL);
	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL,
				       t_set(&s, 4, 0, 0, 0, 0)), EINVAL);
	T_ASSERT(!t_pid_exists(178), "pid 178 left allocated");
	return T_PASS;
}
