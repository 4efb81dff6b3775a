// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall tracepoints see a clone for every task the library creates:
 * with the syscalls:sys_enter_clone event enabled (perf trace, ftrace),
 * the module reports the monitor, creates no task itself, and each
 * clone_with_pids() shows up in the trace as a clone() of this process,
 * with the chosen pid (ftrace does not trace the system calls of 32-bit
 * programs: there, only the refusal and the pids are checked).
 */
#include "t.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>

static char tracefs[64];

static int tfs_write(const char *file, const char *s)
{
	char path[256];
	int fd, ok;

	snprintf(path, sizeof(path), "%s/%s", tracefs, file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ok = write(fd, s, strlen(s)) == (ssize_t)strlen(s);
	close(fd);
	return ok ? 0 : -1;
}

static void find_tracefs(void)
{
	if (!access("/sys/kernel/tracing/trace", F_OK) ||
	    !mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		strcpy(tracefs, "/sys/kernel/tracing");
		return;
	}
	if (access("/sys/kernel/debug/tracing", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	strcpy(tracefs, "/sys/kernel/debug/tracing");
}

/* Clone entries of this process in the trace buffer. */
static int traced_clones(void)
{
	char path[256], line[1024], me[32];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/trace", tracefs);
	snprintf(me, sizeof(me), "-%d ", getpid());
	f = fopen(path, "r");
	T_ASSERT(f, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (strstr(line, me) && strstr(line, "sys_clone("))
			n++;
	fclose(f);
	return n;
}

int main(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	struct cwp_clone_args a;
	struct t_set s;
	int i, bad = 0, seen;
	unsigned int mon;

	find_tracefs();
	if (tfs_write("events/syscalls/sys_enter_clone/enable", "1"))
		t_skip("no syscalls:sys_enter_clone event (CONFIG_FTRACE_SYSCALLS): %s",
		       strerror(errno));
	tfs_write("trace", "");

	T_ASSERT(!ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
	mon = q.monitors;
	t_clone_args(&a, t_set(&s, 1, 6730));
	errno = 0;
	i = t_ioctl_clone(&a);
	T_ASSERT(i == -1 && errno == EPERM, "CWP_IOC_CLONE under syscall tracepoints: %d %s", i,
		 strerror(errno));
	for (i = 0; i < 5; i++) {
		pid_t pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 6731 + i));

		if (pid == 0)
			_exit(0);
		bad += pid != 6731 + i;
		if (pid > 0)
			t_reap(pid);
	}
	seen = traced_clones();
	tfs_write("events/syscalls/sys_enter_clone/enable", "0");
	T_ASSERT(mon & CWP_MONITOR_TRACEPOINT, "monitors %#x: no tracepoint reported", mon);
	T_ASSERT(!bad, "%d clones without their chosen pid", bad);
	/* ftrace's syscall events skip compat (32-bit) system calls. */
	T_ASSERT(seen == 5 || (sizeof(long) == 4 && seen == 0),
		 "the trace shows %d clone() calls of ours for 5 tasks", seen);

	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	T_ASSERT(!ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
	T_ASSERT(!(q.monitors & CWP_MONITOR_TRACEPOINT), "monitors %#x after the event was disabled",
		 q.monitors);
	return T_PASS;
}
