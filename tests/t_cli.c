// SPDX-License-Identifier: GPL-2.0
/*
 * The clone-with-pids tool: runs a program with the chosen pid, passes its
 * exit status through, reports a busy pid and a bad list clearly with
 * status 125, and --query describes the module.
 */
#include "t.h"

#include <sys/wait.h>

/* Run the tool with @argv, capture stdout+stderr into @out; return status. */
static int run(char *out, size_t len, char *const argv[])
{
	int p[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(p))
		t_fail("pipe");
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execv("./clone-with-pids", argv);
		_exit(99);
	}
	close(p[1]);
	while (n < len - 1 && (r = read(p[0], out + n, len - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	char out[4096];
	int st;

	st = run(out, sizeof(out), (char *[]){ "clone-with-pids", "--pids", "4242", "--",
					       "sh", "-c", "echo $$", NULL });
	T_ASSERT(st == 0 && !strcmp(out, "4242\n"), "status %d output '%s'", st, out);

	st = run(out, sizeof(out), (char *[]){ "clone-with-pids", "-p", "4243", "--",
					       "sh", "-c", "exit 7", NULL });
	T_ASSERT(st == 7, "exit status %d, output '%s'", st, out);

	st = run(out, sizeof(out), (char *[]){ "clone-with-pids", "--pids", "1", "--",
					       "true", NULL });
	T_ASSERT(st == 125 && strstr(out, "already in use"), "busy: %d '%s'", st, out);

	st = run(out, sizeof(out), (char *[]){ "clone-with-pids", "--pids", "1,x", "--",
					       "true", NULL });
	T_ASSERT(st == 125 && strstr(out, "bad pid list"), "bad list: %d '%s'", st, out);

	st = run(out, sizeof(out), (char *[]){ "clone-with-pids", "--newpid", "--pids", "4244",
					       "--", "sh", "-c", "echo $$", NULL });
	T_ASSERT(st == 0 && !strcmp(out, "1\n"), "newpid: %d '%s'", st, out);

	st = run(out, sizeof(out), (char *[]){ "clone-with-pids", "--query", NULL });
	T_ASSERT(st == 0 && strstr(out, "abi:") && strstr(out, "safe") && strstr(out, "quota:") &&
		 strstr(out, "monitors:    none"), "query: %d '%s'", st, out);
	return T_PASS;
}
