// SPDX-License-Identifier: GPL-2.0
/*
 * Opening the device grants nothing: a descriptor opened by root and
 * passed (SCM_RIGHTS) to an unprivileged process is checked against the
 * credentials of that process at the time of each ioctl: it cannot choose
 * pids (EPERM) but can make ordinary clones.
 */
#include "t.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

int main(void)
{
	struct cwp_clone_args a;
	char buf[CMSG_SPACE(sizeof(int))], c = 'x';
	struct iovec iov = { &c, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = buf,
			    .msg_controllen = sizeof(buf) };
	struct cmsghdr *cm;
	struct t_set s;
	int sv[2], fd;
	pid_t pid;

	T_ASSERT(!socketpair(AF_UNIX, SOCK_STREAM, 0, sv), "socketpair");
	pid = fork();
	if (pid == 0) {
		long r;

		t_drop_privileges();
		if (recvmsg(sv[1], &m, 0) != 1)
			_exit(2);
		cm = CMSG_FIRSTHDR(&m);
		if (!cm || cm->cmsg_type != SCM_RIGHTS)
			_exit(3);
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		t_clone_args(&a, t_set(&s, 1, 8100));
		r = ioctl(fd, CWP_IOC_CLONE, &a);
		if (r == 0)
			_exit(0);
		if (r != -1 || errno != EPERM)
			_exit(4);
		t_clone_args(&a, NULL);
		r = ioctl(fd, CWP_IOC_CLONE, &a);
		if (r == 0)
			_exit(0);
		_exit(r > 0 && !t_wait(r) ? 0 : 5);
	}
	fd = open(CWP_DEVICE_PATH, O_RDWR);
	T_ASSERT(fd >= 0, "open");
	cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	T_ASSERT(sendmsg(sv[0], &m, 0) == 1, "sendmsg");
	t_reap(pid);
	T_ASSERT(!t_pid_exists(8100), "pid 8100 allocated");
	return T_PASS;
}
