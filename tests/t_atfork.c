// SPDX-License-Identifier: GPL-2.0
/*
 * fork_with_pids() is the C library's fork(): pthread_atfork() handlers
 * run in order, and the child's thread id, getpid() and a mutex locked
 * across the fork are sound.
 */
#include "t.h"

#include <pthread.h>
#include <sys/syscall.h>

static int order[3], n;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;

static void prepare(void)
{
	order[n++] = 1;
	pthread_mutex_lock(&m);
}

static void parent(void)
{
	order[n++] = 2;
	pthread_mutex_unlock(&m);
}

static void child(void)
{
	order[n++] = 3;
	pthread_mutex_unlock(&m);	/* owned by the child's main thread now */
}

int main(void)
{
	struct t_set s;
	pid_t pid;

	pthread_atfork(prepare, parent, child);
	pid = fork_with_pids(t_set(&s, 1, 6600));
	T_ASSERT(pid >= 0, "fork_with_pids: %s", strerror(errno));
	if (pid == 0) {
		if (n != 2 || order[0] != 1 || order[1] != 3)
			_exit(2);
		if (getpid() != 6600 || syscall(SYS_gettid) != 6600)
			_exit(3);
		if (pthread_mutex_trylock(&m) || pthread_mutex_unlock(&m))
			_exit(4);
		exit(0);
	}
	T_ASSERT(pid == 6600, "pid %d", pid);
	T_ASSERT(n == 2 && order[0] == 1 && order[1] == 2, "parent handlers: %d %d %d", n, order[0], order[1]);
	t_reap(pid);
	return T_PASS;
}
