// SPDX-License-Identifier: GPL-2.0
/*
 * Arming the diversion probe proves that it fires before the gap list is
 * armed; under QEMU's TCG a breakpoint written again has been seen not to
 * take effect, and writing it once more did. With the proof made to fail
 * through debugfs (inject_stale_arm):
 * - once: the probe is armed again, the list is armed and the clone gets
 *   exactly its pids;
 * - every time: arming the list fails with EOPNOTSUPP, the probe is left
 *   disarmed, and gap lists still work once the probe fires again (only a
 *   clone's failed verification turns them off).
 */
#include "t.h"

#include <sys/ioctl.h>

#define INJECT "/sys/kernel/debug/clone_with_pids/inject_stale_arm"

static int injected_left(void)
{
	char buf[32] = "";
	FILE *f = fopen(INJECT, "r");

	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	return atoi(buf);
}

int main(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	struct t_set s;
	pid_t pid;

	t_need_debugfs(INJECT);
	t_nest(2);

	/* The proof fails once: armed again, exact pids. */
	T_ASSERT(t_kprobe_wait_disarmed("idr_alloc_cyclic", 5000), "the diversion probe is still armed with no request");
	t_write_file(INJECT, "1");
	T_ASSERT(!clone_with_pids_next(t_set(&s, 3, 6630, 0, 84)), "arm with one failed proof: %s",
		 strerror(errno));
	T_ASSERT(injected_left() == 0, "the proof was not made (%d injected left)", injected_left());
	T_ASSERT(t_kprobe_armed("idr_alloc_cyclic") == 1, "the probe is not armed");
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 84, "fork with {6630, 0, 84}: %d %s", pid, strerror(errno));
	t_reap(pid);

	/* It fails every time: EOPNOTSUPP, disarmed, nothing armed. */
	T_ASSERT(t_kprobe_wait_disarmed("idr_alloc_cyclic", 5000), "still armed after the last request");
	t_write_file(INJECT, "100");
	errno = 0;
	T_ASSERT(clone_with_pids_next(t_set(&s, 3, 6631, 0, 85)) == -1 && errno == EOPNOTSUPP,
		 "arm with the proof failing: %s", strerror(errno));
	t_write_file(INJECT, "0");
	T_ASSERT(t_kprobe_armed("idr_alloc_cyclic") == 0, "the probe was left armed");
	T_ASSERT(t_nr_requests() == 0, "%u sets armed", t_nr_requests());
	pid = fork();
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid > 0 && pid != 85, "the next fork: %d", pid);
	t_reap(pid);

	/* Gap lists still work. */
	T_ASSERT(!ioctl(clone_with_pids_fd(), CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
	T_ASSERT(q.features & CWP_FEATURE_ZERO_ANY_LEVEL, "gap lists turned off");
	pid = fork_with_pids(t_set(&s, 3, 6632, 0, 86));
	if (pid == 0)
		_exit(0);
	T_ASSERT(pid == 86, "fork_with_pids {6632, 0, 86}: %d %s", pid, strerror(errno));
	t_reap(pid);
	return T_PASS;
}
