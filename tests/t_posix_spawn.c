// SPDX-License-Identifier: GPL-2.0
/*
 * posix_spawn() after clone_with_pids_next() starts the program with the
 * chosen pid (the C library clones with CLONE_VM|CLONE_VFORK).
 */
#include "t.h"

#include <spawn.h>

extern char **environ;

int main(int argc, char **argv)
{
	char *args[] = { argv[0], "child", NULL };
	struct t_set s;
	pid_t pid;

	if (argc > 1)
		return getpid() == 6800 ? 0 : 2;
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6800)), "arm: %s", strerror(errno));
	T_ASSERT(!posix_spawn(&pid, "/proc/self/exe", NULL, NULL, args, environ), "posix_spawn");
	T_ASSERT(pid == 6800, "spawned %d", pid);
	t_reap(pid);
	return T_PASS;
}
