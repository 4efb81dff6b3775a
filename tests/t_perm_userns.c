// SPDX-License-Identifier: GPL-2.0
/*
 * Privilege is checked per level, against the user namespace that owns
 * each pid namespace. An unprivileged user who creates a user namespace and
 * a pid namespace inside it may choose pids in that pid namespace but not
 * in the initial one.
 */
#include "t.h"

#include <fcntl.h>

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;
	pid_t pid;

	t_drop_privileges();
	if (unshare(CLONE_NEWUSER | CLONE_NEWPID)) {
		if (errno == EPERM || errno == EINVAL)
			t_skip("unprivileged user namespaces unavailable: %s", strerror(errno));
		t_fail("unshare: %s", strerror(errno));
	}
	t_write_file("/proc/self/setgroups", "deny");
	t_write_file("/proc/self/uid_map", "0 1000 1");
	t_write_file("/proc/self/gid_map", "0 1000 1");

	/* Init level: owned by the initial user namespace, where we are nobody. */
	t_clone_args(&a, t_set(&s, 2, 5000, 1));
	T_EXPECT_ERRNO(t_ioctl_clone(&a), EPERM);

	/* Our own pid namespace: allowed. The child is its init. */
	pid = fork_with_pids(t_set(&s, 2, 0, 1));
	T_ASSERT(pid >= 0, "pid 1 in own namespace: %s", strerror(errno));
	if (pid == 0) {
		pid_t c;

		if (getpid() != 1)
			_exit(2);
		c = fork_with_pids(t_set(&s, 1, 321));
		if (c == 0)
			_exit(0);
		if (c != 321 || t_wait(c))
			_exit(3);
		c = fork_with_pids(t_set(&s, 2, 5001, 322));
		if (c == 0)
			_exit(0);
		_exit(c == -1 && errno == EPERM ? 0 : 4);
	}
	t_reap(pid);
	return T_PASS;
}
