// SPDX-License-Identifier: GPL-2.0
/*
 * Root can disarm every kprobe of the system through debugfs
 * (kprobes/enabled); the module's probes then do not run. Nothing may be
 * created with kernel-chosen pids for it: arming fails with EOPNOTSUPP, a
 * clone_with_pids() that needs a request (a gap list, or pids armed
 * before) fails with EOPNOTSUPP without creating a task, and no warning
 * is printed (panic_on_warn). A list the kernel takes as set_tid still
 * works. Once kprobes are enabled again, everything works.
 */
#include "t.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/wait.h>

#define ENABLED "/sys/kernel/debug/kprobes/enabled"

struct result {
	long next, fork, cwp_gap, cwp_armed, cwp_settid, children;
	int next_errno, gap_errno, armed_errno;
};

/* Everything that needs the probes, in a process two namespaces deep. */
static int probe_off_checks(int out)
{
	struct result r = { 0 };
	struct t_set s;

	t_nest(2);
	errno = 0;
	r.next = clone_with_pids_next(t_set(&s, 1, 60));
	r.next_errno = errno;
	errno = 0;
	r.cwp_gap = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 3, 6760, 0, 61));
	if (r.cwp_gap == 0)
		_exit(0);
	r.gap_errno = errno;
	r.cwp_settid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, 62));
	if (r.cwp_settid == 0)
		_exit(0);
	if (r.cwp_settid > 0)
		t_wait(r.cwp_settid);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		r.children++;
	return write(out, &r, sizeof(r)) == sizeof(r) ? 0 : 2;
}

int main(void)
{
	struct result r;
	int p[2], fd;
	pid_t pid, armed_clone;
	struct t_set s;
	int armed_errno;

	if (access("/sys/kernel/debug/kprobes", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	fd = open(ENABLED, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		t_skip("%s: %s", ENABLED, strerror(errno));
	close(fd);
	T_ASSERT(!pipe(p), "pipe");

	/* Armed while the probes run, then all kprobes disarmed. */
	T_ASSERT(!clone_with_pids_next(t_set(&s, 1, 6761)), "next: %s", strerror(errno));
	t_write_file(ENABLED, "0");
	errno = 0;
	armed_clone = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, NULL);
	if (armed_clone == 0)
		_exit(0);
	armed_errno = errno;
	pid = fork();
	if (pid == 0)
		_exit(probe_off_checks(p[1]));
	t_wait(pid);
	t_write_file(ENABLED, "1");
	T_ASSERT(read(p[0], &r, sizeof(r)) == sizeof(r), "no result");

	T_ASSERT(armed_clone == -1 && armed_errno == EOPNOTSUPP,
		 "a clone taking pids armed before, with kprobes off: %ld %s", (long)armed_clone,
		 strerror(armed_errno));
	T_ASSERT(!t_pid_exists(6761), "pid 6761 in use");
	T_ASSERT(r.next == -1 && r.next_errno == EOPNOTSUPP,
		 "clone_with_pids_next() with kprobes off: %ld %s", r.next, strerror(r.next_errno));
	T_ASSERT(r.cwp_gap == -1 && r.gap_errno == EOPNOTSUPP,
		 "a gap list with kprobes off: %ld %s", r.cwp_gap, strerror(r.gap_errno));
	T_ASSERT(r.cwp_settid == 62, "a set_tid list with kprobes off: %ld", r.cwp_settid);
	T_ASSERT(r.children == 0, "%ld unexpected children", r.children);

	/* Back on. */
	pid = fork_with_pids(t_set(&s, 1, 6762));
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 6762, "fork_with_pids with kprobes on again: %d %s", pid, strerror(errno));
	t_reap(pid);
	T_ASSERT(t_nr_requests() == 0, "%u sets armed", t_nr_requests());
	return T_PASS;
}
