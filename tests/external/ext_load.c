// SPDX-License-Identifier: GPL-2.0
/*
 * The background load of make check-external: while the kernel's own tests
 * and stress-ng run, keep the module's probes live and busy.
 *
 *   ext_load run DIR [DELAY_MS [LO [HI]]]
 *	In a new pid namespace (two levels: the initial one and this one):
 *	an "armer" arms a list with a gap, {3000, 0}, and keeps it armed
 *	without ever cloning, so the idr_alloc_cyclic() diversion probe stays
 *	enabled for every fork of the system and the kernel_clone()
 *	kretprobe's handler runs; a "creator" creates processes with pids
 *	LO..HI (3100..3163) chosen at both levels, in a loop, round-robin
 *	over four paths: fork_with_pids() {p, p}, clone_with_pids_next()
 *	{p, 0} + fork() (the diversion), clone_with_pids() {p, p} and
 *	clone_with_pids() {p, 0}. Every child reads its NSpid and exits 3 if
 *	a chosen level differs. DIR/ready appears when both run; they stop
 *	when DIR/stop appears. Then the creator proves that every pid of
 *	LO..HI can be had again in its namespace (clone3() set_tid), and
 *	the verdict is printed as "load: ..." lines. Exit 0 when no chosen
 *	pid was wrong and no creation failed but with EBUSY (a pid of the
 *	initial namespace held by another process: the tests running
 *	beside).
 *
 *   ext_load check [LO [HI]]
 *	After the load: the module holds no request (CWP_IOC_QUERY
 *	nr_requests == 0), and every pid of LO..HI and the armer's 3000 can
 *	be had again in the initial pid namespace (clone3() set_tid), or is
 *	held by a live process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/clone_with_pids.h>

#include "clone_with_pids.h"

#define ARMED_PID	3000
#define METHODS		4

struct set2 {
	struct pid_set set;
	pid_t pids[2];
};

static const char *dir;
static int delay_ms = 20;
static pid_t lo = 3100, hi = 3163;

static const char *const method_name[METHODS] = {
	"fork_with_pids{p,p}",
	"next{p,0}+fork",
	"clone_with_pids{p,p}",
	"clone_with_pids{p,0}",
};

struct tally {
	unsigned long ok[METHODS];
	unsigned long wrong[METHODS];
	unsigned long busy[METHODS];
	unsigned long err[METHODS];
};

static int stopped(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/stop", dir);
	return access(path, F_OK) == 0;
}

static void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static void touch(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* In the child: exit 0 if the chosen levels are the pids it has. */
static void child_check(pid_t outer, pid_t inner)
{
	struct {
		struct pid_set set;
		pid_t pids[4];
	} s;
	int n = clone_with_pids_get(0, &s.set, 4);
	const pid_t *ns = s.set.pids;

	if (n != 2 || (outer && ns[0] != outer) || (inner && ns[1] != inner) ||
	    (inner && getpid() != inner))
		_exit(3);
	_exit(0);
}

static long clone3_set_tid(pid_t pid)
{
	struct clone_args args;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	args.set_tid = (uintptr_t)&pid;
	args.set_tid_size = 1;
	return syscall(SYS_clone3, &args, sizeof(args));
}

/* Can @pid be had in the caller's namespace? 1 yes, 0 held, -errno no. */
static int pid_free_again(pid_t pid)
{
	long r = clone3_set_tid(pid);

	if (r == 0)
		_exit(0);
	if (r > 0) {
		if (wait_status(r) != 0)
			return -ECHILD;
		return r == pid ? 1 : -ERANGE;
	}
	if (errno == EEXIST && (kill(pid, 0) == 0 || errno == EPERM))
		return 0;
	return -errno;
}

static int creator(void)
{
	struct tally t;
	unsigned long i, reported = 0, bad = 0;
	int m;

	memset(&t, 0, sizeof(t));
	touch("creator");
	for (i = 0; !stopped(); i++) {
		/* Each pid by the four methods in turn. */
		pid_t p = lo + (i / METHODS) % (hi - lo + 1), pid, inner;
		struct set2 s = { { 2 }, { p, p } };
		int st, e;

		m = i % METHODS;
		inner = (m == 0 || m == 2) ? p : 0;
		s.pids[1] = inner;
		switch (m) {
		case 0:
			pid = fork_with_pids(&s.set);
			break;
		case 1:
			if (clone_with_pids_next(&s.set)) {
				pid = -1;
				break;
			}
			pid = fork();
			break;
		default:
			pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, &s.set);
			break;
		}
		if (pid == 0)
			child_check(p, inner);
		e = errno;
		if (pid < 0) {
			if (e == EBUSY) {
				t.busy[m]++;
			} else {
				t.err[m]++;
				if (reported++ < 10)
					printf("load: %s pid %d: %s\n", method_name[m], p, strerror(e));
			}
			/* A pid of the request left armed would make the next
			 * clone wrong: the next request replaces it anyway. */
			clone_with_pids_next(NULL);
		} else {
			st = wait_status(pid);
			if (st == 0 && (!inner || pid == inner)) {
				t.ok[m]++;
			} else {
				t.wrong[m]++;
				if (reported++ < 10)
					printf("load: %s pid %d: child %d exit %d (wrong pid)\n",
					       method_name[m], p, pid, st);
			}
		}
		if (delay_ms)
			msleep(delay_ms);
	}
	for (m = 0; m < METHODS; m++) {
		printf("load: %-22s exact %lu wrong %lu busy %lu error %lu\n", method_name[m],
		       t.ok[m], t.wrong[m], t.busy[m], t.err[m]);
		bad += t.wrong[m] + t.err[m];
		if (!t.ok[m]) {
			printf("load: %s never created a process\n", method_name[m]);
			bad++;
		}
	}
	/* Every pid of the range can be had again in this namespace. */
	for (pid_t p = lo; p <= hi; p++) {
		int r = pid_free_again(p);

		if (r != 1) {
			printf("load: pid %d of the load's namespace not free again: %s\n", p,
			       r ? strerror(-r) : "held");
			bad++;
		}
	}
	printf("load: creations %lu, range %d-%d free again in the load's namespace\n", i,
	       lo, hi);
	fflush(stdout);
	return bad ? 1 : 0;
}

static int armer(int fd)
{
	struct set2 s = { { 2 }, { ARMED_PID, 0 } };
	int e = 0;

	if (clone_with_pids_next(&s.set))
		e = errno;
	if (write(fd, &e, sizeof(e)) != sizeof(e))
		return 2;
	close(fd);
	if (e)
		return 2;
	/* Never clone: the list stays armed until the exit drops it. */
	while (!stopped())
		msleep(100);
	return 0;
}

static int ns_init(void)
{
	int pfd[2], e = -1, st_armer, st_creator;
	pid_t a, c;

	if (pipe(pfd))
		return 2;
	a = fork();
	if (a < 0)
		return 2;
	if (a == 0) {
		close(pfd[0]);
		_exit(armer(pfd[1]));
	}
	close(pfd[1]);
	if (read(pfd[0], &e, sizeof(e)) != sizeof(e) || e) {
		printf("load: arming {%d, 0} failed: %s\n", ARMED_PID,
		       e > 0 ? strerror(e) : "no answer");
		fflush(stdout);
		return 2;
	}
	fflush(stdout);
	c = fork();
	if (c < 0)
		return 2;
	if (c == 0)
		_exit(creator());
	touch("ready");
	/* pid 1 of the namespace: reap whatever is reparented here. */
	st_armer = st_creator = -1;
	for (;;) {
		int status;
		pid_t w = wait(&status);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (w == a)
			st_armer = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (w == c)
			st_creator = WIFEXITED(status) ? WEXITSTATUS(status) :
				128 + WTERMSIG(status);
	}
	if (st_armer)
		printf("load: the armer exited %d\n", st_armer);
	if (st_creator)
		printf("load: the creator exited %d\n", st_creator);
	return st_armer || st_creator ? 1 : 0;
}

static int run(void)
{
	pid_t pid;
	int st;

	if (clone_with_pids_fd() < 0) {
		printf("load: %s: %s\n", CWP_DEVICE_PATH, strerror(errno));
		return 2;
	}
	if (unshare(CLONE_NEWPID)) {
		printf("load: unshare(CLONE_NEWPID): %s\n", strerror(errno));
		return 2;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0)
		_exit(ns_init());
	st = wait_status(pid);
	printf("load: verdict %s\n", st ? "FAIL" : "PASS");
	return st;
}

static int check(void)
{
	struct cwp_query q;
	int fd = clone_with_pids_fd(), bad = 0, held = 0;

	if (fd < 0) {
		printf("check: %s: %s\n", CWP_DEVICE_PATH, strerror(errno));
		return 1;
	}
	memset(&q, 0, sizeof(q));
	q.size = sizeof(q);
	if (ioctl(fd, CWP_IOC_QUERY, &q)) {
		printf("check: CWP_IOC_QUERY: %s\n", strerror(errno));
		return 1;
	}
	printf("check: nr_requests %u mem_bytes %llu\n", q.nr_requests,
	       (unsigned long long)q.mem_bytes);
	if (q.nr_requests)
		bad++;
	for (pid_t p = lo - 1; p <= hi; p++) {
		pid_t pid = p < lo ? ARMED_PID : p;
		int r = pid_free_again(pid);

		if (r == 0)
			held++;
		if (r < 0) {
			printf("check: pid %d not free again in the initial namespace: %s\n", pid,
			       strerror(-r));
			bad++;
		}
	}
	printf("check: pids %d and %d-%d free again in the initial namespace (%d held by live processes)\n",
	       ARMED_PID, lo, hi, held);
	printf("check: %s\n", bad ? "FAIL" : "PASS");
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "run")) {
		dir = argv[2];
		if (argc > 3)
			delay_ms = atoi(argv[3]);
		if (argc > 4)
			lo = atoi(argv[4]);
		if (argc > 5)
			hi = atoi(argv[5]);
		return run();
	}
	if (argc >= 2 && !strcmp(argv[1], "check")) {
		if (argc > 2)
			lo = atoi(argv[2]);
		if (argc > 3)
			hi = atoi(argv[3]);
		return check();
	}
	fprintf(stderr, "usage: ext_load run DIR [DELAY_MS [LO [HI]]] | ext_load check [LO [HI]]\n");
	return 2;
}
