// SPDX-License-Identifier: GPL-2.0
/*
 * The module cannot be unloaded while the device is open, nor while a
 * request is in flight after the caller's descriptor was closed: here a
 * CLONE_VFORK|CLONE_FILES child closes the shared descriptor while its
 * parent is still inside the ioctl, and its rmmod must be refused. Once
 * everything is closed, unloading works (the runner reloads the module).
 */
#define _GNU_SOURCE
#include "t.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static int rmmod(void)
{
	return syscall(SYS_delete_module, "clone_with_pids", O_NONBLOCK);
}

int main(void)
{
	struct cwp_clone_args a;
	struct t_set s;
	struct stat st;
	int fd;
	long r;

	fd = open(CWP_DEVICE_PATH, O_RDWR);
	T_ASSERT(fd >= 0, "open: %s", strerror(errno));
	T_EXPECT_ERRNO(rmmod(), EWOULDBLOCK);

	t_clone_args(&a, t_set(&s, 1, 5500));
	a.flags = CLONE_VFORK | CLONE_FILES | SIGCHLD;
	r = ioctl(fd, CWP_IOC_CLONE, &a);
	if (r == 0) {
		/* Child: shares the table, parent blocked in the ioctl. */
		close(fd);
		if (rmmod() == 0)
			_exit(2);
		_exit(errno == EWOULDBLOCK ? 0 : 3);
	}
	T_ASSERT(r == 5500, "vfork request: %ld %s", r, strerror(errno));
	t_reap(r);
	T_ASSERT(fcntl(fd, F_GETFD) == -1 && errno == EBADF, "child's close not shared");

	T_ASSERT(rmmod() == 0, "rmmod with nothing open: %s", strerror(errno));
	T_ASSERT(stat(CWP_DEVICE_PATH, &st) && errno == ENOENT, "device node left behind");
	return T_PASS;
}
