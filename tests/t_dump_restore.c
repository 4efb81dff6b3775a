// SPDX-License-Identifier: GPL-2.0
/*
 * The round trip: restore-tree makes userspace/examples/tree.txt two pid
 * namespaces deep (processes, threads, a nested pid namespace) and holds
 * it; dump-tree writes it back in restore-tree's format with every pid,
 * thread id, parent and newpid; the tree is killed, restored from the dump
 * with the same pids, dumped again, and the two dumps are identical.
 */
#include "t.h"

#include <fcntl.h>
#include <sys/wait.h>

struct run {
	pid_t pid;		/* restore-tree */
	pid_t holder;		/* its innermost process: the tree's parent */
	char out[8192];
};

/* Start restore-tree --hold on @file and wait until it holds the tree. */
static void restore(const char *file, struct run *r)
{
	const char *mark = "restore-tree has NSpid ";
	size_t n = 0;
	ssize_t got;
	char *p;
	int fd[2];

	T_ASSERT(!pipe(fd), "pipe");
	r->pid = fork();
	if (r->pid == 0) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		execl("./restore-tree", "restore-tree", "--nest", "2", "--hold", file, NULL);
		_exit(99);
	}
	close(fd[1]);
	while (!strstr(r->out, "releases it\n") && n < sizeof(r->out) - 1 &&
	       (got = read(fd[0], r->out + n, sizeof(r->out) - 1 - n)) > 0) {
		n += got;
		r->out[n] = '\0';
	}
	close(fd[0]);
	printf("restore-tree %s:\n%s", file, r->out);
	fflush(stdout);
	T_ASSERT(strstr(r->out, "restored 6 processes") && !strstr(r->out, "WRONG"),
		 "restore-tree %s failed", file);
	p = strstr(r->out, mark);
	T_ASSERT(p, "no holding line");
	r->holder = atoi(p + strlen(mark));
	T_ASSERT(r->holder > 1, "holder %d", r->holder);
}

/* dump-tree --children of the holder into @path; returns its text. */
static char *dump(const struct run *r, const char *path)
{
	static char text[2][8192];
	static int which;
	char *buf = text[which++ & 1], arg[16];
	ssize_t len;
	pid_t pid;
	int fd;

	snprintf(arg, sizeof(arg), "%d", r->holder);
	pid = fork();
	if (pid == 0) {
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(98);
		execl("./dump-tree", "dump-tree", "--children", arg, NULL);
		_exit(99);
	}
	T_ASSERT(t_wait(pid) == 0, "dump-tree --children %s failed", arg);
	fd = open(path, O_RDONLY);
	T_ASSERT(fd >= 0, "%s: %s", path, strerror(errno));
	len = read(fd, buf, sizeof(text[0]) - 1);
	close(fd);
	T_ASSERT(len > 0, "%s is empty", path);
	buf[len] = '\0';
	printf("%s:\n%s", path, buf);
	fflush(stdout);
	return buf;
}

/* Does @text have a line "@name @parent ...@tail"? */
static int has(const char *text, const char *name, const char *parent, const char *tail)
{
	char line[512];
	const char *p;

	for (p = text; *p; p = strchr(p, '\n') + 1) {
		char n[32], par[32];
		size_t len = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (sscanf(line, "%31s %31s", n, par) == 2 && !strcmp(n, name) &&
		    !strcmp(par, parent) && len >= strlen(tail) &&
		    !strcmp(line + len - strlen(tail), tail))
			return 1;
		if (!p[len])
			break;
	}
	return 0;
}

int main(void)
{
	struct run first, second;
	char *d1, *d2;

	restore("tree.txt", &first);
	d1 = dump(&first, "/tmp/dump1.txt");
	T_ASSERT(strstr(d1, "restore-tree --nest 2 FILE"), "depth");
	T_ASSERT(has(d1, "a", "-", ",102"), "a and its threads");
	T_ASSERT(strstr(d1, ",100 threads=") && strstr(d1, ",101/"), "a's ids");
	T_ASSERT(has(d1, "b", "a", ",500,200"), "b");
	T_ASSERT(has(d1, "c", "a", ",300 newpid"), "c");
	T_ASSERT(has(d1, "d", "c", ",6") && strstr(d1, ",5 threads="), "d");
	T_ASSERT(has(d1, "e", "d", ",7"), "e");
	T_ASSERT(has(d1, "f", "-", "") && strstr(d1, ",600,"), "f");

	/* Kill the tree: SIGKILL to its pid namespace's init. */
	T_ASSERT(!kill(first.holder, SIGKILL), "kill: %s", strerror(errno));
	T_ASSERT(t_wait(first.pid) != 0, "restore-tree survived SIGKILL of its tree");

	restore("/tmp/dump1.txt", &second);
	d2 = dump(&second, "/tmp/dump2.txt");
	T_ASSERT(!strcmp(d1, d2), "the dumps differ");

	/* Released, the second tree exits cleanly. */
	T_ASSERT(!kill(second.holder, SIGTERM), "kill: %s", strerror(errno));
	T_ASSERT(t_wait(second.pid) == 0, "restore-tree after SIGTERM");
	return T_PASS;
}
