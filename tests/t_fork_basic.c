// SPDX-License-Identifier: GPL-2.0
/*
 * fork_with_pids() with one chosen pid: the child has it as pid and tid,
 * the C library agrees (getpid, gettid, pthread_self's tid via raise), and
 * the parent gets it back and reaps the child.
 */
#include "t.h"

#include <pthread.h>
#include <sys/syscall.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

int main(void)
{
	struct t_set s;
	pid_t want = 4242, pid;

	if (t_pid_exists(want))
		t_skip("pid %d already in use", want);
	pid = fork_with_pids(t_set(&s, 1, want));
	T_ASSERT(pid >= 0, "fork_with_pids: %s", strerror(errno));
	if (pid == 0) {
		if (getpid() != want || syscall(SYS_gettid) != want)
			_exit(2);
		signal(SIGUSR1, on_usr1);
		if (raise(SIGUSR1) || got != SIGUSR1)
			_exit(3);
		got = 0;
		if (pthread_kill(pthread_self(), SIGUSR1) || got != SIGUSR1)
			_exit(4);
		exit(0);
	}
	T_ASSERT(pid == want, "parent got %d", pid);
	t_reap(pid);
	T_ASSERT(!t_pid_exists(want), "pid %d still in use after reaping", want);
	return T_PASS;
}
