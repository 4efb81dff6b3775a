// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz the device: 4 threads send random and mutated requests (valid ones
 * included) to every ioctl, from a nested pid namespace, while another
 * process forks and reaps continuously and another thread keeps sending
 * SIGUSR1 to the fuzzing threads (so that their clones are interrupted
 * and restarted). Sizes, tails, flags, padding, pid
 * lists and pointers (valid, NULL, unmapped, straddling a page, kernel
 * addresses, read-only) are all mutated; clone flags are drawn from those
 * that keep the caller's stack its own. Runs until cwp_fuzz_requests=
 * requests (default 400,000) or cwp_fuzz_seconds= (default 480, both on
 * the kernel command line) have passed, then
 * checks that no pid set stays armed, that the namespace holds nothing but
 * the fuzzer, and that every pid the fuzzer asked for can be taken again:
 * no pid leaked. The runner checks the kernel log.
 */
#include "t.h"

#include <dirent.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#define THREADS	4

static unsigned long limit = 400000;
static double deadline;
static unsigned long long total, ok_clones, ok_next;
static char *page;		/* page 0 rw, page 1 unmapped, page 2 read-only */
static pid_t fuzzer_tid[THREADS];
static volatile int storm_stop;
static unsigned long storm_sent;
static long psz;
static int fd;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long rnd(unsigned long long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The child of a successful clone: leave at once, touching nothing. */
static void __attribute__((noreturn)) child_exit(void)
{
	for (;;)
		t_raw_exit_group();
}

static uint64_t fuzz_ptr(unsigned long long *s, void *good)
{
	switch (rnd(s) % 16) {
	case 0:
		return 0;
	case 1:
		return (uintptr_t)(page + psz);			/* unmapped */
	case 2:
		return (uintptr_t)(page + psz - 4);		/* straddles */
	case 3:
		return 0xffffffff81000000ULL;			/* kernel */
	case 4:
		return rnd(s);
	case 5:
		return (uintptr_t)(page + 2 * psz);		/* read-only */
	default:
		return (uintptr_t)good;
	}
}

static pid_t fuzz_pid(unsigned long long *s, int base)
{
	switch (rnd(s) % 12) {
	case 0:
		return -(pid_t)(rnd(s) % 3) - 1;
	case 1:
		return 1;
	case 2:
		return 4194304 + rnd(s) % 3 - 1;
	case 3:
		return (pid_t)rnd(s);
	case 4:
	case 5:
	case 6:
		return 0;
	default:
		return base + rnd(s) % 64;
	}
}

static void fuzz_set(unsigned long long *s, struct t_set *set, int base)
{
	unsigned int i, n = rnd(s) % 8 == 0 ? rnd(s) % 40 : rnd(s) % 4;

	set->set.num_pids = n;
	for (i = 0; i < n && i <= CLONE_WITH_PIDS_MAX; i++)
		set->set.pids[i] = fuzz_pid(s, base);
}

static const unsigned long safe_flags[] = {
	CLONE_PARENT_SETTID, CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID, CLONE_PIDFD,
	CLONE_NEWPID, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_UNTRACED, CLONE_VFORK, CLONE_FS,
	CLONE_FILES, CLONE_SYSVSEM, CLONE_SIGHAND, CLONE_THREAD, CLONE_SETTLS, CLONE_NEWNET,
	CLONE_IO,
};

static uint64_t fuzz_flags(unsigned long long *s)
{
	uint64_t f = rnd(s) % 4 ? SIGCHLD : rnd(s) % 80;
	unsigned int i;

	for (i = 0; i < sizeof(safe_flags) / sizeof(safe_flags[0]); i++)
		if (rnd(s) % 8 == 0)
			f |= safe_flags[i];
	if (rnd(s) % 64 == 0)
		f |= rnd(s) << 32;
	/* A CLONE_VM child would share our stack: never. */
	if (f & CLONE_THREAD)
		f &= ~CLONE_VM;
	return f;
}

static void reap(long pid)
{
	int st;

	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
}

static void one_clone(unsigned long long *s, int base, int set_next)
{
	struct {
		struct cwp_clone_args a;
		unsigned char tail[64];
	} b;
	static __thread int tid_word;
	struct t_set set;
	uint64_t size;
	long r;

	memset(&b, 0, sizeof(b));
	fuzz_set(s, &set, base);
	switch (rnd(s) % 10) {
	case 0:
		size = rnd(s) % 128;
		break;
	case 1:
		size = rnd(s) % 2 ? 4096 : 4097 + rnd(s) % 100;
		break;
	default:
		size = set_next ? sizeof(struct cwp_next_args) : sizeof(b.a);
	}
	if (rnd(s) % 16 == 0)
		b.tail[rnd(s) % sizeof(b.tail)] = rnd(s) | 1;
	if (set_next) {
		struct cwp_next_args *n = (void *)&b;

		n->size = size;
		n->pid_set = fuzz_ptr(s, &set);
		if (rnd(s) % 32 == 0)
			n->cwp_flags = rnd(s);
		if (rnd(s) % 32 == 0)
			n->pad = rnd(s);
		r = ioctl(fd, CWP_IOC_SET_NEXT, rnd(s) % 64 ? (void *)&b : (void *)(uintptr_t)fuzz_ptr(s, &b));
		if (r == 0) {
			__atomic_add_fetch(&ok_next, 1, __ATOMIC_RELAXED);
			switch (rnd(s) % 3) {
			case 0:
				r = fork();
				if (r == 0)
					child_exit();
				if (r > 0)
					reap(r);
				break;
			case 1:
				clone_with_pids_next(NULL);
				break;
			}
		}
		return;
	}
	b.a.size = size;
	b.a.flags = fuzz_flags(s);
	b.a.stack = rnd(s) % 32 ? 0 : (uintptr_t)(page + psz);
	b.a.parent_tid = fuzz_ptr(s, &tid_word);
	b.a.child_tid = fuzz_ptr(s, &tid_word);
	b.a.tls = rnd(s) % 4 ? 0 : rnd(s);
	b.a.pid_set = fuzz_ptr(s, &set);
	if (rnd(s) % 32 == 0)
		b.a.cwp_flags = rnd(s);
	if (rnd(s) % 32 == 0)
		b.a.pad = rnd(s);
	/* A new stack is only usable by a child that exits at once. */
	if (b.a.stack)
		b.a.flags &= ~(uint64_t)CLONE_VFORK;
	r = ioctl(fd, CWP_IOC_CLONE, rnd(s) % 64 ? (void *)&b : (void *)(uintptr_t)fuzz_ptr(s, &b));
	if (r == 0)
		child_exit();
	if (r > 0) {
		__atomic_add_fetch(&ok_clones, 1, __ATOMIC_RELAXED);
		if ((b.a.flags & CLONE_PIDFD) && b.a.parent_tid == (uintptr_t)&tid_word)
			close(tid_word);
		if (!(b.a.flags & CLONE_THREAD))
			reap(r);
	}
}

static void one_query(unsigned long long *s)
{
	struct {
		struct cwp_query q;
		unsigned char tail[32];
	} b;

	memset(&b, 0, sizeof(b));
	b.q.size = rnd(s) % 4 ? sizeof(b.q) : rnd(s) % 200;
	if (rnd(s) % 8 == 0)
		((unsigned char *)&b)[8 + rnd(s) % (sizeof(b) - 8)] = rnd(s);
	ioctl(fd, CWP_IOC_QUERY, rnd(s) % 16 ? (void *)&b : (void *)(uintptr_t)fuzz_ptr(s, &b));
}

static void *fuzzer(void *arg)
{
	unsigned long long s = 0x9e3779b97f4a7c15ULL * ((long)arg + 1);
	int base = 100 + 100 * (int)(long)arg;
	unsigned long n = 0;

	__atomic_store_n(&fuzzer_tid[(long)arg], syscall(SYS_gettid), __ATOMIC_RELEASE);
	while (__atomic_load_n(&total, __ATOMIC_RELAXED) < limit) {
		unsigned int k = rnd(&s) % 100;

		/*
		 * Clones are costly in an emulated VM: one request in ten goes
		 * that way, and about a fifth of those create a task.
		 */
		if (k < 6)
			one_clone(&s, base, 0);
		else if (k < 10)
			one_clone(&s, base, 1);
		else if (k < 75)
			one_query(&s);
		else
			ioctl(fd, _IOC(rnd(&s) % 4, rnd(&s) % 2 ? CWP_IOC_MAGIC : rnd(&s) % 256,
				       rnd(&s) % 256, rnd(&s) % 128), page);
		if (++n % 1024 == 0) {
			__atomic_add_fetch(&total, 1024, __ATOMIC_RELAXED);
			if (now() > deadline)
				break;
		}
	}
	clone_with_pids_next(NULL);
	return NULL;
}

static void on_signal(int sig)
{
}

/* Interrupt the fuzzers' system calls, clones included, all the time. */
static void *storm(void *arg)
{
	unsigned long long s = 42;

	while (!storm_stop) {
		pid_t tid = __atomic_load_n(&fuzzer_tid[rnd(&s) % THREADS], __ATOMIC_ACQUIRE);

		if (tid > 0 && !syscall(SYS_tgkill, getpid(), tid, SIGUSR1))
			storm_sent++;
		usleep(rnd(&s) % 500);
	}
	return NULL;
}

static int count_pids(const char *proc)
{
	DIR *d = opendir(proc);
	struct dirent *e;
	int n = 0;

	if (!d)
		t_fail("%s: %s", proc, strerror(errno));
	while ((e = readdir(d)))
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
			n++;
	closedir(d);
	return n;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	pthread_t th[THREADS], storm_th;
	double t0;
	pid_t churn;
	int i, left;

	double seconds = t_cmdline_num("cwp_fuzz_seconds", 480);

	limit = t_cmdline_num("cwp_fuzz_requests", limit);
	t_nest(1);
	/* A /proc of our own namespace, to count its pids at the end. */
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    (mkdir("/tmp/fuzzproc", 0700) && errno != EEXIST) || mount("proc", "/tmp/fuzzproc", "proc", 0, NULL))
		t_fail("private /proc: %s", strerror(errno));

	psz = sysconf(_SC_PAGESIZE);
	page = mmap(NULL, 3 * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(page != MAP_FAILED, "mmap");
	munmap(page + psz, psz);
	mprotect(page + 2 * psz, psz, PROT_READ);
	fd = clone_with_pids_fd();
	T_ASSERT(fd >= 0, "open: %s", strerror(errno));

	churn = fork();
	if (churn == 0) {
		for (;;) {
			pid_t p = fork();

			if (p == 0)
				_exit(0);
			if (p > 0)
				waitpid(p, NULL, 0);
		}
	}

	t0 = now();
	deadline = t0 + seconds;
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, fuzzer, (void *)(long)i);
	pthread_create(&storm_th, NULL, storm, NULL);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	storm_stop = 1;
	pthread_join(storm_th, NULL);
	kill(churn, SIGKILL);
	waitpid(churn, NULL, 0);
	while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
		;

	printf("stat: %llu requests in %.0f s, %llu tasks created, %llu sets armed, %lu signals\n",
	       total, now() - t0, ok_clones, ok_next, storm_sent);
	fflush(stdout);
	T_ASSERT(total >= limit, "only %llu requests before the deadline", total);
	{
		struct cwp_query q = { .size = sizeof(q) };

		/* No fuzzed clone got other pids than it chose (gap lists stay on). */
		T_ASSERT(!ioctl(fd, CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
		if (!(q.features & CWP_FEATURE_ZERO_ANY_LEVEL))
			t_print_kernel_log("clone_with_pids");
		T_ASSERT(q.features & CWP_FEATURE_ZERO_ANY_LEVEL,
			 "a clone failed its verification: gap lists disabled");
	}
	T_ASSERT(t_nr_requests() == 0, "%u pid sets left armed", t_nr_requests());
	/*
	 * We are the namespace's init: orphans of the churn process come to
	 * us. Once they are reaped, only we are left...
	 */
	for (left = 250; left; left--) {
		while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
			;
		if (count_pids("/tmp/fuzzproc") == 1)
			break;
		usleep(20 * 1000);
	}
	T_ASSERT(left, "%d tasks in the fuzzed namespace, expected 1", count_pids("/tmp/fuzzproc"));
	/* ...and every pid the fuzzer asked for can be had again. */
	for (i = 0; i < THREADS; i++) {
		int nr;

		for (nr = 100 + 100 * i; nr < 164 + 100 * i; nr++) {
			struct t_set set;
			pid_t pid = fork_with_pids(t_set(&set, 1, nr));

			if (pid == 0)
				_exit(0);
			T_ASSERT(pid == nr, "pid %d still taken after fuzzing: %s", nr, strerror(errno));
			t_reap(pid);
		}
	}
	return T_PASS;
}
