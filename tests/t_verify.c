// SPDX-License-Identifier: GPL-2.0
/*
 * The safety nets, with faults injected through debugfs: every clone with
 * a request is checked against the struct pid the kernel allocated,
 * before anything is visible.
 * - A diversion that misses a level once (as a CPU running stale code
 *   under QEMU did): the clone is undone and made again, through
 *   CWP_IOC_CLONE and through a plain fork() alike, and gets its pids.
 * - A diversion that misses a level every time (as on a kernel whose
 *   alloc_pid() no longer allocates through idr_alloc_cyclic()): after
 *   CWP_DIVERT_RETRIES attempts the clone fails with EOPNOTSUPP, its pids
 *   are free, and gap lists are refused until the module is loaded
 *   again; set_tid lists still work.
 * - A clone the kretprobe misses (no free instance): through the next
 *   clone it fails with EAGAIN and the pids stay armed; through
 *   CWP_IOC_CLONE, with EOPNOTSUPP. No task is created either way.
 */
#include "t.h"

#include <sys/ioctl.h>
#include <sys/wait.h>

#define DIR "/sys/kernel/debug/clone_with_pids/"

static void inject(const char *what, const char *n)
{
	t_write_file(what, n);
}

/* The calling process's pid in the initial namespace. */
static pid_t outer_pid(void)
{
	pid_t nspid[CWP_MAX_PIDS];

	return t_nspid_self(nspid, CWP_MAX_PIDS) > 0 ? nspid[0] : -1;
}

static void check_no_child(void)
{
	T_ASSERT(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "a child was created");
}

int main(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	struct t_set s;
	pid_t pid;

	t_need_debugfs(DIR "inject_miss_entry");
	t_module_reload_after();

	/* A missed kretprobe, next clone: EAGAIN, and the pids stay armed. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6770)), "next: %s", strerror(errno));
	inject(DIR "inject_miss_entry", "1");
	errno = 0;
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == -1 && errno == EAGAIN, "fork missed by the kretprobe: %d %s", pid,
		 strerror(errno));
	check_no_child();
	T_ASSERT(t_nr_requests() == 1, "%u sets armed after the missed clone", t_nr_requests());
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 6770, "the next fork: %d %s", pid, strerror(errno));
	t_reap(pid);

	/* A missed kretprobe, CWP_IOC_CLONE with a gap list: EOPNOTSUPP. */
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		pid_t c;

		t_nest(2);
		inject(DIR "inject_miss_entry", "1");
		errno = 0;
		c = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 3, 6771, 0, 70));
		if (c == 0)
			_exit(0);
		T_ASSERT(c == -1 && errno == EOPNOTSUPP, "CWP_IOC_CLONE missed: %d %s", c,
			 strerror(errno));
		check_no_child();
		T_ASSERT(!t_pid_exists(70), "pid 70 in use");

		/* The diversion misses once: made again, exact. */
		inject(DIR "inject_skip_divert", "1");
		c = fork_with_pids(t_set(&s, 3, 6775, 0, 74));
		if (c == 0)
			_exit(outer_pid() == 6775 ? 0 : 1);
		T_ASSERT(c == 74, "CWP_IOC_CLONE, one missed diversion: %d %s", c, strerror(errno));
		T_ASSERT(t_wait(c) == 0, "the child's pid in the initial namespace");
		T_ASSERT(!clone_with_pids_next(t_set(&s, 3, 6776, 0, 75)), "next: %s", strerror(errno));
		inject(DIR "inject_skip_divert", "1");
		c = fork();
		if (c == 0)
			_exit(outer_pid() == 6776 ? 0 : 1);
		T_ASSERT(c == 75, "next + fork(), one missed diversion: %d %s", c, strerror(errno));
		T_ASSERT(t_wait(c) == 0, "the child's pid in the initial namespace");

		/* It misses every time: EOPNOTSUPP, nothing left. */
		inject(DIR "inject_skip_divert", "1000");
		errno = 0;
		c = fork_with_pids(t_set(&s, 3, 6772, 0, 71));
		if (c == 0)
			_exit(0);
		T_ASSERT(c == -1 && errno == EOPNOTSUPP, "a clone whose diversion missed: %d %s", c,
			 strerror(errno));
		check_no_child();
		T_ASSERT(!t_pid_exists(71), "pid 71 in use");
		inject(DIR "inject_skip_divert", "0");

		/* Gap lists are off now; set_tid lists are not. */
		errno = 0;
		T_ASSERT(clone_with_pids_next(t_set(&s, 3, 6773, 0, 72)) == -1 && errno == EOPNOTSUPP,
			 "a gap list after a failed verification: %s", strerror(errno));
		T_ASSERT(!ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, &q), "query");
		T_ASSERT(!(q.features & CWP_FEATURE_ZERO_ANY_LEVEL), "gap lists still announced");
		c = fork_with_pids(t_set(&s, 2, 6774, 73));
		if (c == 0)
			_exit(0);
		T_ASSERT(c == 73, "a set_tid list after a failed verification: %d %s", c,
			 strerror(errno));
		t_reap(c);
		_exit(0);
	}
	t_reap(pid);
	T_ASSERT(!t_pid_exists(6771) && !t_pid_exists(6772), "pids of refused clones in use");
	T_ASSERT(t_nr_requests() == 0, "%u sets armed", t_nr_requests());
	return T_PASS;
}
