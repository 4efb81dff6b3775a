// SPDX-License-Identifier: GPL-2.0
/*
 * A reservation stands for one armed set at a time, and so cannot be a
 * way around the quotas. uid 65534, in a user and pid namespace of its
 * own, reserves {50}; a list of 1,024 copies of {50} is refused (EAGAIN:
 * one set covers the reservation, the 1,023 others count in the per-user
 * quota); then threads that each arm {50}: one covers the reservation,
 * which counts as one set itself, user_requests - 1 more are armed, and
 * the next is refused. Meanwhile root in the initial namespace arms and
 * forks with a chosen pid, and the sets armed system-wide stay within
 * max_requests (the bound of the kretprobe's instances).
 */
#include "t.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#define THREADS		300
#define LIST		1024

struct report {
	int list_err;		/* errno of the list of LIST copies, 0 if armed */
	int armed;		/* threads with {50} armed */
	int refused;		/* threads refused with EAGAIN */
	int failed;		/* threads failed otherwise */
	int last_errno;
};

static struct report rep;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int release, done;

static void *armer(void *arg)
{
	struct t_set s;
	int r = clone_with_pids_next(t_set(&s, 1, 50)), err = errno;

	pthread_mutex_lock(&lock);
	if (!r)
		rep.armed++;
	else if (err == EAGAIN)
		rep.refused++;
	else {
		rep.failed++;
		rep.last_errno = err;
	}
	done++;
	pthread_cond_broadcast(&cond);
	while (!release)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static pid_t unprivileged(int report, int wait, int other_ends[2])
{
	static const struct pid_set *list[LIST];
	pthread_attr_t attr;
	struct t_set s;
	pthread_t th;
	pid_t pid;
	char c;
	int i;

	pid = t_fork_nested_user(65534);
	if (pid)
		return pid;
	/* A parent that fails and exits closes the pipe: this process ends. */
	close(other_ends[0]);
	close(other_ends[1]);
	if (clone_with_pids_reserve((const struct pid_set *[]){ t_set(&s, 1, 50) }, 1,
				    NULL, NULL))
		t_fail("uid 65534: reserve {50}: %s", strerror(errno));
	for (i = 0; i < LIST; i++)
		list[i] = &s.set;
	rep.list_err = clone_with_pids_next_list(list, LIST, NULL) ? errno : 0;
	clone_with_pids_next(NULL);

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < THREADS; i++) {
		if (pthread_create(&th, &attr, armer, NULL))
			t_fail("pthread_create: %s", strerror(errno));
		pthread_mutex_lock(&lock);
		while (done <= i)
			pthread_cond_wait(&cond, &lock);
		pthread_mutex_unlock(&lock);
		if (rep.refused)
			break;
	}
	if (write(report, &rep, sizeof(rep)) != sizeof(rep))
		_exit(2);
	if (read(wait, &c, 1) < 0)
		_exit(3);
	_exit(0);
}

int main(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	int out[2], in[2], fd;
	unsigned int live;
	struct t_set s;
	pid_t u;

	/*
	 * Not through the library's descriptor: the child would inherit it,
	 * and its reservation would be this process's file's.
	 */
	fd = open(CWP_DEVICE_PATH, O_RDONLY | O_CLOEXEC);
	T_ASSERT(fd >= 0 && !ioctl(fd, CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
	close(fd);
	if (!(q.features & CWP_FEATURE_RESERVE))
		t_skip("the module cannot reserve pids on this kernel");
	T_ASSERT(!setrlimit(RLIMIT_NPROC, &unlimited), "RLIMIT_NPROC: %s", strerror(errno));
	T_ASSERT(!pipe(out) && !pipe(in), "pipe");

	u = unprivileged(out[1], in[0], (int[2]){ out[0], in[1] });
	close(out[1]);
	close(in[0]);
	T_ASSERT(read(out[0], &rep, sizeof(rep)) == sizeof(rep), "no report from uid 65534");
	live = t_nr_requests();
	printf("stat: uid 65534, {50} reserved: a list of %d copies: %s; threads arming {50}: "
	       "%d armed, %d refused, %d failed; %u sets armed system-wide, quota %u, pool %u\n",
	       LIST, rep.list_err ? strerror(rep.list_err) : "armed", rep.armed, rep.refused,
	       rep.failed, live, q.user_requests, q.max_requests);

	/* Root in the initial namespace can arm (CWP_IOC_SET_NEXT) and fork. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6152)),
		 "root arming beside uid 65534's sets: %s", strerror(errno));
	T_ASSERT(!t_fork_armed(&s.set), "root's armed fork beside uid 65534's sets: %s",
		 strerror(errno));

	T_ASSERT(write(in[1], "x", 1) == 1, "release");
	t_reap(u);

	T_ASSERT(rep.list_err == EAGAIN, "a list of %d copies of a reserved set: %s, not EAGAIN",
		 LIST, rep.list_err ? strerror(rep.list_err) : "armed");
	T_ASSERT(!rep.failed, "%d threads failed to arm: %s", rep.failed,
		 strerror(rep.last_errno));
	/* The reservation counts as one set: it and 127 more sets, one covering it. */
	T_ASSERT(rep.armed == (int)q.user_requests && rep.refused == 1,
		 "threads arming {50}: %d armed, %d refused; quota %u, the reservation included",
		 rep.armed, rep.refused, q.user_requests);
	T_ASSERT(live <= q.max_requests, "%u sets armed, pool %u", live, q.max_requests);
	T_ASSERT(t_nr_requests() == 0 && t_nr_reserved() == 0, "%u sets armed, %u reserved left",
		 t_nr_requests(), t_nr_reserved());
	return T_PASS;
}
