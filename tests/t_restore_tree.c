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

int main(void)
{
	char out[8192];
	int status;

	status = t_run("./restore-tree", out, sizeof(out),
		       (char *[]){ "restore-tree", "--nest", "2", "tree.txt", NULL });
	printf("%s", out);
	fflush(stdout);
	T_ASSERT(status == 0, "restore-tree failed: %d", status);
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
	status = t_run("./restore-tree", out, sizeof(out),
		       (char *[]){ "restore-tree", "--nest", "2", "/tmp/dup-tree.txt", NULL });
	printf("%s", out);
	T_ASSERT(status == 1, "restore-tree of a duplicate: %d", status);
	T_ASSERT(strstr(out, "pid 200 (level 2) of c is taken: nothing created"),
		 "the collision not reported before anything was created");
	T_ASSERT(!strstr(out, "NSpid"), "a task was created");
	return T_PASS;
}
