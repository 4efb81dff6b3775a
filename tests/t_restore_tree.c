// SPDX-License-Identifier: GPL-2.0
/*
 * The example restorer recreates userspace/examples/tree.txt two pid
 * namespaces deep: processes, threads, a nested pid namespace, parent
 * links; it verifies every pid and tid from inside each task and exits 0.
 * Its printout carries the chosen pids. It reserves them all first: a
 * tree where two tasks want one pid is refused before anything is
 * created.
 */
#include "t.h"

#include <sys/wait.h>

int main(void)
{
	char out[8192];
	int p[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	T_ASSERT(!pipe(p), "pipe");
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl("./restore-tree", "restore-tree", "--nest", "2", "tree.txt", NULL);
		_exit(99);
	}
	close(p[1]);
	while (n < sizeof(out) - 1 && (r = read(p[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	waitpid(pid, &status, 0);
	printf("%s", out);
	fflush(stdout);
	T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "restore-tree failed: %#x", status);
	T_ASSERT(strstr(out, "restored 6 processes"), "summary missing");
	T_ASSERT(!strstr(out, "WRONG"), "a pid was wrong");
	T_ASSERT(strstr(out, " 100\n") && strstr(out, " 101\n") && strstr(out, " 102\n"), "a's ids");
	T_ASSERT(strstr(out, " 500 200\n"), "b's ids");
	T_ASSERT(strstr(out, " 300 1 (new pid namespace)\n"), "c's ids");
	T_ASSERT(strstr(out, " 5\n") && strstr(out, " 6\n") && strstr(out, " 7\n"), "d and e's ids");
	T_ASSERT(strstr(out, " 600 "), "f's ids");
	T_ASSERT(strstr(out, "reserved the pids of 6 tasks and threads"), "no reservation first");

	/* Two tasks wanting one pid: refused up front, nothing created. */
	{
		FILE *f = fopen("/tmp/dup-tree.txt", "w");

		T_ASSERT(f, "tree file");
		fprintf(f, "a - 0,0,100\nb a 0,0,200\nc a 0,0,200\n");
		fclose(f);
	}
	T_ASSERT(!pipe(p), "pipe");
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execl("./restore-tree", "restore-tree", "--nest", "2", "/tmp/dup-tree.txt", NULL);
		_exit(99);
	}
	close(p[1]);
	n = 0;
	while (n < sizeof(out) - 1 && (r = read(p[0], out + n, sizeof(out) - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	waitpid(pid, &status, 0);
	printf("%s", out);
	T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 1, "restore-tree of a duplicate: %#x",
		 status);
	T_ASSERT(strstr(out, "pid 200 (level 2) of c is taken: nothing created"),
		 "the collision not reported before anything was created");
	T_ASSERT(!strstr(out, "NSpid"), "a task was created");
	return T_PASS;
}
