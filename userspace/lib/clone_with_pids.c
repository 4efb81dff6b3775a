// SPDX-License-Identifier: LGPL-2.1-or-later
/* libclone_with_pids: the thin layer over /dev/clone_with_pids. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/clone_with_pids.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cwp_internal.h"

_Static_assert(sizeof(struct pid_set) == sizeof(struct cwp_pid_set) &&
	       offsetof(struct pid_set, pids) == offsetof(struct cwp_pid_set, pids),
	       "struct pid_set must match the kernel's struct cwp_pid_set");

static int cwp_fd = -1;
static int cwp_kmod_tried;

int clone_with_pids_fd(void)
{
	int fd = __atomic_load_n(&cwp_fd, __ATOMIC_ACQUIRE);
	int expected = -1;
	int err;

	if (fd >= 0)
		return fd;
	fd = open(CWP_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	err = errno;
	/*
	 * No node: nothing made it at boot (no modules.devname entry, no
	 * kmod-static-nodes). A caller that may load modules loads it
	 * through libkmod, once per process; its node then appears.
	 */
	if (fd < 0 && err == ENOENT && !__atomic_exchange_n(&cwp_kmod_tried, 1, __ATOMIC_ACQ_REL) &&
	    cwp_can_load_modules() && cwp_kmod_load() == 0) {
		fd = open(CWP_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		err = errno;
	}
	if (fd < 0) {
		/* No node, or a node with no driver behind it. */
		errno = err == ENOENT || err == ENXIO ? ENODEV : err;
		return -1;
	}
	if (!__atomic_compare_exchange_n(&cwp_fd, &expected, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);
		fd = expected;
	}
	return fd;
}

/*
 * The module creates no task for a caller whose system calls are
 * monitored (seccomp, a ptrace tracer stopping at syscalls, audit,
 * syscall tracepoints): it refuses with EPERM, as the monitor would not
 * see that clone. Such a caller arms the pids and makes the clone() system
 * call itself, which its monitor sees as any other. Modules older than
 * CWP_QUERY_SIZE_VER1 only refused seccomp-filtered callers.
 */
static int cwp_monitored(int fd)
{
	struct cwp_query q = { .size = sizeof(q) };
	int err = errno;
	int ret;

	if (ioctl(fd, CWP_IOC_QUERY, &q) == 0 && q.size >= CWP_QUERY_SIZE_VER1)
		ret = q.monitors != 0;
	else
		ret = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2;
	errno = err;
	return ret;
}

/* The clone() system call's arguments, in this architecture's order. */
static void cwp_clone_sysargs(long a[5], int flags, uintptr_t stack, void *ptid,
			      void *ctid, void *tls)
{
	a[0] = (unsigned int)flags;
	a[1] = stack;
	a[2] = (long)ptid;
#if defined(__x86_64__)
	a[3] = (long)ctid;
	a[4] = (long)tls;
#else	/* CLONE_BACKWARDS: i386, arm64 */
	a[3] = (long)tls;
	a[4] = (long)ctid;
#endif
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
	long a[5];
	long ret;
	int err;

	if (fd < 0)
		return errno == ENODEV ? cwp_fallback_clone(flags, child_stack_base, parent_tid_ptr,
							    child_tid_ptr, tls, pid_setp) : -1;
	ret = ioctl(fd, CWP_IOC_CLONE, &args);
	if (ret != -1 || errno != EPERM || !cwp_monitored(fd))
		return ret;

	/* No set: like any clone, this one takes pids armed before. */
	if (pid_setp && clone_with_pids_next(pid_setp))
		return -1;
	cwp_clone_sysargs(a, flags, (uintptr_t)child_stack_base, parent_tid_ptr,
			  child_tid_ptr, tls);
	ret = syscall(SYS_clone, a[0], a[1], a[2], a[3], a[4]);
	if (ret < 0) {
		/* The clone may have failed before taking the pids. */
		err = errno;
		clone_with_pids_next(NULL);
		errno = err;
	}
	return ret;
}

int clone_with_pids_next(const struct pid_set *set)
{
	struct cwp_next_args args = {
		.size		= sizeof(args),
		.pid_set	= (uintptr_t)set,
	};
	int fd = clone_with_pids_fd();

	if (fd < 0)
		return -1;
	return ioctl(fd, CWP_IOC_SET_NEXT, &args);
}

pid_t fork_with_pids(const struct pid_set *set)
{
	pid_t pid;
	int err;

	if (clone_with_pids_next(set))
		return -1;
	pid = fork();
	if (pid < 0) {
		/* fork() may have failed before reaching the kernel's clone. */
		err = errno;
		clone_with_pids_next(NULL);
		errno = err;
	}
	return pid;
}

int clone_with_pids_fn(int (*fn)(void *), void *stack, int flags, void *arg,
		       const struct pid_set *set, ...)
{
	struct cwp_clone_args args = {
		.size		= sizeof(args),
		.flags		= (uint32_t)flags,
		.pid_set	= (uintptr_t)set,
	};
	uintptr_t sp = (uintptr_t)stack;
	int nargs = 0;
	va_list ap;
	long ret;
	int fd;

	if (!fn || !stack) {
		errno = EINVAL;
		return -1;
	}
	/* The optional arguments are positional, as for clone(). */
	if (flags & CLONE_CHILD_SETTID || flags & CLONE_CHILD_CLEARTID)
		nargs = 3;
	else if (flags & CLONE_SETTLS)
		nargs = 2;
	else if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD))
		nargs = 1;
	va_start(ap, set);
	if (nargs >= 1)
		args.parent_tid = (uintptr_t)va_arg(ap, pid_t *);
	if (nargs >= 2)
		args.tls = (uintptr_t)va_arg(ap, void *);
	if (nargs >= 3)
		args.child_tid = (uintptr_t)va_arg(ap, pid_t *);
	va_end(ap);

	/* The trampoline's child pops fn and arg off its new stack. */
	sp = (sp & ~(uintptr_t)15) - 16;
	((void **)sp)[0] = (void *)fn;
	((void **)sp)[1] = arg;
	args.stack = sp;

	fd = clone_with_pids_fd();
	if (fd < 0)
		return errno == ENODEV ?
			cwp_fallback_clone_fn(flags, sp, (int *)(uintptr_t)args.parent_tid,
					      (int *)(uintptr_t)args.child_tid,
					      (void *)(uintptr_t)args.tls, set) : -1;

	ret = __cwp_clone_fn_raw(SYS_ioctl, fd, CWP_IOC_CLONE, (long)&args, 0, 0);
	if (ret == -EPERM && cwp_monitored(fd)) {
		long a[5];

		if (set && clone_with_pids_next(set))
			return -1;
		cwp_clone_sysargs(a, flags, sp, (void *)(uintptr_t)args.parent_tid,
				  (void *)(uintptr_t)args.child_tid, (void *)(uintptr_t)args.tls);
		ret = __cwp_clone_fn_raw(SYS_clone, a[0], a[1], a[2], a[3], a[4]);
		if (ret < 0)
			clone_with_pids_next(NULL);
	}
	if (ret < 0) {
		errno = -ret;
		return -1;
	}
	return ret;
}

int clone_with_pids_query(unsigned long long *features)
{
	struct cwp_query q = { .size = sizeof(q) };
	int fd = clone_with_pids_fd();

	if (features)
		*features = 0;
	if (fd >= 0) {
		if (ioctl(fd, CWP_IOC_QUERY, &q))
			return -1;
		if (features)
			*features = q.features;
		return CLONE_WITH_PIDS_MODULE;
	}
	if (errno != ENODEV)
		return -1;
	if (cwp_have_clone3_set_tid())
		return CLONE_WITH_PIDS_CLONE3;
	errno = ENODEV;
	return -1;
}
