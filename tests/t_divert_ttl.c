// SPDX-License-Identifier: GPL-2.0
/*
 * An unprivileged user cannot keep the allocation diversion (which every
 * fork of the system pays) armed: with the module loaded as
 * divert_ttl_ms=500, a gap list armed by uid 65534 in pid namespaces it
 * owns works when used at once, expires when not: the probe is disarmed
 * about a second later, and the clone fails with ETIME, creating nothing.
 * Root's gap lists do not expire.
 */
#include "t.h"

#include <sys/ioctl.h>
#include <sys/wait.h>

static int unprivileged(void)
{
	struct t_set s;
	pid_t pid;

	t_become_userns_owner(65534);
	t_nest(3);
	/* Used at once: it works. */
	pid = fork_with_pids(t_set(&s, 3, 40, 0, 41));
	if (pid == 0)
		_exit(0);
	if (pid != 41)
		return 2;
	t_reap(pid);
	/* Left armed: it expires. */
	if (clone_with_pids_next(t_set(&s, 3, 42, 0, 43)))
		return 3;
	if (t_nr_requests() != 1)
		return 4;
	usleep(2500 * 1000);
	errno = 0;
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid != -1 || errno != ETIME)
		return 5;
	if (t_nr_requests() != 0)
		return 6;
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD ? 0 : 7;
}

int main(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	struct t_set s;
	pid_t pid;
	int st;

	t_module_reload("divert_ttl_ms=500");
	T_ASSERT(!ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
	T_ASSERT(q.divert_ttl_ms == 500, "divert_ttl_ms %u", q.divert_ttl_ms);
	T_ASSERT(t_kprobe_wait_disarmed("idr_alloc_cyclic", 5000), "the diversion probe is armed without a request");

	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (pid == 0)
		_exit(unprivileged());
	/* While it waits with its list armed, the probe goes off. */
	usleep(300 * 1000);
	T_ASSERT(t_kprobe_wait_disarmed("idr_alloc_cyclic", 4000),
		 "an unprivileged gap list kept the diversion armed");
	st = t_wait(pid);
	T_ASSERT(st == 0, "unprivileged gap list: step %d failed", st);

	/* Root's gap list does not expire. */
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		pid_t c;

		t_nest(2);
		if (clone_with_pids_next(t_set(&s, 3, 6780, 0, 44)))
			_exit(2);
		usleep(1500 * 1000);
		if (t_kprobe_armed("idr_alloc_cyclic") != 1)
			_exit(3);
		c = fork();
		if (c == 0)
			_exit(0);
		_exit(c == 44 && t_wait(c) == 0 ? 0 : 4);
	}
	st = t_wait(pid);
	T_ASSERT(st == 0, "root's gap list: step %d failed", st);
	return T_PASS;
}
