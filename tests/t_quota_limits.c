// SPDX-License-Identifier: GPL-2.0
/*
 * The limits, with the module loaded as max_requests=64 user_requests=8:
 * each unprivileged user gets 8 live sets, consumed ones not counted;
 * unprivileged users together get three quarters of the pool (48), so a
 * seventh user is refused at once; root in the initial namespace uses the
 * rest (16) and is refused only when the whole pool is live. Everything is
 * given back when the processes exit.
 */
#include "t.h"

#include <sys/ioctl.h>
#include <sys/resource.h>

#define USERS	7

int main(void)
{
	struct rlimit unlimited = { RLIM_INFINITY, RLIM_INFINITY };
	struct cwp_query q = { .size = sizeof(q) };
	struct t_armers a[USERS], root;
	int out[2], in[2], i, fd;
	pid_t pid[USERS], rp;

	t_module_reload("max_requests=64 user_requests=8");
	fd = clone_with_pids_fd();
	T_ASSERT(fd >= 0 && !ioctl(fd, CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
	T_ASSERT(q.max_requests == 64 && q.user_requests == 8, "limits %u/%u", q.max_requests,
		 q.user_requests);
	T_ASSERT(!setrlimit(RLIMIT_NPROC, &unlimited), "RLIMIT_NPROC: %s", strerror(errno));
	T_ASSERT(!pipe(out) && !pipe(in), "pipe");

	/* Users 65530..65535: 20 consumed each, then 8 armed; the 7th gets none. */
	for (i = 0; i < USERS; i++) {
		pid[i] = t_armers_process(65530 + i, i < USERS - 1 ? 20 : 0, 20, out[1], in[0]);
		T_ASSERT(read(out[0], &a[i], sizeof(a[i])) == sizeof(a[i]), "no report");
		printf("stat: uid %d: %d consumed, %d armed, %d refused\n", 65530 + i,
		       a[i].consumed, a[i].armed, a[i].refused);
	}
	T_ASSERT(t_nr_requests() == 48, "%u sets live", t_nr_requests());
	rp = t_armers_process(0, 0, 20, out[1], in[0]);
	T_ASSERT(read(out[0], &root, sizeof(root)) == sizeof(root), "no report from root");
	printf("stat: root: %d armed, %d refused\n", root.armed, root.refused);

	for (i = 0; i <= USERS; i++)
		T_ASSERT(write(in[1], "x", 1) == 1, "release");
	for (i = 0; i < USERS; i++)
		t_reap(pid[i]);
	t_reap(rp);

	for (i = 0; i < USERS - 1; i++)
		T_ASSERT(a[i].consumed == 20 && a[i].armed == 8 && a[i].refused == 1 && !a[i].failed,
			 "uid %d: %d consumed, %d armed, %d refused, %d failed", 65530 + i,
			 a[i].consumed, a[i].armed, a[i].refused, a[i].failed);
	T_ASSERT(a[USERS - 1].armed == 0 && a[USERS - 1].refused == 1,
		 "the 7th user armed %d sets past the unprivileged share", a[USERS - 1].armed);
	T_ASSERT(root.armed == 16 && root.refused == 1, "root armed %d sets, %d refused",
		 root.armed, root.refused);
	for (i = 0; i < 100 && t_nr_requests(); i++)
		usleep(10 * 1000);
	T_ASSERT(t_nr_requests() == 0, "%u sets live after every process exited", t_nr_requests());
	return T_PASS;
}
