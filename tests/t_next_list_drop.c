// SPDX-License-Identifier: GPL-2.0
/*
 * A list armed with clone_with_pids_next_list() goes away as a whole: a
 * clone that fails for good (EBUSY: a pid in use; EINVAL: a clone3()
 * with its own set_tid) consumes its set and drops the rest, and the next
 * fork() gets a kernel pid; the release of the file it was armed through
 * (also during a clone of the list, which keeps its set), the thread's
 * exit and execve() drop what is left of it.
 */
#include "t.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <linux/sched.h>

static pid_t base;

static void arm3(pid_t first, struct t_set *s, const struct pid_set **sets)
{
	int i;

	for (i = 0; i < 3; i++)
		sets[i] = t_set(&s[i], 1, first + i);
	T_ASSERT(clone_with_pids_next_list(sets, 3, NULL) == 0, "list: %s", strerror(errno));
	T_ASSERT(t_nr_requests() == 3, "%u armed, not 3", t_nr_requests());
}

static void *arm_and_exit(void *arg)
{
	const struct pid_set *sets[3];
	struct t_set s[3];

	arm3(base + 40, s, sets);
	return NULL;
}

static int list_fd;
static volatile int child_started, file_closed;

static int vfork_child(void *arg)
{
	child_started = 1;
	while (!file_closed)
		;
	return 0;
}

static void *closer(void *arg)
{
	while (!child_started)
		usleep(1000);
	close(list_fd);
	file_closed = 1;
	return NULL;
}

static int after_exec(void)
{
	pid_t pid = t_fork_exit0();

	T_ASSERT(pid < base + 50 || pid > base + 52, "the new program's fork() took pid %d", pid);
	T_ASSERT(t_nr_requests() == 0, "%u armed after execve()", t_nr_requests());
	return T_PASS;
}

int main(int argc, char **argv)
{
	const struct pid_set *sets[3];
	struct t_set s[3];
	pid_t holder, pid, child;
	pthread_t th;
	int fd, i;

	base = 7300;
	if (argc == 2)
		return after_exec();

	/* EBUSY at the second set: the third is dropped with it. */
	holder = fork_with_pids(t_set(&s[0], 1, base + 1));
	if (holder == 0) {
		pause();
		_exit(0);
	}
	T_ASSERT(holder == base + 1, "holder got %d", holder);
	arm3(base, s, sets);
	T_ASSERT(t_fork_armed(sets[0]) == 0, "first fork: %s", strerror(errno));
	T_EXPECT_ERRNO(t_fork_armed(sets[1]), EBUSY);
	T_ASSERT(t_nr_requests() == 0, "%u armed after a failed clone", t_nr_requests());
	pid = t_fork_exit0();
	T_ASSERT(pid != base + 2, "the set after a failed clone was used");
	kill(holder, SIGKILL);
	t_wait(holder);

	/* EINVAL: a clone3() with its own set_tid. */
	arm3(base + 10, s, sets);
	{
		pid_t tid = base + 19;
		struct clone_args ca = {
			.exit_signal = SIGCHLD,
			.set_tid = (uintptr_t)&tid,
			.set_tid_size = 1,
		};

		pid = syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid == 0)
			_exit(0);
		T_ASSERT(pid == -1 && errno == EINVAL, "clone3() with set_tid and a list: %d (%s)",
			 pid, strerror(errno));
	}
	T_ASSERT(t_nr_requests() == 0, "%u armed after a refused clone3()", t_nr_requests());

	/* The release of its file. */
	fd = open(CWP_DEVICE_PATH, O_RDWR);
	T_ASSERT(fd >= 0, "open: %s", strerror(errno));
	{
		uint64_t ptrs[3];
		struct cwp_next_list_args la = {
			.size = sizeof(la), .sets = (uintptr_t)ptrs, .nr_sets = 3,
		};

		for (i = 0; i < 3; i++)
			ptrs[i] = (uintptr_t)t_set(&s[i], 1, base + 20 + i);
		T_ASSERT(ioctl(fd, CWP_IOC_SET_NEXT_LIST, &la) == 0, "SET_NEXT_LIST: %s",
			 strerror(errno));
	}
	T_ASSERT(t_fork_armed(&s[0].set) == 0, "fork: %s", strerror(errno));
	T_ASSERT(t_nr_requests() == 2, "%u armed, not 2", t_nr_requests());
	close(fd);
	T_ASSERT(t_nr_requests() == 0, "%u armed after close()", t_nr_requests());
	pid = t_fork_exit0();
	T_ASSERT(pid != base + 21, "a set of a closed file was used");

	/*
	 * The release of its file while a clone of the list is in progress:
	 * that clone takes its set, the rest goes. The child shares our
	 * memory and descriptors and holds us in the clone (CLONE_VFORK)
	 * until another thread has closed the file's last descriptor.
	 */
	for (i = 0; i < 3; i++)
		sets[i] = t_set(&s[i], 1, base + 30 + i);
	list_fd = open(CWP_DEVICE_PATH, O_RDWR);
	T_ASSERT(list_fd >= 0, "open: %s", strerror(errno));
	/* The closer first: its creation would take a set. */
	T_ASSERT(pthread_create(&th, NULL, closer, NULL) == 0, "pthread_create");
	{
		uint64_t ptrs[3] = { (uintptr_t)sets[0], (uintptr_t)sets[1], (uintptr_t)sets[2] };
		struct cwp_next_list_args la = {
			.size = sizeof(la), .sets = (uintptr_t)ptrs, .nr_sets = 3,
		};

		T_ASSERT(ioctl(list_fd, CWP_IOC_SET_NEXT_LIST, &la) == 0, "SET_NEXT_LIST: %s",
			 strerror(errno));
	}
	pid = clone(vfork_child, t_stack(64 * 1024), CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD,
		    NULL);
	T_ASSERT(pid == base + 30, "the clone in progress got %d, not %d", pid, base + 30);
	pthread_join(th, NULL);
	t_reap(pid);
	T_ASSERT(t_nr_requests() == 0, "%u armed after the file's release", t_nr_requests());
	pid = t_fork_exit0();
	T_ASSERT(pid != base + 31, "a set of a file released during a clone was used");

	/* The thread's exit. */
	T_ASSERT(pthread_create(&th, NULL, arm_and_exit, NULL) == 0, "pthread_create");
	pthread_join(th, NULL);
	for (i = 0; i < 100 && t_nr_requests(); i++)
		usleep(10 * 1000);
	T_ASSERT(t_nr_requests() == 0, "%u armed after the thread's exit", t_nr_requests());

	/* execve(), after one set was used. */
	child = fork();
	T_ASSERT(child >= 0, "fork");
	if (child == 0) {
		arm3(base + 49, s, sets);
		T_ASSERT(t_fork_armed(sets[0]) == 0, "fork before exec: %s", strerror(errno));
		execl("/proc/self/exe", "t_next_list_drop", "after", (char *)NULL);
		t_fail("execl: %s", strerror(errno));
	}
	T_ASSERT(t_wait(child) == 0, "the exec'd program failed");
	return T_PASS;
}
