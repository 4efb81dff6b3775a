// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * restore-tree: an example restorer. It reads a process tree, recreates
 * it with the pids and thread ids it lists in every pid namespace, checks
 * every pid and tid from inside each task, and prints the tree with the
 * NSpid values read back from /proc.
 *
 *   restore-tree [--nest N] [--no-reserve] [--hold] FILE
 *
 * FILE has one task per line, parents before their children:
 *
 *   # name  parent  pids                options
 *   a       -       0,0,100             threads=0,0,101/0,0,102
 *   c       a       0,0,300             newpid
 *   d       c       0,0,0,5
 *
 * pids is the list of clone_with_pids(3): oldest pid namespace first,
 * aligned to the namespace the parent's children go to, 0 where the kernel
 * chooses. newpid gives the task a new pid namespace (where it is pid 1),
 * in which its own children are then created. threads= lists the pid
 * lists of its threads, separated by '/'. A parent of '-' is the restorer,
 * which --nest N first moves N pid namespaces deep. --hold keeps the
 * tree alive after the report, until restore-tree gets SIGTERM or SIGINT
 * (dump-tree can then read it back).
 *
 * Before creating anything, restore-tree reserves every pid of the tree
 * in the pid namespaces that exist (clone_with_pids_reserve(3)): if one
 * is taken it says which and stops, with nothing created; otherwise every
 * task gets its pids whatever else forks meanwhile. --no-reserve skips
 * that step (as does a module without reservations, or none at all).
 * Each process then arms the pids of its threads and of its children
 * with one call (clone_with_pids_next_list(3)) and creates them with
 * plain pthread_create() and fork(); children that start a pid namespace
 * come after, each with its own call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clone_with_pids.h"

#define MAX_TASKS	64
#define MAX_THREADS	16

struct ids {
	struct pid_set set;
	pid_t pids[CLONE_WITH_PIDS_MAX + 1];	/* a newpid task's own level too */
};

struct task {
	char name[32];
	int parent;			/* index, -1 for the restorer */
	int newpid;
	struct ids pids;
	int nr_threads;
	struct ids threads[MAX_THREADS];
};

static struct task tasks[MAX_TASKS];
static int nr_tasks;
static int report_fd;		/* write end: one line per task, atomic */
static int release_fd;		/* read end: EOF when every task reported */
static int release_wfd;		/* its write end: the restorer's alone */
static int report_rfd;

static int current_task = -1;	/* the task this process restores */

/*
 * Give up. In a restored task, first report the failure in place of the
 * task's line, so that the restorer does not wait for it.
 */
static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "restore-tree: %s\n", msg);
	if (current_task >= 0) {
		char line[600];
		int len = snprintf(line, sizeof(line), "%d P FAILED: %s  WRONG\n", current_task, msg);

		if (write(report_fd, line, len) < 0)
			_exit(1);
		_exit(1);
	}
	exit(1);
}

static int parse_ids(const char *s, struct ids *ids)
{
	char *end;

	ids->set.num_pids = 0;
	for (;;) {
		long v = strtol(s, &end, 10);

		if (end == s || v < 0 || ids->set.num_pids == CLONE_WITH_PIDS_MAX)
			return -1;
		ids->set.pids[ids->set.num_pids++] = v;
		if (*end != ',')
			return *end ? -1 : 0;
		s = end + 1;
	}
}

static void parse(FILE *f)
{
	char line[1024];
	int lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		char *save, *tok, *name, *parent, *pids;
		struct task *t;
		int i;

		lineno++;
		line[strcspn(line, "#\n")] = '\0';
		name = strtok_r(line, " \t", &save);
		if (!name)
			continue;
		parent = strtok_r(NULL, " \t", &save);
		pids = strtok_r(NULL, " \t", &save);
		if (!parent || !pids || nr_tasks == MAX_TASKS)
			die("line %d: expected: name parent pids [options]", lineno);
		t = &tasks[nr_tasks];
		snprintf(t->name, sizeof(t->name), "%s", name);
		t->parent = -1;
		if (strcmp(parent, "-")) {
			for (i = 0; i < nr_tasks && strcmp(tasks[i].name, parent); i++)
				;
			if (i == nr_tasks)
				die("line %d: parent %s not defined before", lineno, parent);
			t->parent = i;
		}
		if (parse_ids(pids, &t->pids))
			die("line %d: bad pid list '%s'", lineno, pids);
		while ((tok = strtok_r(NULL, " \t", &save))) {
			if (!strcmp(tok, "newpid")) {
				t->newpid = 1;
			} else if (!strncmp(tok, "threads=", 8)) {
				char *save2, *one;

				for (one = strtok_r(tok + 8, "/", &save2); one;
				     one = strtok_r(NULL, "/", &save2)) {
					if (t->nr_threads == MAX_THREADS ||
					    parse_ids(one, &t->threads[t->nr_threads++]))
						die("line %d: bad threads '%s'", lineno, one);
				}
			} else {
				die("line %d: unknown option '%s'", lineno, tok);
			}
		}
		nr_tasks++;
	}
}

/* Do the non-zero entries of @want match @got, aligned at the end? */
static int ids_match(const struct ids *want, const pid_t *got, int n)
{
	int i, off = n - (int)want->set.num_pids;

	if (off < 0)
		return 0;
	for (i = 0; i < (int)want->set.num_pids; i++)
		if (want->set.pids[i] && want->set.pids[i] != got[off + i])
			return 0;
	return 1;
}

/*
 * The calling thread's pids (clone_with_pids_get(3)) in @ids, and as
 * NSpid shows them in @text. Returns how many, or -1.
 */
static int read_nspid(struct ids *ids, char *text, size_t len)
{
	int n = clone_with_pids_get(0, &ids->set, CLONE_WITH_PIDS_MAX + 1);
	size_t off = 0;
	int i;

	text[0] = '\0';
	for (i = 0; i < n && off < len; i++)
		off += snprintf(text + off, len - off, "%s%d", i ? " " : "", ids->set.pids[i]);
	return n;
}

struct thread_arg {
	const struct ids *want;
	char nspid[512];
	int ok;
	pthread_barrier_t *ready;
};

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	struct ids got;
	int n = read_nspid(&got, a->nspid, sizeof(a->nspid));

	a->ok = n > 0 && ids_match(a->want, got.pids, n) &&
		got.pids[n - 1] == (pid_t)syscall(SYS_gettid);
	pthread_barrier_wait(a->ready);
	for (;;)
		pause();	/* lives until the process exits */
	return NULL;
}

static void run_task(int idx);

/*
 * Arm, with one call, the pids of the threads of @t (NULL for the
 * restorer) and of the children of @parent that stay in our pid
 * namespace, in the order create_children() makes them: threads first.
 * Returns 1 if armed; 0 if there is nothing to batch or the module
 * cannot (none, or one without lists: each is then armed on its own).
 */
static int arm_batch(const struct task *t, int parent)
{
	static const struct pid_set *list[MAX_THREADS + MAX_TASKS];
	unsigned int err_set;
	int n = 0, i;

	for (i = 0; t && i < t->nr_threads; i++)
		list[n++] = &t->threads[i].set;
	for (i = 0; i < nr_tasks; i++)
		if (tasks[i].parent == parent && !tasks[i].newpid)
			list[n++] = &tasks[i].pids.set;
	if (n < 2)
		return 0;
	if (!clone_with_pids_next_list(list, n, &err_set))
		return 1;
	if (errno == ENODEV || errno == ENOTTY || errno == EOPNOTSUPP)
		return 0;
	die("%s: arming %d pid sets: set %u: %s", t ? t->name : "restorer", n, err_set,
	    strerror(errno));
}

/*
 * Create task @idx as a child of the calling process; @armed: its pids
 * are armed already (arm_batch()).
 */
static pid_t spawn(int idx, int armed)
{
	struct task *t = &tasks[idx];
	struct ids ext = t->pids;
	pid_t pid;
	int fd;

	if (!t->newpid) {
		pid = armed ? fork() : fork_with_pids(&t->pids.set);
		if (pid == 0)
			run_task(idx);
		return pid;
	}
	/*
	 * fork() cannot pass CLONE_NEWPID: move our namespace for children
	 * to a new one, fork into it as its pid 1 (the list gains that
	 * level), and come back.
	 */
	fd = open("/proc/self/ns/pid_for_children", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || unshare(CLONE_NEWPID))
		die("%s: new pid namespace: %s", t->name, strerror(errno));
	ext.set.pids[ext.set.num_pids++] = 1;
	pid = fork_with_pids(&ext.set);
	if (pid == 0)
		run_task(idx);
	if (setns(fd, CLONE_NEWPID))
		die("%s: back to our pid namespace: %s", t->name, strerror(errno));
	close(fd);
	return pid;
}

/*
 * Create the children of @parent (-1: the restorer's), their pids in
 * @kids; @batched: arm_batch() armed those that stay in our pid
 * namespace, which come first. Returns how many.
 */
static int create_children(int parent, int batched, pid_t *kids)
{
	int n = 0, pass, i;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nr_tasks; i++) {
			if (tasks[i].parent != parent || tasks[i].newpid != pass)
				continue;
			kids[n] = spawn(i, batched && !pass);
			if (kids[n] < 0)
				die("%s: creating %s: %s",
				    parent < 0 ? "restorer" : tasks[parent].name,
				    tasks[i].name, strerror(errno));
			n++;
		}
	}
	return n;
}

static void run_task(int idx)
{
	struct task *t = &tasks[idx];
	struct thread_arg args[MAX_THREADS];
	pthread_barrier_t ready;
	struct ids got;
	char nspid[512], line[4096];
	pid_t kids[MAX_TASKS];
	int nkids, i, n, ok, len, batched;
	char c;

	current_task = idx;
	close(release_wfd);
	close(report_rfd);
	prctl(PR_SET_NAME, t->name, 0, 0, 0);
	n = read_nspid(&got, nspid, sizeof(nspid));
	ok = n > 0 && ids_match(&t->pids, got.pids, n - t->newpid) &&
	     (!t->newpid || (got.pids[n - 1] == 1 && getpid() == 1));

	batched = arm_batch(t, idx);
	pthread_barrier_init(&ready, NULL, t->nr_threads + 1);
	for (i = 0; i < t->nr_threads; i++) {
		pthread_t th;

		args[i].want = &t->threads[i];
		args[i].ready = &ready;
		if ((!batched && clone_with_pids_next(&t->threads[i].set)) ||
		    pthread_create(&th, NULL, thread_main, &args[i]))
			die("%s: thread %d: %s", t->name, i, strerror(errno));
	}
	pthread_barrier_wait(&ready);

	len = snprintf(line, sizeof(line), "%d P NSpid: %s%s%s", idx, nspid,
		       t->newpid ? " (new pid namespace)" : "", ok ? "" : "  WRONG");
	for (i = 0; i < t->nr_threads; i++) {
		len += snprintf(line + len, sizeof(line) - len, "\n%d T thread NSpid: %s%s", idx,
				args[i].nspid, args[i].ok ? "" : "  WRONG");
	}
	nkids = create_children(idx, batched, kids);
	snprintf(line + len, sizeof(line) - len, "\n");
	if (write(report_fd, line, strlen(line)) < 0)
		die("report: %s", strerror(errno));

	/* Everybody stays alive until the whole tree was reported. */
	while (read(release_fd, &c, 1) > 0)
		;
	for (i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
	_exit(0);
}

/*
 * The pids of @ids, a list aligned to a namespace @depth levels deep (the
 * number of its levels), at the @base levels that exist now: a set aligned
 * to the restorer's namespace for children. Returns how many are chosen.
 */
static int existing_levels(const struct ids *ids, int depth, int base, struct ids *out)
{
	int m, j, chosen = 0;

	out->set.num_pids = base;
	for (m = 0; m < base; m++) {
		j = m - (depth - (int)ids->set.num_pids);
		out->set.pids[m] = j >= 0 && j < (int)ids->set.num_pids ? ids->set.pids[j] : 0;
		chosen += !!out->set.pids[m];
	}
	return chosen;
}

/*
 * Reserve every pid of the tree at the levels that exist now: all of
 * them, or stop with nothing created. Returns 0, or -1 when this module
 * has no reservations (the tree is then made without).
 */
static int reserve_tree(void)
{
	static struct ids sets[MAX_TASKS * (MAX_THREADS + 1)];
	static const struct pid_set *ptrs[MAX_TASKS * (MAX_THREADS + 1)];
	static const char *who[MAX_TASKS * (MAX_THREADS + 1)];
	int depth[MAX_TASKS], n = 0, base, i, k;
	unsigned int bs, bi;
	struct ids self;

	base = clone_with_pids_get(0, &self.set, CLONE_WITH_PIDS_MAX + 1);
	if (base < 0)
		die("clone_with_pids_get: %s", strerror(errno));
	for (i = 0; i < nr_tasks; i++) {
		/* The depth of the namespace the task's list is aligned to. */
		int d = tasks[i].parent < 0 ? base :
			depth[tasks[i].parent] + tasks[tasks[i].parent].newpid;

		depth[i] = d;
		if (existing_levels(&tasks[i].pids, d, base, &sets[n])) {
			who[n] = tasks[i].name;
			ptrs[n] = &sets[n].set;
			n++;
		}
		for (k = 0; k < tasks[i].nr_threads; k++)
			if (existing_levels(&tasks[i].threads[k], d + tasks[i].newpid, base,
					    &sets[n])) {
				who[n] = tasks[i].name;
				ptrs[n] = &sets[n].set;
				n++;
			}
	}
	if (!n)
		return 0;
	if (!clone_with_pids_reserve(ptrs, n, &bs, &bi)) {
		printf("reserved the pids of %d tasks and threads\n", n);
		return 0;
	}
	if (errno == EBUSY && bs < (unsigned int)n)
		die("pid %d (level %u) of %s is taken: nothing created",
		    sets[bs].set.pids[bi], bi, who[bs]);
	if (errno == ENODEV || errno == EOPNOTSUPP || errno == ENOTTY) {
		fprintf(stderr, "restore-tree: no reservations (%s): restoring without\n",
			strerror(errno));
		return -1;
	}
	die("reserving the tree's pids: %s", strerror(errno));
}

static void nest(int levels)
{
	while (levels-- > 0) {
		int status;
		pid_t pid;

		if (unshare(CLONE_NEWPID))
			die("unshare: %s", strerror(errno));
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid > 0) {
			waitpid(pid, &status, 0);
			exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
		}
	}
}

static void on_alarm(int sig)
{
}

static volatile sig_atomic_t released;

static void on_release(int sig)
{
	released = 1;
}

/* --hold: say where the tree hangs, wait for SIGTERM or SIGINT. */
static void hold(void)
{
	struct sigaction sa = { .sa_handler = on_release };
	sigset_t block, old;
	struct ids self;
	char nspid[512];

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	alarm(0);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (read_nspid(&self, nspid, sizeof(nspid)) < 0)
		die("clone_with_pids_get: %s", strerror(errno));
	printf("holding the tree: restore-tree has NSpid %s; SIGTERM releases it\n", nspid);
	fflush(stdout);
	while (!released)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* Task order, a task's own line before its threads'. */
static int by_index(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int d = atoi(x) - atoi(y);

	if (d)
		return d;
	return strchr(x, ' ')[1] - strchr(y, ' ')[1];	/* 'P' < 'T' */
}

int main(int argc, char **argv)
{
	int report[2], release[2], levels = 0, i, done = 0, wrong = 0, holding = 0, reserve = 1;
	pid_t roots[MAX_TASKS];
	char buf[65536], *lines[MAX_TASKS * (MAX_THREADS + 1)];
	size_t len = 0;
	int nlines = 0;
	ssize_t r;
	FILE *f;

	if (argc >= 4 && !strcmp(argv[1], "--nest")) {
		levels = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc >= 3 && !strcmp(argv[1], "--no-reserve")) {
		reserve = 0;
		argv++;
		argc--;
	}
	if (argc == 3 && !strcmp(argv[1], "--hold")) {
		holding = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: restore-tree [--nest N] [--no-reserve] [--hold] FILE\n");
		return 2;
	}
	f = fopen(argv[1], "r");
	if (!f)
		die("%s: %s", argv[1], strerror(errno));
	parse(f);
	fclose(f);

	nest(levels);
	if (reserve)
		reserve_tree();
	if (pipe(report) || pipe(release))
		die("pipe: %s", strerror(errno));
	report_fd = report[1];
	report_rfd = report[0];
	release_fd = release[0];
	release_wfd = release[1];

	create_children(-1, arm_batch(NULL, -1), roots);
	close(report[1]);
	close(release[0]);

	/*
	 * One report per task, each a single write() of whole lines. A task
	 * that failed early leaves its descendants unborn: give up after a
	 * while (the tree then sees the release pipe close, and exits).
	 */
	{
		struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */

		sigaction(SIGALRM, &sa, NULL);
		alarm(60);
	}
	while (done < nr_tasks && (r = read(report[0], buf + len, sizeof(buf) - 1 - len)) > 0) {
		char *p;

		len += r;
		buf[len] = '\0';
		done = 0;
		for (p = buf; (p = strstr(p, " P ")); p++)
			done++;
	}
	buf[len] = '\0';
	for (char *p = strtok(buf, "\n"); p && nlines < (int)(sizeof(lines) / sizeof(lines[0]));
	     p = strtok(NULL, "\n"))
		lines[nlines++] = p;
	qsort(lines, nlines, sizeof(lines[0]), by_index);
	for (i = 0; i < nlines; i++) {
		int idx = atoi(lines[i]);
		char *kind = strchr(lines[i], ' ') + 1;
		int depth = 0, p;

		for (p = tasks[idx].parent; p >= 0; p = tasks[p].parent)
			depth++;
		if (strstr(kind, "WRONG"))
			wrong++;
		if (*kind == 'T')
			printf("%*s  %s\n", 2 * depth, "", kind + 2);
		else
			printf("%*s%-6s %s\n", 2 * depth, "", tasks[idx].name, kind + 2);
	}
	if (holding && !wrong && done == nr_tasks) {
		printf("restored %d processes, every pid and tid verified\n", nr_tasks);
		hold();
	}
	close(release[1]);	/* let the tree exit */
	while (wait(NULL) > 0)
		;
	if (wrong || done < nr_tasks) {
		fprintf(stderr, "restore-tree: %d wrong, %d of %d tasks reported\n", wrong, done, nr_tasks);
		return 1;
	}
	if (!holding)
		printf("restored %d processes, every pid and tid verified\n", nr_tasks);
	return 0;
}
