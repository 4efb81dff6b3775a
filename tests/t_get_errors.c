// SPDX-License-Identifier: GPL-2.0
/*
 * clone_with_pids_get() fails with ESRCH for a task that does not exist,
 * EINVAL for a negative pid, and ERANGE for a set too small, saying in
 * num_pids how many levels it needs; exactly that room is enough.
 */
#include "t.h"

int main(void)
{
	struct t_set s;
	pid_t gone;

	gone = fork();
	if (gone == 0)
		_exit(0);
	t_reap(gone);
	errno = 0;
	T_ASSERT(clone_with_pids_get(gone, &s.set, CLONE_WITH_PIDS_MAX + 1) == -1 && errno == ESRCH,
		 "a reaped child: errno %d", errno);
	errno = 0;
	T_ASSERT(clone_with_pids_get(-1, &s.set, CLONE_WITH_PIDS_MAX + 1) == -1 && errno == EINVAL,
		 "-1: errno %d", errno);

	t_nest(2);
	s.set.num_pids = 99;
	errno = 0;
	T_ASSERT(clone_with_pids_get(0, &s.set, 2) == -1 && errno == ERANGE,
		 "room for 2 of 3: errno %d", errno);
	T_ASSERT(s.set.num_pids == 3, "num_pids %u, not the 3 levels needed", s.set.num_pids);
	errno = 0;
	T_ASSERT(clone_with_pids_get(0, &s.set, 0) == -1 && errno == ERANGE && s.set.num_pids == 3,
		 "room for none: errno %d, num_pids %u", errno, s.set.num_pids);
	T_ASSERT(clone_with_pids_get(0, &s.set, 3) == 3 && s.set.pids[2] == 1,
		 "room for 3: %s", strerror(errno));
	return T_PASS;
}
