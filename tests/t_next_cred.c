// SPDX-License-Identifier: GPL-2.0
/*
 * Pids are armed under the credentials that were checked: a clone after
 * the caller changed its credentials (here it only lowers one effective
 * capability, staying root) fails with EPERM and consumes them. The next
 * fork is ordinary, and arming again under the new credentials works.
 * Both kinds of lists: innermost levels only, and a zero between levels.
 */
#include "t.h"

#include <linux/capability.h>

static void check(struct pid_set *set, pid_t want, int nested)
{
	pid_t pid;

	T_ASSERT(!clone_with_pids_next(set), "arm: %s", strerror(errno));
	t_only_caps(~(1ULL << CAP_NET_RAW) & (~0ULL >> (63 - CAP_LAST_CAP)));
	errno = 0;
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == -1 && errno == EPERM, "fork after a credential change: %d %s",
		 pid, strerror(errno));
	T_ASSERT(t_nr_requests() == 0, "not consumed");

	T_ASSERT(!clone_with_pids_next(set), "arm again: %s", strerror(errno));
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == want, "fork with the same credentials: %d %s (nested %d)",
		 pid, strerror(errno), nested);
	t_reap(pid);
}

int main(void)
{
	struct t_set s;

	if (t_pid_exists(6610) || t_pid_exists(6611))
		t_skip("pids in use");
	check(t_set(&s, 1, 6610), 6610, 0);
	t_nest(2);
	check(t_set(&s, 3, 6611, 0, 71), 71, 2);
	return T_PASS;
}
