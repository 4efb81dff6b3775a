// SPDX-License-Identifier: GPL-2.0
/*
 * Audit may record every system call: with audit enabled, a new task has
 * an audit context, the module reports the monitor and creates no task
 * for it (CWP_IOC_CLONE: EPERM), and clone_with_pids() still gives the
 * chosen pid through a real clone() system call. Afterwards a task,never
 * rule and audit disabled again leave later tasks unmonitored (audit
 * cannot be turned off for tasks that exist, so this test runs last).
 */
#include "t.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* Send one audit request and wait for its acknowledgement. */
static int audit_request(int type, const void *data, size_t len)
{
	struct {
		struct nlmsghdr h;
		char data[1024];
	} req = { 0 }, ack;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int fd, err = -1;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return -errno;
	req.h.nlmsg_len = NLMSG_LENGTH(len);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = 1;
	memcpy(NLMSG_DATA(&req.h), data, len);
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = recv(fd, &ack, sizeof(ack), 0);

		if (n < 0) {
			err = -errno;
			break;
		}
		if (ack.h.nlmsg_type == NLMSG_ERROR) {
			err = ((struct nlmsgerr *)NLMSG_DATA(&ack.h))->error;
			break;
		}
	}
out:
	close(fd);
	return err;
}

static int audit_enable(int on)
{
	struct audit_status st = { .mask = AUDIT_STATUS_ENABLED, .enabled = on };

	return audit_request(AUDIT_SET, &st, sizeof(st));
}

/* -a (or -d) task,never: new tasks get no audit context. */
static int audit_task_never(int add)
{
	struct audit_rule_data r = { .flags = AUDIT_FILTER_TASK, .action = AUDIT_NEVER };
	int err = audit_request(add ? AUDIT_ADD_RULE : AUDIT_DEL_RULE, &r, sizeof(r));

	return add && err == -EEXIST ? 0 : err;
}

/*
 * In a new task: the monitors the module reports, and a clone through the
 * library. Pids of the initial namespace: one can be held for a moment by
 * a process of the VM's own (EBUSY), so up to four of each are tried,
 * @want to @want + 3 for the ioctl, @want + 4 to @want + 7 for the library.
 * Returns 0, or the step that failed (6: the ioctl made another pid, 3: the
 * library did not make the pid asked for; *@got says which it made).
 */
static int child_check(unsigned int *mon, int *direct_errno, int *lib_errno, pid_t *got,
		       pid_t want)
{
	struct cwp_query q = { .size = sizeof(q) };
	struct cwp_clone_args a;
	struct t_set s;
	pid_t pid = -1;
	int i;

	if (ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, &q))
		return 2;
	*mon = q.monitors;
	for (i = 0; i < 4; i++) {
		t_clone_args(&a, t_set(&s, 1, want + i));
		errno = 0;
		pid = t_ioctl_clone(&a);
		*direct_errno = pid < 0 ? errno : 0;
		if (pid >= 0 || errno != EBUSY)
			break;
	}
	if (pid > 0 && pid != want + i) {
		*got = pid;
		return 6;
	}
	for (i = 0; i < 4; i++) {
		errno = 0;
		pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, t_set(&s, 1, want + 4 + i));
		if (pid == 0)
			_exit(0);
		*lib_errno = pid < 0 ? errno : 0;
		if (pid >= 0 || errno != EBUSY)
			break;
	}
	*got = pid;
	if (pid != want + 4 + i)
		return 3;
	return t_wait(pid) ? 4 : 0;
}

struct result {
	unsigned int mon;
	int direct_errno, lib_errno, rc;
	pid_t got;
};

static struct result run_child(pid_t want)
{
	struct result r = { 0 };
	int p[2];
	pid_t pid;

	T_ASSERT(!pipe(p), "pipe");
	pid = fork();
	T_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		r.rc = child_check(&r.mon, &r.direct_errno, &r.lib_errno, &r.got, want);
		_exit(write(p[1], &r, sizeof(r)) == sizeof(r) ? 0 : 5);
	}
	t_reap(pid);
	T_ASSERT(read(p[0], &r, sizeof(r)) == sizeof(r), "no result");
	close(p[0]);
	close(p[1]);
	return r;
}

int main(void)
{
	struct result on, off;
	int err;

	audit_task_never(0);	/* left by an earlier run */
	err = audit_enable(1);
	if (err == -EPROTONOSUPPORT || err == -ECONNREFUSED || err == -EAFNOSUPPORT)
		t_skip("no audit in this kernel (%s)", strerror(-err));
	T_ASSERT(!err, "enabling audit: %s", strerror(-err));
	on = run_child(6740);

	err = audit_task_never(1);
	audit_enable(0);
	T_ASSERT(!err, "adding the task,never rule: %s", strerror(-err));
	off = run_child(6750);

	printf("stat: audit on: monitors %#x, CWP_IOC_CLONE %s; off: monitors %#x\n", on.mon,
	       strerror(on.direct_errno), off.mon);
	T_ASSERT(on.mon & CWP_MONITOR_AUDIT, "audit on: monitors %#x", on.mon);
	T_ASSERT(on.direct_errno == EPERM, "audit on: CWP_IOC_CLONE gave %s",
		 strerror(on.direct_errno));
	T_ASSERT(on.rc == 0, "audit on: step %d failed (pid %d, %s)", on.rc, (int)on.got,
		 strerror(on.lib_errno));
	T_ASSERT(!(off.mon & CWP_MONITOR_AUDIT), "audit off: monitors %#x", off.mon);
	T_ASSERT(off.direct_errno == 0 && off.rc == 0, "audit off: %s, step %d (pid %d, %s)",
		 strerror(off.direct_errno), off.rc, (int)off.got, strerror(off.lib_errno));
	return T_PASS;
}
