/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the tests. Each test is one program that checks one
 * behaviour and exits 0 (pass), 1 (fail) or 77 (skip).
 */
#ifndef CWP_T_H
#define CWP_T_H

#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>
#include <linux/clone_with_pids.h>

#include "clone_with_pids.h"
#include "raw.h"

#define T_PASS	0
#define T_FAIL	1
#define T_SKIP	77

/* A pid set with room for every level. */
struct t_set {
	struct pid_set set;
	pid_t pids[CLONE_WITH_PIDS_MAX + 1];
};

void t_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));
void t_skip(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

#define t_fail(...)	t_fail_at(__FILE__, __LINE__, __VA_ARGS__)
#define T_ASSERT(cond, ...)						\
	do {								\
		if (!(cond))						\
			t_fail_at(__FILE__, __LINE__, "%s: %s",		\
				  t_fmt(__VA_ARGS__), #cond);		\
	} while (0)
/*
 * Expect a call to fail with -1 and errno @err. A clone-like call that
 * succeeds anyway is a failure: its child (another thread id) exits at
 * once, the parent reaps it. A call returning 0 in the calling thread is
 * a failure too.
 */
#define T_EXPECT_ERRNO(call, err)					\
	do {								\
		long __self = syscall(SYS_gettid), __r;			\
		errno = 0;						\
		__r = (call);						\
		if (__r == 0 && syscall(SYS_gettid) != __self)		\
			_exit(0);					\
		if (__r > 0)						\
			t_reap(__r);					\
		if (__r != -1 || errno != (err))			\
			t_fail_at(__FILE__, __LINE__,			\
				  "%s returned %ld errno %d (%s), expected %s", \
				  #call, __r, errno, strerror(errno), #err); \
	} while (0)

const char *t_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Build a set from @n pids. */
struct pid_set *t_set(struct t_set *s, unsigned int n, ...);

/* Wait for @pid; fail unless it exited with status 0. */
void t_reap(pid_t pid);
/* Wait for @pid and return its exit status (or 128 + signal). */
int t_wait(pid_t pid);
/*
 * In a child that will fault on purpose: exit with 100 + the signal on
 * SIGILL, SIGSEGV or SIGBUS, caught so that the kernel logs no
 * "unhandled exception" and register dump (the harness reads the log).
 */
void t_catch_faults(void);

/*
 * Move the calling process @levels pid namespaces deeper: each level is an
 * unshare(CLONE_NEWPID) + fork(); the ancestors wait and exit with the
 * descendant's status. Returns in the innermost process, which is pid 1 of
 * a namespace at depth (initial depth + levels).
 */
void t_nest(int levels);

/* The calling thread's NSpid (outermost first), at most @max. Returns the count. */
int t_nspid_self(pid_t *out, int max);

/* Is @pid in use in the caller's pid namespace? */
int t_pid_exists(pid_t pid);

/* The pid_max of the caller's pid namespace. */
int t_pid_max(void);

/* Drop to uid/gid 1000 with no capabilities at all. */
void t_drop_privileges(void);

/* Make the effective capabilities @mask (bits), staying uid 0. */
void t_only_caps(unsigned long long mask);

/* Default CWP_IOC_CLONE arguments: fork-like, SIGCHLD, pid set @set. */
void t_clone_args(struct cwp_clone_args *a, const struct pid_set *set);

/*
 * Issue CWP_IOC_CLONE with @a. A child created by it _exit(0)s at once; the
 * parent reaps it and gets its pid. Returns -1 with errno on failure.
 */
long t_ioctl_clone(const void *a);

/* Pid sets armed now, system-wide (CWP_IOC_QUERY). */
unsigned int t_nr_requests(void);

/*
 * fork_with_pids(@set), the child checking its pids at every level of
 * @set: 0 (the child exact, reaped), -1 with errno; fails the test on a
 * wrong pid.
 */
int t_fork_exact(const struct pid_set *set);

/*
 * fork() with @set armed before (clone_with_pids_next(), a list), checked
 * as t_fork_exact() checks: 0, -1 with errno; fails the test on a wrong
 * pid.
 */
int t_fork_armed(const struct pid_set *set);

/* A plain fork() whose child exits at once, reaped: the child's pid. */
pid_t t_fork_exit0(void);

/* Pid sets reserved now, system-wide (CWP_IOC_QUERY). */
unsigned int t_nr_reserved(void);

/* A fresh stack of @size bytes; returns its top. */
void *t_stack(size_t size);

/* Wait until the futex word @addr is 0 (CLONE_CHILD_CLEARTID). */
void t_futex_wait_zero(volatile pid_t *addr);

/* Write @s to the file @path, or fail. */
void t_write_file(const char *path, const char *s);

/* The kernel command line contains @word. */
int t_cmdline_has(const char *word);

/* The number after "@key=" on the kernel command line, or @def. */
double t_cmdline_num(const char *key, double def);

/*
 * Unload the module and load it again with @params ("max_requests=64",
 * say), and have the runner load it with its defaults after this test.
 * The calling process must have no descriptor of the device open.
 */
void t_module_reload(const char *params);

/* Have the runner load the module again after this test. */
void t_module_reload_after(void);

/*
 * Become @uid, with no capabilities, in a new user namespace of its own
 * (mapped to 0 in it), where it holds every capability: an unprivileged
 * user that owns the pid namespaces it creates from now on.
 */
void t_become_userns_owner(uid_t uid);

/*
 * Fork a process that becomes @uid, owning a user and a pid namespace of
 * its own (its pid 1 there, t_become_userns_owner() and t_nest(1)):
 * returns 0 in it, and the pid of the first child in the caller.
 */
pid_t t_fork_nested_user(uid_t uid);

/* @fn run that way, as @uid: its return value, as t_wait() gives it. */
int t_as_nested_user(uid_t uid, int (*fn)(void));

/* The per-user quota (struct cwp_query.user_requests), or fail. */
unsigned int t_user_quota(void);

/* A value of the kprobes list in debugfs: 1 armed, 0 disarmed, -1 absent. */
int t_kprobe_armed(const char *symbol);
/* Wait up to @ms for the probe on @symbol to be disarmed: 1 if it was. */
int t_kprobe_wait_disarmed(const char *symbol, int ms);

/* Mount debugfs if needed; skip the test unless @path is writable. */
void t_need_debugfs(const char *path);

/*
 * A counter of the module in debugfs (stat_@name: "restarts", clones kept
 * for their restart; "reservations_back", clones of a reservation undone
 * and given back), or fail.
 */
long t_stat(const char *name);

/*
 * Skip the test unless the library runs on its clone3() set_tid fallback
 * (no module: make check's cwp_nomodule=1 pass, tests/vm/check.sh).
 */
void t_need_fallback(void);

/*
 * Run the program @path with @argv, its stdout and stderr captured in
 * @out (@len bytes with the final NUL); returns its exit status, or 128
 * plus the signal that killed it.
 */
int t_run(const char *path, char *out, size_t len, char *const argv[]);

/* Print the kernel log's lines that contain @pattern (for a failure). */
void t_print_kernel_log(const char *pattern);

/* What a process of t_armers_process() could arm. */
struct t_armers {
	int consumed;		/* threads whose fork_with_pids() worked */
	int armed;		/* threads waiting with pids armed */
	int refused;		/* EAGAIN: at most one, the last one tried */
	int failed;		/* anything else */
	int no_thread;		/* pthread_create() failed */
};

/*
 * Fork a process that runs as @uid in a user and pid namespace of its own
 * (as root in the initial namespaces if @uid is 0), has @consumers threads
 * use chosen pids (consumed requests), then starts threads that arm pids
 * and wait, until one is refused or @armers wait. It writes its struct
 * t_armers to @report and exits, with its threads, once @release is
 * readable. Returns its pid.
 */
pid_t t_armers_process(uid_t uid, int consumers, int armers, int report, int release);

#endif /* CWP_T_H */
