// SPDX-License-Identifier: GPL-2.0
/*
 * Pids armed before execve() are dropped: the new program never asked for
 * them. The device file survives the exec (a descriptor without
 * O_CLOEXEC, and the library's own one shared with a child), so only the
 * exec can tell; the new program's first plain fork() gets a kernel pid
 * and succeeds, for a set_tid list and for a gap list.
 */
#include "t.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static int after_exec(pid_t armed, pid_t holder)
{
	pid_t pid = fork();
	int i;

	if (pid == 0)
		_exit(0);
	T_ASSERT(pid > 0, "the new program's first fork(): %s", strerror(errno));
	T_ASSERT(pid != armed, "the new program's fork() took pid %d, armed before execve()", armed);
	t_reap(pid);
	for (i = 0; i < 100 && t_nr_requests(); i++)
		usleep(10 * 1000);
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed after the exec", t_nr_requests());
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
	}
	return T_PASS;
}

static void exec_self(const char *mode, pid_t armed, pid_t holder)
{
	char a[16], h[16];

	snprintf(a, sizeof(a), "%d", armed);
	snprintf(h, sizeof(h), "%d", holder);
	execl("/proc/self/exe", "t_exec_drop", mode, a, h, (char *)NULL);
	t_fail("execl: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	struct cwp_next_args a = { .size = sizeof(a) };
	struct t_set s;
	pid_t child, holder;
	int fd;

	if (argc == 4)
		return after_exec(atoi(argv[2]), atoi(argv[3]));

	/* A descriptor without O_CLOEXEC, in a child that execs. */
	child = fork();
	T_ASSERT(child >= 0, "fork");
	if (child == 0) {
		fd = open(CWP_DEVICE_PATH, O_RDWR);
		T_ASSERT(fd >= 0, "open: %s", strerror(errno));
		a.pid_set = (uintptr_t)t_set(&s, 1, 6500);
		T_ASSERT(!ioctl(fd, CWP_IOC_SET_NEXT, &a), "SET_NEXT: %s", strerror(errno));
		exec_self("--fd", 6500, 0);
	}
	t_reap(child);

	/* The same with a gap list, which holds the allocation diversion. */
	child = fork();
	T_ASSERT(child >= 0, "fork");
	if (child == 0) {
		t_nest(2);
		fd = open(CWP_DEVICE_PATH, O_RDWR);
		T_ASSERT(fd >= 0, "open: %s", strerror(errno));
		a.pid_set = (uintptr_t)t_set(&s, 3, 6501, 0, 50);
		T_ASSERT(!ioctl(fd, CWP_IOC_SET_NEXT, &a), "SET_NEXT: %s", strerror(errno));
		exec_self("--gap", 50, 0);
	}
	t_reap(child);

	/* The library's descriptor (O_CLOEXEC), kept open by a child. */
	child = fork();
	T_ASSERT(child >= 0, "fork");
	if (child == 0) {
		T_ASSERT(clone_with_pids_fd() >= 0, "open: %s", strerror(errno));
		holder = fork();
		if (holder == 0) {
			pause();
			_exit(0);
		}
		T_ASSERT(holder > 0, "fork: %s", strerror(errno));
		T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6502)), "next: %s", strerror(errno));
		exec_self("--shared", 6502, holder);
	}
	t_reap(child);
	return T_PASS;
}
