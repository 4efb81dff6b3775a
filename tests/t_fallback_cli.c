// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module, the tool runs a program with a chosen pid (through
 * the library's clone3() fallback), and "clone-with-pids status" says the
 * module is not installed, with exit status 5.
 */
#include "t.h"

#include <sys/wait.h>

static int run(char *out, size_t len, char *const argv[])
{
	int p[2], status;
	ssize_t n;
	pid_t pid;

	T_ASSERT(!pipe(p), "pipe");
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv(argv[0], argv);
		_exit(99);
	}
	close(p[1]);
	n = read(p[0], out, len - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	char *cmd[] = { "./clone-with-pids", "--pids", "7600", "--", "sh", "-c", "echo $$", NULL };
	char *status[] = { "./clone-with-pids", "status", NULL };
	char out[4096];
	int rc;

	t_need_fallback();
	rc = run(out, sizeof(out), cmd);
	T_ASSERT(rc == 0 && atoi(out) == 7600, "run: status %d, said '%s'", rc, out);
	rc = run(out, sizeof(out), status);
	T_ASSERT(rc == 5 && strstr(out, "not installed"), "status: %d, said '%s'", rc, out);
	return T_PASS;
}
