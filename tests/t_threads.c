// SPDX-License-Identifier: GPL-2.0
/*
 * A multithreaded process recreated with chosen tids: 8 threads made with
 * clone_with_pids_fn() and the flags of a C library thread
 * (CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|
 * CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID). Each thread sees
 * its tid with gettid(), /proc/<pid>/task lists them, the tid word is set
 * at creation and cleared with a futex wake at exit. Done in the initial
 * namespace and again one level down, where /proc shows both levels.
 */
#include "t.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define N	8
#define FLAGS	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
		 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/* A stand-in TLS block: a self pointer and room for the stack guard. */
struct tls {
	void *self;
	unsigned long pad[31];
};

static struct tls tls[N];

#if defined(__i386__)
#include <asm/ldt.h>
/* i386: CLONE_SETTLS takes a GDT descriptor, in the slot %gs selects. */
static struct user_desc desc[N];

static void *tls_arg(long i)
{
	unsigned short gs;

	asm("movw %%gs, %0" : "=r"(gs));
	desc[i].entry_number = gs >> 3;
	desc[i].base_addr = (unsigned long)&tls[i];
	desc[i].limit = 0xfffff;
	desc[i].seg_32bit = 1;
	desc[i].limit_in_pages = 1;
	desc[i].useable = 1;
	return &desc[i];
}
#else
static void *tls_arg(long i)
{
	return &tls[i];
}
#endif
static volatile pid_t tid_word[N];
static volatile long seen[N];
static volatile int go;

/*
 * Runs on a bare thread: raw system calls only (the C library's may need
 * TLS fields this stand-in block lacks), no errno, no stdio.
 */
static int thread_fn(void *arg)
{
	long i = (long)arg;

	seen[i] = t_raw_syscall4(SYS_gettid, 0, 0, 0, 0);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		t_raw_syscall4(SYS_futex, (long)&go, FUTEX_WAIT, 0, 0);
	return 0;
}

static void run(int nested, pid_t outer, pid_t inner)
{
	struct t_set s, got;
	long i;

	go = 0;
	for (i = 0; i < N; i++) {
		int r;

		tls[i].self = &tls[i];
		seen[i] = 0;
		if (nested)
			t_set(&s, 2, outer + (pid_t)i, inner + (pid_t)i);
		else
			t_set(&s, 1, outer + (pid_t)i);
		r = clone_with_pids_fn(thread_fn, t_stack(64 * 1024), FLAGS, (void *)i, &s.set,
				       &tid_word[i], tls_arg(i), &tid_word[i]);
		T_ASSERT(r == (nested ? inner : outer) + i, "thread %ld: %d %s", i, r, strerror(errno));
		T_ASSERT(tid_word[i] == r, "tid word %d", tid_word[i]);
	}
	for (i = 0; i < N; i++) {
		while (!seen[i])
			sched_yield();
		T_ASSERT(seen[i] == (nested ? inner : outer) + i, "thread %ld saw gettid %ld", i, seen[i]);
		/* /proc is the initial namespace's: it names threads by outer tid. */
		T_ASSERT(clone_with_pids_get(outer + i, &got.set, 4) == 1 + nested,
			 "thread %d: %s", outer + (int)i, strerror(errno));
		T_ASSERT(got.set.pids[0] == outer + i && (!nested || got.set.pids[1] == inner + i),
			 "NSpid %d %d", got.set.pids[0], got.set.pids[1]);
	}
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, &go, FUTEX_WAKE, N, NULL, NULL, 0);
	for (i = 0; i < N; i++)
		t_futex_wait_zero(&tid_word[i]);
	/* The tid word is cleared before the thread is released: poll. */
	for (i = 0; i < N; i++) {
		char path[64];
		struct stat st;
		int tries = 200;

		snprintf(path, sizeof(path), "/proc/self/task/%d", outer + (int)i);
		while (!stat(path, &st) && --tries)
			usleep(10 * 1000);
		T_ASSERT(tries, "thread %ld still listed after 2 s", i);
	}
}

int main(void)
{
	run(0, 6100, 0);
	t_nest(1);
	run(1, 6200, 100);
	return T_PASS;
}
