// SPDX-License-Identifier: GPL-2.0
/*
 * Pids armed at nesting level 31, then unshare(CLONE_NEWPID): the fork
 * goes to a namespace at level 32, the deepest there is, and must fail
 * with EINVAL before anything is allocated (a refusal that only works for
 * shallower namespaces would let alloc_pid() read a set_tid list that
 * fork() never passed). The next fork is ordinary.
 */
#include "t.h"

#include <sched.h>

int main(void)
{
	struct t_set s;
	pid_t pid;

	t_nest(31);
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 300)), "arm: %s", strerror(errno));
	T_ASSERT(!unshare(CLONE_NEWPID), "unshare at level 31: %s", strerror(errno));
	errno = 0;
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == -1 && errno == EINVAL, "fork to level 32: %d %s", pid, strerror(errno));
	T_ASSERT(t_nr_requests() == 0, "not consumed");

	/* The first child in the new namespace is its init. */
	pid = fork();
	if (pid == 0)
		_exit(getpid() == 1 ? 0 : 1);
	T_ASSERT(pid > 0, "ordinary fork: %s", strerror(errno));
	T_ASSERT(!t_wait(pid), "the child was not pid 1");
	return T_PASS;
}
