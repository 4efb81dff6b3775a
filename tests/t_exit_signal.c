// SPDX-License-Identifier: GPL-2.0
/*
 * A non-SIGCHLD exit signal (the low byte of the flags, as in clone()):
 * the parent gets SIGUSR1 when the child with the chosen pid exits, and
 * reaps it with __WALL.
 */
#include "t.h"

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

int main(void)
{
	struct t_set s;
	sigset_t block, old;
	int pid;

	signal(SIGUSR1, on_usr1);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, &old);
	pid = clone_with_pids(SIGUSR1, NULL, NULL, NULL, NULL, t_set(&s, 1, 7100));
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 7100, "clone: %d %s", pid, strerror(errno));
	while (!got)
		sigsuspend(&old);
	T_ASSERT(got == SIGUSR1, "signal %d", (int)got);
	t_reap(pid);
	return T_PASS;
}
