// SPDX-License-Identifier: GPL-2.0
/*
 * CLONE_PIDFD returns a pidfd for the chosen pid in parent_tid, as with
 * clone(); it can signal the child and becomes readable when it exits.
 * CLONE_PIDFD with CLONE_PARENT_SETTID on the same word is refused by the
 * kernel's own check (EINVAL).
 */
#include "t.h"

#include <poll.h>
#include <sys/syscall.h>

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif

int main(void)
{
	struct pollfd p;
	struct t_set s;
	int pidfd = -1;
	pid_t pid;

	pid = clone_with_pids(CLONE_PIDFD | SIGCHLD, NULL, &pidfd, NULL, NULL,
			      t_set(&s, 1, 5300));
	T_ASSERT(pid >= 0, "clone: %s", strerror(errno));
	if (pid == 0) {
		pause();
		_exit(0);
	}
	T_ASSERT(pid == 5300, "pid %d", pid);
	T_ASSERT(pidfd >= 0, "no pidfd");
	T_ASSERT(!syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0),
		 "pidfd_send_signal: %s", strerror(errno));
	p.fd = pidfd;
	p.events = POLLIN;
	T_ASSERT(poll(&p, 1, 5000) == 1, "pidfd not readable after exit");
	T_ASSERT(t_wait(pid) == 128 + SIGKILL, "child not killed through its pidfd");

	T_EXPECT_ERRNO(clone_with_pids(CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD,
				       NULL, &pidfd, NULL, NULL, t_set(&s, 1, 5301)), EINVAL);
	T_ASSERT(!t_pid_exists(5301), "pid 5301 allocated by a refused clone");
	return T_PASS;
}
