// SPDX-License-Identifier: GPL-2.0
/*
 * Without the module the library reports ENODEV. Opening the device node
 * (10:251, as kmod's static-nodes creates it from the devname alias)
 * loads the module on demand, and the request then works.
 */
#include "t.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

int main(void)
{
	struct t_set s;
	pid_t pid;

	if (syscall(SYS_delete_module, "clone_with_pids", O_NONBLOCK) && errno != ENOENT)
		t_fail("rmmod: %s", strerror(errno));
	T_EXPECT_ERRNO(fork_with_pids(t_set(&s, 1, 5600)), ENODEV);
	T_EXPECT_ERRNO(clone_with_pids_fd(), ENODEV);

	umask(0);
	T_ASSERT(!mknod(CWP_DEVICE_PATH, S_IFCHR | 0666, makedev(10, CWP_MISC_MINOR)),
		 "mknod: %s", strerror(errno));
	pid = fork_with_pids(t_set(&s, 1, 5600));
	T_ASSERT(pid >= 0, "after autoload: %s", strerror(errno));
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 5600, "pid %d", pid);
	t_reap(pid);
	T_ASSERT(!access("/sys/module/clone_with_pids", F_OK), "module not loaded");

	/* Leave no hand-made node: unload, the runner loads the module again. */
	close(clone_with_pids_fd());
	unlink(CWP_DEVICE_PATH);
	T_ASSERT(!syscall(SYS_delete_module, "clone_with_pids", O_NONBLOCK),
		 "rmmod after autoload: %s", strerror(errno));
	return T_PASS;
}
