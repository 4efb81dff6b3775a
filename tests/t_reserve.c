// SPDX-License-Identifier: GPL-2.0
/*
 * CWP_IOC_RESERVE: reserved pids are given to no fork and refused to a
 * clone asking for them through another file (EBUSY, also clone3()'s
 * set_tid: EEXIST); a
 * reservation with one busy pid reserves nothing and says which pid;
 * CWP_IOC_RELEASE gives back exactly the sets named (ENOENT and nothing
 * for a set not reserved); a file's reservations go with its last close,
 * whoever holds it (a child that inherited it, killed).
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "t.h"

#include <linux/sched.h>

/*
 * The reservations here are made through a file of their own: the
 * library's, through which fork_with_pids() arms, is "everyone else".
 */
static int resv_fd = -1;

static int reserve(const struct pid_set *const *sets, unsigned int n, unsigned int *bs,
		   unsigned int *bi)
{
	struct cwp_reserve_args ra = { .size = sizeof(ra), .nr_sets = n };
	uint64_t ptrs[8];
	unsigned int i;
	int r;

	for (i = 0; i < n; i++)
		ptrs[i] = (uintptr_t)sets[i];
	ra.sets = (uintptr_t)ptrs;
	r = ioctl(resv_fd, CWP_IOC_RESERVE, &ra);
	if (bs)
		*bs = ra.busy_set;
	if (bi)
		*bi = ra.busy_index;
	return r;
}

static int release(const struct pid_set *const *sets, unsigned int n)
{
	struct cwp_reserve_args ra = { .size = sizeof(ra), .nr_sets = n };
	uint64_t ptrs[8];
	unsigned int i;

	for (i = 0; i < n; i++)
		ptrs[i] = (uintptr_t)sets[i];
	ra.sets = (uintptr_t)ptrs;
	return ioctl(resv_fd, CWP_IOC_RELEASE, &ra);
}

static void set_last_pid(pid_t last)
{
	t_write_file("/proc/sys/kernel/ns_last_pid", t_fmt("%d", last));
}

int main(void)
{
	struct t_set a, b, c, d, e, f, g;
	const struct pid_set *sets[4];
	unsigned int bs, bi;
	pid_t outer, base;

	if (t_nr_reserved())
		t_fail("%u sets reserved before the test", t_nr_reserved());
	/* Outer pids: free now in the initial namespace, near its pid_max. */
	outer = t_pid_max() - 200;
	while (t_pid_exists(outer) || t_pid_exists(outer + 1) || t_pid_exists(outer + 2))
		outer -= 3;

	t_nest(1);
	base = 300;
	resv_fd = open(CWP_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	T_ASSERT(resv_fd >= 0, "open: %s", strerror(errno));

	sets[0] = t_set(&a, 2, outer, base);
	sets[1] = t_set(&b, 2, 0, base + 1);
	sets[2] = t_set(&c, 2, outer + 1, 0);
	T_ASSERT(reserve(sets, 3, &bs, &bi) == 0, "reserve: %s", strerror(errno));
	T_ASSERT(bs == ~0U && bi == ~0U, "busy %u %u after success", bs, bi);
	T_ASSERT(t_nr_reserved() == 3, "%u reserved, not 3", t_nr_reserved());

	/* The kernel's own allocation goes past them. */
	set_last_pid(base - 1);
	T_ASSERT(t_fork_exit0() == base + 2, "plain fork after %d did not skip the reserved pids", base - 1);

	/* Asking for them: EBUSY; clone3()'s set_tid: EEXIST. */
	T_EXPECT_ERRNO(t_fork_exact(&a.set), EBUSY);
	T_EXPECT_ERRNO(t_fork_exact(&b.set), EBUSY);
	T_EXPECT_ERRNO(t_fork_exact(t_set(&d, 2, outer + 1, base + 10)), EBUSY);
	{
		pid_t tid[1] = { base + 1 };
		struct clone_args ca = {
			.exit_signal = SIGCHLD,
			.set_tid = (uintptr_t)tid,
			.set_tid_size = 1,
		};
		long r = syscall(SYS_clone3, &ca, sizeof(ca));

		if (r == 0)
			_exit(0);
		T_ASSERT(r < 0 && errno == EEXIST, "clone3 set_tid of a reserved pid: %ld (%s)",
			 r, strerror(errno));
	}

	/* One busy pid: nothing reserved, and which one is said. */
	sets[0] = t_set(&d, 2, 0, base + 20);
	sets[1] = t_set(&e, 2, outer + 2, base + 21);
	sets[2] = t_set(&f, 2, 0, base);		/* reserved above */
	bs = bi = 7;
	T_EXPECT_ERRNO(reserve(sets, 3, &bs, &bi), EBUSY);
	T_ASSERT(bs == 2 && bi == 1, "busy set %u index %u, not 2 1", bs, bi);
	T_ASSERT(t_nr_reserved() == 3, "%u reserved after a refused call, not 3", t_nr_reserved());
	sets[2] = t_set(&f, 2, 0, 1);			/* this process */
	T_EXPECT_ERRNO(reserve(sets, 3, &bs, &bi), EBUSY);
	T_ASSERT(bs == 2 && bi == 1, "busy set %u index %u for pid 1, not 2 1", bs, bi);
	T_ASSERT(t_fork_exact(&d.set) == 0, "pid %d of a refused reservation not free: %s",
		 base + 20, strerror(errno));
	T_ASSERT(t_fork_exact(&e.set) == 0, "pids %d/%d of a refused reservation not free: %s",
		 outer + 2, base + 21, strerror(errno));

	/* Validation: no pid chosen; a pid other than 1 in a namespace without init. */
	sets[0] = t_set(&d, 2, 0, 0);
	T_EXPECT_ERRNO(reserve(sets, 1, NULL, NULL), EINVAL);

	/* Release: exactly the sets named, or nothing. */
	sets[0] = &a.set;
	sets[1] = t_set(&g, 2, 0, base + 50);		/* not reserved */
	T_EXPECT_ERRNO(release(sets, 2), ENOENT);
	T_ASSERT(t_nr_reserved() == 3, "%u reserved after a refused release", t_nr_reserved());
	T_ASSERT(release(sets, 1) == 0, "release: %s", strerror(errno));
	T_ASSERT(t_nr_reserved() == 2, "%u reserved after releasing one", t_nr_reserved());
	T_ASSERT(t_fork_exact(&a.set) == 0, "released pids not free: %s", strerror(errno));
	T_EXPECT_ERRNO(t_fork_exact(&b.set), EBUSY);
	T_ASSERT(release(NULL, 0) == 0, "release all: %s", strerror(errno));
	T_ASSERT(t_nr_reserved() == 0, "%u reserved after releasing all", t_nr_reserved());
	T_ASSERT(t_fork_exact(&b.set) == 0, "released pid not free: %s", strerror(errno));
	T_ASSERT(t_fork_exact(t_set(&c, 2, outer + 1, 0)) == 0, "released outer pid not free: %s",
		 strerror(errno));

	/* The module's memory per reserved set, two levels, 1000 sets. */
	{
		static struct t_set m[1000];
		static const struct pid_set *ms[1000];
		struct cwp_query q0 = { .size = sizeof(q0) }, q1 = { .size = sizeof(q1) };
		int i;

		for (i = 0; i < 1000; i++)
			ms[i] = t_set(&m[i], 2, 0, 1000 + i);
		T_ASSERT(!ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, &q0), "query");
		T_ASSERT(clone_with_pids_reserve(ms, 1000, NULL, NULL) == 0, "reserve 1000: %s",
			 strerror(errno));
		T_ASSERT(!ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, &q1), "query");
		printf("stat: %llu bytes per reserved set of one chosen level (1000 sets)\n",
		       (unsigned long long)(q1.mem_bytes - q0.mem_bytes) / 1000);
		fflush(stdout);
		T_ASSERT(clone_with_pids_release(NULL, 0) == 0, "release: %s", strerror(errno));
	}

	/* A file's reservations live while any holder has it, no longer. */
	{
		struct cwp_reserve_args ra = { .size = sizeof(ra), .nr_sets = 1 };
		uint64_t ptr = (uintptr_t)t_set(&d, 2, 0, base + 60);
		int fd = open(CWP_DEVICE_PATH, O_RDWR);
		pid_t holder;

		T_ASSERT(fd >= 0, "open: %s", strerror(errno));
		ra.sets = (uintptr_t)&ptr;
		T_ASSERT(ioctl(fd, CWP_IOC_RESERVE, &ra) == 0, "reserve: %s", strerror(errno));
		holder = fork();
		if (holder == 0) {
			pause();
			_exit(0);
		}
		T_ASSERT(holder > 0, "fork: %s", strerror(errno));
		close(fd);
		T_ASSERT(t_nr_reserved() == 1, "reservation gone with a holder left");
		T_EXPECT_ERRNO(t_fork_exact(&d.set), EBUSY);
		kill(holder, SIGKILL);
		t_wait(holder);
		T_ASSERT(t_nr_reserved() == 0, "%u reserved after the last holder died",
			 t_nr_reserved());
		T_ASSERT(t_fork_exact(&d.set) == 0, "pid of a closed reservation not free: %s",
			 strerror(errno));
	}
	return T_PASS;
}
