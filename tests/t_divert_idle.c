// SPDX-License-Identifier: GPL-2.0
/*
 * The probe that diverts pid allocation taxes every fork of the system, so
 * it is armed only while a request needs it: one with a zero between
 * chosen levels. Lists of innermost levels go to the kernel as set_tid and
 * never arm it. Checked in the kprobes list of debugfs.
 */
#include "t.h"

#include <sys/mount.h>

/* 1 armed, 0 disarmed, -1 not listed. */
static int divert_armed(void)
{
	char line[512];
	int state = -1;
	FILE *f;

	f = fopen("/sys/kernel/debug/kprobes/list", "r");
	if (!f)
		t_skip("no kprobes list in debugfs: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (strstr(line, " idr_alloc_cyclic+"))
			state = !strstr(line, "[DISABLED]");
	fclose(f);
	return state;
}

static int wait_disarmed(void)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (divert_armed() == 0)
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

int main(void)
{
	struct t_set s;
	pid_t pid;

	if (access("/sys/kernel/debug/kprobes", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	T_ASSERT(divert_armed() >= 0, "the probe on idr_alloc_cyclic is not listed");
	T_ASSERT(wait_disarmed(), "armed 5 s after the module loaded, with no request");

	/* Innermost levels: never armed. */
	t_nest(2);
	pid = fork_with_pids(t_set(&s, 2, 0, 81));
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 81, "fork_with_pids {0, 81}: %d %s", pid, strerror(errno));
	t_reap(pid);
	T_ASSERT(divert_armed() == 0, "armed by a set_tid list");

	/* A zero between chosen levels: armed while it waits, then disarmed. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 3, 0, 0, 82)), "arm: %s", strerror(errno));
	T_ASSERT(divert_armed() == 0, "armed by a set_tid list");
	T_ASSERT(!clone_with_pids_next(t_set(&s, 3, 6620, 0, 82)), "arm: %s", strerror(errno));
	T_ASSERT(divert_armed() == 1, "not armed for a list with a gap");
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 82, "fork with {6620, 0, 82}: %d %s", pid, strerror(errno));
	t_reap(pid);
	T_ASSERT(wait_disarmed(), "still armed 5 s after the last request");

	/* And armed again on demand. */
	pid = fork_with_pids(t_set(&s, 3, 6621, 0, 83));
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 83, "fork with {6621, 0, 83} after disarming: %d %s", pid, strerror(errno));
	t_reap(pid);
	return T_PASS;
}
