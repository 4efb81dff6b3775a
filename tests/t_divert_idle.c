// SPDX-License-Identifier: GPL-2.0
/*
 * The probe that diverts pid allocation taxes every fork of the system, so
 * it is armed only while a request needs it: one with a zero between
 * chosen levels. Lists of innermost levels go to the kernel as set_tid and
 * never arm it. Checked in the kprobes list of debugfs.
 */
#include "t.h"


int main(void)
{
	struct t_set s;
	pid_t pid;

	T_ASSERT(t_kprobe_armed("idr_alloc_cyclic") >= 0, "the probe on idr_alloc_cyclic is not listed");
	T_ASSERT(t_kprobe_wait_disarmed("idr_alloc_cyclic", 5000), "armed 5 s after the module loaded, with no request");

	/* Innermost levels: never armed. */
	t_nest(2);
	pid = fork_with_pids(t_set(&s, 2, 0, 81));
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 81, "fork_with_pids {0, 81}: %d %s", pid, strerror(errno));
	t_reap(pid);
	T_ASSERT(t_kprobe_armed("idr_alloc_cyclic") == 0, "armed by a set_tid list");

	/* A zero between chosen levels: armed while it waits, then disarmed. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 3, 0, 0, 82)), "arm: %s", strerror(errno));
	T_ASSERT(t_kprobe_armed("idr_alloc_cyclic") == 0, "armed by a set_tid list");
	T_ASSERT(!clone_with_pids_next(t_set(&s, 3, 6620, 0, 82)), "arm: %s", strerror(errno));
	T_ASSERT(t_kprobe_armed("idr_alloc_cyclic") == 1, "not armed for a list with a gap");
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 82, "fork with {6620, 0, 82}: %d %s", pid, strerror(errno));
	t_reap(pid);
	T_ASSERT(t_kprobe_wait_disarmed("idr_alloc_cyclic", 5000), "still armed 5 s after the last request");

	/* And armed again on demand. */
	pid = fork_with_pids(t_set(&s, 3, 6621, 0, 83));
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 83, "fork with {6621, 0, 83} after disarming: %d %s", pid, strerror(errno));
	t_reap(pid);
	return T_PASS;
}
