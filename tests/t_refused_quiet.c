// SPDX-License-Identifier: GPL-2.0
/*
 * A clone the module refuses fails before anything is copied: a
 * userfaultfd monitor with UFFD_FEATURE_EVENT_FORK, which sees every copy
 * of the process's memory, sees no fork for a clone refused with EPERM
 * (credentials changed since the pids were armed) or EINVAL (namespace
 * for children changed), and sees the fork of a clone that succeeds.
 */
#include "t.h"

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

static int uffd;
static volatile int stop;
static int fork_events;

/* Read events: a forking thread waits until its fork event is read. */
static void *monitor(void *arg)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };

	p.fd = uffd;
	while (!stop) {
		struct uffd_msg msg;

		if (poll(&p, 1, 50) <= 0)
			continue;
		if (read(uffd, &msg, sizeof(msg)) != sizeof(msg))
			continue;
		if (msg.event == UFFD_EVENT_FORK) {
			__atomic_add_fetch(&fork_events, 1, __ATOMIC_RELEASE);
			close(msg.arg.fork.ufd);
		}
	}
	return NULL;
}

static int events_after(int before)
{
	int i;

	for (i = 0; i < 20; i++) {
		usleep(20 * 1000);
		if (__atomic_load_n(&fork_events, __ATOMIC_ACQUIRE) != before)
			break;
	}
	return __atomic_load_n(&fork_events, __ATOMIC_ACQUIRE) - before;
}

int main(void)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_EVENT_FORK };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct t_set s;
	pthread_t th;
	int before, n;
	pid_t pid;
	void *area;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		t_skip("userfaultfd: %s", strerror(errno));
	if (ioctl(uffd, UFFDIO_API, &api))
		t_skip("UFFD_FEATURE_EVENT_FORK: %s", strerror(errno));
	area = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(area != MAP_FAILED, "mmap");
	reg.range.start = (uintptr_t)area;
	reg.range.len = 4096;
	T_ASSERT(!ioctl(uffd, UFFDIO_REGISTER, &reg), "UFFDIO_REGISTER: %s", strerror(errno));
	T_ASSERT(!pthread_create(&th, NULL, monitor, NULL), "monitor thread");

	/* The monitor sees a fork that happens. */
	before = fork_events;
	pid = fork_with_pids(t_set(&s, 1, 6600));
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 6600, "fork_with_pids: %d %s", pid, strerror(errno));
	t_reap(pid);
	T_ASSERT(events_after(before) == 1, "no fork event for a fork that happened");

	/* Refused for the credentials: nothing copied. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6601)), "next: %s", strerror(errno));
	T_ASSERT(!setgid(getgid()), "setgid: %s", strerror(errno));
	before = fork_events;
	errno = 0;
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == -1 && errno == EPERM, "fork after a credential change: %d %s", pid,
		 strerror(errno));
	n = events_after(before);
	T_ASSERT(n == 0, "%d fork events for a clone refused with EPERM", n);
	T_ASSERT(!t_pid_exists(6601), "pid 6601 in use");

	/* Refused for the namespace: nothing copied. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6602)), "next: %s", strerror(errno));
	T_ASSERT(!unshare(CLONE_NEWPID), "unshare: %s", strerror(errno));
	before = fork_events;
	errno = 0;
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == -1 && errno == EINVAL, "fork after unshare(CLONE_NEWPID): %d %s", pid,
		 strerror(errno));
	n = events_after(before);
	T_ASSERT(n == 0, "%d fork events for a clone refused with EINVAL", n);

	stop = 1;
	pthread_join(th, NULL);
	return T_PASS;
}
