// SPDX-License-Identifier: GPL-2.0
/*
 * clone_with_pids_get() of a thread: 0 in the thread and its thread id
 * from another thread both give the thread's ids, one pid namespace deep,
 * not its process's.
 */
#include "t.h"

#include <pthread.h>
#include <sys/syscall.h>

static struct t_set inside;
static int inside_n;

static void *thread(void *arg)
{
	inside_n = clone_with_pids_get(0, &inside.set, CLONE_WITH_PIDS_MAX + 1);
	return NULL;
}

static pthread_barrier_t hold;

static void *waiter(void *arg)
{
	pthread_barrier_wait(&hold);
	return NULL;
}

int main(void)
{
	struct t_set s, got, proc;
	pthread_t th;

	t_nest(1);
	T_ASSERT(clone_with_pids_get(0, &proc.set, 2) == 2 && proc.set.pids[1] == 1,
		 "the process: %s", strerror(errno));
	T_ASSERT(!clone_with_pids_next(t_set(&s, 2, 9311, 21)), "arm: %s", strerror(errno));
	T_ASSERT(!pthread_create(&th, NULL, thread, NULL), "pthread_create");
	T_ASSERT(!pthread_join(th, NULL), "join");
	T_ASSERT(inside_n == 2 && inside.set.pids[0] == 9311 && inside.set.pids[1] == 21,
		 "in the thread: %d levels, %d %d", inside_n, inside.set.pids[0], inside.set.pids[1]);

	/* From the main thread, by thread id (as /proc names it). */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 2, 9312, 22)), "arm: %s", strerror(errno));
	pthread_barrier_init(&hold, NULL, 2);
	T_ASSERT(!pthread_create(&th, NULL, waiter, NULL), "pthread_create");
	T_ASSERT(clone_with_pids_get(9312, &got.set, 2) == 2, "by tid: %s", strerror(errno));
	T_ASSERT(got.set.pids[0] == 9312 && got.set.pids[1] == 22,
		 "by tid: %d %d", got.set.pids[0], got.set.pids[1]);
	pthread_barrier_wait(&hold);
	T_ASSERT(!pthread_join(th, NULL), "join");
	return T_PASS;
}
