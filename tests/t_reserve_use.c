// SPDX-License-Identifier: GPL-2.0
/*
 * Reserved pids are consumed by the clones their file's owner makes for
 * them (exactly them, or them and pids at levels the reservation does not
 * hold), by every path (fork_with_pids(), CWP_IOC_CLONE, a thread),
 * at every level (both levels, the inner one only, the outer one only);
 * a clone undone after it was handed its numbers (a missed diversion
 * made again, a restart under a signal storm) gives them back to the
 * reservation without a moment free; a set that is not reserved is still
 * refused a reserved pid.
 */
#include "t.h"

#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#define DIR "/sys/kernel/debug/clone_with_pids/"

static volatile pid_t thread_tid;

static void *thread_fn(void *arg)
{
	struct t_set s;
	int n = clone_with_pids_get(0, &s.set, CLONE_WITH_PIDS_MAX + 1);

	thread_tid = n > 0 ? s.set.pids[0] : -1;	/* outermost */
	return NULL;
}

static void on_usr1(int sig)
{
}

int main(void)
{
	struct t_set a, b, c, d, e, x;
	const struct pid_set *sets[64];
	struct t_set many[64];
	pthread_t th;
	pid_t outer, storm;
	int i, n;

	t_need_debugfs(DIR "inject_skip_divert");
	outer = t_pid_max() - 300;
	while (t_pid_exists(outer) || t_pid_exists(outer + 1) || t_pid_exists(outer + 2) ||
	       t_pid_exists(outer + 3) || t_pid_exists(outer + 4))
		outer -= 5;
	t_nest(1);

	sets[0] = t_set(&a, 2, outer, 400);
	sets[1] = t_set(&b, 2, 0, 401);
	sets[2] = t_set(&c, 2, outer + 1, 0);
	sets[3] = t_set(&d, 2, outer + 2, 402);
	sets[4] = t_set(&e, 2, outer + 3, 0);
	T_ASSERT(clone_with_pids_reserve(sets, 5, NULL, NULL) == 0, "reserve: %s", strerror(errno));

	/* A set with some of a reservation's pids, not all: refused them. */
	T_EXPECT_ERRNO(t_fork_exact(t_set(&x, 2, 0, 400)), EBUSY);
	T_EXPECT_ERRNO(t_fork_exact(t_set(&x, 2, outer + 2, 0)), EBUSY);
	T_ASSERT(t_nr_reserved() == 5, "%u reserved after refusals", t_nr_reserved());

	/* fork_with_pids(): both levels; the inner one only; the outer one only. */
	T_ASSERT(t_fork_exact(&a.set) == 0, "fork, both levels reserved: %s", strerror(errno));
	T_ASSERT(t_fork_exact(&b.set) == 0, "fork, inner level reserved: %s", strerror(errno));
	T_ASSERT(t_nr_reserved() == 3, "%u reserved after two consumed, not 3", t_nr_reserved());

	/* A thread. */
	T_ASSERT(clone_with_pids_next(&c.set) == 0, "next: %s", strerror(errno));
	T_ASSERT(pthread_create(&th, NULL, thread_fn, NULL) == 0, "pthread_create");
	pthread_join(th, NULL);
	T_ASSERT(thread_tid == outer + 1, "thread's outer tid %d, not %d", thread_tid, outer + 1);

	/* A diversion missed once: the clone is undone and made again. */
	t_write_file(DIR "inject_skip_divert", "1");
	T_ASSERT(t_fork_exact(&d.set) == 0, "fork, one missed diversion: %s", strerror(errno));
	t_write_file(DIR "inject_skip_divert", "0");

	/* CWP_IOC_CLONE, the outer level only. */
	{
		struct cwp_clone_args ca;
		long r;

		t_clone_args(&ca, &e.set);
		r = t_ioctl_clone(&ca);
		T_ASSERT(r > 0, "CWP_IOC_CLONE of a reserved set: %s", strerror(errno));
	}
	T_ASSERT(t_nr_reserved() == 0, "%u reserved after all consumed", t_nr_reserved());

	/*
	 * A clone choosing more levels than a reservation holds (as a task
	 * of a pid namespace created after it) consumes it.
	 */
	sets[0] = t_set(&a, 2, 0, 450);
	T_ASSERT(clone_with_pids_reserve(sets, 1, NULL, NULL) == 0, "reserve: %s", strerror(errno));
	T_ASSERT(t_fork_exact(t_set(&x, 2, outer + 4, 450)) == 0, "fork, reserved inner level: %s",
		 strerror(errno));
	T_ASSERT(t_nr_reserved() == 0, "%u reserved after a wider clone", t_nr_reserved());

	/* A signal storm against the creator: restarts keep the numbers. */
	n = 60;
	for (i = 0; i < n; i++) {
		sets[i] = t_set(&many[i], 2, 0, 500 + i);
	}
	T_ASSERT(clone_with_pids_reserve(sets, n, NULL, NULL) == 0, "reserve %d: %s", n,
		 strerror(errno));
	signal(SIGUSR1, on_usr1);
	storm = fork();
	if (storm == 0) {
		pid_t parent = getppid();

		for (;;)
			kill(parent, SIGUSR1);
	}
	for (i = 0; i < n; i++) {
		int r;

		do
			r = t_fork_exact(sets[i]);
		while (r < 0 && errno == EINTR);
		T_ASSERT(r == 0, "fork %d under the storm: %s", i, strerror(errno));
	}
	kill(storm, SIGKILL);
	t_wait(storm);
	T_ASSERT(t_nr_reserved() == 0, "%u reserved after the storm", t_nr_reserved());
	return T_PASS;
}
