// SPDX-License-Identifier: GPL-2.0
/*
 * A child created with chosen pids inherits its creator's seccomp filter:
 * getppid() fails there with the filter's errno.
 */
#include "t.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

int main(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 77),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };
	struct t_set s;
	pid_t pid;

	T_ASSERT(!prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs");
	T_ASSERT(!prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), "seccomp: %s", strerror(errno));
	T_ASSERT(syscall(SYS_getppid) == -1 && errno == 77, "filter not active");

	pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 7300));
	if (pid == 0)
		_exit(syscall(SYS_getppid) == -1 && errno == 77 ? 0 : 2);
	T_ASSERT(pid == 7300, "clone: %d %s", pid, strerror(errno));
	t_reap(pid);
	return T_PASS;
}
