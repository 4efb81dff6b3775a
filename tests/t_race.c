// SPDX-License-Identifier: GPL-2.0
/*
 * Threads racing for one pid: in each of 200 rounds, 8 threads ask for the
 * same pid at once; exactly one gets it, every other one gets EBUSY.
 */
#include "t.h"

#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#define THREADS	8
#define ROUNDS	200

static pthread_barrier_t go;
static int results[THREADS];
static int errs[THREADS];

static void *racer(void *arg)
{
	long i = (long)arg;
	struct cwp_clone_args a;
	struct t_set s;
	int fd = clone_with_pids_fd();
	long r;

	t_clone_args(&a, t_set(&s, 1, 6000));
	pthread_barrier_wait(&go);
	r = ioctl(fd, CWP_IOC_CLONE, &a);
	if (r == 0)
		syscall(SYS_exit_group, 0);
	results[i] = r;
	errs[i] = errno;
	return NULL;
}

int main(void)
{
	pthread_t th[THREADS];
	int round, i;

	T_ASSERT(clone_with_pids_fd() >= 0, "open: %s", strerror(errno));
	for (round = 0; round < ROUNDS; round++) {
		int winners = 0;

		pthread_barrier_init(&go, NULL, THREADS);
		for (i = 0; i < THREADS; i++)
			pthread_create(&th[i], NULL, racer, (void *)(long)i);
		for (i = 0; i < THREADS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		for (i = 0; i < THREADS; i++) {
			if (results[i] == 6000)
				winners++;
			else if (results[i] != -1 || errs[i] != EBUSY)
				t_fail("round %d: thread %d got %d errno %d", round, i,
				       results[i], errs[i]);
		}
		T_ASSERT(winners == 1, "round %d: %d winners", round, winners);
		t_reap(6000);
	}
	return T_PASS;
}
