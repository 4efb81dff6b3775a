// SPDX-License-Identifier: GPL-2.0
/*
 * A list shorter than the nesting depth is aligned to the innermost
 * namespace: from level 2, {177} sets only the innermost pid and {99, 177}
 * the two inner ones; older levels are chosen by the kernel.
 */
#include "t.h"

static void check(struct pid_set *set, pid_t mid, pid_t inner)
{
	pid_t ns[4];
	pid_t pid = fork_with_pids(set);

	T_ASSERT(pid >= 0, "fork_with_pids: %s", strerror(errno));
	if (pid == 0) {
		int n = t_nspid_self(ns, 4);

		_exit(n == 3 && (!mid || ns[1] == mid) && ns[2] == inner ? 0 : 2);
	}
	T_ASSERT(pid == inner, "parent got %d, expected %d", pid, inner);
	t_reap(pid);
}

int main(void)
{
	struct t_set s;

	t_nest(2);
	check(t_set(&s, 1, 177), 0, 177);
	check(t_set(&s, 2, 99, 178), 99, 178);
	return T_PASS;
}
