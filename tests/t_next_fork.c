// SPDX-License-Identifier: GPL-2.0
/*
 * clone_with_pids_next(): the next fork() of this thread gets the pids and
 * consumes them (the one after gets a kernel pid); NULL cancels; the armed
 * pids are invisible to another thread's fork(); a thread's armed pids are
 * dropped when it exits, and when the file they were armed through is
 * closed.
 */
#include "t.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>

static pthread_barrier_t armed;

static void *other_thread(void *arg)
{
	pthread_barrier_wait(&armed);
	return (void *)(long)t_fork_exit0();
}

static void *arm_and_exit(void *arg)
{
	struct t_set s;

	if (clone_with_pids_next(t_set(&s, 1, 6403)))
		return (void *)1L;
	return NULL;
}

int main(void)
{
	struct t_set s;
	pthread_t th;
	void *ret;
	int fd;

	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6400)), "next: %s", strerror(errno));
	T_ASSERT(t_nr_requests() == 1, "armed count %u", t_nr_requests());
	T_ASSERT(t_fork_exit0() == 6400, "armed fork did not get 6400");
	T_ASSERT(t_nr_requests() == 0, "not consumed");
	T_ASSERT(t_fork_exit0() != 6400, "pids reused by a second fork");

	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6401)), "next: %s", strerror(errno));
	T_ASSERT(!clone_with_pids_next(NULL), "cancel: %s", strerror(errno));
	T_ASSERT(t_nr_requests() == 0, "not cancelled");
	T_ASSERT(t_fork_exit0() != 6401, "cancelled pids used");

	/*
	 * Another thread's fork does not see our armed pids (the thread is
	 * created first: pthread_create() would take them).
	 */
	pthread_barrier_init(&armed, NULL, 2);
	pthread_create(&th, NULL, other_thread, NULL);
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6402)), "next: %s", strerror(errno));
	pthread_barrier_wait(&armed);
	pthread_join(th, &ret);
	T_ASSERT((long)ret != 6402, "other thread's fork took our pids");
	T_ASSERT(t_fork_exit0() == 6402, "our fork lost its pids");

	/* Dropped at thread exit. */
	pthread_create(&th, NULL, arm_and_exit, NULL);
	pthread_join(th, &ret);
	T_ASSERT(!ret, "thread could not arm");
	usleep(100 * 1000);
	T_ASSERT(t_nr_requests() == 0, "exited thread's pids still armed");

	/* Dropped when the file is closed. */
	fd = open(CWP_DEVICE_PATH, O_RDWR);
	T_ASSERT(fd >= 0, "open");
	{
		struct cwp_next_args a = { .size = sizeof(a), .pid_set = (uintptr_t)t_set(&s, 1, 6404) };

		T_ASSERT(!ioctl(fd, CWP_IOC_SET_NEXT, &a), "SET_NEXT: %s", strerror(errno));
	}
	T_ASSERT(t_nr_requests() == 1, "not armed");
	close(fd);
	T_ASSERT(t_nr_requests() == 0, "armed pids survived close()");
	T_ASSERT(t_fork_exit0() != 6404, "pids of a closed file used");
	return T_PASS;
}
