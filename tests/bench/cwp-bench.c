// SPDX-License-Identifier: GPL-2.0
/*
 * cwp-bench: the benchmarks of `make bench`, run as root in the test VM
 * (tests/bench/bench.sh boots it). One section per invocation:
 *
 *   cwp-bench env                            what the VM is
 *   cwp-bench latency rounds=R batch=B       create + exit + reap, per method
 *   cwp-bench depth   rounds=R batch=B depths=1,2,4,...,32
 *                                            the same, 1 to 32 pid ns levels
 *   cwp-bench tax     rounds=R batch=B depths=1,32
 *                                            plain fork(), module loaded vs not
 *   cwp-bench tput    rounds=R ops=K mode=threads|procs
 *                                            2 workers creating processes
 *   cwp-bench churn   rounds=R ops=K         chosen pids while another
 *                                            process forks continuously
 *   cwp-bench threads rounds=R n=1000        threads with chosen tids
 *   cwp-bench tree    rounds=R n=N           a 3-generation tree of N
 *                                            processes, 2 pid namespaces deep
 *   cwp-bench profile n=N depths=1,4         what runs per call (ftrace counts)
 *   cwp-bench graph   kind=procs|threads     where the time goes (function_graph)
 *
 * Nothing is compared across time: a round runs every case of a section,
 * interleaved (operation by operation where cases are single operations),
 * in an order rotated from round to round; a ratio is taken within the
 * round, and the report is the median and quartiles of the per-round
 * ratios. Absolute times are printed for scale only (the VM is QEMU TCG on
 * a shared host). Output lines start with "BENCH <section>".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/clone_with_pids.h>
#include "clone_with_pids.h"
#include "../raw.h"

#if !defined(__x86_64__) && !defined(__aarch64__)
#error "cwp-bench: x86-64 and arm64 only (bare threads make raw system calls)"
#endif

#define MODULE_PATH	"/lib/modules/clone_with_pids.ko"
#define LAST_PID_PATH	"/proc/sys/kernel/ns_last_pid"

/* ------------------------------------------------------------------ */
/* Utilities                                                           */

static const char *section = "?";

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("BENCH %s error ", section);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	exit(1);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fail("sched_setaffinity(%d): %s", cpu, strerror(errno));
}

static long futex(int *addr, int op, int val, const struct timespec *ts)
{
	return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

/* Wait until *addr != val, at most ms milliseconds. Returns *addr. */
static int wait_change(int *addr, int val, int ms)
{
	unsigned long long end = now_ns() + ms * 1000000ULL;
	struct timespec ts = { 0, 50 * 1000 * 1000 };
	int v;

	while ((v = __atomic_load_n(addr, __ATOMIC_ACQUIRE)) == val && now_ns() < end)
		futex(addr, FUTEX_WAIT, val, &ts);
	return v;
}

static void set_wake(int *addr, int val)
{
	__atomic_store_n(addr, val, __ATOMIC_RELEASE);
	futex(addr, FUTEX_WAKE, INT_MAX, NULL);
}

static const char *param(int argc, char **argv, const char *key, const char *def)
{
	size_t len = strlen(key);
	int i;

	for (i = 2; i < argc; i++)
		if (!strncmp(argv[i], key, len) && argv[i][len] == '=')
			return argv[i] + len + 1;
	return def;
}

static int iparam(int argc, char **argv, const char *key, int def)
{
	const char *v = param(argc, argv, key, NULL);

	return v ? atoi(v) : def;
}

static int parse_ints(const char *s, int *out, int max)
{
	int n = 0;

	while (*s && n < max) {
		char *end;

		out[n++] = strtol(s, &end, 10);
		s = *end == ',' ? end + 1 : end;
		if (end == s && *s)
			break;
	}
	return n;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	r = write(fd, s, strlen(s));
	close(fd);
	return r < 0 ? -errno : 0;
}

static long read_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

/* A field of /proc/meminfo, in kB. */
static long meminfo_kb(const char *field)
{
	char line[256];
	size_t len = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, field, len) && line[len] == ':')
			v = strtol(line + len + 1, NULL, 10);
	fclose(f);
	return v;
}

static long mem_available_kb(void)
{
	return meminfo_kb("MemAvailable");
}

/* The kernel's memory that grows with the number of tasks, in kB. */
struct mem_snap {
	long avail, free, stack, ptables, sunreclaim, anon;
};

static void mem_snap(struct mem_snap *m)
{
	m->avail = meminfo_kb("MemAvailable");
	m->free = meminfo_kb("MemFree");
	m->stack = meminfo_kb("KernelStack");
	m->ptables = meminfo_kb("PageTables");
	m->sunreclaim = meminfo_kb("SUnreclaim");
	m->anon = meminfo_kb("AnonPages");
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q (0..1) of v[0..n-1], linear interpolation; v is not changed. */
static double quantile(const double *v, int n, double q)
{
	double *s, pos, r;
	int i;

	if (n <= 0)
		return 0;
	s = malloc(n * sizeof(*s));
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	pos = q * (n - 1);
	i = (int)pos;
	r = i + 1 < n ? s[i] + (pos - i) * (s[i + 1] - s[i]) : s[i];
	free(s);
	return r;
}

/*
 * CPU time the system spent, from /proc/stat (clock ticks) and
 * /proc/softirqs: where deferred work (RCU callbacks, work items) shows.
 */
struct cpu_acct {
	long long sys[2], irq[2], sirq[2];	/* per CPU, ticks */
	long long rcu;				/* RCU softirqs, all CPUs */
	long long ctxt;				/* context switches */
	long long kworker, rcu_kthread;		/* CPU time of those kernel threads */
};

/* CPU time (ticks) of the kernel threads: workqueue workers, RCU's. */
static void kthread_time(long long *kworker, long long *rcu)
{
	struct dirent *de;
	DIR *d = opendir("/proc");

	*kworker = *rcu = 0;
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[300], buf[512], *c;
		long long ut, st;
		int ppid, fd;
		ssize_t n;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		c = strrchr(buf, ')');
		/* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
		if (!c || sscanf(c + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lld %lld",
				 &ppid, &ut, &st) != 3 || ppid != 2)
			continue;
		if (strstr(buf, "(kworker"))
			*kworker += ut + st;
		else if (strstr(buf, "(rcu"))
			*rcu += ut + st;
	}
	closedir(d);
}

static void cpu_acct(struct cpu_acct *a, int kthreads)
{
	char line[1024];
	FILE *f = fopen("/proc/stat", "r");

	memset(a, 0, sizeof(*a));
	if (kthreads)
		kthread_time(&a->kworker, &a->rcu_kthread);
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			long long u, n, sy, idle, io, irq, sirq;
			int cpu;

			if (sscanf(line, "cpu%d %lld %lld %lld %lld %lld %lld %lld", &cpu, &u, &n,
				   &sy, &idle, &io, &irq, &sirq) == 8 && cpu >= 0 && cpu < 2) {
				a->sys[cpu] = sy;
				a->irq[cpu] = irq;
				a->sirq[cpu] = sirq;
			}
			sscanf(line, "ctxt %lld", &a->ctxt);
		}
		fclose(f);
	}
	f = fopen("/proc/softirqs", "r");
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *p = strstr(line, "RCU:");

			if (!p)
				continue;
			for (p += 4; *p;) {
				char *end;
				long long v = strtoll(p, &end, 10);

				if (end == p)
					break;
				a->rcu += v;
				p = end;
			}
		}
		fclose(f);
	}
}

/*
 * Let deferred work finish: MEMBARRIER_CMD_GLOBAL waits for an RCU grace
 * period (synchronize_rcu()), after which the callbacks queued before it
 * on this CPU have run; then give their work items a moment.
 */
static void quiesce(void)
{
	struct timespec d = { 0, 50 * 1000 * 1000 };

	syscall(SYS_membarrier, 1 /* MEMBARRIER_CMD_GLOBAL */, 0, 0);
	nanosleep(&d, NULL);
}

/* @d = @b - @a */
static void cpu_acct_diff(struct cpu_acct *d, const struct cpu_acct *a, const struct cpu_acct *b)
{
	int i;

	for (i = 0; i < 2; i++) {
		d->sys[i] = b->sys[i] - a->sys[i];
		d->irq[i] = b->irq[i] - a->irq[i];
		d->sirq[i] = b->sirq[i] - a->sirq[i];
	}
	d->rcu = b->rcu - a->rcu;
	d->ctxt = b->ctxt - a->ctxt;
	d->kworker = b->kworker - a->kworker;
	d->rcu_kthread = b->rcu_kthread - a->rcu_kthread;
}

static void cpu_acct_add(struct cpu_acct *sum, const struct cpu_acct *d)
{
	int i;

	for (i = 0; i < 2; i++) {
		sum->sys[i] += d->sys[i];
		sum->irq[i] += d->irq[i];
		sum->sirq[i] += d->sirq[i];
	}
	sum->rcu += d->rcu;
	sum->ctxt += d->ctxt;
	sum->kworker += d->kworker;
	sum->rcu_kthread += d->rcu_kthread;
}

/* Per operation: ms of softirq on CPU 0, ms of system time on CPU 1, ... */
static void cpu_acct_print(const struct cpu_acct *s, long ops)
{
	double tick_ms = 1000.0 / sysconf(_SC_CLK_TCK);

	printf(" cpu0_softirq_us=%.1f cpu1_sys_us=%.1f cpu1_softirq_us=%.1f rcu_softirqs=%.3f ctxt=%.2f"
	       " kworker_us=%.1f rcu_kthread_us=%.1f",
	       s->sirq[0] * tick_ms * 1000 / ops, s->sys[1] * tick_ms * 1000 / ops,
	       s->sirq[1] * tick_ms * 1000 / ops, (double)s->rcu / ops, (double)s->ctxt / ops,
	       s->kworker * tick_ms * 1000 / ops, s->rcu_kthread * tick_ms * 1000 / ops);
}

/*
 * The first of @span pids that plain forks will not reach soon: about half
 * of pid_max away from where the caller's namespace allocates next.
 */
static pid_t far_pids(int span)
{
	long max = read_long("/proc/sys/kernel/pid_max");
	long last = read_long(LAST_PID_PATH);
	long lo;

	if (max < 2 * span + 2000)
		fail("pid_max %ld is too small for %d chosen pids", max, span);
	lo = (last + max / 2) % max;
	if (lo < 1000)
		lo = 1000;
	if (lo + span > max)
		lo = 1000;
	return (pid_t)lo;
}

/* Move @levels pid namespaces down; returns as pid 1 of the innermost. */
static void nest(int levels)
{
	while (levels-- > 0) {
		int status;
		pid_t pid;

		if (unshare(CLONE_NEWPID))
			fail("unshare(CLONE_NEWPID): %s", strerror(errno));
		fflush(NULL);
		pid = fork();
		if (pid < 0)
			fail("nest: fork: %s", strerror(errno));
		if (pid > 0) {
			waitpid(pid, &status, 0);
			_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
		}
	}
}

/* Run fn(arg) in a child process; returns its exit status. */
static int in_child(void (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ------------------------------------------------------------------ */
/* The ways to create a process                                        */

enum {
	M_FORK,			/* glibc fork() */
	M_CLONE,		/* raw clone(SIGCHLD) */
	M_CLONE3,		/* raw clone3(), no set_tid */
	M_CLONE3_SETTID,	/* raw clone3() with set_tid */
	M_CWP_NOPIDS,		/* clone_with_pids() with no pid set */
	M_CWP,			/* clone_with_pids() */
	M_FWP,			/* fork_with_pids() */
	M_LASTPID,		/* flock + ns_last_pid + fork() + check, as CRIU did */
	M_LIST,			/* fork(), the pids reserved and armed in a list before */
	M_NEXTLIST,		/* fork(), the pids armed in a list before */
	NR_M
};

static const char *const mname[NR_M] = {
	"fork", "clone", "clone3", "clone3_settid", "cwp_nopids", "cwp", "fwp", "ns_last_pid",
	"reserve_list", "list",
};

static int chosen(int m)
{
	return m == M_CLONE3_SETTID || m == M_CWP || m == M_FWP || m == M_LASTPID || m == M_LIST ||
	       m == M_NEXTLIST;
}

static int method_of(const char *s, size_t len)
{
	int m;

	for (m = 0; m < NR_M; m++)
		if (strlen(mname[m]) == len && !strncmp(mname[m], s, len))
			return m;
	fail("unknown method %.*s", (int)len, s);
}

static int parse_methods(const char *s, int *out)
{
	int n = 0;

	while (*s) {
		size_t len = strcspn(s, ",");

		out[n++] = method_of(s, len);
		s += len + (s[len] == ',');
	}
	return n;
}

/* clone3()'s argument up to set_tid_size (CLONE_ARGS_SIZE_VER1). */
struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t stack, stack_size, tls, set_tid, set_tid_size;
};

/* The pids for one new process, oldest namespace first (as struct pid_set). */
struct want {
	unsigned int n;
	pid_t p[CWP_MAX_PIDS];
};

static pid_t lastpid_fork(pid_t want)
{
	char buf[32];
	int fd, len, err;
	pid_t pid;

	fd = open(LAST_PID_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	len = snprintf(buf, sizeof(buf), "%d", want - 1);
	if (write(fd, buf, len) != len) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		close(fd);
		return 0;
	}
	err = errno;
	flock(fd, LOCK_UN);
	close(fd);
	errno = err;
	return pid;
}

/*
 * Create a process with method @m (fork-like: the child resumes here and
 * gets 0). Returns the child's pid, 0 in the child, -errno on failure.
 */
static pid_t create(int m, const struct want *w)
{
	struct {
		struct pid_set set;
		pid_t pids[CWP_MAX_PIDS];
	} ps;
	struct clone3_args ca;
	pid_t tids[CWP_MAX_PIDS];
	unsigned int i;
	long r = -1;

	if (chosen(m)) {
		ps.set.num_pids = w->n;
		memcpy(ps.pids, w->p, w->n * sizeof(pid_t));
	}
	switch (m) {
	case M_FORK:
		r = fork();
		break;
	case M_CLONE:
		r = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
		break;
	case M_CLONE3:
	case M_CLONE3_SETTID:
		memset(&ca, 0, sizeof(ca));
		ca.exit_signal = SIGCHLD;
		if (m == M_CLONE3_SETTID) {
			/* set_tid is ordered innermost namespace first. */
			for (i = 0; i < w->n; i++)
				tids[i] = w->p[w->n - 1 - i];
			ca.set_tid = (uintptr_t)tids;
			ca.set_tid_size = w->n;
		}
		r = syscall(SYS_clone3, &ca, sizeof(ca));
		break;
	case M_CWP_NOPIDS:
		r = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, NULL);
		break;
	case M_CWP:
		r = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, &ps.set);
		break;
	case M_FWP:
		r = fork_with_pids(&ps.set);
		break;
	case M_LASTPID:
		r = lastpid_fork(w->p[w->n - 1]);
		break;
	case M_LIST:
	case M_NEXTLIST:
		r = fork();
		break;
	}
	return r < 0 ? -errno : r;
}

/* Chosen pids come from [lo, hi), in turn. */
struct cursor {
	pid_t cur, lo, hi;
};

static pid_t next_pid(struct cursor *c)
{
	pid_t p = c->cur++;

	if (c->cur >= c->hi)
		c->cur = c->lo;
	return p;
}

struct counts {
	long busy, wrong, fail;
	int err;
};

/*
 * One create + exit + reap with method @m, all @levels pids chosen (the
 * same number at every level). A pid found taken (EBUSY, EEXIST) is
 * counted and the next one tried.
 */
static unsigned long long one_op(int m, int levels, struct cursor *c, struct counts *k)
{
	struct want w = { .n = levels };
	pid_t r = -EINVAL, p = 0;
	unsigned long long t0 = 0;
	unsigned int i;
	int tries;

	for (tries = 0; tries < 64; tries++) {
		if (chosen(m)) {
			p = next_pid(c);
			for (i = 0; i < w.n; i++)
				w.p[i] = p;
		}
		t0 = now_ns();
		r = create(m, &w);
		if (r == 0)
			_exit(0);
		if (r != -EBUSY && r != -EEXIST)
			break;
		k->busy++;
	}
	if (r < 0) {
		k->fail++;
		if (!k->err)
			k->err = -r;
		return now_ns() - t0;
	}
	while (waitpid(r, NULL, 0) < 0 && errno == EINTR)
		;
	t0 = now_ns() - t0;
	if (chosen(m) && r != p)
		k->wrong++;
	return t0;
}

/* ------------------------------------------------------------------ */
/* Reporting: per-round values, then medians of per-round ratios        */

struct series {
	const char *tag;		/* e.g. "latency" or "depth d=8" */
	const char *unit;		/* "us" (lower is better) or "ops" */
	int nm, m[NR_M];
	int rounds;
	double *v[NR_M];		/* per round */
	struct counts k[NR_M];
};

static void series_init(struct series *S, const char *tag, const char *unit,
			const int *m, int nm, int rounds)
{
	int i;

	memset(S, 0, sizeof(*S));
	S->tag = tag;
	S->unit = unit;
	S->nm = nm;
	S->rounds = rounds;
	for (i = 0; i < nm; i++) {
		S->m[i] = m[i];
		S->v[i] = calloc(rounds, sizeof(double));
	}
}

static int series_find(const struct series *S, int m)
{
	int i;

	for (i = 0; i < S->nm; i++)
		if (S->m[i] == m)
			return i;
	return -1;
}

static void series_round(const struct series *S, int r)
{
	int i;

	printf("BENCH %s round=%d", S->tag, r);
	for (i = 0; i < S->nm; i++)
		printf(" %s=%.2f", mname[S->m[i]], S->v[i][r]);
	printf("\n");
}

/* Ratio of method i to method b, per round: median,q1,q3. */
static void print_ratio(const struct series *S, int i, int b, const char *name)
{
	double *r = calloc(S->rounds, sizeof(double));
	int k;

	for (k = 0; k < S->rounds; k++)
		r[k] = S->v[b][k] > 0 ? S->v[i][k] / S->v[b][k] : 0;
	printf(" vs_%s=%.4f,%.4f,%.4f", name, quantile(r, S->rounds, 0.5),
	       quantile(r, S->rounds, 0.25), quantile(r, S->rounds, 0.75));
	free(r);
}

static double series_best(const struct series *S, int i)
{
	double best = S->v[i][0];
	int k;

	for (k = 1; k < S->rounds; k++)
		if (S->v[i][k] < best)
			best = S->v[i][k];
	return best;
}

/*
 * Per method: the median and quartiles of its rounds, of its ratio to
 * each base round by round, and the ratio of the fastest rounds (the
 * host's interference only ever adds time: the fastest round of each is
 * the least disturbed one).
 */
static void series_report(const struct series *S)
{
	static const int bases[] = { M_FORK, M_CLONE3_SETTID, M_CLONE, M_CLONE3, M_LASTPID };
	int i, j;

	for (i = 0; i < S->nm; i++) {
		const struct counts *k = &S->k[i];

		printf("BENCH %s result method=%s %s=%.2f,%.2f,%.2f best=%.3f", S->tag, mname[S->m[i]],
		       S->unit, quantile(S->v[i], S->rounds, 0.5),
		       quantile(S->v[i], S->rounds, 0.25), quantile(S->v[i], S->rounds, 0.75),
		       series_best(S, i));
		for (j = 0; j < (int)(sizeof(bases) / sizeof(bases[0])); j++) {
			int b = series_find(S, bases[j]);

			if (b >= 0) {
				print_ratio(S, i, b, mname[bases[j]]);
				printf(" best_vs_%s=%.4f", mname[bases[j]],
				       series_best(S, i) / series_best(S, b));
			}
		}
		printf(" busy=%ld wrong=%ld fail=%ld err=%d\n", k->busy, k->wrong, k->fail, k->err);
	}
	fflush(stdout);
}

/*
 * @rounds rounds; in each, @batch times every method once, one operation
 * each, in an order rotated at every step: the methods are interleaved
 * operation by operation. Each operation (create + exit + reap) is timed
 * alone; S->v is the median of a method's operations in the round, which
 * ignores the operations the host preempted.
 */
static void run_latency(struct series *S, int batch, int levels, struct cursor *c)
{
	double *t = calloc((size_t)S->nm * batch, sizeof(double));
	int r, j, b;

	/* Warm up: every path once, untimed. */
	for (j = 0; j < S->nm; j++)
		one_op(S->m[j], levels, c, &S->k[j]);
	memset(S->k, 0, sizeof(S->k));
	for (r = 0; r < S->rounds; r++) {
		for (b = 0; b < batch; b++) {
			for (j = 0; j < S->nm; j++) {
				int i = (j + r + b) % S->nm;

				t[i * batch + b] = one_op(S->m[i], levels, c, &S->k[i]) / 1e3;
			}
		}
		for (j = 0; j < S->nm; j++)
			S->v[j][r] = quantile(t + j * batch, batch, 0.5);
		series_round(S, r);
	}
	free(t);
}

static void need_device(void)
{
	if (clone_with_pids_fd() < 0)
		fail("the module is not loaded: %s", strerror(errno));
}

/* ------------------------------------------------------------------ */
/* env: what the numbers were measured on                              */

static void env_file(const char *key, const char *path)
{
	char buf[256];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == ' ')
			*p = '_';
	printf(" %s=%s", key, buf);
}

static int sec_env(int argc, char **argv)
{
	struct cwp_query q = { .size = sizeof(q) };
	struct utsname u;

	uname(&u);
	printf("BENCH env kernel=%s cpus=%ld mem_total_kb=%ld", u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), meminfo_kb("MemTotal"));
	env_file("clocksource", "/sys/devices/system/clocksource/clocksource0/current_clocksource");
	env_file("meltdown", "/sys/devices/system/cpu/vulnerabilities/meltdown");
	env_file("pid_max", "/proc/sys/kernel/pid_max");
	env_file("threads_max", "/proc/sys/kernel/threads-max");
	if (clone_with_pids_fd() >= 0 && !ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, &q))
		printf(" cwp_abi=%u cwp_ibt=%#x cwp_max_requests=%u", q.abi_version, q.ibt,
		       q.max_requests);
	printf("\n");
	return 0;
}

/* ------------------------------------------------------------------ */
/* latency: create + exit + reap, one level                            */

static int sec_latency(int argc, char **argv)
{
	int rounds = iparam(argc, argv, "rounds", 40);
	int batch = iparam(argc, argv, "batch", 20);
	const char *ms = param(argc, argv, "methods",
			       "fork,clone,clone3,clone3_settid,cwp_nopids,cwp,fwp,ns_last_pid");
	struct cursor c;
	struct series S;
	int m[NR_M], nm = parse_methods(ms, m);

	need_device();
	pin(0);
	c.lo = c.cur = far_pids(10000);
	c.hi = c.lo + 10000;
	printf("BENCH latency params rounds=%d batch=%d methods=%s cpus=1 ops=%d\n",
	       rounds, batch, ms, rounds * batch * nm);
	series_init(&S, "latency", "us", m, nm, rounds);
	run_latency(&S, batch, 1, &c);
	series_report(&S);
	return 0;
}

/* ------------------------------------------------------------------ */
/* depth: the same, from inside depth-1 nested pid namespaces           */

struct depth_arg {
	int d, rounds, batch, nm, m[NR_M];
};

static void depth_child(void *p)
{
	struct depth_arg *a = p;
	struct cursor c;
	struct series S;
	char tag[32];

	pin(0);
	c.lo = c.cur = far_pids(10000);
	c.hi = c.lo + 10000;
	nest(a->d - 1);
	need_device();
	snprintf(tag, sizeof(tag), "depth d=%d", a->d);
	series_init(&S, strdup(tag), "us", a->m, a->nm, a->rounds);
	run_latency(&S, a->batch, a->d, &c);
	series_report(&S);
}

static int sec_depth(int argc, char **argv)
{
	struct depth_arg a;
	const char *ms = param(argc, argv, "methods", "fork,clone3,clone3_settid,cwp,fwp");
	const char *ds = param(argc, argv, "depths", "1,2,4,8,16,24,32");
	int depths[40], nd = parse_ints(ds, depths, 40), i;

	a.rounds = iparam(argc, argv, "rounds", 15);
	a.batch = iparam(argc, argv, "batch", 10);
	a.nm = parse_methods(ms, a.m);
	printf("BENCH depth params rounds=%d batch=%d methods=%s depths=%s cpus=1\n",
	       a.rounds, a.batch, ms, ds);
	for (i = 0; i < nd; i++) {
		a.d = depths[i];
		if (in_child(depth_child, &a))
			printf("BENCH depth error d=%d failed\n", a.d);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* tax: plain fork() with the module loaded and unloaded                */

static int module_loaded(void)
{
	struct stat st;

	return !stat("/sys/module/clone_with_pids", &st);
}

/* Unload the module if it is loaded. */
static int module_unload(void)
{
	int tries;

	for (tries = 0; tries < 50; tries++) {
		if (!syscall(SYS_delete_module, "clone_with_pids", O_NONBLOCK) || errno == ENOENT)
			return 0;
		if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
			break;
		usleep(20000);
	}
	return -errno;
}

/* Load the module with @params if it is not loaded. */
static int module_load_params(const char *params)
{
	int fd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -errno;
	r = syscall(SYS_finit_module, fd, params, 0);
	r = r ? -errno : 0;
	close(fd);
	return r == -EEXIST ? 0 : r;
}

static int module_load(void)
{
	return module_load_params("");
}

/*
 * Reservations count in the module's pool of max_requests (1024 by
 * default): a section that reserves thousands of sets loads the module
 * again with a pool of @max, before it opens the device. The test VM's
 * /init loads it again with its defaults afterwards (/tmp/cwp-reload).
 */
static void module_pool(int max)
{
	char params[64];
	int fd;

	snprintf(params, sizeof(params), "max_requests=%d", max);
	if (module_unload() || module_load_params(params))
		fail("loading the module with %s: %s", params, strerror(errno));
	fd = open("/tmp/cwp-reload", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
}

struct tax_arg {
	int d, rounds, batch;
};

/* Median of @batch plain fork + exit + reap, in microseconds. */
static double fork_batch(int batch, struct counts *k)
{
	double *t = calloc(batch, sizeof(double)), med;
	int b;

	for (b = 0; b < batch; b++)
		t[b] = one_op(M_FORK, 1, NULL, k) / 1e3;
	med = quantile(t, batch, 0.5);
	free(t);
	return med;
}

static void tax_child(void *p)
{
	struct tax_arg *a = p;
	double *loaded_us = calloc(a->rounds, sizeof(double));
	double *unloaded_us = calloc(a->rounds, sizeof(double));
	double *ratio = calloc(a->rounds, sizeof(double));
	struct counts k = { 0 };
	int r, err;

	pin(0);
	nest(a->d - 1);
	for (r = 0; r < a->rounds; r++) {
		int phase;

		for (phase = 0; phase < 2; phase++) {
			/*
			 * Even rounds: loaded then unloaded; odd rounds: the
			 * reverse (L U U L L U ...: one (un)load per round).
			 */
			int loaded = (phase == 0) == (r % 2 == 0);
			struct timespec settle = { 0, 200 * 1000 * 1000 };

			err = loaded ? module_load() : module_unload();
			if (err)
				fail("cannot %s the module: %s", loaded ? "load" : "unload",
				     strerror(-err));
			/* Let the (un)load's deferred work finish; warm up. */
			nanosleep(&settle, NULL);
			fork_batch(3, &k);
			(loaded ? loaded_us : unloaded_us)[r] = fork_batch(a->batch, &k);
		}
		ratio[r] = loaded_us[r] / unloaded_us[r];
		printf("BENCH tax d=%d round=%d loaded=%.2f unloaded=%.2f\n", a->d, r,
		       loaded_us[r], unloaded_us[r]);
	}
	err = module_load();
	if (err)
		fail("cannot load the module back: %s", strerror(-err));
	printf("BENCH tax d=%d result loaded_us=%.2f unloaded_us=%.2f vs_unloaded=%.4f,%.4f,%.4f"
	       " fail=%ld\n", a->d, quantile(loaded_us, a->rounds, 0.5),
	       quantile(unloaded_us, a->rounds, 0.5), quantile(ratio, a->rounds, 0.5),
	       quantile(ratio, a->rounds, 0.25), quantile(ratio, a->rounds, 0.75), k.fail);
}

static int sec_tax(int argc, char **argv)
{
	struct tax_arg a;
	const char *ds = param(argc, argv, "depths", "1,32");
	int depths[40], nd = parse_ints(ds, depths, 40), i;

	a.rounds = iparam(argc, argv, "rounds", 10);
	a.batch = iparam(argc, argv, "batch", 40);
	printf("BENCH tax params rounds=%d batch=%d depths=%s cpus=1 (median of each batch)\n",
	       a.rounds, a.batch, ds);
	if (!module_loaded())
		fail("the module is not loaded");
	for (i = 0; i < nd; i++) {
		a.d = depths[i];
		if (in_child(tax_child, &a))
			printf("BENCH tax error d=%d failed\n", a.d);
	}
	if (!module_loaded())
		module_load();
	return 0;
}

/* ------------------------------------------------------------------ */
/* tree: N processes, three generations, two pid namespaces down        */

struct tree_shm {
	int created, ready, release;
	int wrong, failed, err;
	unsigned long long t0, t1;
};

static struct tree_shm *TS;
static int tn, tg1, tb2, tg2, tg3;
/*
 * Chosen pids of process idx: TL0 + idx, TL1 + idx, TL2 + idx; TL0, in the
 * initial namespace, is chosen away from where that namespace allocates.
 */
static pid_t TL0;
#define TL1	1000
#define TL2	1000

static void tree_shape(int n)
{
	tn = n;
	tg1 = 10;
	tb2 = 9;
	tg2 = tg1 * tb2;
	tg3 = n - tg1 - tg2;
}

static void tree_children(int idx, int *first, int *count)
{
	if (idx < 0) {
		*first = 0;
		*count = tg1;
	} else if (idx < tg1) {
		*first = tg1 + idx * tb2;
		*count = tb2;
	} else if (idx < tg1 + tg2) {
		int q = idx - tg1, base = tg3 / tg2, rem = tg3 % tg2;

		*first = tg1 + tg2 + q * base + (q < rem ? q : rem);
		*count = base + (q < rem);
	} else {
		*first = 0;
		*count = 0;
	}
}

static int tree_subtree(int idx)
{
	int first, count, c, s = 1;

	tree_children(idx, &first, &count);
	for (c = first; c < first + count; c++)
		s += tree_subtree(c);
	return s;
}

/*
 * Tree processes report through a pipe rather than shared memory, which
 * would cost each of them page tables: 'c' a process created, 'w' a child
 * with a wrong pid, 'f' <errno> a child that could not be created,
 * followed by an 'x' per process of its subtree, which will never exist.
 */
static int tree_wfd = -1;

static void tree_say(const char *msg, size_t len)
{
	while (write(tree_wfd, msg, len) < 0 && errno == EINTR)
		;
}

/* The set of tree process @c: its three chosen pids. */
struct tree_set {
	struct pid_set set;
	pid_t pids[3];
};

static void tree_set_of(struct tree_set *t, int c)
{
	t->set.num_pids = 3;
	t->pids[0] = TL0 + c;
	t->pids[1] = TL1 + c;
	t->pids[2] = TL2 + c;
}

/* M_LIST: arm the pids of processes @first.. (@count) for our next forks. */
static int tree_arm(int first, int count)
{
	static struct tree_set sets[CWP_MAX_NEXT_SETS];
	static const struct pid_set *ptrs[CWP_MAX_NEXT_SETS];
	int i;

	if (count > CWP_MAX_NEXT_SETS) {
		errno = E2BIG;
		return -1;
	}
	for (i = 0; i < count; i++) {
		tree_set_of(&sets[i], first + i);
		ptrs[i] = &sets[i].set;
	}
	return clone_with_pids_next_list(ptrs, count, NULL);
}

/* M_LIST: reserve the pids of the whole tree, CWP_MAX_RESERVE_SETS at a time. */
static int tree_reserve(void)
{
	static struct tree_set sets[CWP_MAX_RESERVE_SETS];
	static const struct pid_set *ptrs[CWP_MAX_RESERVE_SETS];
	int c, i, n;

	for (c = 0; c < tn; c += n) {
		n = tn - c < CWP_MAX_RESERVE_SETS ? tn - c : CWP_MAX_RESERVE_SETS;
		for (i = 0; i < n; i++) {
			tree_set_of(&sets[i], c + i);
			ptrs[i] = &sets[i].set;
		}
		if (clone_with_pids_reserve(ptrs, n, NULL, NULL))
			return -1;
	}
	return 0;
}

/* Create the children of @idx; a tree process then waits to be killed. */
static void tree_node(int idx, int m)
{
	int first, count, c;

	tree_children(idx, &first, &count);
	if ((m == M_LIST || m == M_NEXTLIST) && count && tree_arm(first, count)) {
		char f[2] = { 'f', (char)errno };

		tree_say(f, 2);
		for (c = tree_subtree(idx) - 1; c > 0; c--)
			tree_say("x", 1);
		count = 0;
	}
	for (c = first; c < first + count; c++) {
		struct want w = { 3, { TL0 + c, TL1 + c, TL2 + c } };
		pid_t r = create(m, &w);

		if (r == 0) {
			tree_node(c, m);
			_exit(0);
		}
		if (r < 0) {
			char f[2] = { 'f', (char)(-r) };
			int k = tree_subtree(c);

			tree_say(f, 2);
			while (k-- > 0)
				tree_say("x", 1);
		} else if (chosen(m) && r != TL2 + c) {
			tree_say("w", 1);
		}
	}
	if (idx < 0)
		return;
	tree_say("c", 1);
	for (;;)
		pause();
}

/* Pid 1 of the inner namespace: builds the tree, waits for release. */
static void tree_root(int m)
{
	int fds[2], got = 0, err_next = 0;

	need_device();
	if (pipe2(fds, O_CLOEXEC))
		_exit(4);
	tree_wfd = fds[1];
	TS->t0 = now_ns();
	/* The reservation is part of the restore's time. */
	if (m == M_LIST && tree_reserve()) {
		TS->failed = tn;
		TS->err = errno;
		TS->created = 0;
		TS->t1 = now_ns();
		set_wake(&TS->ready, 1);
		while (!__atomic_load_n(&TS->release, __ATOMIC_ACQUIRE))
			wait_change(&TS->release, 0, 1000);
		_exit(0);
	}
	tree_node(-1, m);
	while (got < tn) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		char buf[4096];
		ssize_t n, i;

		if (now_ns() - TS->t0 > 600ULL * 1000000000ULL)
			break;
		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		n = read(fds[0], buf, sizeof(buf));
		for (i = 0; i < n; i++) {
			if (err_next) {
				TS->err = (unsigned char)buf[i];
				err_next = 0;
				continue;
			}
			switch (buf[i]) {
			case 'c':
				got++;
				break;
			case 'x':
				got++;
				break;
			case 'w':
				TS->wrong++;
				break;
			case 'f':
				TS->failed++;
				err_next = 1;
				break;
			}
		}
	}
	TS->created = got;
	TS->t1 = now_ns();
	set_wake(&TS->ready, 1);
	while (!__atomic_load_n(&TS->release, __ATOMIC_ACQUIRE))
		wait_change(&TS->release, 0, 1000);
	/* Our exit kills every process of the namespace. */
	_exit(0);
}

static pid_t fork_nested_root(int m)
{
	pid_t c1 = fork();

	if (c1 < 0)
		fail("fork: %s", strerror(errno));
	if (c1 == 0) {
		int level, status;

		for (level = 1; level <= 2; level++) {
			pid_t c;

			if (unshare(CLONE_NEWPID))
				_exit(2);
			c = fork();
			if (c < 0)
				_exit(3);
			if (c > 0) {
				waitpid(c, &status, 0);
				_exit(0);
			}
		}
		tree_root(m);
	}
	return c1;
}

struct tree_result {
	double create_s, teardown_s;
	long mem_kb;
	struct mem_snap d;	/* growth from before the tree to complete */
	struct cpu_acct cpu;	/* while the tree was being created */
	int wrong, failed, err, unverified, complete;
};

static void tree_run(int m, int n, struct tree_result *res)
{
	unsigned long long t;
	struct mem_snap m0, m1;
	struct cpu_acct a0, a1;
	pid_t c1;
	int s;

	memset(TS, 0, sizeof(*TS));
	memset(res, 0, sizeof(*res));
	tree_shape(n);
	TL0 = far_pids(n);
	mem_snap(&m0);
	fflush(NULL);
	cpu_acct(&a0, 1);
	c1 = fork_nested_root(m);
	while (!wait_change(&TS->ready, 0, 1000)) {
		if (waitpid(c1, NULL, WNOHANG) == c1)
			fail("the tree's namespace ended before the tree was complete");
	}
	cpu_acct(&a1, 1);
	cpu_acct_diff(&res->cpu, &a0, &a1);
	res->complete = __atomic_load_n(&TS->created, __ATOMIC_ACQUIRE) >= n;
	mem_snap(&m1);
	res->mem_kb = m0.avail - m1.avail;
	res->d.avail = m0.avail - m1.avail;
	res->d.free = m0.free - m1.free;
	res->d.stack = m1.stack - m0.stack;
	res->d.ptables = m1.ptables - m0.ptables;
	res->d.sunreclaim = m1.sunreclaim - m0.sunreclaim;
	res->d.anon = m1.anon - m0.anon;
	res->create_s = (TS->t1 - TS->t0) / 1e9;
	res->wrong = TS->wrong;
	res->failed = TS->failed;
	res->err = TS->err;
	/* Every level of a sample of the chosen pids, seen from outside. */
	if (chosen(m) && m != M_LASTPID) {
		for (s = 0; s < 50; s++) {
			int idx = (int)((long)s * n / 50);
			struct { struct pid_set set; pid_t pids[4]; } got;
			pid_t *ns = got.set.pids;

			/* Every level from the initial namespace's /proc. */
			if (clone_with_pids_get(TL0 + idx, &got.set, 4) != 3 || ns[0] != TL0 + idx ||
			    ns[1] != TL1 + idx || ns[2] != TL2 + idx)
				res->unverified++;
		}
	}
	t = now_ns();
	set_wake(&TS->release, 1);
	waitpid(c1, NULL, 0);
	res->teardown_s = (now_ns() - t) / 1e9;
}

/*
 * A dead tree's memory comes back after its namespace's init has been
 * reaped: task structs, stacks and pids go through RCU. Wait (10 s at the
 * most) until MemAvailable is back within 16 MiB of @base_kb, so that a
 * tree never starts on its predecessor's memory; the milliseconds waited.
 */
static int tree_settle(long base_kb)
{
	int ms = 0;

	while (mem_available_kb() < base_kb - 16384 && ms < 10000) {
		usleep(50000);
		ms += 50;
	}
	return ms;
}

static void raise_limits(long pid_max, long threads_max)
{
	char buf[32];

	if (read_long("/proc/sys/kernel/pid_max") < pid_max) {
		snprintf(buf, sizeof(buf), "%ld", pid_max);
		write_str("/proc/sys/kernel/pid_max", buf);
	}
	if (read_long("/proc/sys/kernel/threads-max") < threads_max) {
		snprintf(buf, sizeof(buf), "%ld", threads_max);
		write_str("/proc/sys/kernel/threads-max", buf);
	}
}

static int sec_tree(int argc, char **argv)
{
	int want_n = iparam(argc, argv, "n", 10000);
	int rounds = iparam(argc, argv, "rounds", 3);
	int cal_n = iparam(argc, argv, "calibrate", 2000);
	int cpus = iparam(argc, argv, "cpus", 1);
	long reserve_kb = iparam(argc, argv, "reserve_mb", 64) * 1024L;
	const char *ms = param(argc, argv, "methods", "fork,fwp");
	struct tree_result res;
	struct series S;
	struct cpu_acct tacct[NR_M];
	int m[NR_M], nm = parse_methods(ms, m), r, j, n, fit, settle_ms;
	double per_kb = 0;
	long avail, base_kb;

	for (j = 0; j < nm; j++)
		if (m[j] == M_LIST)
			module_pool(2 * want_n + 1024);
	need_device();
	TS = mmap(NULL, sizeof(*TS), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (TS == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	raise_limits(65536, 4 * (long)want_n + 4096);
	/*
	 * On one vCPU by default: when the namespace dies, thousands of exits
	 * on two TCG vCPUs spin on the anon_vma lock they all share, for
	 * long enough to stall RCU.
	 */
	if (cpus == 1)
		pin(0);

	/*
	 * How many processes fit: measure the memory of a smaller tree made
	 * by each method, and size by the hungriest.
	 */
	base_kb = mem_available_kb();
	for (j = 0; j < nm; j++) {
		settle_ms = tree_settle(base_kb);
		tree_run(m[j], cal_n, &res);
		if (!res.complete || res.failed)
			fail("calibration tree (%s, %d): %d failed, errno %d", mname[m[j]],
			     cal_n, res.failed, res.err);
		if ((double)res.mem_kb / cal_n > per_kb)
			per_kb = (double)res.mem_kb / cal_n;
		printf("BENCH tree calibration method=%s n=%d create_s=%.3f teardown_s=%.3f"
		       " kb_per_process=%.1f stack_kb=%.1f pagetables_kb=%.1f slab_kb=%.1f"
		       " anon_kb=%.1f settle_ms=%d\n", mname[m[j]], cal_n, res.create_s,
		       res.teardown_s, (double)res.mem_kb / cal_n, (double)res.d.stack / cal_n,
		       (double)res.d.ptables / cal_n, (double)res.d.sunreclaim / cal_n,
		       (double)res.d.anon / cal_n, settle_ms);
	}
	tree_settle(base_kb);
	avail = mem_available_kb();
	fit = (int)((avail - reserve_kb) / (per_kb * 1.03));
	n = want_n <= fit ? want_n : fit / 500 * 500;
	printf("BENCH tree params requested=%d n=%d rounds=%d methods=%s gen=%d,%d,%d"
	       " kb_per_process=%.1f mem_available_kb=%ld reserve_kb=%ld fits=%d levels=3 cpus=%d\n",
	       want_n, n, rounds, ms, 10, 90, n - 100, per_kb, avail, reserve_kb, fit, cpus);
	fflush(stdout);

	series_init(&S, "tree", "s", m, nm, rounds);
	memset(tacct, 0, sizeof(tacct));
	for (r = 0; r < rounds; r++) {
		for (j = 0; j < nm; j++) {
			/* ABBA: reverse the order every other round. */
			int i = r % 2 ? nm - 1 - j : j;

			settle_ms = tree_settle(base_kb);
			tree_run(m[i], n, &res);
			S.v[i][r] = res.create_s;
			S.k[i].wrong += res.wrong + res.unverified;
			S.k[i].fail += res.failed + !res.complete;
			if (res.err)
				S.k[i].err = res.err;
			printf("BENCH tree run round=%d method=%s n=%d create_s=%.3f teardown_s=%.3f"
			       " mem_kb=%ld free_kb=%ld stack_kb=%ld pagetables_kb=%ld slab_kb=%ld"
			       " anon_kb=%ld wrong=%d failed=%d unverified=%d complete=%d settle_ms=%d",
			       r, mname[m[i]], n, res.create_s, res.teardown_s, res.mem_kb,
			       res.d.free, res.d.stack, res.d.ptables, res.d.sunreclaim, res.d.anon,
			       res.wrong, res.failed, res.unverified, res.complete, settle_ms);
			cpu_acct_print(&res.cpu, n);
			cpu_acct_add(&tacct[i], &res.cpu);
			printf("\n");
			fflush(stdout);
		}
		series_round(&S, r);
	}
	series_report(&S);
	for (j = 0; j < nm; j++) {
		printf("BENCH tree cpu method=%s", mname[m[j]]);
		cpu_acct_print(&tacct[j], (long)n * rounds);
		printf("\n");
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* tput: two workers (threads or processes) creating processes          */

struct tput_shm {
	int ready, start;
	unsigned long long t_start[2], t_end[2];
	struct counts k[2];
};

struct tput_worker_arg {
	struct tput_shm *S;
	int t, m, ops;
	pid_t lo;
};

static void *tput_worker(void *p)
{
	struct tput_worker_arg *a = p;
	struct cursor c = { a->lo + a->t * 5000, a->lo + a->t * 5000, a->lo + (a->t + 1) * 5000 };
	int i;

	pin(a->t);
	__atomic_add_fetch(&a->S->ready, 1, __ATOMIC_SEQ_CST);
	futex(&a->S->ready, FUTEX_WAKE, INT_MAX, NULL);
	while (!__atomic_load_n(&a->S->start, __ATOMIC_ACQUIRE))
		wait_change(&a->S->start, 0, 1000);
	a->S->t_start[a->t] = now_ns();
	for (i = 0; i < a->ops; i++)
		one_op(a->m, 1, &c, &a->S->k[a->t]);
	a->S->t_end[a->t] = now_ns();
	return NULL;
}

/* Returns operations per second of both workers together. */
static double tput_run(struct tput_shm *S, int m, int ops, int procs, struct counts *k)
{
	struct tput_worker_arg a[2];
	pthread_t th[2];
	pid_t pid[2];
	unsigned long long t0, t1;
	int t, v;

	memset(S, 0, sizeof(*S));
	fflush(NULL);
	for (t = 0; t < 2; t++) {
		a[t] = (struct tput_worker_arg){ S, t, m, ops, far_pids(10000) };
		if (procs) {
			pid[t] = fork();
			if (pid[t] == 0) {
				tput_worker(&a[t]);
				_exit(0);
			}
		} else {
			pthread_create(&th[t], NULL, tput_worker, &a[t]);
		}
	}
	while ((v = __atomic_load_n(&S->ready, __ATOMIC_ACQUIRE)) < 2)
		wait_change(&S->ready, v, 1000);
	set_wake(&S->start, 1);
	for (t = 0; t < 2; t++) {
		if (procs)
			waitpid(pid[t], NULL, 0);
		else
			pthread_join(th[t], NULL);
	}
	t0 = S->t_start[0] < S->t_start[1] ? S->t_start[0] : S->t_start[1];
	t1 = S->t_end[0] > S->t_end[1] ? S->t_end[0] : S->t_end[1];
	for (t = 0; t < 2; t++) {
		k->busy += S->k[t].busy;
		k->wrong += S->k[t].wrong;
		k->fail += S->k[t].fail;
		if (S->k[t].err)
			k->err = S->k[t].err;
	}
	return 2.0 * ops / ((t1 - t0) / 1e9);
}

static int sec_tput(int argc, char **argv)
{
	int rounds = iparam(argc, argv, "rounds", 10);
	int ops = iparam(argc, argv, "ops", 100);
	const char *mode = param(argc, argv, "mode", "threads");
	const char *ms = param(argc, argv, "methods", "fork,clone3_settid,cwp,fwp,ns_last_pid");
	int procs = !strcmp(mode, "procs");
	struct tput_shm *T;
	struct series S;
	char tag[32];
	int m[NR_M], nm = parse_methods(ms, m), r, j;

	need_device();
	T = mmap(NULL, sizeof(*T), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (T == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	snprintf(tag, sizeof(tag), "tput mode=%s", procs ? "procs" : "threads");
	printf("BENCH %s params rounds=%d ops_per_worker=%d workers=2 methods=%s\n",
	       tag, rounds, ops, ms);
	series_init(&S, tag, "ops", m, nm, rounds);
	for (r = 0; r < rounds; r++) {
		for (j = 0; j < nm; j++) {
			int i = (j + r) % nm;

			S.v[i][r] = tput_run(T, m[i], ops, procs, &S.k[i]);
		}
		series_round(&S, r);
	}
	series_report(&S);
	return 0;
}

/* ------------------------------------------------------------------ */
/* churn: chosen pids while another process forks continuously          */

#define CHURN_WINDOW	8	/* children the churner keeps unreaped */
#define CHURN_SLOTS	4	/* lifetimes remembered per pid */

struct hold {
	unsigned long long t0, t1;	/* before the fork, after the reap */
};

struct churn_shm {
	int stop, running;
	long forks;
	unsigned long long t_start, t_end;
};

static struct churn_shm *CS;
static struct hold (*HOLD)[CHURN_SLOTS];
static unsigned int *HOLD_N;

static void churner(void)
{
	pid_t ring[CHURN_WINDOW];
	unsigned int slot[CHURN_WINDOW];
	int head = 0, n = 0;

	pin(1);
	CS->t_start = now_ns();
	set_wake(&CS->running, 1);
	while (!__atomic_load_n(&CS->stop, __ATOMIC_ACQUIRE)) {
		unsigned long long t0 = now_ns();
		pid_t p = fork();
		unsigned int s;

		if (p == 0)
			_exit(0);
		if (p < 0)
			continue;
		s = __atomic_fetch_add(&HOLD_N[p], 1, __ATOMIC_RELAXED) % CHURN_SLOTS;
		HOLD[p][s].t1 = ~0ULL;
		__atomic_store_n(&HOLD[p][s].t0, t0, __ATOMIC_RELEASE);
		CS->forks++;
		if (n == CHURN_WINDOW) {
			int o = head;

			waitpid(ring[o], NULL, 0);
			__atomic_store_n(&HOLD[ring[o]][slot[o]].t1, now_ns(), __ATOMIC_RELEASE);
			n--;
		}
		ring[head] = p;
		slot[head] = s;
		head = (head + 1) % CHURN_WINDOW;
		n++;
	}
	while (n--) {
		head = (head + CHURN_WINDOW - 1) % CHURN_WINDOW;
		waitpid(ring[head], NULL, 0);
	}
	CS->t_end = now_ns();
}

struct churn_fail {
	pid_t pid;
	int mi, alive;
	unsigned long long ts, te;
};

static int churn_verified(const struct churn_fail *f, long pid_max)
{
	unsigned int s;

	if (f->alive)
		return 1;
	if (f->pid <= 0 || f->pid >= pid_max)
		return 0;
	for (s = 0; s < CHURN_SLOTS; s++) {
		const struct hold *h = &HOLD[f->pid][s];

		if (h->t0 && h->t0 <= f->te && h->t1 >= f->ts)
			return 1;
	}
	return 0;
}

static int sec_churn(int argc, char **argv)
{
	int rounds = iparam(argc, argv, "rounds", 10);
	int ops = iparam(argc, argv, "ops", 50);
	const char *ms = param(argc, argv, "methods", "clone3_settid,cwp,fwp,ns_last_pid");
	struct {
		long req, exact, wrong, busy, verified, other;
		int err;
	} st[NR_M];
	struct churn_fail *fails;
	int m[NR_M], nm = parse_methods(ms, m), nf = 0, r, j, i, lfd;
	long pid_max = read_long("/proc/sys/kernel/pid_max");
	pid_t cp;
	double secs;

	need_device();
	memset(st, 0, sizeof(st));
	CS = mmap(NULL, sizeof(*CS), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	HOLD = mmap(NULL, pid_max * sizeof(*HOLD), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	HOLD_N = mmap(NULL, pid_max * sizeof(*HOLD_N), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (CS == MAP_FAILED || HOLD == MAP_FAILED || HOLD_N == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	fails = calloc((size_t)rounds * ops * nm, sizeof(*fails));
	lfd = open(LAST_PID_PATH, O_RDONLY | O_CLOEXEC);
	if (lfd < 0)
		fail("%s: %s", LAST_PID_PATH, strerror(errno));
	printf("BENCH churn params rounds=%d ops=%d methods=%s churner_window=%d"
	       " target=ns_last_pid+1..3\n", rounds, ops, ms, CHURN_WINDOW);

	fflush(NULL);
	cp = fork();
	if (cp == 0) {
		churner();
		_exit(0);
	}
	wait_change(&CS->running, 0, 10000);
	pin(0);
	for (r = 0; r < rounds; r++) {
		for (j = 0; j < nm; j++) {
			int mi = (j + r) % nm, mm = m[mi];

			for (i = 0; i < ops; i++) {
				struct want w = { .n = 1 };
				unsigned long long ts, te;
				char buf[32];
				ssize_t len;
				pid_t got, target;

				len = pread(lfd, buf, sizeof(buf) - 1, 0);
				buf[len > 0 ? len : 0] = '\0';
				target = atoi(buf) + 1 + i % 3;
				if (target >= pid_max)
					target = 301 + i % 3;
				w.p[0] = target;
				ts = now_ns();
				got = create(mm, &w);
				te = now_ns();
				if (got == 0)
					_exit(0);
				st[mi].req++;
				if (got > 0) {
					waitpid(got, NULL, 0);
					if (got == target)
						st[mi].exact++;
					else
						st[mi].wrong++;
				} else if (got == -EBUSY || got == -EEXIST) {
					st[mi].busy++;
					fails[nf] = (struct churn_fail){ target, mi, !kill(target, 0), ts, te };
					nf++;
				} else {
					st[mi].other++;
					st[mi].err = -got;
				}
			}
		}
	}
	set_wake(&CS->stop, 1);
	waitpid(cp, NULL, 0);
	secs = (CS->t_end - CS->t_start) / 1e9;
	for (i = 0; i < nf; i++)
		st[fails[i].mi].verified += churn_verified(&fails[i], pid_max);
	printf("BENCH churn churner forks=%ld seconds=%.2f forks_per_s=%.1f\n",
	       CS->forks, secs, CS->forks / secs);
	for (j = 0; j < nm; j++)
		printf("BENCH churn result method=%s requests=%ld exact=%ld wrong=%ld"
		       " busy=%ld busy_taken=%ld busy_not_taken=%ld other=%ld err=%d\n",
		       mname[m[j]], st[j].req, st[j].exact, st[j].wrong, st[j].busy,
		       st[j].verified, st[j].busy - st[j].verified, st[j].other, st[j].err);
	return 0;
}

/* ------------------------------------------------------------------ */
/* restore: whole trees restored while others take pids                 */

#define RS_CHILDREN	10	/* the restorer's children, 9 grandchildren each */
#define RS_GRAND	9
#define RS_N		(RS_CHILDREN * (1 + RS_GRAND))

struct restore_shm {
	int stop;
	int created, wrong, failed, refused, reported, err;
	long forks, snipes;
};

static struct restore_shm *RS;

/* Pid of process k of the tree: children 0..9, then their children. */
static pid_t rs_pid(pid_t base, int k)
{
	return base + k;
}

/* A forker at full speed, as a busy machine. */
static void rs_forker(void)
{
	pin(1);
	while (!__atomic_load_n(&RS->stop, __ATOMIC_ACQUIRE)) {
		pid_t p = fork();

		if (p == 0)
			_exit(0);
		if (p > 0) {
			waitpid(p, NULL, 0);
			__atomic_add_fetch(&RS->forks, 1, __ATOMIC_RELAXED);
		}
	}
	_exit(0);
}

/* Another restorer taking the pids just ahead of ns_last_pid (set_tid). */
static void rs_sniper(void)
{
	int lfd = open(LAST_PID_PATH, O_RDONLY | O_CLOEXEC);
	long pid_max = read_long("/proc/sys/kernel/pid_max");

	pin(1);
	while (!__atomic_load_n(&RS->stop, __ATOMIC_ACQUIRE)) {
		char buf[32];
		ssize_t len = pread(lfd, buf, sizeof(buf) - 1, 0);
		struct want w = { .n = 1 };
		pid_t r;

		buf[len > 0 ? len : 0] = '\0';
		w.p[0] = atoi(buf) + 1 + rand() % 3;
		if (w.p[0] >= pid_max)
			continue;
		r = create(M_CLONE3_SETTID, &w);
		if (r == 0)
			_exit(0);
		if (r > 0) {
			waitpid(r, NULL, 0);
			__atomic_add_fetch(&RS->snipes, 1, __ATOMIC_RELAXED);
		}
	}
	_exit(0);
}

struct rs_set {
	struct pid_set set;
	pid_t pids[1];
};

/* Create processes @first.. (@count) of the tree with method @m. */
static void rs_create(int m, pid_t base, int first, int count, int *kids_first)
{
	static struct rs_set sets[RS_N];
	static const struct pid_set *ptrs[RS_N];
	int i;

	if (m == M_LIST) {
		for (i = 0; i < count; i++) {
			sets[i].set.num_pids = 1;
			sets[i].pids[0] = rs_pid(base, first + i);
			ptrs[i] = &sets[i].set;
		}
		if (clone_with_pids_next_list(ptrs, count, NULL)) {
			__atomic_store_n(&RS->err, errno, __ATOMIC_RELAXED);
			__atomic_add_fetch(&RS->failed, count, __ATOMIC_RELAXED);
			/* Their own children will never report. */
			if (kids_first)
				__atomic_add_fetch(&RS->reported, count, __ATOMIC_RELAXED);
			goto out;
		}
	}
	for (i = 0; i < count; i++) {
		struct want w = { 1, { rs_pid(base, first + i) } };
		pid_t r = create(m, &w);
		if (r == 0) {
			if (kids_first)
				rs_create(m, base, kids_first[i], RS_GRAND, NULL);
			for (;;)
				pause();
		}
		if (r < 0) {
			__atomic_store_n(&RS->err, -r, __ATOMIC_RELAXED);
			__atomic_add_fetch(&RS->failed, 1, __ATOMIC_RELAXED);
			if (kids_first)
				__atomic_add_fetch(&RS->reported, 1, __ATOMIC_RELAXED);
			/*
			 * A list ends at a failed clone; a restorer stops there
			 * (the restore failed), and so do we.
			 */
			__atomic_add_fetch(&RS->failed, count - i - 1, __ATOMIC_RELAXED);
			if (kids_first)
				__atomic_add_fetch(&RS->reported, count - i - 1, __ATOMIC_RELAXED);
			break;
		}
		__atomic_add_fetch(&RS->created, 1, __ATOMIC_RELAXED);
		if (r != w.p[0])
			__atomic_add_fetch(&RS->wrong, 1, __ATOMIC_RELAXED);
	}
out:
	__atomic_add_fetch(&RS->reported, 1, __ATOMIC_RELEASE);
}

/* The restorer of one tree: a process group of its own, killed after. */
static void rs_restorer(int m, pid_t base)
{
	static struct rs_set sets[RS_N];
	static const struct pid_set *ptrs[RS_N];
	int kids_first[RS_CHILDREN], i;

	setpgid(0, 0);
	if (m == M_LIST) {
		for (i = 0; i < RS_N; i++) {
			sets[i].set.num_pids = 1;
			sets[i].pids[0] = rs_pid(base, i);
			ptrs[i] = &sets[i].set;
		}
		if (clone_with_pids_reserve(ptrs, RS_N, NULL, NULL)) {
			__atomic_store_n(&RS->err, errno, __ATOMIC_RELAXED);
			__atomic_store_n(&RS->refused, 1, __ATOMIC_RELAXED);
			__atomic_store_n(&RS->reported, RS_CHILDREN + 1, __ATOMIC_RELEASE);
			for (;;)
				pause();
		}
	}
	for (i = 0; i < RS_CHILDREN; i++)
		kids_first[i] = RS_CHILDREN + i * RS_GRAND;
	rs_create(m, base, 0, RS_CHILDREN, kids_first);
	for (;;)
		pause();
}

static int sec_restore(int argc, char **argv)
{
	int rounds = iparam(argc, argv, "rounds", 200);
	int ahead = iparam(argc, argv, "ahead", 40);
	const char *ms = param(argc, argv, "methods", "reserve_list,clone3_settid,ns_last_pid");
	struct {
		long restores, complete, halfway, refused, wrong_pids, wrong_restores;
		int err;
	} st[NR_M];
	int m[NR_M], nm = parse_methods(ms, m), r, j;
	long pid_max = read_long("/proc/sys/kernel/pid_max");
	unsigned long long t0;
	pid_t fk, sn;

	need_device();
	memset(st, 0, sizeof(st));
	RS = mmap(NULL, sizeof(*RS), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (RS == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	printf("BENCH restore params rounds=%d tree=%d shape=%d,%d methods=%s ahead=%d"
	       " (the tree's pids start that far past ns_last_pid)\n",
	       rounds, RS_N, RS_CHILDREN, RS_CHILDREN * RS_GRAND, ms, ahead);
	fflush(NULL);
	fk = fork();
	if (fk == 0)
		rs_forker();
	sn = fork();
	if (sn == 0)
		rs_sniper();
	pin(0);
	t0 = now_ns();
	for (r = 0; r < rounds; r++) {
		for (j = 0; j < nm; j++) {
			int mi = (j + r) % nm;
			long last = read_long(LAST_PID_PATH);
			pid_t base = last + ahead, rp, z;
			unsigned long long ts;
			int created, wrong, failed;

			if (base + RS_N + 10 >= pid_max)
				base = 1000;
			RS->created = RS->wrong = RS->failed = RS->refused = RS->reported = 0;
			RS->err = 0;
			fflush(NULL);
			rp = fork();
			if (rp == 0)
				rs_restorer(m[mi], base);
			ts = now_ns();
			while (__atomic_load_n(&RS->reported, __ATOMIC_ACQUIRE) < RS_CHILDREN + 1 &&
			       now_ns() - ts < 30ULL * 1000000000ULL)
				usleep(1000);
			created = RS->created;
			wrong = RS->wrong;
			failed = RS->failed;
			st[mi].restores++;
			if (RS->refused)
				st[mi].refused++;
			else if (created == RS_N && !wrong && !failed)
				st[mi].complete++;
			else if (!wrong)
				st[mi].halfway++;
			st[mi].wrong_pids += wrong;
			st[mi].wrong_restores += wrong > 0;
			if (RS->err)
				st[mi].err = RS->err;
			kill(-rp, SIGKILL);
			/* The restorer, its tree (we are their subreaper). */
			while ((z = waitpid(-1, NULL, __WALL | WNOHANG)) > 0 || (z == 0 && !kill(-rp, 0)))
				if (z == 0)
					usleep(1000);
			while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
				;
		}
	}
	__atomic_store_n(&RS->stop, 1, __ATOMIC_RELEASE);
	waitpid(fk, NULL, 0);
	waitpid(sn, NULL, 0);
	printf("BENCH restore load seconds=%.1f forks=%ld snipes=%ld\n", (now_ns() - t0) / 1e9,
	       RS->forks, RS->snipes);
	for (j = 0; j < nm; j++)
		printf("BENCH restore result method=%s restores=%ld complete=%ld failed_after_start=%ld"
		       " refused_up_front=%ld wrong_restores=%ld wrong_pids=%ld err=%d\n",
		       mname[m[j]], st[j].restores, st[j].complete, st[j].halfway, st[j].refused,
		       st[j].wrong_restores, st[j].wrong_pids, st[j].err);
	return 0;
}

/* ------------------------------------------------------------------ */
/* reserve: the cost of reserving n pids against creating n processes  */

static int sec_reserve(int argc, char **argv)
{
	int rounds = iparam(argc, argv, "rounds", 10);
	const char *ns_ = param(argc, argv, "n", "100,1000,4000");
	static struct rs_set sets[CWP_MAX_RESERVE_SETS];
	static const struct pid_set *ptrs[CWP_MAX_RESERVE_SETS];
	static pid_t kids[CWP_MAX_RESERVE_SETS];
	int ns[8], nn = parse_ints(ns_, ns, 8), r, i, k;

	module_pool(2 * CWP_MAX_RESERVE_SETS);
	need_device();
	pin(0);
	printf("BENCH reserve params rounds=%d n=%s (reserve + release of n one-level sets,"
	       " against fork() of n children that stay alive)\n", rounds, ns_);
	for (i = 0; i < nn; i++) {
		int n = ns[i] > CWP_MAX_RESERVE_SETS ? CWP_MAX_RESERVE_SETS : ns[i];
		double *vr = calloc(rounds, sizeof(double)), *vf = calloc(rounds, sizeof(double));
		double *vrel = calloc(rounds, sizeof(double)), *q = calloc(rounds, sizeof(double));
		long fails = 0;

		for (r = 0; r < rounds; r++) {
			pid_t lo = far_pids(n);
			unsigned long long t;

			for (k = 0; k < n; k++) {
				sets[k].set.num_pids = 1;
				sets[k].pids[0] = lo + k;
				ptrs[k] = &sets[k].set;
			}
			t = now_ns();
			if (clone_with_pids_reserve(ptrs, n, NULL, NULL)) {
				fails++;
				continue;
			}
			vr[r] = (now_ns() - t) / 1e3;
			t = now_ns();
			clone_with_pids_release(NULL, 0);
			vrel[r] = (now_ns() - t) / 1e3;
			t = now_ns();
			for (k = 0; k < n; k++) {
				kids[k] = fork();
				if (kids[k] == 0) {
					pause();
					_exit(0);
				}
			}
			vf[r] = (now_ns() - t) / 1e3;
			for (k = 0; k < n; k++)
				if (kids[k] > 0)
					kill(kids[k], SIGKILL);
			for (k = 0; k < n; k++)
				if (kids[k] > 0)
					waitpid(kids[k], NULL, 0);
			q[r] = vr[r] / vf[r];
		}
		printf("BENCH reserve n=%d result method=reserve reserve_us=%.0f release_us=%.0f"
		       " fork_us=%.0f vs_fork=%.4f,%.4f,%.4f fail=%ld\n", n,
		       quantile(vr, rounds, 0.5), quantile(vrel, rounds, 0.5),
		       quantile(vf, rounds, 0.5), quantile(q, rounds, 0.5), quantile(q, rounds, 0.25),
		       quantile(q, rounds, 0.75), fails);
		fflush(stdout);
		free(vr);
		free(vf);
		free(vrel);
		free(q);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* threads: n threads with chosen tids vs pthread_create()              */

enum { T_PTHREAD, T_PTHREAD_NEXT, T_CLONE, T_CWP_FN, T_CWP_FN_NOPIDS, NR_T };
static const char *const tname[NR_T] = {
	"pthread", "pthread_next", "clone", "cwp_fn", "cwp_fn_nopids",
};

#define THREAD_FLAGS	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
			 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)
#define RAW_STACK	(32 * 1024)

/* A stand-in TLS block for bare threads: self pointers and the stack guard. */
struct tls_block {
	unsigned long w[32];
};

static int th_go;
static pid_t *th_seen;
static pid_t *th_want;
static pid_t *th_word;
static struct tls_block *th_tls;
static char *th_stacks;

#if defined(__x86_64__)
/* The bare threads' stack guard (%fs:0x28): ours. */
static void bare_tls_init(int n)
{
	unsigned long guard;
	int i;

	__asm__("movq %%fs:0x28, %0" : "=r"(guard));
	for (i = 0; i < n; i++)
		th_tls[i].w[5] = guard;
}
#else
/* arm64: the stack guard is a global (__stack_chk_guard), not in the TLS. */
static void bare_tls_init(int n)
{
}
#endif

/* Runs on a bare thread: raw system calls only. */
static int raw_thread(void *arg)
{
	long i = (long)arg;

	__atomic_store_n(&th_seen[i], (pid_t)t_raw_syscall4(SYS_gettid, 0, 0, 0, 0), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&th_go, __ATOMIC_ACQUIRE))
		t_raw_syscall4(SYS_futex, (long)&th_go, FUTEX_WAIT, 0, 0);
	return 0;
}

static void *pthread_fn(void *arg)
{
	long i = (long)arg;

	__atomic_store_n(&th_seen[i], (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (!__atomic_load_n(&th_go, __ATOMIC_ACQUIRE))
		futex(&th_go, FUTEX_WAIT, 0, NULL);
	return NULL;
}

/*
 * Create n threads with method @t (tids lo.. for the chosen ones), time
 * only the creation; then check the tids, release and reap them.
 */
static int trace_write(const char *file, const char *s);

static double threads_run(int t, int n, pid_t lo, pthread_t *pt, pthread_attr_t *attr,
			  struct counts *k, int traced)
{
	unsigned long long t0, t1;
	long i;

	th_go = 0;
	memset(th_seen, 0, n * sizeof(*th_seen));
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		struct {
			struct pid_set set;
			pid_t pids[1];
		} ps = { { 1 }, { lo + (pid_t)i } };
		char *stack = th_stacks + (i + 1) * RAW_STACK;
		long r = 0;
		int tries = 0;
retry:

		switch (t) {
		case T_PTHREAD_NEXT:
			if (clone_with_pids_next(&ps.set)) {
				r = -errno;
				break;
			}
			/* fall through */
		case T_PTHREAD:
			r = -pthread_create(&pt[i], attr, pthread_fn, (void *)i);
			break;
		case T_CLONE:
			th_tls[i].w[0] = th_tls[i].w[2] = (unsigned long)&th_tls[i];
			r = clone(raw_thread, stack, THREAD_FLAGS, (void *)i, &th_word[i],
				  &th_tls[i], &th_word[i]);
			if (r < 0)
				r = -errno;
			break;
		case T_CWP_FN:
		case T_CWP_FN_NOPIDS:
			th_tls[i].w[0] = th_tls[i].w[2] = (unsigned long)&th_tls[i];
			r = clone_with_pids_fn(raw_thread, stack, THREAD_FLAGS, (void *)i,
					       t == T_CWP_FN ? &ps.set : NULL,
					       &th_word[i], &th_tls[i], &th_word[i]);
			if (r < 0)
				r = -errno;
			break;
		}
		if ((r == -EBUSY || r == -EEXIST) && ++tries < 16) {
			/* Taken (an exiting thread of an earlier round): next one. */
			k->busy++;
			ps.pids[0] += n;
			goto retry;
		}
		if (r < 0)
			fail("%s: thread %ld: %s", tname[t], i, strerror(-r));
		th_want[i] = ps.pids[0];
	}
	t1 = now_ns();
	if (traced)
		trace_write("tracing_on", "0");
	for (i = 0; i < n; i++) {
		pid_t s;

		while (!(s = __atomic_load_n(&th_seen[i], __ATOMIC_ACQUIRE)))
			sched_yield();
		if ((t == T_PTHREAD_NEXT || t == T_CWP_FN) && s != th_want[i])
			k->wrong++;
	}
	set_wake(&th_go, 1);
	for (i = 0; i < n; i++) {
		if (t == T_PTHREAD || t == T_PTHREAD_NEXT) {
			pthread_join(pt[i], NULL);
		} else {
			pid_t w;

			while ((w = __atomic_load_n(&th_word[i], __ATOMIC_ACQUIRE)))
				futex(&th_word[i], FUTEX_WAIT, w, NULL);
		}
	}
	return (t1 - t0) / 1e3 / n;
}

static int sec_threads(int argc, char **argv)
{
	int rounds = iparam(argc, argv, "rounds", 5);
	int n = iparam(argc, argv, "n", 1000);
	pthread_attr_t attr;
	pthread_t *pt;
	double v[NR_T][64];
	struct counts k[NR_T];
	struct cpu_acct acct[NR_T], a0, a1, d;
	int r, j, t;
	pid_t base;

	if (rounds > 64)
		rounds = 64;
	need_device();
	pin(0);
	raise_limits(65536, 4L * n + 4096);
	th_seen = calloc(n, sizeof(*th_seen));
	th_want = calloc(n, sizeof(*th_want));
	th_word = calloc(n, sizeof(*th_word));
	th_tls = calloc(n, sizeof(*th_tls));
	pt = calloc(n, sizeof(*pt));
	th_stacks = mmap(NULL, (size_t)(n + 1) * RAW_STACK, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (th_stacks == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	bare_tls_init(n);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	memset(k, 0, sizeof(k));
	memset(acct, 0, sizeof(acct));
	printf("BENCH threads params rounds=%d threads=%d methods=pthread,pthread_next,clone,cwp_fn,"
	       "cwp_fn_nopids pthread_stack=64k raw_stack=32k cpus=1\n", rounds, n);
	base = far_pids(8 * n);
	for (r = 0; r < rounds; r++) {
		/* Tids of a round are reused 4 rounds later, long after they exited. */
		pid_t lo = base + (r % 4) * 2 * n;

		printf("BENCH threads round=%d", r);
		for (j = 0; j < NR_T; j++) {
			t = (j + r) % NR_T;
			/* The previous method's deferred work is not this one's. */
			quiesce();
			cpu_acct(&a0, 1);
			v[t][r] = threads_run(t, n, lo, pt, &attr, &k[t], 0);
			/* ... and this one's is counted here. */
			quiesce();
			cpu_acct(&a1, 1);
			cpu_acct_diff(&d, &a0, &a1);
			cpu_acct_add(&acct[t], &d);
		}
		for (t = 0; t < NR_T; t++)
			printf(" %s=%.2f", tname[t], v[t][r]);
		printf("\n");
		fflush(stdout);
	}
	for (t = 0; t < NR_T; t++) {
		int b = t == T_PTHREAD_NEXT ? T_PTHREAD : t == T_CWP_FN || t == T_CWP_FN_NOPIDS ? T_CLONE : t;
		double ratio[64], ratio_p[64];

		for (r = 0; r < rounds; r++) {
			ratio[r] = v[t][r] / v[b][r];
			ratio_p[r] = v[t][r] / v[T_PTHREAD][r];
		}
		printf("BENCH threads result method=%s us=%.2f,%.2f,%.2f vs_base=%.4f,%.4f,%.4f"
		       " vs_pthread=%.4f,%.4f,%.4f wrong=%ld busy=%ld", tname[t],
		       quantile(v[t], rounds, 0.5), quantile(v[t], rounds, 0.25),
		       quantile(v[t], rounds, 0.75), quantile(ratio, rounds, 0.5),
		       quantile(ratio, rounds, 0.25), quantile(ratio, rounds, 0.75),
		       quantile(ratio_p, rounds, 0.5), quantile(ratio_p, rounds, 0.25),
		       quantile(ratio_p, rounds, 0.75), k[t].wrong, k[t].busy);
		/* The whole creation + reaping phase, per thread. */
		cpu_acct_print(&acct[t], (long)n * rounds);
		printf("\n");
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* profile: the functions that run per call, counted with ftrace        */

#define TRACING	"/sys/kernel/tracing"

static const char *const traced[] = {
	/* the module */
	"cwp_ioctl", "cwp_copy_args", "cwp_request_create", "cwp_request_arm",
	"cwp_request_cancel", "cwp_request_put", "cwp_request_free", "cwp_kernel_clone",
	"cwp_kernel_clone_entry", "cwp_kernel_clone_return", "cwp_idr_alloc_cyclic_pre",
	"cwp_idr_alloc_exact", "cwp_do_exit_pre", "cwp_seccomp_filtered",
	/* how the kernel reaches it */
	"kprobe_int3_handler", "kprobe_ftrace_handler", "opt_pre_handler",
	/* arm64's BRK handlers (renamed *_brk_handler in 6.15) */
	"kprobe_breakpoint_handler", "kprobe_breakpoint_ss_handler",
	"kretprobe_breakpoint_handler", "kprobe_brk_handler", "kprobe_ss_brk_handler",
	"kretprobe_brk_handler",
	"pre_handler_kretprobe", "kretprobe_rethook_handler", "rethook_trampoline_handler",
	"__kretprobe_trampoline_handler", "arch_rethook_trampoline_callback",
	"kprobe_post_process", "resume_singlestep",
	/* what it calls, and the kernel's own pid allocation */
	"kernel_clone", "alloc_pid", "free_pid", "idr_alloc_cyclic", "idr_alloc",
	"idr_alloc_u32", "queue_rcu_work", "kmalloc_trace", "__kmalloc",
	"put_pid_ns", "__put_task_struct", "try_module_get", "module_put",
};

struct fn_count {
	char name[128];
	long n;
};

static int trace_write(const char *file, const char *s)
{
	char path[128];

	snprintf(path, sizeof(path), TRACING "/%s", file);
	return write_str(path, s);
}

/* Opening a tracefs file for writing with O_TRUNC empties it. */
static void trace_truncate(const char *file)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), TRACING "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd >= 0)
		close(fd);
}

static int profile_setup(void)
{
	char path[128];
	unsigned int i;
	int fd, nf = 0;

	if (mount("tracefs", TRACING, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	trace_write("tracing_on", "0");
	trace_write("current_tracer", "nop");
	snprintf(path, sizeof(path), TRACING "/set_ftrace_filter");
	trace_truncate("set_ftrace_filter");
	/*
	 * One name per open: ftrace joins what successive writes carry until
	 * a separator, and a name not traceable here must fail alone.
	 */
	for (i = 0; i < sizeof(traced) / sizeof(traced[0]); i++) {
		char buf[128];
		int len = snprintf(buf, sizeof(buf), "%s\n", traced[i]);

		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (write(fd, buf, len) == len)
			nf++;
		close(fd);
	}
	if (!nf)
		return -ENOENT;
	printf("BENCH profile traced functions=%d\n", nf);
	trace_write("buffer_size_kb", "8192");
	return trace_write("current_tracer", "function");
}

/* Count "function <-caller" pairs in the trace buffer. */
static int profile_collect(struct fn_count *fc, int max)
{
	char line[512];
	int n = 0, i;
	FILE *f = fopen(TRACING "/trace", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *arrow, *fn, *end, key[128];

		if (line[0] == '#' || !(arrow = strstr(line, " <-")))
			continue;
		end = arrow;
		fn = arrow;
		while (fn > line && fn[-1] != ' ')
			fn--;
		arrow += 3;
		arrow[strcspn(arrow, " \n")] = '\0';
		snprintf(key, sizeof(key), "%.*s<-%s", (int)(end - fn), fn, arrow);
		for (i = 0; i < n; i++)
			if (!strcmp(fc[i].name, key))
				break;
		if (i == n) {
			if (n == max)
				continue;
			snprintf(fc[n].name, sizeof(fc[0].name), "%s", key);
			fc[n++].n = 0;
		}
		fc[i].n++;
	}
	fclose(f);
	return n;
}

struct profile_arg {
	int d, n, nm, m[NR_M];
};

static void profile_child(void *p)
{
	struct profile_arg *a = p;
	struct cursor c;
	struct fn_count fc[128];
	int j, i, nfc;

	pin(0);
	c.lo = c.cur = far_pids(10000);
	c.hi = c.lo + 10000;
	nest(a->d - 1);
	need_device();
	for (j = 0; j < a->nm; j++) {
		struct counts k = { 0 };
		struct timespec settle = { 0, 300 * 1000 * 1000 };

		/* Let the frees of the previous method's requests run first. */
		nanosleep(&settle, NULL);
		trace_truncate("trace");
		trace_write("tracing_on", "1");
		for (i = 0; i < a->n; i++)
			one_op(a->m[j], a->d, &c, &k);
		nanosleep(&settle, NULL);
		trace_write("tracing_on", "0");
		nfc = profile_collect(fc, 128);
		for (i = 0; i < nfc; i++)
			printf("BENCH profile d=%d method=%s calls=%d fn=%s per_call=%.2f\n",
			       a->d, mname[a->m[j]], a->n, fc[i].name, (double)fc[i].n / a->n);
		fflush(stdout);
	}
}

static int sec_profile(int argc, char **argv)
{
	struct profile_arg a;
	const char *ms = param(argc, argv, "methods", "fork,clone3_settid,cwp,fwp");
	const char *ds = param(argc, argv, "depths", "1,4");
	int depths[40], nd = parse_ints(ds, depths, 40), i, err;

	a.n = iparam(argc, argv, "n", 50);
	a.nm = parse_methods(ms, a.m);
	printf("BENCH profile params calls=%d methods=%s depths=%s\n", a.n, ms, ds);
	err = profile_setup();
	if (err) {
		printf("BENCH profile skipped: ftrace function tracer unavailable: %s\n",
		       strerror(-err));
		return 0;
	}
	for (i = 0; i < nd; i++) {
		a.d = depths[i];
		if (in_child(profile_child, &a))
			printf("BENCH profile error d=%d failed\n", a.d);
	}
	trace_write("current_tracer", "nop");
	trace_truncate("set_ftrace_filter");
	return 0;
}


/* ------------------------------------------------------------------ */
/* graph: where the time goes, with the function_graph tracer           */

struct fn_time {
	char name[96];
	long calls;
	double us;
};

/* Sum the inclusive durations of every function in the trace buffer. */
static int graph_collect(struct fn_time *ft, int max)
{
	char line[512];
	int n = 0, i;
	FILE *f = fopen(TRACING "/trace", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *bar = strchr(line, '|'), *us, *p, name[96];
		double d;
		size_t len;

		if (line[0] == '#' || !bar || !(us = strstr(line, " us ")) || us > bar)
			continue;
		p = us;
		while (p > line && p[-1] != ' ')
			p--;
		d = strtod(p, NULL);
		p = bar + 1;
		while (*p == ' ')
			p++;
		if (*p == '}') {
			char *c = strstr(p, "/* ");

			if (!c)
				continue;
			c += 3;
			len = strcspn(c, " ");
			snprintf(name, sizeof(name), "%.*s", (int)len, c);
		} else {
			/* "name();" or, in a module, "name [module]();" */
			len = strcspn(p, " (");
			if (!strstr(p, "();"))
				continue;
			snprintf(name, sizeof(name), "%.*s", (int)len, p);
		}
		for (i = 0; i < n; i++)
			if (!strcmp(ft[i].name, name))
				break;
		if (i == n) {
			if (n == max)
				continue;
			snprintf(ft[n].name, sizeof(ft[0].name), "%s", name);
			ft[n].calls = 0;
			ft[n].us = 0;
			n++;
		}
		ft[i].calls++;
		ft[i].us += d;
	}
	fclose(f);
	return n;
}

static int graph_setup(int depth)
{
	static const char *const entries[] = { "__x64_sys_ioctl", "__x64_sys_clone", "__x64_sys_clone3" };
	char path[128], buf[32];
	unsigned int i;
	int fd;

	if (mount("tracefs", TRACING, "tracefs", 0, NULL) && errno != EBUSY)
		return -errno;
	trace_write("tracing_on", "0");
	trace_write("current_tracer", "nop");
	trace_truncate("set_ftrace_filter");
	trace_truncate("set_graph_function");
	snprintf(path, sizeof(path), TRACING "/set_graph_function");
	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		snprintf(buf, sizeof(buf), "%s\n", entries[i]);
		if (write(fd, buf, strlen(buf)) < 0) {
			close(fd);
			return -errno;
		}
		close(fd);
	}
	snprintf(buf, sizeof(buf), "%d", depth);
	trace_write("max_graph_depth", buf);
	trace_write("trace_options", "funcgraph-tail");
	trace_write("trace_options", "nofuncgraph-irqs");
	trace_write("buffer_size_kb", "16384");
	return trace_write("current_tracer", "function_graph");
}

static void graph_report(const char *kind, const char *method, int n)
{
	static struct fn_time ft[2048];
	int nft = graph_collect(ft, 2048), i;

	for (i = 0; i < nft; i++) {
		double per = ft[i].us / n;

		if (per < 2 && strncmp(ft[i].name, "cwp_", 4))
			continue;
		printf("BENCH graph kind=%s method=%s calls=%d fn=%s per_call=%.2f us_per_op=%.1f\n",
		       kind, method, n, ft[i].name, (double)ft[i].calls / n, per);
	}
	fflush(stdout);
}

static int sec_graph(int argc, char **argv)
{
	const char *kind = param(argc, argv, "kind", "procs");
	int n = iparam(argc, argv, "n", 20);
	int depth = iparam(argc, argv, "maxdepth", 8);
	int threads = !strcmp(kind, "threads");
	const char *ms = param(argc, argv, "methods", threads ? "clone,cwp_fn,pthread,pthread_next"
							      : "clone3_settid,cwp,fork,fwp");
	struct timespec settle = { 0, 300 * 1000 * 1000 };
	int err, i;

	need_device();
	pin(0);
	printf("BENCH graph params kind=%s calls=%d methods=%s maxdepth=%d\n", kind, n, ms, depth);
	err = graph_setup(depth);
	if (err) {
		printf("BENCH graph skipped: function_graph tracer unavailable: %s\n", strerror(-err));
		return 0;
	}
	if (threads) {
		pthread_t *pt = calloc(n, sizeof(*pt));
		pthread_attr_t attr;
		const char *p = ms;
		struct counts k = { 0 };

		th_seen = calloc(n, sizeof(*th_seen));
		th_want = calloc(n, sizeof(*th_want));
		th_word = calloc(n, sizeof(*th_word));
		th_tls = calloc(n, sizeof(*th_tls));
		th_stacks = mmap(NULL, (size_t)(n + 1) * RAW_STACK, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
		bare_tls_init(n);
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		while (*p) {
			size_t len = strcspn(p, ",");
			int t;

			for (t = 0; t < NR_T; t++)
				if (strlen(tname[t]) == len && !strncmp(tname[t], p, len))
					break;
			if (t == NR_T)
				fail("unknown thread method %.*s", (int)len, p);
			nanosleep(&settle, NULL);
			trace_truncate("trace");
			trace_write("tracing_on", "1");
			threads_run(t, n, far_pids(2 * n), pt, &attr, &k, 1);
			graph_report(kind, tname[t], n);
			p += len + (p[len] == ',');
		}
	} else {
		int m[NR_M], nm = parse_methods(ms, m), j;
		struct cursor c;

		c.lo = c.cur = far_pids(10000);
		c.hi = c.lo + 10000;
		for (j = 0; j < nm; j++) {
			struct counts k = { 0 };

			nanosleep(&settle, NULL);
			trace_truncate("trace");
			trace_write("tracing_on", "1");
			for (i = 0; i < n; i++)
				one_op(m[j], 1, &c, &k);
			trace_write("tracing_on", "0");
			graph_report(kind, mname[m[j]], n);
		}
	}
	trace_write("tracing_on", "0");
	trace_write("current_tracer", "nop");
	trace_truncate("set_graph_function");
	return 0;
}

/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} sections[] = {
		{ "env", sec_env }, { "latency", sec_latency }, { "depth", sec_depth }, { "tax", sec_tax },
		{ "tree", sec_tree }, { "tput", sec_tput }, { "churn", sec_churn },
		{ "restore", sec_restore }, { "reserve", sec_reserve },
		{ "threads", sec_threads }, { "profile", sec_profile }, { "graph", sec_graph },
	};
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2) {
		fprintf(stderr, "usage: cwp-bench SECTION [key=value...]\n");
		return 2;
	}
	section = argv[1];
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (!strcmp(argv[1], sections[i].name)) {
			unsigned long long t0 = now_ns();
			int ret = sections[i].fn(argc, argv);

			printf("BENCH %s time seconds=%.1f\n", section, (now_ns() - t0) / 1e9);
			return ret;
		}
	}
	fail("unknown section");
}
