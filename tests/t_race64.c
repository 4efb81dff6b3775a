// SPDX-License-Identifier: GPL-2.0
/*
 * 64 threads race for the same pid, 300 times: they sweep 300 free pids
 * together, each thread asking for each pid; for every pid exactly
 * one thread gets it (its child stays a zombie, holding it) and the 63
 * others get EBUSY. cwp_race_rounds= on the kernel command line changes
 * the number of rounds (up to 1000; make check-debug takes fewer: KASAN
 * under emulation is about ten times slower).
 */
#include "t.h"

#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#define THREADS	64
#define MAX_ROUNDS	1000
#define DEF_ROUNDS	300

static int base;	/* rounds free pids, high in the range */

static int rounds;
static int winners[MAX_ROUNDS];
static int bad;
static pthread_barrier_t start;

static void *racer(void *arg)
{
	struct cwp_clone_args a;
	struct t_set s;
	int r;

	pthread_barrier_wait(&start);
	for (r = 0; r < rounds; r++) {
		long ret;

		t_clone_args(&a, t_set(&s, 1, base + r));
		ret = ioctl(clone_with_pids_fd(), CWP_IOC_CLONE, &a);
		if (ret == 0)
			syscall(SYS_exit, 0);
		if (ret == base + r)
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

	rounds = t_cmdline_num("cwp_race_rounds", DEF_ROUNDS);
	T_ASSERT(rounds > 0 && rounds <= MAX_ROUNDS, "cwp_race_rounds=%d", rounds);
	T_ASSERT(clone_with_pids_fd() >= 0, "open: %s", strerror(errno));
	/* Above where ordinary pids (kernel threads too) have got to. */
	for (base = t_pid_max() - rounds - 100; base > 1000; base -= rounds) {
		for (i = 0; i < rounds && !t_pid_exists(base + i); i++)
			;
		if (i == rounds)
			break;
	}
	T_ASSERT(base > 1000, "no %d free pids in a row", rounds);
	pthread_barrier_init(&start, NULL, THREADS);
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, racer, NULL);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	T_ASSERT(!bad, "%d requests failed otherwise than with EBUSY", bad);
	for (i = 0; i < rounds; i++) {
		T_ASSERT(winners[i] == 1, "pid %d: %d winners", base + i, winners[i]);
		t_reap(base + i);
	}
	printf("stat: %d pids, %d threads each, one winner each\n", rounds, THREADS);
	return T_PASS;
}
