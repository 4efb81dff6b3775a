// SPDX-License-Identifier: GPL-2.0
/*
 * CWP_IOC_CLONE interrupted by a signal, to be made again by the kernel
 * (ERESTARTNOINTR), while the signal's handler arms pids of its own
 * (CWP_IOC_SET_NEXT): the restarted ioctl fails with EINTR and leaves the
 * handler's pids armed for the thread's next clone, which gets them.
 * Never a task made with pids the kernel chose, never the handler's pids
 * dropped, nor taken by the restart. Three forms of the ioctl:
 *
 * - without a set, taking pids armed before it (the probe restores the
 *   flags the ioctl poisoned);
 * - with its own set, given to kernel_clone() as clone3()'s set_tid;
 * - with its own set covering a reservation of the file (the diversion).
 *
 * The clone is made slow (an address space of 64 MiB to copy), and a
 * timer sends the calling thread one SIGUSR1 at a random moment of each
 * call (within the time the calls have taken so far); the handler acts
 * only when it interrupted the main thread's CWP_IOC_CLONE, which the
 * kernel will make again: the saved context points back at the system
 * call instruction, with the ioctl's number in its register.
 */
#include "t.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>

/* glibc before 2.35 names the thread of SIGEV_THREAD_ID only internally. */
#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

enum { NO_SET, SET_TID, RESERVED, NR_FORMS };

static const char *const form_name[NR_FORMS] = {
	"no set, pids armed before", "own set (set_tid)", "own reserved set (diversion)",
};

static int g_fd = -1;
static timer_t timer;
static volatile sig_atomic_t in_ioctl;
static volatile unsigned long call_nr;
static volatile pid_t handler_pid;	/* the pid the handler armed in this call */
static volatile unsigned long handler_errors;

static int arm(const struct pid_set *set)
{
	struct cwp_next_args n = { .size = sizeof(n), .pid_set = (uintptr_t)set };

	return ioctl(g_fd, CWP_IOC_SET_NEXT, &n);
}

#ifdef __x86_64__
/* The kernel set the saved ip back onto the syscall and rax to its number. */
static int interrupted_ioctl(const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	const unsigned char *ip = (const unsigned char *)g[REG_RIP];

	return in_ioctl && g[REG_RAX] == SYS_ioctl && g[REG_RSI] == (greg_t)CWP_IOC_CLONE &&
	       ip[0] == 0x0f && ip[1] == 0x05 && g[REG_RCX] == g[REG_RIP] + 2;
}
#elif defined(__aarch64__)
/* The kernel set the saved pc back onto the svc and x0 to its first argument. */
static int interrupted_ioctl(const ucontext_t *uc)
{
	const mcontext_t *m = &uc->uc_mcontext;

	return in_ioctl && m->regs[8] == SYS_ioctl && m->regs[1] == CWP_IOC_CLONE &&
	       *(const uint32_t *)m->pc == 0xd4000001;
}
#else
static int interrupted_ioctl(const ucontext_t *uc)
{
	return 0;
}
#endif

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	int err = errno;
	struct t_set s;
	pid_t want = 7700 + (pid_t)(call_nr % 64);

	if (interrupted_ioctl(ctx) && !handler_pid) {
		if (arm(t_set(&s, 1, want)))
			handler_errors++;
		else
			handler_pid = want;
	}
	errno = err;
}

/* One SIGUSR1 to the calling thread in @ns nanoseconds. */
static void signal_in(long ns)
{
	struct itimerspec it = { .it_value = { ns / 1000000000, ns % 1000000000 } };

	if (timer_settime(timer, 0, &it, NULL))
		t_fail("timer_settime: %s", strerror(errno));
}

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

struct tally {
	unsigned long exact, eintr, busy, restarts_owed, wrong, errors;
};

/* How long a call takes, on average so far: where the signal goes. */
static long avg_ns = 1000000;

/* One call of @form for pid @want; the handler may arm meanwhile. */
static void one(int form, pid_t want, struct tally *t, unsigned int *seed)
{
	struct cwp_clone_args a;
	struct t_set s;
	long r, t0;
	int err;

	t_clone_args(&a, NULL);
	t_set(&s, 1, want);
	if (form == NO_SET && arm(&s.set))
		t_fail("arm {%d}: %s", want, strerror(errno));
	if (form == RESERVED &&
	    clone_with_pids_reserve((const struct pid_set *[]){ &s.set }, 1, NULL, NULL))
		t_fail("reserve {%d}: %s", want, strerror(errno));
	if (form != NO_SET)
		a.pid_set = (uintptr_t)&s.set;

	handler_pid = 0;
	call_nr++;
	t0 = now_ns();
	in_ioctl = 1;
	signal_in(1 + (long)(rand_r(seed) % 1000) * avg_ns / 1000);
	r = ioctl(g_fd, CWP_IOC_CLONE, &a);
	if (r == 0)
		_exit(0);
	err = errno;
	in_ioctl = 0;
	signal_in(0);
	avg_ns = (avg_ns * 7 + (now_ns() - t0)) / 8;
	if (r > 0)
		t_reap(r);

	if (handler_pid) {
		/* The restart was owed an error; the handler's pids are armed. */
		pid_t h = handler_pid;

		if (r < 0 && err == EINTR) {
			t->restarts_owed++;
			r = t_fork_exit0();
			if (r != h) {
				t->wrong++;
				printf("%s: the next fork() got %ld, the handler armed %d\n",
				       form_name[form], r, h);
			}
		} else {
			t->wrong++;
			printf("%s: the restarted ioctl returned %ld (%s) after the handler armed {%d}\n",
			       form_name[form], r, r < 0 ? strerror(err) : "a child", h);
		}
	} else if (r == want) {
		t->exact++;
	} else if (r < 0 && err == EBUSY) {
		t->busy++;
	} else if (r < 0 && err == EINTR) {
		t->eintr++;
	} else if (r > 0) {
		t->wrong++;
		printf("%s: child %ld, %d was asked for\n", form_name[form], r, want);
	} else {
		t->errors++;
		printf("%s: %s\n", form_name[form], strerror(err));
	}
	arm(NULL);
	if (form == RESERVED)
		clone_with_pids_release(NULL, 0);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1 };
	struct tally t[NR_FORMS] = { { 0 } };
	size_t len = 64 << 20;
	unsigned int seed = 1;
	unsigned long rounds;
	time_t end;
	char *mem;
	int f, enough;

#if !defined(__x86_64__) && !defined(__aarch64__)
	t_skip("the handler recognises an interrupted ioctl on x86-64 and arm64 only");
#endif
	setvbuf(stdout, NULL, _IOLBF, 0);
	g_fd = clone_with_pids_fd();
	T_ASSERT(g_fd >= 0, "open: %s", strerror(errno));
	{
		struct cwp_query q = { .size = sizeof(q) };

		T_ASSERT(!ioctl(g_fd, CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
		if (q.monitors)
			t_skip("this thread's system calls are monitored (%#x): CWP_IOC_CLONE is refused",
			       q.monitors);
	}
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T_ASSERT(mem != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(mem, 1, len);
	sigaction(SIGUSR1, &sa, NULL);
	sev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
	T_ASSERT(!timer_create(CLOCK_MONOTONIC, &sev, &timer), "timer_create: %s", strerror(errno));

	end = time(NULL) + (time_t)t_cmdline_num("cwp_owed_seconds", 60);
	for (rounds = 0; time(NULL) < end; rounds++) {
		f = rounds % NR_FORMS;
		one(f, 7800 + (pid_t)(rounds % 64), &t[f], &seed);
		for (enough = 1, f = 0; f < NR_FORMS; f++)
			enough &= t[f].restarts_owed >= 5;
		if (enough)
			break;
	}
	timer_delete(timer);

	for (f = 0; f < NR_FORMS; f++)
		printf("stat: %s: %lu exact, %lu restarts owed EINTR (the handler's pids armed), "
		       "%lu other EINTR, %lu EBUSY, %lu wrong, %lu errors\n", form_name[f],
		       t[f].exact, t[f].restarts_owed, t[f].eintr, t[f].busy, t[f].wrong,
		       t[f].errors);
	T_ASSERT(!handler_errors, "the handler failed to arm %lu times", handler_errors);
	for (f = 0; f < NR_FORMS; f++) {
		T_ASSERT(!t[f].wrong, "%s: %lu wrong outcomes", form_name[f], t[f].wrong);
		T_ASSERT(!t[f].errors, "%s: %lu errors", form_name[f], t[f].errors);
		T_ASSERT(t[f].restarts_owed, "%s: no call was interrupted and made again "
			 "(%lu rounds)", form_name[f], rounds);
	}
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
