// SPDX-License-Identifier: GPL-2.0
/*
 * Chosen pids while ordinary forks wrap the pid space: with pid_max
 * lowered to 1000, a forker cycles through every pid again and again while
 * a restorer asks for pids in the same range. Every granted request has
 * exactly its pid, every refusal is EBUSY (the pid was taken), and the
 * forker never fails. pid_max is restored afterwards.
 */
#include "t.h"

#include <sys/wait.h>

#define PID_MAX	1000

static int read_pid_max(void)
{
	return t_pid_max();
}

static void write_pid_max(int v)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "w");

	if (!f || fprintf(f, "%d\n", v) < 0 || fclose(f))
		t_fail("cannot set pid_max to %d", v);
}

static int run(void)
{
	int granted = 0, busy = 0, i;
	pid_t forker;
	struct t_set s;

	forker = fork();
	if (forker == 0) {
		for (;;) {
			pid_t p = fork();

			if (p < 0 && errno != EAGAIN)
				_exit(3);
			if (p == 0)
				_exit(0);
			if (p > 0)
				waitpid(p, NULL, 0);
		}
	}
	for (i = 0; i < 1500; i++) {
		pid_t want = 400 + (i * 7) % (PID_MAX - 400);
		pid_t pid = fork_with_pids(t_set(&s, 1, want));

		if (pid == 0)
			_exit(getpid() == want ? 0 : 2);
		if (pid < 0) {
			T_ASSERT(errno == EBUSY, "request %d for %d: %s", i, want, strerror(errno));
			busy++;
			continue;
		}
		T_ASSERT(pid == want, "asked for %d, got %d", want, pid);
		t_reap(pid);
		granted++;
	}
	T_ASSERT(!waitpid(forker, NULL, WNOHANG), "the forker failed");
	kill(forker, SIGKILL);
	waitpid(forker, NULL, 0);
	printf("stat: %d granted, %d EBUSY, while ordinary forks wrapped pid_max %d\n",
	       granted, busy, PID_MAX);
	fflush(stdout);
	T_ASSERT(granted > 0, "nothing granted");
	return 0;
}

int main(void)
{
	int old = read_pid_max(), st;
	pid_t pid;

	write_pid_max(PID_MAX);
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		_exit(run());
	st = t_wait(pid);
	write_pid_max(old);
	T_ASSERT(!st, "status %d", st);
	return T_PASS;
}
