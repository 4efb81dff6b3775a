// SPDX-License-Identifier: GPL-2.0
/*
 * A tracer with PTRACE_O_TRACEFORK|TRACECLONE sees the fork event of a
 * fork_with_pids() with the chosen pid as event message, and the new child
 * is traced; a clone with CLONE_UNTRACED produces no event; a thread made
 * with clone_with_pids_fn() produces PTRACE_EVENT_CLONE with its tid.
 */
#include "t.h"

#include <sys/ptrace.h>
#include <sys/wait.h>

static int thread_fn(void *arg)
{
	return 0;
}

static int wait_stop(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, __WALL) != pid)
		t_fail("waitpid(%d): %s", pid, strerror(errno));
	return st;
}

int main(void)
{
	unsigned long msg = 0;
	int st, clone_seen = 0;
	pid_t tracee;

	tracee = fork();
	T_ASSERT(tracee >= 0, "fork");
	if (tracee == 0) {
		struct t_set s;
		pid_t a;
		int b;

		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		raise(SIGSTOP);
		a = fork_with_pids(t_set(&s, 1, 7200));
		if (a == 0)
			_exit(0);
		b = clone_with_pids(CLONE_UNTRACED | SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 7201));
		if (b == 0)
			_exit(0);
		if (a != 7200 || b != 7201 || t_wait(a) || t_wait(b))
			_exit(2);
		/* A thread: PTRACE_EVENT_CLONE with the chosen tid. */
		{
			static volatile pid_t tid_word;
			int c = clone_with_pids_fn(thread_fn, t_stack(65536),
						   CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
						   CLONE_THREAD | CLONE_SYSVSEM | CLONE_PARENT_SETTID |
						   CLONE_CHILD_CLEARTID, NULL, t_set(&s, 1, 7202),
						   &tid_word, NULL, &tid_word);
			if (c != 7202)
				_exit(3);
			t_futex_wait_zero(&tid_word);
		}
		_exit(0);
	}

	st = wait_stop(tracee);
	T_ASSERT(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "initial stop %#x", st);
	T_ASSERT(!ptrace(PTRACE_SETOPTIONS, tracee, NULL,
			 (void *)(long)(PTRACE_O_TRACEFORK | PTRACE_O_TRACECLONE | PTRACE_O_TRACEVFORK)),
		 "SETOPTIONS: %s", strerror(errno));
	ptrace(PTRACE_CONT, tracee, NULL, NULL);

	st = wait_stop(tracee);
	T_ASSERT(WIFSTOPPED(st) && st >> 8 == (SIGTRAP | (PTRACE_EVENT_FORK << 8)), "fork event: %#x", st);
	ptrace(PTRACE_GETEVENTMSG, tracee, NULL, &msg);
	T_ASSERT(msg == 7200, "event message %lu", msg);

	/* The new child starts traced, stopped. */
	st = wait_stop(7200);
	T_ASSERT(WIFSTOPPED(st), "child not stopped: %#x", st);
	ptrace(PTRACE_DETACH, 7200, NULL, NULL);
	ptrace(PTRACE_CONT, tracee, NULL, NULL);

	/*
	 * No event for the CLONE_UNTRACED child, then the clone event of the
	 * thread, whose own stops and exit we also see; signal stops pass
	 * through.
	 */
	for (;;) {
		pid_t who = waitpid(-1, &st, __WALL);

		T_ASSERT(who > 0, "waitpid: %s", strerror(errno));
		if (who != tracee) {
			T_ASSERT(who == 7202, "stop of unexpected task %d", who);
			if (WIFSTOPPED(st))
				ptrace(PTRACE_CONT, who, NULL, NULL);
			continue;
		}
		if (!WIFSTOPPED(st))
			break;
		if (st >> 16) {
			T_ASSERT(st >> 8 == (SIGTRAP | (PTRACE_EVENT_CLONE << 8)), "unexpected ptrace event %#x", st);
			ptrace(PTRACE_GETEVENTMSG, tracee, NULL, &msg);
			T_ASSERT(msg == 7202, "clone event message %lu", msg);
			clone_seen = 1;
			ptrace(PTRACE_CONT, tracee, NULL, NULL);
			continue;
		}
		ptrace(PTRACE_CONT, tracee, NULL, (void *)(long)WSTOPSIG(st));
	}
	T_ASSERT(clone_seen, "no clone event for the thread");
	T_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0, "tracee: %#x", st);
	return T_PASS;
}
