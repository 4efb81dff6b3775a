// SPDX-License-Identifier: GPL-2.0
/*
 * Privilege after setns() into a pid namespace owned by another user
 * namespace: root may choose pids there and above; the unprivileged owner
 * of that user namespace (uid 1000, no capabilities in the initial one)
 * may choose pids in it after joining it and its user namespace, but not
 * in the initial namespace.
 */
#include "t.h"

#include <fcntl.h>

int main(void)
{
	int ready[2], nsfd;
	char path[64], c;
	struct t_set s;
	pid_t owner, pid;

	T_ASSERT(!pipe(ready), "pipe");
	owner = fork();
	if (owner == 0) {
		t_drop_privileges();
		if (unshare(CLONE_NEWUSER | CLONE_NEWPID))
			_exit(77);
		t_write_file("/proc/self/setgroups", "deny");
		t_write_file("/proc/self/uid_map", "0 1000 1");
		t_write_file("/proc/self/gid_map", "0 1000 1");
		if (fork() == 0) {	/* pid 1 of the new namespace */
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			pause();
			_exit(0);
		}
		pause();
		_exit(0);
	}
	if (read(ready[0], &c, 1) != 1)
		t_skip("no unprivileged user namespaces");
	/* The namespace's init is the owner's only child. */
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", owner, owner);
	{
		FILE *f = fopen(path, "r");
		int init = 0;

		T_ASSERT(f && fscanf(f, "%d", &init) == 1, "cannot find the namespace's init");
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%d/ns/pid", init);
	}

	/* Root, after setns(): every level. */
	pid = fork();
	if (pid == 0) {
		nsfd = open(path, O_RDONLY);
		if (nsfd < 0 || setns(nsfd, CLONE_NEWPID))
			_exit(2);
		pid = fork_with_pids(t_set(&s, 2, 8000, 77));
		if (pid == 0) {
			pid_t ns[4];

			_exit(t_nspid_self(ns, 4) == 2 && ns[0] == 8000 && ns[1] == 77 ? 0 : 1);
		}
		/* We live in the initial namespace: that is the pid we see. */
		if (pid != 8000)
			t_fail("root after setns: %d %s", pid, strerror(errno));
		_exit(t_wait(pid) ? 3 : 0);
	}
	t_reap(pid);

	/*
	 * The owner of the user namespace, unprivileged otherwise: it joins
	 * the user namespace (setns() into a pid namespace needs
	 * CAP_SYS_ADMIN in one's own), then the pid namespace.
	 */
	pid = fork();
	if (pid == 0) {
		char upath[64];
		int ufd;

		snprintf(upath, sizeof(upath), "%.*s/user", (int)(strrchr(path, '/') - path), path);
		t_drop_privileges();
		ufd = open(upath, O_RDONLY);
		nsfd = open(path, O_RDONLY);
		if (ufd < 0 || setns(ufd, CLONE_NEWUSER) || nsfd < 0 || setns(nsfd, CLONE_NEWPID))
			t_fail("joining the namespaces: %s", strerror(errno));
		pid = fork_with_pids(t_set(&s, 2, 0, 78));
		if (pid == 0) {
			pid_t ns[4];

			_exit(t_nspid_self(ns, 4) == 2 && ns[1] == 78 ? 0 : 1);
		}
		if (pid < 0)
			t_fail("owner after setns: %s", strerror(errno));
		if (t_wait(pid))
			_exit(3);
		pid = fork_with_pids(t_set(&s, 2, 8001, 79));
		if (pid == 0)
			_exit(0);
		_exit(pid == -1 && errno == EPERM ? 0 : 4);
	}
	t_reap(pid);
	kill(owner, SIGKILL);
	t_wait(owner);
	return T_PASS;
}
