// SPDX-License-Identifier: GPL-2.0
/*
 * 64 threads race for the same pid, 1000 times: they sweep pids 7700 to
 * 8699 together, each thread asking for each pid; for every pid exactly
 * one thread gets it (its child stays a zombie, holding it) and the 63
 * others get EBUSY.
 */
#include "t.h"

#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#define THREADS	64
#define ROUNDS	1000
#define BASE	7700

static int winners[ROUNDS];
static int bad;
static pthread_barrier_t start;

static void *racer(void *arg)
{
	struct cwp_clone_args a;
	struct t_set s;
	int r;

	pthread_barrier_wait(&start);
	for (r = 0; r < ROUNDS; r++) {
		long ret;

		t_clone_args(&a, t_set(&s, 1, BASE + r));
		ret = ioctl(clone_with_pids_fd(), CWP_IOC_CLONE, &a);
		if (ret == 0)
			syscall(SYS_exit, 0);
		if (ret == BASE + r)
			__atomic_add_fetch(&winners[r], 1, __ATOMIC_RELAXED);
		else if (ret != -1 || errno != EBUSY)
			__atomic_add_fetch(&bad, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	int i;

	T_ASSERT(clone_with_pids_fd() >= 0, "open: %s", strerror(errno));
	for (i = 0; i < ROUNDS; i++)
		if (t_pid_exists(BASE + i))
			t_skip("pid %d in use", BASE + i);
	pthread_barrier_init(&start, NULL, THREADS);
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, racer, NULL);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	T_ASSERT(!bad, "%d requests failed otherwise than with EBUSY", bad);
	for (i = 0; i < ROUNDS; i++) {
		T_ASSERT(winners[i] == 1, "pid %d: %d winners", BASE + i, winners[i]);
		t_reap(BASE + i);
	}
	printf("%d pids, %d threads each: one winner each\n", ROUNDS, THREADS);
	return T_PASS;
}
