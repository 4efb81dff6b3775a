// SPDX-License-Identifier: GPL-2.0
/*
 * The clone-with-pids tool: runs a program with the chosen pid, passes its
 * exit status through, reports a busy pid and a bad list clearly with
 * status 125, and --query describes the module.
 */
#include "t.h"

/* Run the tool with these arguments; its output in out[]. */
#define TOOL(...) t_run("./clone-with-pids", out, sizeof(out), \
			(char *[]){ "clone-with-pids", __VA_ARGS__, NULL })

int main(void)
{
	char out[4096];
	int st;

	st = TOOL("--pids", "4242", "--",
					       "sh", "-c", "echo $$");
	T_ASSERT(st == 0 && !strcmp(out, "4242\n"), "status %d output '%s'", st, out);

	st = TOOL("-p", "4243", "--",
					       "sh", "-c", "exit 7");
	T_ASSERT(st == 7, "exit status %d, output '%s'", st, out);

	st = TOOL("--pids", "1", "--",
					       "true");
	T_ASSERT(st == 125 && strstr(out, "already in use"), "busy: %d '%s'", st, out);

	st = TOOL("--pids", "1,x", "--",
					       "true");
	T_ASSERT(st == 125 && strstr(out, "bad pid list"), "bad list: %d '%s'", st, out);

	st = TOOL("--newpid", "--pids", "4244",
					       "--", "sh", "-c", "echo $$");
	T_ASSERT(st == 0 && !strcmp(out, "1\n"), "newpid: %d '%s'", st, out);

	st = TOOL("--query");
	T_ASSERT(st == 0 && strstr(out, "abi:") && strstr(out, "safe") && strstr(out, "quota:") &&
		 strstr(out, "monitors:    none"), "query: %d '%s'", st, out);
	return T_PASS;
}
