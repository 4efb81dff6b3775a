/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libclone_with_pids: create processes and threads with chosen pids in
 * every pid namespace, through the clone_with_pids kernel module.
 *
 * The pid list is ordered oldest pid namespace first and aligned to the
 * namespace new children of the caller go to (its own, unless it called
 * unshare(CLONE_NEWPID) or setns()): pids[num_pids - 1] is the pid there,
 * pids[num_pids - 2] the pid in its parent namespace, and so on. 0 lets
 * the kernel choose at that level; levels older than the list covers are
 * chosen by the kernel too.
 *
 * Without the module (no /dev/clone_with_pids and none could be loaded),
 * clone_with_pids() and clone_with_pids_fn() fall back to clone3()'s
 * set_tid (Linux 5.5) for the lists it can express: the chosen pids are
 * the innermost levels, with no 0 between them or after them (CLONE_NEWPID
 * included). Everything else needs the module and fails with ENODEV: a
 * list with a 0 below a chosen pid, clone_with_pids_next() and
 * fork_with_pids(). clone_with_pids_query() tells which a process has.
 *
 * Each function's comment ends with the node of the version script
 * (libclone_with_pids.map) that exports it: CLONE_WITH_PIDS_0.N is
 * clone_with_pids 0.N.0, the first version to have it.
 */
#ifndef CLONE_WITH_PIDS_H
#define CLONE_WITH_PIDS_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CLONE_WITH_PIDS_MAX	32

struct pid_set {
	unsigned int num_pids;
	pid_t pids[];
};

/*
 * clone_with_pids() - the clone() system call with chosen pids.
 * @flags:		clone() flags; the low byte is the exit signal
 * @child_stack_base:	child stack pointer; NULL runs the child on a copy of
 *			the caller's stack and returns 0 in it, like fork()
 * @parent_tid_ptr:	as clone()'s parent_tid (CLONE_PARENT_SETTID, and the
 *			pidfd for CLONE_PIDFD)
 * @child_tid_ptr:	as clone()'s child_tid (CLONE_CHILD_SETTID/CLEARTID)
 * @tls:		as clone()'s tls (CLONE_SETTLS)
 * @pid_setp:		the pids to give the child, NULL or num_pids == 0 for
 *			an ordinary clone; read by the library only without
 *			the module
 *
 * With a child stack the child resumes on that stack at the return of the
 * system call, exactly as with the raw clone(2) system call.
 *
 * Returns the child's pid in the caller's pid namespace to the parent and
 * 0 to the child; -1 with errno set on failure, in which case no child
 * exists and no pid stays allocated. errno is one of clone()'s, or
 * EPERM (a non-zero pid at a level whose owning user namespace grants
 * neither CAP_SYS_ADMIN nor CAP_CHECKPOINT_RESTORE), EINVAL (more pids
 * than nesting levels or than 32, a pid < 0 or >= pid_max, a pid other than
 * 1 in a namespace without init, bad flags), EBUSY (a pid in use), EFAULT
 * (unreadable pid_setp), EAGAIN and EOPNOTSUPP as for
 * clone_with_pids_next(). Without the module it serves through clone3()'s
 * set_tid the lists that set_tid can express, with the same errno (EBUSY
 * where clone3() says EEXIST), and fails with ENODEV for the others (a 0
 * below a chosen pid) or on a kernel without set_tid.
 * Since CLONE_WITH_PIDS_0.1.
 */
int clone_with_pids(int flags, void *child_stack_base, int *parent_tid_ptr,
		    int *child_tid_ptr, void *tls, struct pid_set *pid_setp);

/*
 * clone_with_pids_next() - choose the pids of the calling thread's next clone.
 * @set:	the pids, as for clone_with_pids(); NULL, an empty set or a set
 *		of zeros cancels what was armed
 *
 * The next clone of the calling thread, of any kind (fork(), vfork(),
 * clone(), clone3(), and so pthread_create() and posix_spawn()) consumes
 * the pids when it creates the task or fails for good; a clone that a
 * signal, a stop or a tracer interrupts is restarted by the kernel and
 * keeps them (the restart fails with EINTR if a signal handler replaced
 * or cancelled them meanwhile). Other threads are unaffected. The list
 * is aligned to the thread's pid namespace for children at the time of
 * this call. The pids are dropped when the thread exits, when the
 * library's descriptor is closed, and at execve().
 *
 * Returns 0, or -1 with errno: EPERM, EINVAL, EFAULT as for
 * clone_with_pids(), ENODEV without the module (no fallback can arm a
 * later clone), EAGAIN when the caller's user is at its quota or the
 * module's pool is full, EOPNOTSUPP when kprobes are disarmed. The clone
 * itself fails with EBUSY (a pid in use), EINVAL (a pid beyond pid_max or
 * other than 1 in a namespace without init, the namespace for children
 * changed since this call, or a clone3() with its own set_tid), EPERM
 * (the credentials changed since this call), ETIME (a gap list of an
 * unprivileged caller not used in time). See clone_with_pids_next(3).
 * Since CLONE_WITH_PIDS_0.1.
 */
int clone_with_pids_next(const struct pid_set *set);

/*
 * fork_with_pids() - fork() with chosen pids.
 * @set:	the pids, as for clone_with_pids()
 *
 * clone_with_pids_next() and the C library's fork(): pthread_atfork()
 * handlers run, the C library's locks and thread id are reset in the
 * child, as with fork(). A clone made by a prepare handler would take the
 * pids instead.
 *
 * Returns as fork(): the child's pid, 0 in the child, -1 with errno set
 * (the errors of clone_with_pids_next() and of the clone; ENODEV without
 * the module, whatever the list). Since CLONE_WITH_PIDS_0.1.
 */
pid_t fork_with_pids(const struct pid_set *set);

/*
 * clone_with_pids_fn() - glibc's clone() with chosen pids.
 * @fn:		the child runs fn(arg) and exits with its return value
 * @stack:	top of the child's stack (the stack grows down), required
 * @flags:	clone() flags; the low byte is the exit signal
 * @arg:	argument of @fn
 * @set:	the pids, as for clone_with_pids()
 * @...:	pid_t *parent_tid, void *tls, pid_t *child_tid, as for
 *		clone(): positional, read when the flags need them
 *
 * Returns the child's pid (thread id with CLONE_THREAD) in the caller's
 * pid namespace, or -1 with errno set: EINVAL for a NULL @fn or @stack,
 * else the errors of clone_with_pids(). Without the module it falls back
 * to clone3()'s set_tid as clone_with_pids() does.
 * Since CLONE_WITH_PIDS_0.1.
 */
int clone_with_pids_fn(int (*fn)(void *), void *stack, int flags, void *arg,
		       const struct pid_set *set, ...);

/*
 * clone_with_pids_fd() - the device descriptor the library uses.
 *
 * Opened on first use with O_CLOEXEC. Opening the node loads the module
 * (its devname: alias). When there is no node at all and the caller has
 * CAP_SYS_MODULE, the module is loaded through libkmod (opened with
 * dlopen(), so that nothing depends on it; honouring modprobe's
 * blacklist and options), once per process. Returns the descriptor, or -1
 * with errno set: ENODEV when the module is not loaded (no device node, or
 * no driver behind it) and could not be, else open()'s error.
 * Since CLONE_WITH_PIDS_0.1.
 */
int clone_with_pids_fd(void);

/* clone_with_pids_query(): what serves the calls. */
#define CLONE_WITH_PIDS_MODULE	1	/* the module: every call, *features */
#define CLONE_WITH_PIDS_CLONE3	2	/* clone3()'s set_tid: innermost lists only */

/*
 * clone_with_pids_query() - which implementation this process has.
 * @features:	NULL, or where to store the module's CWP_FEATURE_* bits
 *		(<linux/clone_with_pids.h>); 0 without the module
 *
 * Opens the device as clone_with_pids_fd() does (and so may load the
 * module), else probes once whether clone3() takes set_tid, as CRIU
 * probes its kernel.
 *
 * Returns CLONE_WITH_PIDS_MODULE, CLONE_WITH_PIDS_CLONE3 (no module:
 * clone_with_pids() and clone_with_pids_fn() serve the lists set_tid can
 * express, the rest fails with ENODEV), or -1 with errno: ENODEV (neither:
 * no module and a kernel older than 5.5), else open()'s or the query
 * ioctl's error. Since CLONE_WITH_PIDS_0.2.
 */
int clone_with_pids_query(unsigned long long *features);

/*
 * clone_with_pids_get() - a live task's pids, ready to be given back.
 * @pid:	the process or thread, as /proc names it (the pid namespace
 *		of the mounted /proc, usually the caller's); 0 for the
 *		calling thread
 * @set:	where the pids go, oldest pid namespace first, as for
 *		clone_with_pids(): pids[num_pids - 1] is the task's pid (or
 *		thread id) in its own pid namespace
 * @max:	room in @set->pids
 *
 * Reads the NSpid line of /proc/<pid>/status: the levels from the pid
 * namespace of the mounted /proc down to the task's own. A thread id
 * gives the thread's ids. The set recreates the task from a parent in the
 * task's pid namespace; for the pid 1 of a namespace, drop the last entry
 * and clone with CLONE_NEWPID. Only open(), read() and close(): the call is
 * async-signal-safe and works in the child of a raw clone().
 *
 * Returns the number of levels, also stored in @set->num_pids; -1 with
 * errno on failure: ESRCH (no such task in /proc), EINVAL (@pid < 0),
 * ERANGE (more than @max levels: @set->num_pids says how many, the pids
 * are unspecified), ENOSYS (no /proc mounted, or a kernel older than 4.1
 * without NSpid), else open()'s or read()'s error. Works without the
 * module. Since CLONE_WITH_PIDS_0.3.
 */
int clone_with_pids_get(pid_t pid, struct pid_set *set, unsigned int max);

/*
 * clone_with_pids_reserve() - take pids away from the rest of the system
 * before creating the tasks that will have them.
 * @sets:	@nr sets, each aligned as for a clone by the calling thread
 *		(levels of pid namespaces not created yet left 0)
 * @nr:		number of sets, at most CWP_MAX_RESERVE_SETS
 * @busy_set:	NULL, or where the index of a set with a pid in use goes
 *		(on EBUSY; ~0U otherwise)
 * @busy_index:	NULL, or where that pid's index in its set's pids[] goes
 *
 * All or nothing: every chosen pid of every set is reserved, or none. A
 * reserved pid is given to no fork of the system, and a clone asking for
 * it fails with EBUSY, but for the clone of the set that stands for the
 * reservation, which consumes it: a set armed through the library's
 * descriptor whose chosen pids include all the pids of a reserved set
 * stands for it if no other armed set does (one set at a time stands for
 * a reservation, and a set for one reservation at most). The
 * reservations belong to the library's descriptor (clone_with_pids_fd(),
 * shared with children that inherit it) and are released by
 * clone_with_pids_release() or when the descriptor is closed for the
 * last time. Each reserved set counts against the caller's quota like an
 * armed one; the armed set that stands for it counts nothing more.
 *
 * Returns 0, or -1 with errno: EBUSY (a pid in use or reserved: see
 * @busy_set, @busy_index), EAGAIN (over quota), EINVAL (a set with no pid
 * chosen, a pid in a namespace without init (not created yet, or gone),
 * a list error as for clone_with_pids()), EPERM, EFAULT,
 * ENOMEM, EOPNOTSUPP (this kernel's pid allocator cannot be reached),
 * ENODEV (no module). See clone_with_pids_reserve(3).
 * Since CLONE_WITH_PIDS_0.4.
 */
int clone_with_pids_reserve(const struct pid_set *const *sets, unsigned int nr,
			    unsigned int *busy_set, unsigned int *busy_index);

/*
 * clone_with_pids_release() - release reservations.
 * @sets:	sets reserved through the library's descriptor, each exactly
 *		as reserved; NULL with @nr 0 to release all of them
 * @nr:		number of sets
 *
 * Returns 0, or -1 with errno: ENOENT (a set that is not reserved: none
 * is released), EINVAL, EFAULT, ENODEV. Since CLONE_WITH_PIDS_0.4.
 */
int clone_with_pids_release(const struct pid_set *const *sets, unsigned int nr);

/*
 * clone_with_pids_next_list() - the pids of the calling thread's next @nr
 * clones, with one call.
 * @sets:	@nr sets, in the order of the clones, each choosing a pid and
 *		aligned as for clone_with_pids_next()
 * @nr:		number of sets, at most CWP_MAX_NEXT_SETS; 0 cancels the
 *		thread's armed pids
 * @err_set:	NULL, or where the index of the set the call failed on goes
 *		(EFAULT, EINVAL, EPERM; ~0U otherwise)
 *
 * The thread's next clone of any kind takes sets[0] as after
 * clone_with_pids_next(sets[0]); when it has created its task, sets[1] is
 * armed for the clone after it, and so on. A clone that fails for good
 * consumes its set and drops the rest: the caller arms again what it
 * still wants. A new clone_with_pids_next() or clone_with_pids_next_list(),
 * or a clone_with_pids() with pids, replaces the whole list; execve(),
 * the thread's exit and the release of the library's descriptor drop it.
 * Each set not yet consumed counts against the caller's quota, but a set
 * that stands for a reservation made through the library's descriptor
 * (one set per reservation: clone_with_pids_reserve()) counts through
 * that reservation instead.
 *
 * Returns 0, or -1 with errno: EAGAIN (over quota: nothing is armed),
 * EINVAL (a set that chooses no pid, more than CWP_MAX_NEXT_SETS, a list
 * error as for clone_with_pids_next()), EPERM, EFAULT, ENOMEM,
 * EOPNOTSUPP, ENODEV (no module). See clone_with_pids_next_list(3).
 * Since CLONE_WITH_PIDS_0.4.
 */
int clone_with_pids_next_list(const struct pid_set *const *sets, unsigned int nr,
			      unsigned int *err_set);

#ifdef __cplusplus
}
#endif

#endif /* CLONE_WITH_PIDS_H */
