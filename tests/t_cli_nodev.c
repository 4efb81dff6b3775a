// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module, a list only the module can serve (a zero below a
 * chosen pid: clone3()'s set_tid, the library's fallback, cannot express
 * it) makes the tool say how to load the module and exit with 125.
 */
#include "t.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

int main(void)
{
	char out[4096];
	int p[2], status;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (syscall(SYS_delete_module, "clone_with_pids", O_NONBLOCK) && errno != ENOENT)
		t_fail("rmmod: %s", strerror(errno));
	unlink(CWP_DEVICE_PATH);	/* a node made by hand would autoload it */
	t_nest(1);
	T_ASSERT(!pipe(p), "pipe");
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 2);
		execl("./clone-with-pids", "clone-with-pids", "--pids", "4245,0", "--", "true", NULL);
		_exit(99);
	}
	close(p[1]);
	/* To the end: the message may come in more than one write(). */
	while (len < sizeof(out) - 1 && (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	waitpid(pid, &status, 0);
	T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 125, "status %#x", status);
	T_ASSERT(strstr(out, "not loaded") && strstr(out, "modprobe clone_with_pids") &&
		 strstr(out, "clone-with-pids status"), "message: '%s'", out);
	return T_PASS;
}
