// SPDX-License-Identifier: GPL-2.0
#include "storm.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

extern char **environ;

const char *const t_path_name[T_NR_PATHS] = {
	[T_FORK_WITH_PIDS]	= "fork_with_pids",
	[T_NEXT_FORK]		= "next+fork",
	[T_NEXT_CLONE]		= "next+clone",
	[T_NEXT_CLONE3]		= "next+clone3",
	[T_NEXT_PTHREAD]	= "next+pthread_create",
	[T_NEXT_SPAWN]		= "next+posix_spawn",
	[T_CLONE_WITH_PIDS]	= "clone_with_pids",
	[T_CLONE_WITH_PIDS_FN]	= "clone_with_pids_fn",
};

/*
 * Does the calling thread have exactly the pids of @set? Read from its
 * NSpid with plain system calls: it may be the child of a raw clone().
 */
static int t_self_exact(const struct pid_set *set)
{
	struct t_set got;
	unsigned int i;
	int n = clone_with_pids_get(0, &got.set, CLONE_WITH_PIDS_MAX + 1);

	if (n < (int)set->num_pids)
		return 0;
	for (i = 0; i < set->num_pids; i++) {
		pid_t want = set->pids[set->num_pids - 1 - i];

		if (want && want != got.set.pids[n - 1 - i])
			return 0;
	}
	return 1;
}

/* The pids as an argument of the spawned checker: "a,b,c". */
static void t_set_format(const struct pid_set *set, char *buf, size_t size)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < set->num_pids && off < size; i++)
		off += snprintf(buf + off, size - off, "%s%d", i ? "," : "", set->pids[i]);
}

void t_storm_spawn_hook(int argc, char **argv)
{
	struct t_set s;
	char *p;

	if (argc != 3 || strcmp(argv[1], "--t-check-pids"))
		return;
	s.set.num_pids = 0;
	for (p = argv[2]; *p && s.set.num_pids <= CLONE_WITH_PIDS_MAX; p++) {
		s.set.pids[s.set.num_pids++] = strtol(p, &p, 10);
		if (!*p)
			break;
	}
	_exit(t_self_exact(&s.set) ? 0 : 3);
}

static void *t_thread_check(void *arg)
{
	return (void *)(long)t_self_exact(arg);
}

static int t_fn_check(void *arg)
{
	return t_self_exact(arg) ? 0 : 3;
}

/* Keep errno across the cancel of what a failed clone left armed. */
static void t_disarm(void)
{
	int err = errno;

	clone_with_pids_next(NULL);
	errno = err;
}

/*
 * Create along @path. Returns the new task's id in the caller's namespace
 * (for a thread: the id it should have, if its own check passed), or -1
 * with errno. *@inside is the task's own verdict when the creator knows
 * it already (threads), -1 when it is in the exit status.
 */
static pid_t t_create(enum t_path path, const struct pid_set *set, int *inside)
{
	static char stack[64 * 1024] __attribute__((aligned(16)));
	struct clone_args ca = { .exit_signal = SIGCHLD };
	char *argv[4], arg[512];
	pthread_attr_t attr;
	pthread_t th;
	void *verdict;
	pid_t pid;
	int rc;

	*inside = -1;
	switch (path) {
	case T_FORK_WITH_PIDS:
		pid = fork_with_pids(set);
		break;
	case T_NEXT_FORK:
		if (clone_with_pids_next(set))
			return -1;
		pid = fork();
		break;
	case T_NEXT_CLONE:
		if (clone_with_pids_next(set))
			return -1;
		pid = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
		break;
	case T_NEXT_CLONE3:
		if (clone_with_pids_next(set))
			return -1;
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
		break;
	case T_NEXT_PTHREAD:
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		if (clone_with_pids_next(set))
			return -1;
		rc = pthread_create(&th, &attr, t_thread_check, (void *)set);
		pthread_attr_destroy(&attr);
		if (rc) {
			errno = rc;
			t_disarm();
			return -1;
		}
		pthread_join(th, &verdict);
		*inside = (long)verdict;
		return set->pids[set->num_pids - 1];
	case T_NEXT_SPAWN:
		t_set_format(set, arg, sizeof(arg));
		argv[0] = "t";
		argv[1] = "--t-check-pids";
		argv[2] = arg;
		argv[3] = NULL;
		if (clone_with_pids_next(set))
			return -1;
		rc = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, environ);
		if (rc) {
			errno = rc;
			t_disarm();
			return -1;
		}
		return pid;
	case T_CLONE_WITH_PIDS:
		pid = clone_with_pids(SIGCHLD, NULL, NULL, NULL, NULL, (struct pid_set *)set);
		break;
	case T_CLONE_WITH_PIDS_FN:
		return clone_with_pids_fn(t_fn_check, stack + sizeof(stack), SIGCHLD,
					  (void *)set, set);
	default:
		t_fail("unknown path %d", path);
	}
	if (pid == 0)
		_exit(t_self_exact(set) ? 0 : 3);
	if (pid < 0 && path != T_FORK_WITH_PIDS && path != T_CLONE_WITH_PIDS)
		t_disarm();
	return pid;
}

void t_create_checked(enum t_path path, const struct pid_set *set,
		      struct t_tally *t)
{
	pid_t want = set->pids[set->num_pids - 1];
	int tries, inside;
	pid_t pid;

	for (tries = 0;; tries++) {
		errno = 0;
		pid = t_create(path, set, &inside);
		if (pid > 0)
			break;
		if (errno == EBUSY && tries < 200) {
			t->busy++;
			usleep(1000);
			continue;
		}
		t->errors++;
		t->last_errno = errno;
		return;
	}
	if (inside < 0)
		inside = t_wait(pid) == 0;
	if (inside && (!want || pid == want))
		t->exact++;
	else
		t->wrong++;
}

/* The storm. */
static enum t_storm t_storm_kind;
static pthread_t t_storm_thread;
static pid_t t_storm_pid, t_storm_target;
static volatile unsigned long *t_storm_shared;	/* [0] stop, [1] count */
static volatile unsigned long t_storm_handled;

static void t_storm_handler(int sig)
{
	t_storm_handled++;
}

/* A short, varying pause: a few hundred microseconds at most. */
static void t_storm_pause(unsigned int *seed)
{
	usleep(rand_r(seed) % 300);
}

static void *t_signaller(void *arg)
{
	unsigned int seed = 1;

	while (!t_storm_shared[0]) {
		syscall(SYS_tgkill, getpid(), t_storm_target, SIGUSR1);
		t_storm_shared[1]++;
		t_storm_pause(&seed);
	}
	return NULL;
}

static void t_stopper(pid_t target)
{
	unsigned int seed = 2;

	while (!t_storm_shared[0]) {
		kill(target, SIGSTOP);
		t_storm_pause(&seed);
		kill(target, SIGCONT);
		t_storm_shared[1]++;
		t_storm_pause(&seed);
	}
	kill(target, SIGCONT);
	_exit(0);
}

static void t_tracer(pid_t target)
{
	unsigned int seed = 3;
	int st;

	if (ptrace(PTRACE_SEIZE, target, NULL, NULL))
		_exit(2);
	while (!t_storm_shared[0]) {
		ptrace(PTRACE_INTERRUPT, target, NULL, NULL);
		/* Until the interrupt stop; pass signals on. */
		for (;;) {
			if (waitpid(target, &st, __WALL) != target)
				_exit(3);
			if (!WIFSTOPPED(st))
				_exit(4);
			if (st >> 16 == PTRACE_EVENT_STOP)
				break;
			ptrace(PTRACE_CONT, target, NULL, (void *)(long)WSTOPSIG(st));
		}
		ptrace(PTRACE_CONT, target, NULL, NULL);
		t_storm_shared[1]++;
		t_storm_pause(&seed);
	}
	/* The tracee is running: our exit detaches it. */
	_exit(0);
}

/* Does the system call at this syscall-enter-stop create a task? */
static int t_creating_call(const struct __ptrace_syscall_info *si)
{
	switch (si->entry.nr) {
	case SYS_clone:
	case SYS_clone3:
#ifdef SYS_fork
	case SYS_fork:
#endif
#ifdef SYS_vfork
	case SYS_vfork:
#endif
		return 1;
	case SYS_ioctl:
		return (unsigned int)si->entry.args[1] == CWP_IOC_CLONE;
	}
	return 0;
}

/* Does the stopped tracee @pid block @sig? */
static int t_blocks(pid_t pid, int sig)
{
	unsigned long long mask;

	if (ptrace(PTRACE_GETSIGMASK, pid, (void *)sizeof(mask), &mask))
		_exit(7);
	return !!(mask & (1ULL << (sig - 1)));
}

static int t_group_stop_sig(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/*
 * T_STORM_ENTRY. Stop @target at each system call entry (PTRACE_SYSCALL);
 * at the entry of every other call that creates a task, make something
 * pending that copy_process() must see before it copies anything: in turn
 * a SIGUSR1 (unless the call is made with it blocked), a SIGSTOP
 * (continued when its group stop is reported) and a PTRACE_INTERRUPT. Each one makes that clone return ERESTARTNOINTR and be
 * made again. The call after an interrupted one is left alone, so the
 * restart goes through. Counts what it made pending.
 */
static void t_entry_tracer(pid_t target)
{
	struct __ptrace_syscall_info si;
	unsigned long made = 0;
	int st, sig, kind, last_made = 0, stopped = 0;

	if (ptrace(PTRACE_SEIZE, target, NULL, (void *)PTRACE_O_TRACESYSGOOD) ||
	    ptrace(PTRACE_INTERRUPT, target, NULL, NULL))
		_exit(2);
	for (;;) {
		if (waitpid(target, &st, __WALL) != target)
			_exit(3);
		if (!WIFSTOPPED(st))
			_exit(4);
		sig = 0;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if (ptrace(PTRACE_GET_SYSCALL_INFO, target, (void *)sizeof(si), &si) <= 0)
				_exit(5);
			if (si.op == PTRACE_SYSCALL_INFO_ENTRY && t_creating_call(&si) &&
			    !t_storm_shared[0]) {
				last_made = !last_made;
				if (last_made) {
					kind = made++ % 3;
					/* glibc 2.41's and musl's fork() block every signal. */
					if (kind == 0 && t_blocks(target, SIGUSR1))
						kind = 1 + made % 2;
					switch (kind) {
					case 0:
						syscall(SYS_tgkill, target, target, SIGUSR1);
						break;
					case 1:
						kill(target, SIGSTOP);
						stopped = 1;
						break;
					case 2:
						ptrace(PTRACE_INTERRUPT, target, NULL, NULL);
						break;
					}
					t_storm_shared[1] = made;
				}
			}
		} else if (st >> 16 == PTRACE_EVENT_STOP) {
			/* A group stop (ours: continue it) or PTRACE_INTERRUPT's trap. */
			if (t_group_stop_sig(WSTOPSIG(st)) && stopped) {
				kill(target, SIGCONT);
				stopped = 0;
			}
		} else {
			sig = WSTOPSIG(st);	/* a signal for the tracee: pass it on */
		}
		if (t_storm_shared[0]) {
			ptrace(PTRACE_DETACH, target, NULL, (void *)(long)sig);
			kill(target, SIGCONT);
			_exit(0);
		}
		if (ptrace(PTRACE_SYSCALL, target, NULL, (void *)(long)sig))
			_exit(6);
	}
}

void t_storm_start(enum t_storm kind)
{
	struct sigaction sa = { .sa_handler = t_storm_handler, .sa_flags = SA_RESTART };
	pid_t me = getpid();

	t_storm_kind = kind;
	if (!t_storm_shared) {
		t_storm_shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		T_ASSERT(t_storm_shared != MAP_FAILED, "mmap: %s", strerror(errno));
	}
	t_storm_shared[0] = 0;
	t_storm_shared[1] = 0;
	switch (kind) {
	case T_STORM_NONE:
		break;
	case T_STORM_SIGNALS:
		sigaction(SIGUSR1, &sa, NULL);
		t_storm_target = syscall(SYS_gettid);
		T_ASSERT(!pthread_create(&t_storm_thread, NULL, t_signaller, NULL),
			 "signaller thread");
		break;
	case T_STORM_ENTRY:
		sigaction(SIGUSR1, &sa, NULL);
		/* fall through */
	case T_STORM_STOPCONT:
	case T_STORM_PTRACE:
		fflush(NULL);
		t_storm_pid = fork();
		T_ASSERT(t_storm_pid >= 0, "fork: %s", strerror(errno));
		if (t_storm_pid == 0) {
			if (kind == T_STORM_STOPCONT)
				t_stopper(me);
			if (kind == T_STORM_ENTRY)
				t_entry_tracer(me);
			t_tracer(me);
		}
		/* Let the tracer attach before we start. */
		usleep(50 * 1000);
		break;
	}
}

unsigned long t_storm_stop(void)
{
	int st;

	t_storm_shared[0] = 1;
	switch (t_storm_kind) {
	case T_STORM_NONE:
		break;
	case T_STORM_SIGNALS:
		pthread_join(t_storm_thread, NULL);
		break;
	case T_STORM_STOPCONT:
	case T_STORM_PTRACE:
	case T_STORM_ENTRY:
		st = t_wait(t_storm_pid);
		T_ASSERT(st == 0, "the %s exited with %d",
			 t_storm_kind == T_STORM_STOPCONT ? "stopper" : "tracer", st);
		break;
	}
	t_storm_kind = T_STORM_NONE;
	return t_storm_shared[1];
}

unsigned long t_storm_paths(const char *what, unsigned int paths, unsigned int rounds,
			    struct pid_set *(*make_set)(enum t_path path,
							unsigned int round))
{
	unsigned long bad = 0;
	unsigned int p, r;

	for (p = 0; p < T_NR_PATHS; p++) {
		struct t_tally t = { 0 };

		if (!(paths & (1U << p)))
			continue;
		for (r = 0; r < rounds; r++)
			t_create_checked(p, make_set(p, r), &t);
		printf("stat: %s, %s: %lu exact, %lu wrong, %lu errors%s%s, %lu EBUSY retried\n",
		       what, t_path_name[p], t.exact, t.wrong, t.errors,
		       t.errors ? " last " : "", t.errors ? strerror(t.last_errno) : "",
		       t.busy);
		bad += t.wrong + t.errors;
	}
	fflush(stdout);
	return bad;
}

unsigned int t_storm_rounds(void)
{
	unsigned int rounds = t_cmdline_num("cwp_storm_rounds", 1000);

	return sizeof(long) == 4 ? rounds / 4 : rounds;
}

static struct t_set t_storm_set;

struct pid_set *t_storm_one_level(enum t_path path, unsigned int round)
{
	return t_set(&t_storm_set, 1, 7000 + path * 100 + round % 64);
}

struct pid_set *t_storm_gap(enum t_path path, unsigned int round)
{
	unsigned int k = path * 16 + round % 16;

	return t_set(&t_storm_set, 3, 7800 + k, 0, 200 + k);
}

void t_storm_run(enum t_storm kind, const char *what, unsigned int paths, unsigned int rounds,
		 struct pid_set *(*make_set)(enum t_path path, unsigned int round),
		 const char *unit)
{
	unsigned long bad, sent;

	t_storm_start(kind);
	bad = t_storm_paths(what, paths, rounds, make_set);
	sent = t_storm_stop();
	printf("stat: %lu %s\n", sent, unit);
	T_ASSERT(!bad, "%s: %lu tasks with wrong pids or failed", what, bad);
	T_ASSERT(sent > 0, "%s: nothing was sent", what);
}

unsigned long t_storm_kinds(const struct t_storm_work *w, unsigned int n)
{
	static const struct {
		enum t_storm kind;
		const char *what;
	} kinds[] = {
		{ T_STORM_SIGNALS, "SIGUSR1 storm" },
		{ T_STORM_STOPCONT, "SIGSTOP/SIGCONT" },
		{ T_STORM_PTRACE, "ptrace interrupts" },
		{ T_STORM_ENTRY, "interrupted at clone entry" },
	};
	unsigned long errors = 0, sent;
	unsigned int k, r, units;
	long restarts;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		struct t_tally t = { 0 };

		units = kinds[k].kind == T_STORM_ENTRY ? n / 2 : n;
		if (w->start)
			w->start();
		restarts = t_stat("restarts");
		t_storm_start(kinds[k].kind);
		for (r = 0; r < units; r++)
			w->run(r, &t);
		sent = t_storm_stop();
		restarts = t_stat("restarts") - restarts;
		printf("stat: %s, %u %s of %u: %lu exact, %lu errors%s%s, %lu EBUSY retried, %lu sent,"
		       " %ld restarts\n", kinds[k].what, units, w->unit, w->per_unit, t.exact, t.errors,
		       t.errors ? " last " : "", t.errors ? strerror(t.last_errno) : "", t.busy, sent,
		       restarts);
		fflush(stdout);
		T_ASSERT(sent > 0, "%s: nothing sent", kinds[k].what);
		T_ASSERT(kinds[k].kind != T_STORM_ENTRY || restarts >= (long)sent,
			 "%s: %lu clones interrupted, %ld restarts", kinds[k].what, sent, restarts);
		T_ASSERT(t.exact == (unsigned long)units * w->per_unit, "%s: %lu exact of %u",
			 kinds[k].what, t.exact, units * w->per_unit);
		if (w->done)
			w->done(kinds[k].what, &t, restarts);
		errors += t.errors;
	}
	return errors;
}
