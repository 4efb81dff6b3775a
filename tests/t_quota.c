// SPDX-License-Identifier: GPL-2.0
/*
 * One user cannot deny the service to another. uid 65534, in a user and
 * pid namespace of its own (where it may choose pids), first has 200
 * threads use their pids (consumed requests do not count), then starts
 * threads that arm pids and wait, up to 4,300: it gets exactly its quota
 * (struct cwp_query.user_requests), then EAGAIN. Meanwhile root in the
 * initial namespace forks with a chosen pid, and another unprivileged
 * user arms pids of its own.
 */
#include "t.h"

#include <sys/ioctl.h>
#include <sys/resource.h>

#define CONSUMERS	200
#define ARMERS		4300

int main(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	int out[2], in[2], in2[2], i;
	struct t_armers a, b;
	pid_t ua, ub, pid;
	struct t_set s;

	T_ASSERT(!ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
	/* Thread limits that would stop uid 65534 before the module does. */
	T_ASSERT(!setrlimit(RLIMIT_NPROC, &unlimited), "RLIMIT_NPROC: %s", strerror(errno));
	t_write_file("/proc/sys/kernel/threads-max", "100000");
	T_ASSERT(!pipe(out) && !pipe(in) && !pipe(in2), "pipe");

	ua = t_armers_process(65534, CONSUMERS, ARMERS, out[1], in[0]);
	T_ASSERT(read(out[0], &a, sizeof(a)) == sizeof(a), "no report from uid 65534");
	printf("stat: uid 65534: %d consumed, %d armed, %d refused (EAGAIN), %d failed, quota %u\n",
	       a.consumed, a.armed, a.refused, a.failed, q.user_requests);

	/* Root in the initial namespace: not denied. */
	pid = fork_with_pids(t_set(&s, 1, 6150));
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 6150, "root's fork_with_pids while uid 65534 is at its quota: %d %s",
		 pid, strerror(errno));
	t_reap(pid);

	/* Nor another unprivileged user. */
	ub = t_armers_process(65533, 0, 1, out[1], in2[0]);
	T_ASSERT(read(out[0], &b, sizeof(b)) == sizeof(b), "no report from uid 65533");

	T_ASSERT(write(in[1], "x", 1) == 1 && write(in2[1], "x", 1) == 1, "release");
	t_reap(ua);
	t_reap(ub);

	T_ASSERT(q.size >= CWP_QUERY_SIZE_VER1, "the module reports no per-user quota");
	T_ASSERT(q.user_requests < q.max_requests, "user quota %u, pool %u", q.user_requests,
		 q.max_requests);
	T_ASSERT(a.consumed == CONSUMERS && !a.failed, "uid 65534: %d consumed, %d failed",
		 a.consumed, a.failed);
	T_ASSERT(a.armed == (int)q.user_requests && a.refused == 1,
		 "uid 65534 armed %d sets (quota %u), %d refused", a.armed, q.user_requests,
		 a.refused);
	T_ASSERT(b.armed == 1, "uid 65533 could not arm a set (%d refused, %d failed)",
		 b.refused, b.failed);
	for (i = 0; i < 100 && t_nr_requests(); i++)
		usleep(10 * 1000);
	T_ASSERT(t_nr_requests() == 0, "%u sets armed after the users exited", t_nr_requests());
	return T_PASS;
}
