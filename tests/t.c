// SPDX-License-Identifier: GPL-2.0
#include "t.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <grp.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

void t_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "FAIL %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(T_FAIL);
}

void t_skip(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "SKIP: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(T_SKIP);
}

const char *t_fmt(const char *fmt, ...)
{
	static char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return buf;
}

struct pid_set *t_set(struct t_set *s, unsigned int n, ...)
{
	va_list ap;
	unsigned int i;

	s->set.num_pids = n;
	va_start(ap, n);
	for (i = 0; i < n && i <= CLONE_WITH_PIDS_MAX; i++)
		s->set.pids[i] = va_arg(ap, pid_t);
	va_end(ap);
	return &s->set;
}

int t_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, __WALL) < 0) {
		if (errno != EINTR)
			t_fail("waitpid(%d): %s", pid, strerror(errno));
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

void t_reap(pid_t pid)
{
	int st = t_wait(pid);

	if (st)
		t_fail("child %d exited with status %d", pid, st);
}

void t_nest(int levels)
{
	while (levels-- > 0) {
		pid_t pid;

		if (unshare(CLONE_NEWPID))
			t_fail("unshare(CLONE_NEWPID): %s", strerror(errno));
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			t_fail("fork: %s", strerror(errno));
		if (pid > 0)
			_exit(t_wait(pid));
		if (getpid() != 1)
			t_fail("nested child is pid %d, not 1", getpid());
	}
}

int t_nspid_self(pid_t *out, int max)
{
	char line[512];
	FILE *f = fopen("/proc/self/status", "r");
	int n = 0;

	if (!f)
		t_fail("/proc/self/status: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (p = line + 6; n < max; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			out[n++] = v;
		}
	}
	fclose(f);
	return n;
}

int t_pid_exists(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

int t_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	int v = 0;

	if (!f || fscanf(f, "%d", &v) != 1)
		t_fail("cannot read pid_max");
	fclose(f);
	return v;
}

static void t_capset(unsigned long long eff, unsigned long long perm)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {
		{ .effective = eff, .permitted = perm, .inheritable = 0 },
		{ .effective = eff >> 32, .permitted = perm >> 32, .inheritable = 0 },
	};

	if (syscall(SYS_capset, &hdr, data))
		t_fail("capset: %s", strerror(errno));
}

void t_drop_privileges(void)
{
	if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
	    setresuid(1000, 1000, 1000))
		t_fail("dropping to uid 1000: %s", strerror(errno));
	t_capset(0, 0);
	/* setuid cleared it; /proc/self/{uid_map,setgroups} need it. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

void t_only_caps(unsigned long long mask)
{
	/* Lower only the effective set: a later call may raise others again. */
	t_capset(mask, ~0ULL >> (63 - CAP_LAST_CAP));
}

/* The kernel command line into @buf; an empty string if unreadable. */
static void t_read_cmdline(char *buf, size_t size)
{
	int fd = open("/proc/cmdline", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, size - 1);

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
}

int t_cmdline_has(const char *word)
{
	char buf[4096];

	t_read_cmdline(buf, sizeof(buf));
	return strstr(buf, word) != NULL;
}

double t_cmdline_num(const char *key, double def)
{
	size_t len = strlen(key);
	char buf[4096], *p;

	t_read_cmdline(buf, sizeof(buf));
	for (p = buf; (p = strstr(p, key)); p += len)
		if ((p == buf || p[-1] == ' ') && p[len] == '=')
			return atof(p + len + 1);
	return def;
}

void t_clone_args(struct cwp_clone_args *a, const struct pid_set *set)
{
	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	a->flags = SIGCHLD;
	a->pid_set = (uintptr_t)set;
}

long t_ioctl_clone(const void *a)
{
	int fd = clone_with_pids_fd();
	long r;

	if (fd < 0)
		t_fail("cannot open %s: %s", CWP_DEVICE_PATH, strerror(errno));
	r = ioctl(fd, CWP_IOC_CLONE, a);
	if (r == 0)
		_exit(0);
	if (r > 0)
		t_reap(r);
	return r;
}

unsigned int t_nr_requests(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	int fd = open(CWP_DEVICE_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, CWP_IOC_QUERY, &q))
		t_fail("query: %s", strerror(errno));
	close(fd);
	return q.nr_requests;
}

void *t_stack(size_t size)
{
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

	if (p == MAP_FAILED)
		t_fail("mmap stack: %s", strerror(errno));
	return p + size;
}

void t_futex_wait_zero(volatile pid_t *addr)
{
	pid_t v;

	while ((v = *addr) != 0)
		syscall(SYS_futex, addr, FUTEX_WAIT, v, NULL, NULL, 0);
}

void t_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		t_fail("%s: %s", path, strerror(errno));
	close(fd);
}
