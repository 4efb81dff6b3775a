// SPDX-License-Identifier: GPL-2.0
/*
 * A namespace's init exits while requests for that namespace run. A
 * process outside joins the namespace for its children with setns() and
 * keeps asking for pids there while the init is killed: each request
 * either succeeds (and its child dies with the namespace) or fails with
 * ENOMEM, as fork() into a dead namespace does, or EBUSY for a pid still
 * held; nothing stays armed, and ordinary forks still work afterwards.
 */
#include "t.h"

#include <fcntl.h>
#include <sys/wait.h>

int main(void)
{
	int ok = 0, nomem = 0, busy = 0, i, nsfd, st;
	char path[64];
	struct t_set s;
	pid_t init;

	init = clone_with_pids(CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL, NULL);
	if (init == 0) {
		for (;;)
			pause();
	}
	T_ASSERT(init > 0, "clone: %s", strerror(errno));
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", init);
	nsfd = open(path, O_RDONLY);
	T_ASSERT(nsfd >= 0 && !setns(nsfd, CLONE_NEWPID), "setns: %s", strerror(errno));

	for (i = 0; i < 400; i++) {
		pid_t pid;

		if (i == 100)
			kill(init, SIGKILL);
		pid = fork_with_pids(t_set(&s, 2, 0, 10 + i));
		if (pid == 0) {
			pause();
			_exit(0);
		}
		if (pid > 0) {
			ok++;
			continue;
		}
		if (errno == ENOMEM)
			nomem++;
		else if (errno == EBUSY)
			busy++;
		else
			t_fail("request %d: %s", i, strerror(errno));
	}
	T_ASSERT(nomem > 0, "the namespace never refused");
	/* Reap the init and every child: they died with the namespace. */
	while (waitpid(-1, &st, __WALL) > 0)
		;
	T_ASSERT(t_nr_requests() == 0, "pid sets left armed");
	printf("stat: %d created, %d ENOMEM, %d EBUSY\n", ok, nomem, busy);
	return T_PASS;
}
