// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * dump-tree: the checkpoint side of restore-tree. It writes a live process
 * tree, read from /proc, in restore-tree's input format: each process with
 * its pids in every pid namespace level (clone_with_pids_get(3)), its
 * parent, its threads' ids, and newpid where it is the pid 1 of a pid
 * namespace of its own.
 *
 *   dump-tree [--children] PID...
 *
 * Each PID (as the mounted /proc names it) is dumped with its descendants,
 * its parent written as '-': the restorer. With --children, PID itself is
 * left out and its children are the top of the tree (PID stands for the
 * restorer). Lists hold every level /proc shows; restore-tree must run in a
 * namespace at the same depth below /proc's (its --nest, which dump-tree
 * writes in a comment).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clone_with_pids.h"

struct ids {
	struct pid_set set;
	pid_t pids[CLONE_WITH_PIDS_MAX + 1];
};

struct proc {
	pid_t pid;		/* in /proc's pid namespace */
	pid_t ppid;
	char name[32];		/* unique in the dump */
	struct ids ids;
	int parent;		/* index, -1 if not in /proc */
	int top;		/* a task whose parent is the restorer */
	int dumped;
};

static struct proc *procs;
static int nr_procs;
static int failed;

static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "dump-tree: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* A small /proc file's contents, or -1. */
static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t len;

	if (fd < 0)
		return -1;
	len = read(fd, buf, size - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = '\0';
	return 0;
}

/* Read process @pid; 0, or -1 if it vanished. */
static int read_proc(pid_t pid, struct proc *p)
{
	char path[64], buf[4096], *s;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->parent = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	s = strstr(buf, "\nPPid:");
	if (!s)
		return -1;
	p->ppid = atoi(s + 6);
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	if (read_file(path, p->name, sizeof(p->name)))
		return -1;
	p->name[strcspn(p->name, "\n")] = '\0';
	/* A name is one field of restore-tree's format. */
	for (i = 0; p->name[i]; i++)
		if ((unsigned char)p->name[i] <= ' ' || p->name[i] == '#' || p->name[i] == 0x7f)
			p->name[i] = '_';
	if (clone_with_pids_get(pid, &p->ids.set, CLONE_WITH_PIDS_MAX + 1) < 0)
		return -1;
	return 0;
}

static void scan(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int cap = 0, i, j;

	if (!d)
		die("/proc: %s", strerror(errno));
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0)
			continue;
		if (nr_procs == cap) {
			cap = cap ? 2 * cap : 256;
			procs = realloc(procs, cap * sizeof(*procs));
			if (!procs)
				die("out of memory");
		}
		if (!read_proc(pid, &procs[nr_procs]))
			nr_procs++;
	}
	closedir(d);
	for (i = 0; i < nr_procs; i++)
		for (j = 0; j < nr_procs; j++)
			if (procs[j].pid == procs[i].ppid)
				procs[i].parent = j;
}

static int find(pid_t pid)
{
	int i;

	for (i = 0; i < nr_procs; i++)
		if (procs[i].pid == pid)
			return i;
	return -1;
}

static int by_pid(const void *a, const void *b)
{
	return *(const pid_t *)a - *(const pid_t *)b;
}

static void put_ids(const struct pid_set *set, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", set->pids[i]);
}

/*
 * The threads of process @p but its main one, in tid order, as
 * " threads=a,b/c,d".
 */
static void put_threads(const struct proc *p)
{
	pid_t tids[1024];
	int n = 0, i, first = 1;
	char path[64];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/task", p->pid);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) && n < (int)(sizeof(tids) / sizeof(tids[0]))) {
		long tid = strtol(e->d_name, NULL, 10);

		if (tid > 0 && tid != p->pid)
			tids[n++] = tid;
	}
	closedir(d);
	qsort(tids, n, sizeof(tids[0]), by_pid);
	for (i = 0; i < n; i++) {
		struct ids t;

		if (clone_with_pids_get(tids[i], &t.set, CLONE_WITH_PIDS_MAX + 1) < 0)
			continue;	/* exited meanwhile */
		printf("%s", first ? " threads=" : "/");
		put_ids(&t.set, t.set.num_pids);
		first = 0;
	}
}

/*
 * Write process @idx, then its children in pid order. @levels is the
 * number of levels of its parent's pid namespace for children.
 */
static void dump(int idx, unsigned int levels)
{
	struct proc *p = &procs[idx];
	unsigned int n = p->ids.set.num_pids;
	int newpid = 0, i;

	if (n == levels + 1 && p->ids.set.pids[n - 1] == 1) {
		newpid = 1;
		n--;
	} else if (n != levels) {
		fprintf(stderr, "dump-tree: %d (%s): %u pid levels under a parent with %u: "
			"not a tree restore-tree can make\n", p->pid, p->name, n, levels);
		failed = 1;
	}
	p->dumped = 1;
	printf("%-15s %-15s ", p->name, p->top ? "-" : procs[p->parent].name);
	put_ids(&p->ids.set, n);
	if (newpid)
		printf(" newpid");
	put_threads(p);
	printf("\n");
	for (i = 0; i < nr_procs; i++)
		if (procs[i].parent == idx && !procs[i].dumped)
			dump(i, p->ids.set.num_pids);
}

/* Make the names of the dumped processes unique: name-pid for a repeat. */
static void unique_names(void)
{
	int i, j;

	for (i = 0; i < nr_procs; i++) {
		int clash = !strcmp(procs[i].name, "-") || !procs[i].name[0];

		for (j = 0; j < i && !clash; j++)
			clash = !strcmp(procs[i].name, procs[j].name);
		if (clash) {
			char name[sizeof(procs[i].name)];

			snprintf(name, sizeof(name), "%.15s-%d", procs[i].name, procs[i].pid);
			memcpy(procs[i].name, name, sizeof(name));
		}
	}
}

/* Is @idx @root or below it? */
static int below(int idx, int root)
{
	int hops = 0;

	for (; idx >= 0 && hops < nr_procs; idx = procs[idx].parent, hops++)
		if (idx == root)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	int children = 0, i, j, nr = 0;
	unsigned int levels = 0;
	struct proc *keep;

	if (argc > 1 && !strcmp(argv[1], "--children")) {
		children = 1;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: dump-tree [--children] PID...\n");
		return 2;
	}
	scan();
	/* Keep only the trees asked for, in pid order (the scan's). */
	keep = calloc(nr_procs ? nr_procs : 1, sizeof(*keep));
	if (!keep)
		die("out of memory");
	for (i = 1; i < argc; i++) {
		char *end;
		long pid = strtol(argv[i], &end, 10);

		if (*end || pid <= 0)
			die("bad pid '%s'", argv[i]);
		if (find(pid) < 0)
			die("%ld: %s", pid, strerror(ESRCH));
	}
	for (i = 0; i < nr_procs; i++) {
		for (j = 1; j < argc; j++) {
			int root = find(atoi(argv[j]));

			if (below(i, root) && !(children && i == root))
				break;
		}
		if (j < argc)
			keep[nr++] = procs[i];
	}
	/* Parent indexes into the kept array; the tops stand on the restorer. */
	for (i = 0; i < nr; i++) {
		int parent = -1;

		for (j = 0; j < nr; j++)
			if (keep[j].pid == keep[i].ppid)
				parent = j;
		keep[i].parent = parent;
		keep[i].top = parent < 0;
		if (keep[i].top) {
			int pp = find(keep[i].ppid);
			unsigned int up = pp >= 0 ? procs[pp].ids.set.num_pids : 1;

			if (!levels)
				levels = up;
			else if (levels != up)
				die("the trees asked for hang under different pid namespace depths");
		}
	}
	free(procs);
	procs = keep;
	nr_procs = nr;
	unique_names();

	printf("# dump-tree: %d processes under a restorer at pid namespace depth %u below\n"
	       "# /proc's; restore as root from there: restore-tree --nest %u FILE\n"
	       "# name         parent          pids            options\n",
	       nr_procs, levels - 1, levels - 1);
	for (i = 0; i < nr_procs; i++)
		if (procs[i].top)
			dump(i, levels);
	if (fflush(stdout) || ferror(stdout))
		die("write: %s", strerror(errno));
	return failed;
}
