// SPDX-License-Identifier: GPL-2.0
/*
 * Built in the package test VM with the pkg-config flags of
 * libclone-with-pids-dev: fork_with_pids() gives the child the pid in
 * argv[1]. "fwp PID" exits 0 when it did; "fwp PID ERRNO" expects the call
 * to fail with that errno number instead. "fwp query" prints
 * clone_with_pids_query()'s answer.
 */
#include <clone_with_pids.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct { struct pid_set set; pid_t pids[1]; } s = { { 1 }, { 0 } };
	unsigned long long features;
	int status;
	pid_t pid;

	if (argc == 2 && !strcmp(argv[1], "query")) {
		int m = clone_with_pids_query(&features);

		printf("query %d features %#llx errno %d\n", m, features, m < 0 ? errno : 0);
		return 0;
	}
	if (argc < 2)
		return 2;
	s.pids[0] = atoi(argv[1]);
	pid = fork_with_pids(&s.set);
	if (pid == 0)
		_exit(getpid() == s.pids[0] ? 0 : 1);
	if (argc == 3) {
		if (pid > 0 || errno != atoi(argv[2])) {
			printf("fork_with_pids: %d errno %d (%s), expected errno %s\n", pid, errno,
			       strerror(errno), argv[2]);
			return 1;
		}
		return 0;
	}
	if (pid < 0) {
		printf("fork_with_pids: %s\n", strerror(errno));
		return 1;
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("child %d: status %#x\n", pid, status);
		return 1;
	}
	printf("child pid %d\n", pid);
	return 0;
}
