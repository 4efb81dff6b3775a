// SPDX-License-Identifier: GPL-2.0
/*
 * Read-only memory: the module only reads CWP_IOC_CLONE's and
 * CWP_IOC_SET_NEXT's arguments and pid sets, so they work from read-only
 * pages; CWP_IOC_QUERY writes its argument back, so a read-only one is
 * EFAULT.
 */
#include "t.h"

#include <sys/ioctl.h>
#include <sys/mman.h>

int main(void)
{
	long psz = sysconf(_SC_PAGESIZE);
	struct cwp_clone_args *a;
	struct cwp_next_args *n;
	struct cwp_query *q;
	struct t_set *s;
	char *p;
	pid_t pid;

	p = mmap(NULL, psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(p != MAP_FAILED, "mmap");
	a = (void *)p;
	s = (void *)(p + 256);
	n = (void *)(p + 512);
	q = (void *)(p + 768);
	t_clone_args(a, t_set(s, 1, 7600));
	n->size = sizeof(*n);
	n->pid_set = (uintptr_t)s;
	q->size = sizeof(*q);
	T_ASSERT(!mprotect(p, psz, PROT_READ), "mprotect");

	T_ASSERT(t_ioctl_clone(a) == 7600, "read-only clone args: %s", strerror(errno));
	T_ASSERT(!ioctl(clone_with_pids_fd(), CWP_IOC_SET_NEXT, n), "read-only next args: %s", strerror(errno));
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 7600, "armed fork: %d", pid);
	t_reap(pid);
	T_EXPECT_ERRNO(ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, q), EFAULT);
	return T_PASS;
}
