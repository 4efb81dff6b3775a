// SPDX-License-Identifier: GPL-2.0
/*
 * The seed's example, for the demo: a process two pid namespaces deep asks
 * for {0, 99, 177}; the child prints its NSpid line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clone_with_pids.h"

static void nest(void)
{
	pid_t pid;
	int status;

	if (unshare(CLONE_NEWPID)) {
		perror("unshare");
		exit(1);
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid > 0) {
		waitpid(pid, &status, 0);
		exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
	}
}

int main(void)
{
	struct {
		struct pid_set set;
		pid_t pids[3];
	} s = { .set.num_pids = 3, .pids = { 0, 99, 177 } };
	char line[256];
	FILE *f;
	pid_t pid;
	int status;

	nest();
	nest();
	printf("creator: pid %d in a level-2 pid namespace, asks for {0, 99, 177}\n", getpid());
	fflush(NULL);
	pid = fork_with_pids(&s.set);
	if (pid < 0) {
		fprintf(stderr, "fork_with_pids: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		f = fopen("/proc/self/status", "r");
		while (f && fgets(line, sizeof(line), f))
			if (!strncmp(line, "NSpid:", 6))
				printf("child:   getpid() = %d, %s", getpid(), line);
		exit(0);
	}
	waitpid(pid, &status, 0);
	printf("creator: fork_with_pids() returned %d\n", pid);
	return 0;
}
