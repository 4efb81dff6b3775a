// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module, the tool runs a program with a chosen pid (through
 * the library's clone3() fallback), and "clone-with-pids status" says the
 * module is not installed, with exit status 5.
 */
#include "t.h"

int main(void)
{
	char *cmd[] = { "./clone-with-pids", "--pids", "7600", "--", "sh", "-c", "echo $$", NULL };
	char *status[] = { "./clone-with-pids", "status", NULL };
	char out[4096];
	int rc;

	t_need_fallback();
	rc = t_run(cmd[0], out, sizeof(out), cmd);
	T_ASSERT(rc == 0 && atoi(out) == 7600, "run: status %d, said '%s'", rc, out);
	rc = t_run(status[0], out, sizeof(out), status);
	T_ASSERT(rc == 5 && strstr(out, "not installed"), "status: %d, said '%s'", rc, out);
	return T_PASS;
}
