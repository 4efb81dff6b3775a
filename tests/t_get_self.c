// SPDX-License-Identifier: GPL-2.0
/*
 * clone_with_pids_get() reads the pids of the caller (0 and its own pid
 * give the same set) and of a child two pid namespaces deep, every level,
 * oldest first; the set it returns, given back to fork_with_pids() once
 * the child is gone, makes a task with exactly the same pids.
 */
#include "t.h"

#include <sys/wait.h>

int main(void)
{
	struct t_set self, byid, got, again;
	pid_t child;
	int p[2];
	char c;

	T_ASSERT(clone_with_pids_get(0, &self.set, CLONE_WITH_PIDS_MAX + 1) == 1,
		 "own pids: %s", strerror(errno));
	T_ASSERT(self.set.num_pids == 1 && self.set.pids[0] == getpid(),
		 "own pids: %u levels, %d", self.set.num_pids, self.set.pids[0]);
	T_ASSERT(clone_with_pids_get(getpid(), &byid.set, 1) == 1 && byid.set.pids[0] == getpid(),
		 "by pid: %s", strerror(errno));

	/* A process two namespaces deep, seen from here: three levels. */
	T_ASSERT(!pipe(p), "pipe");
	child = fork();
	if (child == 0) {
		struct t_set s;
		pid_t pid;

		close(p[0]);
		t_nest(2);
		pid = fork_with_pids(t_set(&s, 3, 9301, 31, 41));
		if (pid == 0) {
			struct t_set mine;

			/* The caller itself, from inside: the same levels. */
			if (clone_with_pids_get(0, &mine.set, 3) != 3 || mine.set.pids[0] != 9301 ||
			    mine.set.pids[1] != 31 || mine.set.pids[2] != 41)
				_exit(1);
			if (write(p[1], "r", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		if (pid < 0)
			_exit(2);
		waitpid(pid, NULL, 0);
		_exit(0);
	}
	close(p[1]);
	T_ASSERT(read(p[0], &c, 1) == 1, "the nested child did not start or saw wrong pids");
	T_ASSERT(clone_with_pids_get(9301, &got.set, CLONE_WITH_PIDS_MAX + 1) == 3,
		 "nested child: %s", strerror(errno));
	T_ASSERT(got.set.num_pids == 3 && got.set.pids[0] == 9301 && got.set.pids[1] == 31 &&
		 got.set.pids[2] == 41, "nested child: %d %d %d",
		 got.set.pids[0], got.set.pids[1], got.set.pids[2]);
	kill(9301, SIGKILL);
	t_reap(child);

	/* Given back: the same pids, from the same depth. */
	child = fork();
	if (child == 0) {
		pid_t pid;

		t_nest(2);
		pid = fork_with_pids(&got.set);
		if (pid == 0)
			_exit(clone_with_pids_get(0, &again.set, 3) == 3 && again.set.pids[0] == 9301 &&
			      again.set.pids[1] == 31 && again.set.pids[2] == 41 ? 0 : 1);
		if (pid < 0)
			_exit(2);
		_exit(t_wait(pid));
	}
	T_ASSERT(t_wait(child) == 0, "the set given back did not make the same pids");
	return T_PASS;
}
