// SPDX-License-Identifier: GPL-2.0
/*
 * EFAULT: an unmapped argument struct, an unmapped pid set, a pid set whose
 * count is readable but whose pids run into an unmapped page; and through
 * the library, an unreadable pid_setp gives EFAULT, not a crash.
 */
#include "t.h"

#include <sys/mman.h>

int main(void)
{
	struct cwp_clone_args a;
	struct pid_set *edge;
	long psz = sysconf(_SC_PAGESIZE);
	char *p;

	p = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(p != MAP_FAILED, "mmap");
	T_ASSERT(!munmap(p + psz, psz), "munmap");

	T_EXPECT_ERRNO(t_ioctl_clone(p + psz), EFAULT);
	T_EXPECT_ERRNO(t_ioctl_clone((void *)8), EFAULT);

	t_clone_args(&a, (struct pid_set *)(p + psz));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EFAULT);

	/* num_pids is the last readable word; pids[] is unmapped. */
	edge = (struct pid_set *)(p + psz - sizeof(unsigned int));
	edge->num_pids = 1;
	t_clone_args(&a, edge);
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EFAULT);

	/* An argument struct that straddles into the unmapped page. */
	memcpy(p + psz - 16, &a, 16);
	T_EXPECT_ERRNO(t_ioctl_clone(p + psz - 16), EFAULT);

	T_EXPECT_ERRNO(fork_with_pids((struct pid_set *)(p + psz)), EFAULT);
	T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, (struct pid_set *)1), EFAULT);
	return T_PASS;
}
