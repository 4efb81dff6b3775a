// SPDX-License-Identifier: GPL-2.0
/*
 * Tasks that exit with pids armed, while others create: 8 threads at a
 * time arm pids, create a thread with a chosen tid (which exits at once)
 * and exit with pids armed again; processes arm and exit. The exit probe
 * drops every request (nothing stays armed). On PREEMPT_RT kernels this is
 * where a sleeping lock taken in a probe handler panicked the kernel; the
 * harness runs 300 rounds there (cwp_exit_rounds=), as 100 did not always
 * reach that panic.
 */
#include "t.h"

#include <pthread.h>
#include <sys/syscall.h>

#define WORKERS	8

static void *leaf(void *arg)
{
	return (void *)(long)syscall(SYS_gettid);
}

static void *worker(void *arg)
{
	long w = (long)arg;
	int rc, tries = 0;
	pthread_t th;
	struct t_set s;
	void *tid;

	/* The last round's leaf may still hold its tid for a moment. */
	do {
		if (clone_with_pids_next(t_set(&s, 1, 6000 + w)))
			return (void *)1L;
		rc = pthread_create(&th, NULL, leaf, NULL);
	} while (rc == EBUSY && ++tries < 200 && !usleep(1000));
	if (rc)
		return (void *)2L;
	pthread_join(th, &tid);
	if ((long)tid != 6000 + w)
		return (void *)3L;
	/* Exit with pids armed. */
	if (clone_with_pids_next(t_set(&s, 1, 6100 + w)))
		return (void *)4L;
	return NULL;
}

int main(void)
{
	unsigned int rounds = t_cmdline_num("cwp_exit_rounds", 100), r;
	pthread_t th[WORKERS];
	struct t_set s;
	long w;
	int i;

	for (r = 0; r < rounds; r++) {
		void *ret;
		pid_t pid;

		for (w = 0; w < WORKERS; w++)
			T_ASSERT(!pthread_create(&th[w], NULL, worker, (void *)w), "pthread_create");
		/* A process that exits with pids armed, meanwhile. */
		pid = fork();
		if (pid == 0)
			_exit(clone_with_pids_next(t_set(&s, 1, 6200)) ? 1 : 0);
		T_ASSERT(pid > 0, "fork: %s", strerror(errno));
		t_reap(pid);
		for (w = 0; w < WORKERS; w++) {
			pthread_join(th[w], &ret);
			T_ASSERT(!ret, "round %u worker %ld: step %ld failed (%s)", r, w, (long)ret,
				 strerror(errno));
		}
	}
	/* Exits drop requests synchronously; joined threads are gone. */
	for (i = 0; i < 100 && t_nr_requests(); i++)
		usleep(10 * 1000);
	T_ASSERT(t_nr_requests() == 0, "%u sets armed by exited tasks", t_nr_requests());
	/* Their pids are free. */
	for (w = 0; w < WORKERS; w++) {
		pid_t pid = fork_with_pids(t_set(&s, 1, 6100 + w));

		if (pid == 0)
			_exit(0);
		T_ASSERT(pid == 6100 + w, "pid %ld armed by an exited thread: %d %s", 6100 + w, pid,
			 strerror(errno));
		t_reap(pid);
	}
	return T_PASS;
}
