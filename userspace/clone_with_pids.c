// SPDX-License-Identifier: LGPL-2.1-or-later
/* libclone_with_pids: the thin layer over /dev/clone_with_pids. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/clone_with_pids.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/futex.h>

#include "clone_with_pids.h"

_Static_assert(sizeof(struct pid_set) == sizeof(struct cwp_pid_set) &&
	       offsetof(struct pid_set, pids) == offsetof(struct cwp_pid_set, pids),
	       "struct pid_set must match the kernel's struct cwp_pid_set");

static int cwp_fd = -1;

int clone_with_pids_fd(void)
{
	int fd = __atomic_load_n(&cwp_fd, __ATOMIC_ACQUIRE);
	int expected = -1;

	if (fd >= 0)
		return fd;
	fd = open(CWP_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		/* No node, or a node with no driver behind it. */
		if (errno == ENOENT || errno == ENXIO)
			errno = ENODEV;
		return -1;
	}
	if (!__atomic_compare_exchange_n(&cwp_fd, &expected, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = expected;
	}
	return fd;
}

int clone_with_pids(int flags, void *child_stack_base, int *parent_tid_ptr,
		    int *child_tid_ptr, void *tls, struct pid_set *pid_setp)
{
	struct cwp_clone_args args = {
		.size		= sizeof(args),
		.flags		= (uint32_t)flags,
		.stack		= (uintptr_t)child_stack_base,
		.parent_tid	= (uintptr_t)parent_tid_ptr,
		.child_tid	= (uintptr_t)child_tid_ptr,
		.tls		= (uintptr_t)tls,
		.pid_set	= (uintptr_t)pid_setp,
	};
	int fd = clone_with_pids_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, CWP_IOC_CLONE, &args);
}

/* The kernel's struct robust_list_head, as glibc registers it. */
struct cwp_robust_head {
	void *next;
	long futex_offset;
	void *list_op_pending;
};

pid_t fork_with_pids(const struct pid_set *set)
{
	struct cwp_robust_head *head = NULL;
	size_t head_len = 0;
	int *tidp = NULL;
	pid_t pid;

	/* glibc's pthread tid field: where the thread's set_tid_address points. */
	if (prctl(PR_GET_TID_ADDRESS, &tidp, 0, 0, 0))
		tidp = NULL;
	if (syscall(SYS_get_robust_list, 0, &head, &head_len))
		head = NULL;

	pid = clone_with_pids(SIGCHLD | (tidp ? CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID : 0),
			      NULL, NULL, tidp, NULL, (struct pid_set *)set);
	if (pid == 0 && head) {
		/* The kernel drops the robust list on fork; the child owns no mutex. */
		head->next = head;
		head->list_op_pending = NULL;
		syscall(SYS_set_robust_list, head, head_len);
	}
	return pid;
}
