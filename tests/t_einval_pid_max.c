// SPDX-License-Identifier: GPL-2.0
/*
 * EINVAL: a pid at or beyond pid_max (the kernel's limit, and also the
 * value set in /proc/sys/kernel/pid_max); pid_max - 1 is accepted.
 */
#include "t.h"

#include <fcntl.h>

static void set_pid_max(int v)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "w");

	if (!f || fprintf(f, "%d\n", v) < 0 || fclose(f))
		t_fail("cannot set pid_max to %d", v);
}

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;
	int max = t_pid_max();

	t_clone_args(&a, t_set(&s, 1, max));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	t_clone_args(&a, t_set(&s, 1, 4 * 1024 * 1024 + 1));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	t_clone_args(&a, t_set(&s, 1, 0x7fffffff));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EINVAL);
	t_clone_args(&a, t_set(&s, 1, max - 1));
	T_ASSERT(t_ioctl_clone(&a) == max - 1, "pid_max - 1 failed: %s", strerror(errno));

	/* A lowered pid_max is honoured. */
	set_pid_max(5000);
	t_clone_args(&a, t_set(&s, 1, 5000));
	errno = 0;
	long r = t_ioctl_clone(&a);
	int err = errno;
	set_pid_max(max);
	T_ASSERT(r == -1 && err == EINVAL, "pid 5000 with pid_max 5000: %ld %s", r, strerror(err));
	return T_PASS;
}
