// SPDX-License-Identifier: GPL-2.0
/*
 * clone_with_pids_next_list(): the thread's next clones take the sets in
 * order, one each, whatever makes them (fork(), vfork(), a thread,
 * clone_with_pids() and clone_with_pids_fn() without a set), each
 * counted as armed until its clone; a new arming replaces the whole list,
 * nr 0 cancels it; sets made by clone3()'s set_tid, by the diversion (a
 * gap) and from a reservation mix in one list, at two levels.
 */
#include "t.h"

#include <pthread.h>

static volatile pid_t thread_tid;

static void *thread_fn(void *arg)
{
	thread_tid = syscall(SYS_gettid);
	return NULL;
}

static int child_fn(void *arg)
{
	return 0;
}

/* The child only exits: nothing of the parent's frame is touched. */
static __attribute__((noinline)) pid_t vfork_exit0(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	return pid;
}

/* @n consecutive free pids from @from downwards, in the caller's namespace. */
static pid_t free_range(pid_t from, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (t_pid_exists(from + i)) {
			from -= n;
			i = -1;
		}
	return from;
}

int main(void)
{
	const struct pid_set *sets[8];
	struct t_set s[8], one;
	unsigned int err_set = 0;
	pthread_t th;
	pid_t base, outer, pid;
	int i;

	base = free_range(7100, 40);

	/* Five forks, in order; the sixth is the kernel's. */
	for (i = 0; i < 5; i++)
		sets[i] = t_set(&s[i], 1, base + i);
	T_ASSERT(clone_with_pids_next_list(sets, 5, &err_set) == 0, "list: %s", strerror(errno));
	T_ASSERT(err_set == ~0U, "err_set %u on success", err_set);
	T_ASSERT(t_nr_requests() == 5, "%u sets armed, not 5", t_nr_requests());
	for (i = 0; i < 5; i++) {
		T_ASSERT(t_fork_armed(sets[i]) == 0, "fork %d: %s", i, strerror(errno));
		T_ASSERT(t_nr_requests() == 4U - i, "%u armed after fork %d", t_nr_requests(), i);
	}
	pid = t_fork_exit0();
	T_ASSERT(pid < base || pid >= base + 5, "a sixth fork got %d", pid);

	/* A thread, a vfork(), a fork(). */
	for (i = 0; i < 3; i++)
		sets[i] = t_set(&s[i], 1, base + 10 + i);
	T_ASSERT(clone_with_pids_next_list(sets, 3, NULL) == 0, "list: %s", strerror(errno));
	T_ASSERT(pthread_create(&th, NULL, thread_fn, NULL) == 0, "pthread_create");
	pthread_join(th, NULL);
	T_ASSERT(thread_tid == base + 10, "thread %d, not %d", thread_tid, base + 10);
	pid = vfork_exit0();
	T_ASSERT(pid == base + 11, "vfork gave %d, not %d", pid, base + 11);
	t_reap(pid);
	T_ASSERT(t_fork_armed(sets[2]) == 0, "fork after vfork: %s", strerror(errno));
	T_ASSERT(t_nr_requests() == 0, "%u armed after the list", t_nr_requests());

	/*
	 * clone_with_pids() and clone_with_pids_fn() without a set take the
	 * list's sets like any clone, and report the task they created.
	 */
	for (i = 0; i < 3; i++)
		sets[i] = t_set(&s[i], 1, base + 30 + i);
	T_ASSERT(clone_with_pids_next_list(sets, 3, NULL) == 0, "list: %s", strerror(errno));
	pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, NULL);
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == base + 30, "clone_with_pids() without a set: %d (%s), not %d", pid,
		 strerror(errno), base + 30);
	t_reap(pid);
	pid = clone_with_pids_fn(child_fn, t_stack(64 * 1024), SIGCHLD, NULL, NULL);
	T_ASSERT(pid == base + 31, "clone_with_pids_fn() without a set: %d (%s), not %d", pid,
		 strerror(errno), base + 31);
	t_reap(pid);
	T_ASSERT(t_nr_requests() == 1, "%u armed, not the last set", t_nr_requests());
	T_ASSERT(t_fork_armed(sets[2]) == 0, "fork: %s", strerror(errno));

	/* Replaced by clone_with_pids_next(). */
	for (i = 0; i < 3; i++)
		sets[i] = t_set(&s[i], 1, base + 20 + i);
	T_ASSERT(clone_with_pids_next_list(sets, 3, NULL) == 0, "list: %s", strerror(errno));
	T_ASSERT(clone_with_pids_next(t_set(&one, 1, base + 23)) == 0, "next: %s", strerror(errno));
	T_ASSERT(t_nr_requests() == 1, "%u armed after a replacement", t_nr_requests());
	T_ASSERT(t_fork_armed(&one.set) == 0, "fork: %s", strerror(errno));
	pid = t_fork_exit0();
	T_ASSERT(pid < base + 20 || pid > base + 23, "a replaced set's pid %d", pid);

	/* Replaced by another list; cancelled by an empty one. */
	T_ASSERT(clone_with_pids_next_list(sets, 3, NULL) == 0, "list: %s", strerror(errno));
	T_ASSERT(clone_with_pids_next_list(sets + 1, 2, NULL) == 0, "list: %s", strerror(errno));
	T_ASSERT(t_nr_requests() == 2, "%u armed, not 2", t_nr_requests());
	T_ASSERT(t_fork_armed(sets[1]) == 0, "fork: %s", strerror(errno));
	T_ASSERT(clone_with_pids_next_list(NULL, 0, NULL) == 0, "cancel: %s", strerror(errno));
	T_ASSERT(t_nr_requests() == 0, "%u armed after cancel", t_nr_requests());
	pid = t_fork_exit0();
	T_ASSERT(pid != base + 22, "a cancelled set's pid %d", pid);

	/*
	 * Two levels: set_tid, a gap inside, a gap outside, a reserved set,
	 * set_tid again.
	 */
	outer = free_range(t_pid_max() - 300, 5);
	t_nest(1);
	sets[0] = t_set(&s[0], 2, outer, 500);
	sets[1] = t_set(&s[1], 2, 0, 501);
	sets[2] = t_set(&s[2], 2, outer + 1, 0);
	sets[3] = t_set(&s[3], 2, outer + 2, 502);
	sets[4] = t_set(&s[4], 2, outer + 3, 503);
	T_ASSERT(clone_with_pids_reserve(&sets[3], 1, NULL, NULL) == 0, "reserve: %s",
		 strerror(errno));
	T_ASSERT(clone_with_pids_next_list(sets, 5, NULL) == 0, "list: %s", strerror(errno));
	T_ASSERT(t_nr_requests() == 5, "%u armed, not 5", t_nr_requests());
	for (i = 0; i < 5; i++)
		T_ASSERT(t_fork_armed(sets[i]) == 0, "nested fork %d: %s", i, strerror(errno));
	T_ASSERT(t_nr_reserved() == 0, "%u reserved after the list", t_nr_reserved());
	T_ASSERT(t_nr_requests() == 0, "%u armed after the list", t_nr_requests());
	return T_PASS;
}
