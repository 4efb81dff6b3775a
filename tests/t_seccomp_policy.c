// SPDX-License-Identifier: GPL-2.0
/*
 * The device cannot be used to get around a seccomp filter. The module
 * creates no task for a filtered caller (CWP_IOC_CLONE: EPERM, even for a
 * list of zeros); the library then arms the pids and makes the clone()
 * system call itself, which the filter judges. With the filter shape
 * container runtimes use (clone3 -> ENOSYS, clone with namespace flags ->
 * EPERM): a plain clone with a chosen pid works, one with CLONE_NEWPID is
 * refused by the filter and allocates nothing, and a clone3() is refused
 * without consuming the armed pids. With clone() forbidden altogether,
 * nothing is created.
 */
#include "t.h"

#include <linux/filter.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#define NS_FLAGS (CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
		  CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP)

static int child_fn(void *arg)
{
	return 0;
}

static void install(int deny_all_clones)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, deny_all_clones ? ~0U : NS_FLAGS, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		t_fail("seccomp: %s", strerror(errno));
}

int main(void)
{
	struct cwp_clone_args a;
	struct clone_args ca;
	struct t_set s;
	pid_t pid;

	/* Open the device before the filter, as a restorer would. */
	T_ASSERT(clone_with_pids_fd() >= 0, "open: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		install(0);
		t_clone_args(&a, t_set(&s, 1, 0));
		T_EXPECT_ERRNO(t_ioctl_clone(&a), EPERM);
		t_clone_args(&a, t_set(&s, 1, 7400));
		T_EXPECT_ERRNO(t_ioctl_clone(&a), EPERM);

		pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 7400));
		if (pid == 0)
			_exit(0);
		T_ASSERT(pid == 7400, "plain clone under the filter: %d %s", pid, strerror(errno));
		t_reap(pid);

		T_EXPECT_ERRNO(clone_with_pids(CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL,
					       t_set(&s, 1, 7401)), EPERM);
		T_ASSERT(!t_pid_exists(7401), "a refused clone allocated its pid");
		T_ASSERT(t_nr_requests() == 0, "pids left armed");

		T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 7402)), "arm: %s", strerror(errno));
		memset(&ca, 0, sizeof(ca));
		ca.exit_signal = SIGCHLD;
		errno = 0;
		T_ASSERT(syscall(SYS_clone3, &ca, sizeof(ca)) == -1 && errno == ENOSYS,
			 "clone3 not refused by the filter");
		T_ASSERT(t_nr_requests() == 1, "a refused clone3 consumed the pids");
		pid = fork_with_pids(t_set(&s, 1, 7402));
		if (pid == 0)
			_exit(0);
		T_ASSERT(pid == 7402, "fork_with_pids under the filter: %d %s", pid, strerror(errno));
		t_reap(pid);
		_exit(0);
	}
	t_reap(pid);

	pid = fork();
	if (pid == 0) {
		install(1);
		T_EXPECT_ERRNO(fork_with_pids(t_set(&s, 1, 7403)), EPERM);
		T_EXPECT_ERRNO(clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 7403)), EPERM);
		T_EXPECT_ERRNO(clone_with_pids_fn(child_fn, t_stack(65536), SIGCHLD, NULL,
						  t_set(&s, 1, 7403)), EPERM);
		T_ASSERT(!t_pid_exists(7403), "pid allocated");
		T_ASSERT(t_nr_requests() == 0, "pids left armed");
		_exit(0);
	}
	t_reap(pid);
	return T_PASS;
}
