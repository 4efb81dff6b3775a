// SPDX-License-Identifier: GPL-2.0
#include "t.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <grp.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/klog.h>
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

static void t_on_fault(int sig)
{
	_exit(100 + sig);
}

void t_catch_faults(void)
{
	signal(SIGILL, t_on_fault);
	signal(SIGSEGV, t_on_fault);
	signal(SIGBUS, t_on_fault);
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
	struct t_set s;
	int n = clone_with_pids_get(0, &s.set, CLONE_WITH_PIDS_MAX + 1);

	if (n < 0)
		t_fail("clone_with_pids_get(0): %s", strerror(errno));
	if (n > max)
		n = max;
	memcpy(out, s.set.pids, n * sizeof(pid_t));
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

/* In the child of a clone for @set: exit 0 if it has @set's pids. */
static void t_child_exact(const struct pid_set *set)
{
	struct t_set got;
	int n = clone_with_pids_get(0, &got.set, CLONE_WITH_PIDS_MAX + 1);

	if (n < (int)set->num_pids)
		_exit(2);
	for (unsigned int i = 0; i < set->num_pids; i++)
		if (set->pids[i] && got.set.pids[n - set->num_pids + i] != set->pids[i])
			_exit(3);
	_exit(0);
}

/* In the parent: @pid is the child created for @set, exact. */
static int t_parent_exact(const struct pid_set *set, pid_t pid, const char *how)
{
	if (pid < 0)
		return -1;
	T_ASSERT(!set->pids[set->num_pids - 1] || pid == set->pids[set->num_pids - 1],
		 "%s gave %d", how, pid);
	T_ASSERT(t_wait(pid) == 0, "child of pid %d has other pids", pid);
	return 0;
}

int t_fork_exact(const struct pid_set *set)
{
	pid_t pid = fork_with_pids(set);

	if (pid == 0)
		t_child_exact(set);
	return t_parent_exact(set, pid, "fork_with_pids");
}

int t_fork_armed(const struct pid_set *set)
{
	pid_t pid = fork();

	if (pid == 0)
		t_child_exact(set);
	return t_parent_exact(set, pid, "fork");
}

pid_t t_fork_exit0(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	T_ASSERT(pid > 0, "fork: %s", strerror(errno));
	t_reap(pid);
	return pid;
}

unsigned int t_nr_reserved(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	int fd = open(CWP_DEVICE_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, CWP_IOC_QUERY, &q))
		t_fail("query: %s", strerror(errno));
	close(fd);
	if (q.size < CWP_QUERY_SIZE_VER2)
		t_fail("query: size %llu, no nr_reserved", (unsigned long long)q.size);
	return q.nr_reserved;
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

#define T_KO		"/lib/modules/clone_with_pids.ko"
#define T_RELOAD_MARK	"/tmp/cwp-reload"

void t_module_reload_after(void)
{
	int fd = open(T_RELOAD_MARK, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		t_fail("%s: %s", T_RELOAD_MARK, strerror(errno));
	close(fd);
}

void t_module_reload(const char *params)
{
	int tries = 500, fd;

	t_module_reload_after();
	while (syscall(SYS_delete_module, "clone_with_pids", O_NONBLOCK)) {
		if (errno != EWOULDBLOCK || !--tries)
			t_fail("unloading the module: %s", strerror(errno));
		usleep(10 * 1000);
	}
	fd = open(T_KO, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, params, 0))
		t_fail("loading %s with '%s': %s", T_KO, params, strerror(errno));
	close(fd);
}

void t_become_userns_owner(uid_t uid)
{
	char map[64];

	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
		t_fail("becoming uid %d: %s", uid, strerror(errno));
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	if (unshare(CLONE_NEWUSER))
		t_fail("unshare(CLONE_NEWUSER) as uid %d: %s", uid, strerror(errno));
	snprintf(map, sizeof(map), "0 %d 1", uid);
	t_write_file("/proc/self/uid_map", map);
}

int t_kprobe_armed(const char *symbol)
{
	char line[512], pat[128];
	int state = -1;
	FILE *f;

	if (access("/sys/kernel/debug/kprobes", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	f = fopen("/sys/kernel/debug/kprobes/list", "r");
	if (!f)
		t_skip("no kprobes list in debugfs: %s", strerror(errno));
	snprintf(pat, sizeof(pat), " %s+", symbol);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, pat))
			state = !strstr(line, "[DISABLED]");
	fclose(f);
	return state;
}

int t_kprobe_wait_disarmed(const char *symbol, int ms)
{
	for (; ms > 0; ms -= 100) {
		if (t_kprobe_armed(symbol) == 0)
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

void t_need_debugfs(const char *path)
{
	if (access("/sys/kernel/debug/kprobes", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (access(path, W_OK))
		t_skip("%s: %s", path, strerror(errno));
}

long t_stat(const char *name)
{
	char path[128];
	long v;
	FILE *f;

	if (access("/sys/kernel/debug/kprobes", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	snprintf(path, sizeof(path), "/sys/kernel/debug/clone_with_pids/stat_%s", name);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%ld", &v) != 1)
		t_fail("%s: %s", path, f ? "not a number" : strerror(errno));
	fclose(f);
	return v;
}

static struct t_armers t_armers_rep;
static int t_armers_release;

static void t_armers_wait(void)
{
	while (!__atomic_load_n(&t_armers_release, __ATOMIC_ACQUIRE))
		syscall(SYS_futex, &t_armers_release, FUTEX_WAIT, 0, NULL, NULL, 0);
}

static void t_armers_count(int *what)
{
	__atomic_add_fetch(what, 1, __ATOMIC_RELEASE);
}

static void *t_consumer(void *arg)
{
	struct t_set s;
	pid_t want = 1000 + (int)(long)arg;
	pid_t pid = fork_with_pids(t_set(&s, 1, want));

	if (pid == 0)
		_exit(0);
	t_armers_count(pid == want && t_wait(pid) == 0 ?
		       &t_armers_rep.consumed : &t_armers_rep.failed);
	t_armers_wait();
	return NULL;
}

static void *t_armer(void *arg)
{
	struct t_set s;

	if (!clone_with_pids_next(t_set(&s, 1, 6000 + (int)(long)arg)))
		t_armers_count(&t_armers_rep.armed);
	else
		t_armers_count(errno == EAGAIN ? &t_armers_rep.refused : &t_armers_rep.failed);
	t_armers_wait();
	return NULL;
}

static int t_armers_reported(void)
{
	return __atomic_load_n(&t_armers_rep.consumed, __ATOMIC_ACQUIRE) +
	       __atomic_load_n(&t_armers_rep.armed, __ATOMIC_ACQUIRE) +
	       __atomic_load_n(&t_armers_rep.refused, __ATOMIC_ACQUIRE) +
	       __atomic_load_n(&t_armers_rep.failed, __ATOMIC_ACQUIRE);
}

/* Start @fn threads one at a time, until one is refused or @n ran. */
static void t_armers_start(void *(*fn)(void *), int n, pthread_attr_t *attr)
{
	pthread_t th;
	long i;

	for (i = 0; i < n && !t_armers_rep.refused; i++) {
		int before = t_armers_reported();

		if (pthread_create(&th, attr, fn, (void *)i)) {
			t_armers_rep.no_thread++;
			return;
		}
		while (t_armers_reported() == before)
			usleep(100);
	}
}

pid_t t_armers_process(uid_t uid, int consumers, int armers, int report, int release)
{
	pthread_attr_t attr;
	pid_t pid;
	char c;

	if (uid) {
		pid = t_fork_nested_user(uid);
	} else {
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			t_fail("fork: %s", strerror(errno));
	}
	if (pid)
		return pid;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	t_armers_start(t_consumer, consumers, &attr);
	t_armers_start(t_armer, armers, &attr);
	if (write(report, &t_armers_rep, sizeof(t_armers_rep)) != sizeof(t_armers_rep))
		_exit(2);
	if (read(release, &c, 1) < 0)
		_exit(3);
	_exit(0);
}

void t_print_kernel_log(const char *pattern)
{
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf, *line, *save;
	int n;

	if (size <= 0 || !(buf = malloc(size + 1)))
		return;
	n = klogctl(3, buf, size);		/* SYSLOG_ACTION_READ_ALL */
	buf[n > 0 ? n : 0] = '\0';
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strstr(line, pattern))
			fprintf(stderr, "kernel: %s\n", line);
	free(buf);
}

void t_need_fallback(void)
{
	unsigned long long features = 1;
	int m = clone_with_pids_query(&features);

	if (m != CLONE_WITH_PIDS_CLONE3)
		t_skip("not on the clone3() fallback (query %d: %s)", m,
		       m < 0 ? strerror(errno) : "the module");
	if (features)
		t_fail("fallback with module features %#llx", features);
}

int t_run(const char *path, char *out, size_t len, char *const argv[])
{
	int p[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	if (pipe(p))
		t_fail("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		t_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		execv(path, argv);
		_exit(99);
	}
	close(p[1]);
	while (n < len - 1 && (r = read(p[0], out + n, len - 1 - n)) > 0)
		n += r;
	out[n] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		t_fail("waitpid: %s", strerror(errno));
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

pid_t t_fork_nested_user(uid_t uid)
{
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		t_fail("fork: %s", strerror(errno));
	if (pid)
		return pid;
	t_become_userns_owner(uid);
	t_nest(1);
	return 0;
}

int t_as_nested_user(uid_t uid, int (*fn)(void))
{
	pid_t pid = t_fork_nested_user(uid);

	if (pid == 0)
		_exit(fn());
	return t_wait(pid);
}

unsigned int t_user_quota(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	int fd = open(CWP_DEVICE_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, CWP_IOC_QUERY, &q))
		t_fail("query: %s", strerror(errno));
	close(fd);
	return q.user_requests;
}
