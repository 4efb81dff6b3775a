// SPDX-License-Identifier: GPL-2.0
/*
 * A syscall tracer sees a clone system call for every task the library
 * creates for its tracee: under a PTRACE_O_TRACESYSGOOD tracer stopping at
 * every system call, clone_with_pids() and clone_with_pids_fn() (which
 * the module would otherwise serve inside an ioctl) and fork_with_pids()
 * each show a clone-family system call that returns the new pid, and the
 * pids are the chosen ones.
 */
#include "t.h"

#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define EACH	4

static char stack[64 * 1024] __attribute__((aligned(16)));

static int fn(void *arg)
{
	return 0;
}

static int tracee(void)
{
	struct t_set s;
	int i, bad = 0;
	pid_t pid;

	raise(SIGSTOP);
	for (i = 0; i < EACH; i++) {
		pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 6700 + i));
		if (pid == 0)
			_exit(0);
		bad += pid != 6700 + i || t_wait(pid);
		pid = clone_with_pids_fn(fn, stack + sizeof(stack), SIGCHLD, NULL,
					 t_set(&s, 1, 6710 + i));
		bad += pid != 6710 + i || t_wait(pid);
		pid = fork_with_pids(t_set(&s, 1, 6720 + i));
		if (pid == 0)
			_exit(0);
		bad += pid != 6720 + i || t_wait(pid);
	}
	return bad ? 2 : 0;
}

static int is_clone(long nr)
{
	return nr == SYS_clone || nr == SYS_clone3
#ifdef SYS_fork
	       || nr == SYS_fork || nr == SYS_vfork
#endif
		;
}

int main(void)
{
	struct __ptrace_syscall_info info;
	int st, clones = 0, sysstops = 0;
	long nr = -1;
	pid_t child;

	child = fork();
	T_ASSERT(child >= 0, "fork");
	if (child == 0) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		_exit(tracee());
	}
	T_ASSERT(waitpid(child, &st, 0) == child && WIFSTOPPED(st), "initial stop %#x", st);
	T_ASSERT(!ptrace(PTRACE_SETOPTIONS, child, NULL, (void *)PTRACE_O_TRACESYSGOOD),
		 "SETOPTIONS: %s", strerror(errno));
	ptrace(PTRACE_SYSCALL, child, NULL, NULL);
	for (;;) {
		int sig = 0;

		T_ASSERT(waitpid(child, &st, 0) == child, "waitpid: %s", strerror(errno));
		if (!WIFSTOPPED(st))
			break;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			sysstops++;
			T_ASSERT(ptrace(PTRACE_GET_SYSCALL_INFO, child, (void *)sizeof(info), &info) > 0,
				 "PTRACE_GET_SYSCALL_INFO: %s", strerror(errno));
			if (info.op == PTRACE_SYSCALL_INFO_ENTRY)
				nr = info.entry.nr;
			else if (info.op == PTRACE_SYSCALL_INFO_EXIT && is_clone(nr) &&
				 info.exit.rval > 0)
				clones++;
		} else {
			sig = WSTOPSIG(st);
		}
		ptrace(PTRACE_SYSCALL, child, NULL, (void *)(long)sig);
	}
	T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tracee: %#x", st);
	printf("stat: %d syscall stops, %d clone system calls created a task\n", sysstops, clones);
	T_ASSERT(clones == 3 * EACH, "the tracer saw %d clone system calls for %d tasks", clones,
		 3 * EACH);
	return T_PASS;
}
