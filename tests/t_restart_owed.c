// SPDX-License-Identifier: GPL-2.0
/*
 * A clone interrupted by a signal waits for its restart with its pids
 * armed. Its signal handler may meanwhile replace them
 * (CWP_IOC_SET_NEXT), cancel them, close the file they came through, or
 * arm and make a clone of its own. Whatever it does, the restarted clone
 * gets exactly the pids it was armed with, or fails with EINTR: never
 * pids the kernel chose, never the handler's.
 *
 * The handler acts only when it interrupted the clone system call of the
 * main thread, which the kernel will restart (ERESTARTNOINTR): the saved
 * context points back at that system call instruction with the clone's
 * number in its register (arch/x86/kernel/signal.c, arch/arm64/kernel/
 * signal.c). The signals come from a tracer that sends SIGUSR1 (or stops
 * or interrupts the main thread) at the entry of every other clone, so
 * that clone restarts whatever the CPU; on x86-64 a thread also sends
 * SIGUSR1 in a loop, catching clones at other points.
 */
#include "storm.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>

enum { REPLACE, CANCEL, CLOSE, HANDLER_CLONE, NR_ACTIONS };

static const char *const action_name[NR_ACTIONS] = {
	"replaced", "cancelled", "file closed", "handler's own clone",
};

static volatile int g_fd = -1;
static volatile sig_atomic_t in_clone, stop;
static volatile unsigned long acted[NR_ACTIONS], handler_wrong, handler_errors;
static unsigned long next_action;
static pthread_t main_thread;

static int arm(int fd, const struct pid_set *set)
{
	struct cwp_next_args n = {
		.size = sizeof(n),
		.pid_set = (uintptr_t)set,
	};

	return ioctl(fd, CWP_IOC_SET_NEXT, &n);
}

#ifdef __x86_64__
/*
 * Did this signal interrupt the main thread's clone, to be restarted? The
 * kernel set the saved ip back onto the syscall instruction and rax back
 * to the number; rcx still holds what the syscall instruction put there,
 * the address after it (a signal that came just before the instruction
 * would show the clone's third argument, 0, there).
 */
static int interrupted_clone(const ucontext_t *uc)
{
	const greg_t *g = uc->uc_mcontext.gregs;
	const unsigned char *ip = (const unsigned char *)g[REG_RIP];

	return in_clone && g[REG_RAX] == SYS_clone && ip[0] == 0x0f && ip[1] == 0x05 &&
	       g[REG_RCX] == g[REG_RIP] + 2;
}

/* x86-64 tells a clone about to be made from one to be restarted: rcx. */
static const int async_storm = 1;
#elif defined(__aarch64__)
/*
 * The kernel set the saved pc back onto the svc and x0 back to the
 * clone's first argument; x8 holds its number. A signal that came just
 * before the svc would look the same: only the tracer, which sends at the
 * clone's entry, sends SIGUSR1 here.
 */
static int interrupted_clone(const ucontext_t *uc)
{
	const mcontext_t *m = &uc->uc_mcontext;

	return in_clone && m->regs[8] == SYS_clone && *(const uint32_t *)m->pc == 0xd4000001;
}

static const int async_storm;
#else
static int interrupted_clone(const ucontext_t *uc)
{
	return 0;
}

static const int async_storm;
#endif

static void on_usr1(int sig, siginfo_t *si, void *ctx)
{
	int err = errno, fd = g_fd;
	struct t_set s;
	unsigned int a;
	long r;

	if (!interrupted_clone(ctx))
		return;
	a = next_action++ % NR_ACTIONS;
	switch (a) {
	case REPLACE:
		if (arm(fd, t_set(&s, 1, 7690)))
			handler_errors++;
		break;
	case CANCEL:
		if (arm(fd, NULL))
			handler_errors++;
		break;
	case CLOSE:
		g_fd = open(CWP_DEVICE_PATH, O_RDWR | O_CLOEXEC);
		close(fd);
		break;
	case HANDLER_CLONE:
		if (arm(fd, t_set(&s, 1, 7691))) {
			handler_errors++;
			break;
		}
		r = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		if (r == 0)
			syscall(SYS_exit_group, 0);
		if (r < 0)
			handler_errors++;
		else if (r != 7691)
			handler_wrong++;
		if (r > 0)
			waitpid(r, NULL, 0);
		break;
	}
	acted[a]++;
	errno = err;
}

static void *storm(void *arg)
{
	struct timespec ts = { 0, 20 * 1000 };

	while (!stop) {
		pthread_kill(main_thread, SIGUSR1);
		nanosleep(&ts, NULL);
	}
	return NULL;
}

/* Has the handler done each of its actions @n times? */
static int enough(unsigned long n)
{
	int a;

	for (a = 0; a < NR_ACTIONS; a++)
		if (acted[a] < n)
			return 0;
	return 1;
}

int main(void)
{
	unsigned long exact = 0, eintr = 0, wrong = 0, busy = 0, errors = 0;
	unsigned long rounds, sent;
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	struct t_set s;
	pthread_t th;
	time_t end;
	int a;

#if !defined(__x86_64__) && !defined(__aarch64__)
	t_skip("the handler recognises an interrupted clone on x86-64 and arm64 only");
#endif
	setvbuf(stdout, NULL, _IOLBF, 0);
	g_fd = open(CWP_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	T_ASSERT(g_fd >= 0, "open: %s", strerror(errno));
	main_thread = pthread_self();
	t_storm_start(T_STORM_ENTRY);
	sigaction(SIGUSR1, &sa, NULL);
	if (async_storm)
		pthread_create(&th, NULL, storm, NULL);

	end = time(NULL) + (time_t)t_cmdline_num("cwp_owed_seconds", 60);
	for (rounds = 0; !enough(5) && time(NULL) < end; rounds++) {
		pid_t want = 7600 + rounds % 64;
		long r;

		if (arm(g_fd, t_set(&s, 1, want))) {
			errors++;
			continue;
		}
		in_clone = 1;
		r = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		in_clone = 0;
		if (r == 0)
			syscall(SYS_exit_group, 0);
		if (r > 0) {
			t_reap(r);
			if (r == want) {
				exact++;
			} else {
				wrong++;
				printf("round %lu: child got pid %ld, %d was armed\n", rounds, r, want);
			}
		} else if (errno == EINTR) {
			eintr++;
		} else if (errno == EBUSY) {
			busy++;	/* the pid of a child just reaped, not freed yet */
		} else {
			errors++;
			printf("round %lu: clone: %s\n", rounds, strerror(errno));
		}
	}
	stop = 1;
	if (async_storm)
		pthread_join(th, NULL);
	sent = t_storm_stop();
	arm(g_fd, NULL);

	printf("stat: %lu rounds: %lu exact, %lu failed with EINTR, %lu wrong, %lu EBUSY, %lu errors,"
	       " %lu clones interrupted at entry\n", rounds, exact, eintr, wrong, busy, errors, sent);
	for (a = 0; a < NR_ACTIONS; a++)
		printf("stat: interrupted clone, handler: %s %lu times\n", action_name[a], acted[a]);
	T_ASSERT(!wrong, "%lu clones restarted with pids other than those armed", wrong);
	T_ASSERT(!handler_wrong && !handler_errors, "the handler's own clones: %lu wrong, %lu failed",
		 handler_wrong, handler_errors);
	T_ASSERT(!errors, "%lu clones failed otherwise", errors);
	T_ASSERT(enough(1), "the storm did not interrupt enough clones");
	T_ASSERT(t_nr_requests() == 0, "%u sets still armed", t_nr_requests());
	return T_PASS;
}
