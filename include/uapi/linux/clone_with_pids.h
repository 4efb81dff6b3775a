/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * clone_with_pids: create processes and threads with chosen pids in every
 * pid namespace, through the misc device /dev/clone_with_pids.
 *
 * Rules (Documentation/process/botching-up-ioctls.rst): only __u32/__u64
 * fields, naturally aligned, user pointers passed as __u64, explicit
 * padding that must be zero, unknown flags rejected with EINVAL. Argument
 * structures start with their own size: a caller built against an older
 * header passes a smaller size and the missing fields read as zero; a
 * caller built against a newer header passes a larger size and is refused
 * with E2BIG if any byte the module does not know is non-zero (as clone3).
 */
#ifndef _UAPI_LINUX_CLONE_WITH_PIDS_H
#define _UAPI_LINUX_CLONE_WITH_PIDS_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define CWP_DEVICE_NAME		"clone_with_pids"
#define CWP_DEVICE_PATH		"/dev/" CWP_DEVICE_NAME
/* Fixed misc minor (char 10:251, in the range reserved for local use). */
#define CWP_MISC_MINOR		251

#define CWP_ABI_VERSION		1
/* At most this many pids in one set: one per pid namespace level. */
#define CWP_MAX_PIDS		32

/*
 * struct cwp_pid_set - the pids requested for a new task.
 * @num_pids:	number of entries in @pids, 0 to CWP_MAX_PIDS
 * @pids:	oldest namespace first; the last entry is the pid in the
 *		caller's pid_ns_for_children; 0 lets the kernel choose
 *
 * Same layout as the library's struct pid_set on every ABI.
 */
struct cwp_pid_set {
	__u32 num_pids;
	__s32 pids[];
};

/*
 * struct cwp_clone_args - argument of CWP_IOC_CLONE.
 * @size:	sizeof(struct cwp_clone_args) as known by the caller
 * @flags:	clone() flags; the low byte is the exit signal; the upper
 *		32 bits must be zero (clone() takes an int)
 * @stack:	child stack pointer, 0 to run on a copy of the caller's stack
 * @parent_tid:	user pointer (clone()'s parent_tid, also CLONE_PIDFD's)
 * @child_tid:	user pointer (clone()'s child_tid)
 * @tls:	clone()'s tls
 * @pid_set:	user pointer to a struct cwp_pid_set, 0 for none
 * @cwp_flags:	must be zero (no flags defined yet)
 * @pad:	must be zero
 *
 * The ioctl returns the child's pid in the caller's pid namespace in the
 * parent and 0 in the child, which resumes after the ioctl like after
 * clone(). A non-empty set replaces pids armed with CWP_IOC_SET_NEXT; an
 * empty one leaves them to be consumed by this clone, like any clone.
 * A caller whose system calls are monitored (a seccomp filter, a ptrace
 * tracer stopping at syscalls, audit, syscall tracepoints: see
 * struct cwp_query.monitors) gets EPERM: the module does not create a task
 * its monitor has not seen as a clone; the caller arms the pids with
 * CWP_IOC_SET_NEXT and calls clone() itself (the library does so
 * transparently). EOPNOTSUPP: as for CWP_IOC_SET_NEXT. EINTR: the
 * kernel made this call again after a signal (ERESTARTNOINTR), and the
 * signal's handler armed or cancelled pids meanwhile: they are left as
 * the handler armed them, for the thread's next clone.
 */
struct cwp_clone_args {
	__u64 size;
	__u64 flags;
	__u64 stack;
	__u64 parent_tid;
	__u64 child_tid;
	__u64 tls;
	__u64 pid_set;
	__u32 cwp_flags;
	__u32 pad;
};
#define CWP_CLONE_ARGS_SIZE_VER0	64

/*
 * struct cwp_next_args - argument of CWP_IOC_SET_NEXT.
 * @size:	sizeof(struct cwp_next_args) as known by the caller
 * @pid_set:	user pointer to a struct cwp_pid_set; 0, an empty set or a
 *		set of zeros cancels the calling thread's armed pids
 * @cwp_flags:	must be zero
 * @pad:	must be zero
 *
 * Arms the pids for the calling thread's next clone of any kind (fork(),
 * vfork(), clone(), clone3(), and so pthread_create() and posix_spawn()).
 * That clone consumes them when it creates the task or fails for good; a
 * clone interrupted by a signal and restarted by the kernel
 * (ERESTARTNOINTR) keeps them for its restart, which fails with EINTR if
 * another call of the thread (a signal handler) replaced or cancelled
 * them meanwhile. The list is aligned to the
 * thread's pid namespace for children at the time of this call; a clone
 * made after that namespace changed, or a clone3() with its own set_tid,
 * fails with EINVAL; one made after the thread's credentials changed
 * fails with EPERM, before anything is copied. The pids are dropped when
 * the thread exits, when the file it armed them through is released (but
 * for a clone in progress, or waiting for its restart), and at execve() (the new program never asked for them). They are invisible
 * to other threads. Privilege and list errors are reported here,
 * allocation errors (EBUSY, EINVAL for pid_max or a namespace without
 * init) by the clone.
 *
 * EAGAIN: the caller's user (its uid in the initial user namespace) has
 * user_requests sets armed, or the pool of max_requests is full (see
 * struct cwp_query). Callers with CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE
 * in the initial user namespace have no per-user limit and a quarter of
 * the pool that only they can use. A list with a gap, armed by any other
 * caller, must be used within divert_ttl_ms: its clone fails with ETIME
 * after that. EOPNOTSUPP: the module's kernel probes are not in effect
 * (all kprobes disarmed through debugfs), or a list with a gap on a kernel
 * where the pid allocation diversion failed its verification.
 */
struct cwp_next_args {
	__u64 size;
	__u64 pid_set;
	__u32 cwp_flags;
	__u32 pad;
};
#define CWP_NEXT_ARGS_SIZE_VER0	24

/* struct cwp_query.features */
#define CWP_FEATURE_CLONE		(1ULL << 0)	/* CWP_IOC_CLONE */
#define CWP_FEATURE_ZERO_ANY_LEVEL	(1ULL << 1)	/* 0 between chosen pids */
#define CWP_FEATURE_CHECKPOINT_RESTORE	(1ULL << 2)	/* CAP_CHECKPOINT_RESTORE honoured */
#define CWP_FEATURE_SET_NEXT		(1ULL << 3)	/* CWP_IOC_SET_NEXT */
#define CWP_FEATURE_QUOTA		(1ULL << 4)	/* per-user limit, user_requests */
#define CWP_FEATURE_MONITORS		(1ULL << 5)	/* monitors reported */
#define CWP_FEATURE_RESERVE		(1ULL << 6)	/* CWP_IOC_RESERVE, CWP_IOC_RELEASE */
#define CWP_FEATURE_SET_NEXT_LIST	(1ULL << 7)	/* CWP_IOC_SET_NEXT_LIST */

/*
 * struct cwp_query.ibt: how the module reaches kernel internals, and the
 * branch protection it had to respect. x86-64 sets the CWP_IBT_* bits,
 * arm64 CWP_IBT_SAFE and the CWP_BTI_* and CWP_PAC_* bits.
 */
#define CWP_IBT_KERNEL		(1U << 0)	/* kernel built with CONFIG_X86_KERNEL_IBT */
#define CWP_IBT_CPU		(1U << 1)	/* IBT enforced by this CPU */
#define CWP_IBT_SEALED		(1U << 2)	/* kernel_clone has no usable ENDBR */
#define CWP_IBT_SAFE		(1U << 3)	/* every call target verified */
#define CWP_BTI_KERNEL		(1U << 4)	/* kernel built with CONFIG_ARM64_BTI_KERNEL */
#define CWP_BTI_CPU		(1U << 5)	/* this CPU has BTI (enforced for marked programs) */
#define CWP_BTI_LANDING		(1U << 6)	/* kernel_clone starts with a BTI landing pad */
#define CWP_PAC_KERNEL		(1U << 7)	/* kernel return addresses are signed (pac-ret) */
#define CWP_PAC_CPU		(1U << 8)	/* this CPU has address authentication */

/* struct cwp_query.call_method */
#define CWP_CALL_STATIC_CALL	1	/* patched direct jump (static_call) */
#define CWP_CALL_POINTER	2	/* indirect call, its target checked for BTI */

/*
 * struct cwp_query.monitors: what watches the calling thread's system
 * calls. CWP_IOC_CLONE creates no task for a monitored thread (EPERM): its
 * monitor would not see a clone system call. The thread arms the pids with
 * CWP_IOC_SET_NEXT and makes the clone itself.
 */
#define CWP_MONITOR_SECCOMP	(1U << 0)	/* a seccomp filter or strict mode */
#define CWP_MONITOR_SYSCALL_TRACE (1U << 1)	/* a ptrace tracer stops at syscalls */
#define CWP_MONITOR_AUDIT	(1U << 2)	/* audit may record its syscalls */
#define CWP_MONITOR_TRACEPOINT	(1U << 3)	/* syscall tracepoints are enabled */

/*
 * struct cwp_query - argument of CWP_IOC_QUERY.
 * @size:	in: sizeof(struct cwp_query) as known by the caller (at least
 *		CWP_QUERY_SIZE_VER0); out: the size the module filled in
 * @abi_version: CWP_ABI_VERSION of the module
 * @max_pids:	CWP_MAX_PIDS
 * @features:	CWP_FEATURE_* supported by the module now
 * @ibt:	CWP_IBT_* verdict reached at load time
 * @call_method: CWP_CALL_* used to create tasks
 * @nr_requests: pid sets armed now, system-wide
 * @max_requests: most pid sets that can be armed at once, system-wide
 *
 * Since CWP_QUERY_SIZE_VER1:
 * @user_requests: most pid sets one unprivileged user can have armed
 * @divert_ttl_ms: how long a list with a gap armed by an unprivileged
 *		caller stays usable
 * @mem_bytes:	memory the module holds now, its kretprobe's instances
 *		included
 * @monitors:	CWP_MONITOR_* watching the calling thread
 * @pad:	zero
 *
 * Since CWP_QUERY_SIZE_VER2:
 * @nr_reserved: pid sets reserved now, system-wide (they count in the
 *		quotas like armed sets, not in @nr_requests)
 * @pad2:	zero
 *
 * Everything after @size must be zero on input.
 */
struct cwp_query {
	__u64 size;
	__u32 abi_version;
	__u32 max_pids;
	__u64 features;
	__u32 ibt;
	__u32 call_method;
	__u32 nr_requests;
	__u32 max_requests;
	__u32 user_requests;
	__u32 divert_ttl_ms;
	__u64 mem_bytes;
	__u32 monitors;
	__u32 pad;
	__u32 nr_reserved;
	__u32 pad2;
};
#define CWP_QUERY_SIZE_VER0	40
#define CWP_QUERY_SIZE_VER1	64
#define CWP_QUERY_SIZE_VER2	72

/* At most this many sets in one CWP_IOC_RESERVE or CWP_IOC_RELEASE. */
#define CWP_MAX_RESERVE_SETS	4096

/*
 * struct cwp_reserve_args - argument of CWP_IOC_RESERVE and CWP_IOC_RELEASE.
 * @size:	sizeof(struct cwp_reserve_args) as known by the caller
 * @sets:	user pointer to an array of @nr_sets __u64, each a user
 *		pointer to a struct cwp_pid_set aligned to the calling
 *		thread's pid namespace for children, as for a clone
 * @nr_sets:	entries in @sets, 0 to CWP_MAX_RESERVE_SETS
 * @cwp_flags:	must be zero
 * @busy_set:	out, CWP_IOC_RESERVE failing with EBUSY: the index in @sets
 *		of a set with a pid in use or reserved; ~0 otherwise
 * @busy_index:	out: the index in that set's pids[] of that pid
 *
 * CWP_IOC_RESERVE takes every chosen pid of every set away from the rest
 * of the system, or none: no fork gets them, a clone asking for one of
 * them fails with EBUSY. A set armed through the same file whose chosen
 * pids include all of a reservation's stands for it, if no other armed
 * set does (one set per reservation, which counts in the quotas through
 * it), and the clone of that set consumes it: it gets the numbers
 * without their ever being free, and gives them back if it fails. A set
 * stands for one reservation at most: a clone whose pids hold the
 * numbers of two finds the other's taken (EBUSY). Levels of namespaces
 * not created yet are left empty (0) by the caller. Each set counts as
 * one armed set in the quotas (EAGAIN, nothing reserved). Errors as
 * CWP_IOC_SET_NEXT reports them for a set (EFAULT, EINVAL, EPERM), and
 * EBUSY (a pid in use or reserved, @busy_set and @busy_index say which),
 * EINVAL (a set with no pid chosen, a pid at or above its namespace's
 * pid_max, a pid in a namespace whose init is not created yet, or is
 * gone: its tasks are created without reservation, pid 1 first),
 * EOPNOTSUPP (this kernel's pid allocator could not be reached).
 * The reservations belong to the open file (its duplicates, children
 * that inherit it, SCM_RIGHTS), and any holder of it may release them:
 * they are released when it is closed for the last time, or by
 * CWP_IOC_RELEASE.
 *
 * CWP_IOC_RELEASE releases the reservations of the sets given (each must
 * match one of the file's reservations exactly: ENOENT otherwise, and
 * none is released), or all of the file's with @nr_sets 0.
 */
struct cwp_reserve_args {
	__u64 size;
	__u64 sets;
	__u32 nr_sets;
	__u32 cwp_flags;
	__u32 busy_set;
	__u32 busy_index;
};
#define CWP_RESERVE_ARGS_SIZE_VER0	32

/* At most this many sets in one CWP_IOC_SET_NEXT_LIST. */
#define CWP_MAX_NEXT_SETS	1024

/*
 * struct cwp_next_list_args - argument of CWP_IOC_SET_NEXT_LIST.
 * @size:	sizeof(struct cwp_next_list_args) as known by the caller
 * @sets:	user pointer to an array of @nr_sets __u64, each a user
 *		pointer to a struct cwp_pid_set that chooses at least one pid,
 *		aligned to the calling thread's pid namespace for children
 * @nr_sets:	entries in @sets, 0 to CWP_MAX_NEXT_SETS; 0 cancels the
 *		calling thread's armed pids
 * @cwp_flags:	must be zero
 * @err_set:	out: the index in @sets of the set the call failed on
 *		(EFAULT, EINVAL, EPERM), ~0 otherwise
 * @pad:	must be zero
 *
 * Arms @sets for the calling thread's next @nr_sets clones, in order: its
 * next clone takes sets[0] as if armed by CWP_IOC_SET_NEXT, and when that
 * clone creates its task, sets[1] is armed for the clone after it, and so
 * on. A clone that fails for good (EBUSY, ...) consumes its set and drops
 * the rest of the list: the thread's next clone gets pids the kernel
 * chooses, and the caller arms again what it still wants. Everything
 * else is as for CWP_IOC_SET_NEXT: a new CWP_IOC_SET_NEXT or
 * CWP_IOC_SET_NEXT_LIST (or a CWP_IOC_CLONE with pids) replaces the whole
 * list; it is dropped at execve(), at the thread's exit and when the file
 * it was armed through is released. Each set not yet consumed counts as
 * one armed set in the quotas (EAGAIN, nothing armed), but a set that
 * stands for a reservation of the file (one per reservation, see
 * CWP_IOC_RESERVE), which counts through it. Errors
 * as CWP_IOC_SET_NEXT reports them for a set, with @err_set; EINVAL for a
 * set that chooses no pid.
 */
struct cwp_next_list_args {
	__u64 size;
	__u64 sets;
	__u32 nr_sets;
	__u32 cwp_flags;
	__u32 err_set;
	__u32 pad;
};
#define CWP_NEXT_LIST_ARGS_SIZE_VER0	32

#define CWP_IOC_MAGIC		0xCB
#define CWP_IOC_QUERY		_IOWR(CWP_IOC_MAGIC, 0x80, struct cwp_query)
#define CWP_IOC_CLONE		_IOW(CWP_IOC_MAGIC, 0x81, struct cwp_clone_args)
#define CWP_IOC_SET_NEXT	_IOW(CWP_IOC_MAGIC, 0x82, struct cwp_next_args)
#define CWP_IOC_RESERVE		_IOWR(CWP_IOC_MAGIC, 0x83, struct cwp_reserve_args)
#define CWP_IOC_RELEASE		_IOW(CWP_IOC_MAGIC, 0x84, struct cwp_reserve_args)
#define CWP_IOC_SET_NEXT_LIST	_IOWR(CWP_IOC_MAGIC, 0x85, struct cwp_next_list_args)

#endif /* _UAPI_LINUX_CLONE_WITH_PIDS_H */
