// SPDX-License-Identifier: GPL-2.0
/*
 * pthread_create() after clone_with_pids_next() gives the new thread the
 * chosen tid, seen by gettid() in the thread; its pthread functions work
 * (pthread_kill, join with a value).
 */
#include "t.h"

#include <pthread.h>
#include <sys/syscall.h>

static volatile sig_atomic_t got;

static void on_usr1(int sig)
{
	got = sig;
}

static void *thread(void *arg)
{
	if (pthread_kill(pthread_self(), SIGUSR1) || got != SIGUSR1)
		return (void *)-1L;
	return (void *)syscall(SYS_gettid);
}

int main(void)
{
	struct t_set s;
	pthread_t th;
	void *ret;

	signal(SIGUSR1, on_usr1);
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6700)), "arm: %s", strerror(errno));
	T_ASSERT(!pthread_create(&th, NULL, thread, NULL), "pthread_create");
	T_ASSERT(!pthread_join(th, &ret), "join");
	T_ASSERT((long)ret == 6700, "thread tid %ld", (long)ret);
	return T_PASS;
}
