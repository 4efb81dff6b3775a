// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Without the module: clone3()'s set_tid (Linux 5.5) serves the lists it
 * can express, the usual ones of a restorer: the chosen levels are the
 * innermost ones, with no zero between them. The same checks and errno as
 * the module: EINVAL for a list longer than the namespace is deep or than
 * 32, or a negative pid; EBUSY where clone3() says EEXIST. A list with a
 * zero inside or below the chosen pids needs the module: ENODEV.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cwp_internal.h"

#ifndef CLONE_ARGS_SIZE_VER1
#define CLONE_ARGS_SIZE_VER1	80
#endif

/* clone3()'s arguments up to set_tid (CLONE_ARGS_SIZE_VER1). */
struct cwp_clone3_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
};

_Static_assert(sizeof(struct cwp_clone3_args) == CLONE_ARGS_SIZE_VER1, "clone3 args");

static bool cwp_set_tid_ok;
static pthread_once_t cwp_set_tid_once = PTHREAD_ONCE_INIT;

/*
 * As CRIU probes its kernel: a set_tid pointer that cannot be read makes
 * a clone3() that knows set_tid fail with EFAULT before anything is
 * copied; one that does not know it says E2BIG, no clone3() ENOSYS.
 */
static void cwp_probe_set_tid(void)
{
	struct cwp_clone3_args a = {
		.exit_signal = SIGCHLD,
		.set_tid = (uint64_t)-4096,
		.set_tid_size = 1,
	};

	cwp_set_tid_ok = syscall(SYS_clone3, &a, sizeof(a)) == -1 && errno == EFAULT;
}

bool cwp_have_clone3_set_tid(void)
{
	int err = errno;

	pthread_once(&cwp_set_tid_once, cwp_probe_set_tid);
	errno = err;
	return cwp_set_tid_ok;
}

/*
 * Read @len bytes of the caller's memory at @src without faulting on a bad
 * pointer (-1 with errno EFAULT), as the module's copy_from_user() would.
 * Where process_vm_readv() is not allowed (a seccomp filter), it reads
 * directly.
 */
static int cwp_read(void *dst, const void *src, size_t len)
{
	struct iovec local = { dst, len }, remote = { (void *)src, len };
	ssize_t r = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);

	if (r == (ssize_t)len)
		return 0;
	/* A short read stopped at an unreadable page. */
	if (r >= 0 || errno == EFAULT) {
		errno = EFAULT;
		return -1;
	}
	memcpy(dst, src, len);
	return 0;
}

/* The caller's set: its size in *@n, its pids (when n <= 32) in @pids. */
static int cwp_read_set(const struct pid_set *set, pid_t *pids, unsigned int *n)
{
	if (cwp_read(n, &set->num_pids, sizeof(*n)))
		return -1;
	if (*n > CLONE_WITH_PIDS_MAX)
		return 0;
	return cwp_read(pids, set->pids, *n * sizeof(pid_t));
}

/*
 * The level of the pid namespace the caller's children go to, or -1 if
 * it cannot tell (a setns() to another namespace for children).
 */
static int cwp_level_for_children(void)
{
	struct stat a, b;
	int level = cwp_nspid("/proc/self/status", NULL, 0) - 1;

	if (level < -1)
		level = -1;
	if (level < 0 || stat("/proc/self/ns/pid", &a) || stat("/proc/self/ns/pid_for_children", &b))
		return level;
	if (a.st_ino == b.st_ino && a.st_dev == b.st_dev)
		return level;
	/* After unshare(CLONE_NEWPID), before its first child: one deeper. */
	return -1;
}

/*
 * Fill @a's set_tid from @set (innermost first, 1 first for CLONE_NEWPID).
 * Returns 0, or -1 with errno.
 */
static int cwp_fill_set_tid(struct cwp_clone3_args *a, pid_t *tid, int flags,
			    const struct pid_set *set)
{
	pid_t pids[CLONE_WITH_PIDS_MAX];
	unsigned int n = 0, i, first;
	int level;

	if (!set)
		return 0;
	if (cwp_read_set(set, pids, &n)) {
		errno = EFAULT;
		return -1;
	}
	if (n > CLONE_WITH_PIDS_MAX) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n; i++)
		if (pids[i] < 0) {
			errno = EINVAL;
			return -1;
		}
	if (n > 1) {
		level = cwp_level_for_children();
		if (level >= 0 && n > (unsigned int)level + 1) {
			errno = EINVAL;
			return -1;
		}
	}
	for (first = 0; first < n && !pids[first]; first++)
		;
	if (first == n)
		return 0;	/* kernel-chosen everywhere: a plain clone */
	for (i = first; i < n; i++)
		if (!pids[i]) {
			errno = ENODEV;	/* a zero below a chosen pid */
			return -1;
		}
	if (!cwp_have_clone3_set_tid()) {
		errno = ENODEV;
		return -1;
	}
	a->set_tid_size = 0;
	if (flags & CLONE_NEWPID)
		tid[a->set_tid_size++] = 1;
	for (i = n; i-- > first;)
		tid[a->set_tid_size++] = pids[i];
	a->set_tid = (uintptr_t)tid;
	return 0;
}

/* clone()'s flags and pointers as clone3()'s arguments. */
static void cwp_clone3_args(struct cwp_clone3_args *a, int flags, int *ptid, int *ctid,
			    void *tls)
{
	a->flags = (unsigned int)flags & ~(CSIGNAL | CLONE_DETACHED);
	/* clone() ignores the exit signal of a thread or a CLONE_PARENT child. */
	if (!(flags & (CLONE_THREAD | CLONE_PARENT)))
		a->exit_signal = flags & CSIGNAL;
	a->parent_tid = (uintptr_t)ptid;
	/* clone() returns the pidfd through parent_tid. */
	if (flags & CLONE_PIDFD)
		a->pidfd = (uintptr_t)ptid;
	a->child_tid = (uintptr_t)ctid;
	a->tls = (uintptr_t)tls;
}

static long cwp_errno(long ret)
{
	if (ret == -1 && errno == EEXIST)
		errno = EBUSY;
	return ret;
}

long cwp_fallback_clone(int flags, void *stack, int *ptid, int *ctid, void *tls,
			const struct pid_set *set)
{
	struct cwp_clone3_args a = { 0 };
	pid_t tid[CLONE_WITH_PIDS_MAX + 1];

	if (cwp_fill_set_tid(&a, tid, flags, set))
		return -1;
	cwp_clone3_args(&a, flags, ptid, ctid, tls);
	if (stack) {
		/* clone3() starts the child at stack + stack_size. */
		a.stack = (uintptr_t)stack - 16;
		a.stack_size = 16;
	}
	return cwp_errno(syscall(SYS_clone3, &a, sizeof(a)));
}

long cwp_fallback_clone_fn(int flags, unsigned long sp, int *ptid, int *ctid, void *tls,
			   const struct pid_set *set)
{
	struct cwp_clone3_args a = { 0 };
	pid_t tid[CLONE_WITH_PIDS_MAX + 1];
	long ret;

	if (cwp_fill_set_tid(&a, tid, flags, set))
		return -1;
	cwp_clone3_args(&a, flags, ptid, ctid, tls);
	a.stack = sp - 16;
	a.stack_size = 16;
	ret = __cwp_clone_fn_raw(SYS_clone3, (long)&a, sizeof(a), 0, 0, 0);
	if (ret < 0) {
		errno = -ret;
		return cwp_errno(-1);
	}
	return ret;
}
