// SPDX-License-Identifier: GPL-2.0
/*
 * No reserved number is ever lost to pid_max. CWP_IOC_RESERVE refuses a
 * pid at or above pid_max (EINVAL, nothing reserved). A pid reserved
 * below it, and pid_max lowered under it afterwards: the clone through
 * the reservation fails with EINVAL and the reservation still holds the
 * number; released, with pid_max restored, the number can be had again
 * (clone3() set_tid), where a level marked handed over before
 * alloc_pid() refused it was held by nobody, for good (EEXIST).
 */
#include "t.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <linux/sched.h>

static char saved[32];

static void restore(void)
{
	t_write_file("/proc/sys/kernel/pid_max", saved);
}

static int read_pid_max(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	int v = -1;

	if (!f || fscanf(f, "%d", &v) != 1)
		t_fail("read pid_max: %s", strerror(errno));
	fclose(f);
	return v;
}

/* clone3() with set_tid {@nr}: the child's pid, or -1 with errno. */
static long clone3_exact(pid_t nr)
{
	struct clone_args ca = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&nr,
		.set_tid_size = 1,
	};
	long r = syscall(SYS_clone3, &ca, sizeof(ca));

	if (r == 0)
		_exit(0);
	if (r > 0)
		t_reap(r);
	return r;
}

static int test(void)
{
	struct t_set s;

	/* At and above pid_max: refused, nothing reserved. */
	t_write_file("/proc/sys/kernel/pid_max", "6000");
	T_EXPECT_ERRNO(clone_with_pids_reserve((const struct pid_set *[]){ t_set(&s, 1, 6000) }, 1,
					       NULL, NULL), EINVAL);
	T_EXPECT_ERRNO(clone_with_pids_reserve((const struct pid_set *[]){ t_set(&s, 1, 7000) }, 1,
					       NULL, NULL), EINVAL);
	T_ASSERT(t_nr_reserved() == 0, "%u sets reserved after refusals", t_nr_reserved());

	/* Below it, then pid_max lowered: the clone fails, the number stays held. */
	T_ASSERT(!clone_with_pids_reserve((const struct pid_set *[]){ t_set(&s, 1, 5000) }, 1,
					  NULL, NULL), "reserve {5000}: %s", strerror(errno));
	t_write_file("/proc/sys/kernel/pid_max", "4000");
	T_EXPECT_ERRNO(fork_with_pids(t_set(&s, 1, 5000)), EINVAL);
	T_ASSERT(t_nr_reserved() == 1, "%u sets reserved after the refused clone", t_nr_reserved());
	restore();
	/* Still reserved: nobody else gets it. */
	T_ASSERT(clone3_exact(5000) < 0 && errno == EEXIST, "clone3 {5000} while reserved: %s",
		 strerror(errno));
	T_ASSERT(!clone_with_pids_release(NULL, 0), "release: %s", strerror(errno));

	/* Released: the number is free again. */
	T_ASSERT(clone3_exact(5000) == 5000, "clone3 {5000} after the release: %s",
		 strerror(errno));
	return T_PASS;
}

int main(void)
{
	unsigned long long features;
	pid_t pid;
	int rc;

	if (clone_with_pids_query(&features) < 0 || !(features & CWP_FEATURE_RESERVE))
		t_skip("the module cannot reserve pids on this kernel");
	snprintf(saved, sizeof(saved), "%d", read_pid_max());
	/* In a child (with a descriptor of its own): pid_max is restored whatever it does. */
	fflush(NULL);
	pid = fork();
	T_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(test());
	rc = t_wait(pid);
	restore();
	return rc;
}
