// SPDX-License-Identifier: GPL-2.0
/*
 * No global lock is held across the fork: while one thread's request is
 * blocked inside the ioctl (a CLONE_VFORK parent waits for its child, here
 * for a second), another thread's request completes at once.
 */
#include "t.h"

#include <pthread.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *vforker(void *arg)
{
	struct t_set s;
	pid_t pid;

	pid = clone_with_pids(CLONE_VFORK | SIGCHLD, NULL, NULL, NULL, NULL,
			      t_set(&s, 1, 5400));
	if (pid == 0) {
		/* Leaves the parent blocked in the ioctl until we exit. */
		struct timespec d = { 1, 0 };

		nanosleep(&d, NULL);
		_exit(0);
	}
	if (pid != 5400)
		t_fail("vfork with pids: %d %s", pid, strerror(errno));
	t_reap(pid);
	return NULL;
}

int main(void)
{
	struct timespec d = { 0, 200 * 1000 * 1000 };
	struct t_set s;
	pthread_t th;
	double t0, dt;
	pid_t pid;

	T_ASSERT(clone_with_pids_fd() >= 0, "open: %s", strerror(errno));
	pthread_create(&th, NULL, vforker, NULL);
	nanosleep(&d, NULL);	/* let the vfork parent block */
	T_ASSERT(t_pid_exists(5400), "vfork child not running yet");

	t0 = now();
	pid = fork_with_pids(t_set(&s, 1, 5401));
	if (pid == 0)
		_exit(0);
	dt = now() - t0;
	T_ASSERT(pid == 5401, "second request: %d %s", pid, strerror(errno));
	t_reap(pid);
	T_ASSERT(t_pid_exists(5400), "vfork child gone before the second request returned");
	T_ASSERT(dt < 0.5, "second request took %.3f s while the first was blocked", dt);
	pthread_join(th, NULL);
	return T_PASS;
}
