// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifecycle: 40 unload/load cycles with requests in between (an
 * immediate clone, pids left armed on a file closed before unload, and,
 * every fourth cycle, a gap list dropped just before, whose diversion
 * probe is still armed);
 * then an unload racing with threads that keep opening the device and
 * issuing requests (an open racing with the unload may autoload it again).
 * Afterwards the module loads cleanly, nothing is armed,
 * and the kprobes list shows each of the module's probes exactly once, or
 * none of them while it is unloaded.
 */
#include "t.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define KO "/lib/modules/clone_with_pids.ko"
#define CYCLES	40
#define PROBES	5	/* kernel_clone, idr_alloc_cyclic, cgroup_can_fork, do_exit, cwp_canary */

/*
 * Unload, waiting up to 30 s for the device's last user: a process left
 * by an earlier test may still hold it while it exits (slow on a debug
 * kernel).
 */
static int rmmod(void)
{
	int tries = 3000;

	while (syscall(SYS_delete_module, "clone_with_pids", O_NONBLOCK)) {
		if (errno != EWOULDBLOCK || !--tries)
			return -1;
		usleep(10 * 1000);
	}
	return 0;
}

static void insmod(void)
{
	int fd = open(KO, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
		t_fail("loading %s: %s", KO, strerror(errno));
	close(fd);
}

/* How many of our probes does the kprobes list show? */
static int probes(void)
{
	char line[256];
	FILE *f = fopen("/sys/kernel/debug/kprobes/list", "r");
	int n = 0;

	if (!f)
		t_fail("kprobes list: %s", strerror(errno));
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "idr_alloc_cyclic") || strstr(line, "kernel_clone") ||
		    strstr(line, "do_exit") || strstr(line, "cgroup_can_fork") ||
		    strstr(line, "cwp_canary"))
			n++;
	fclose(f);
	return n;
}

/*
 * A gap list armed and dropped by closing its file: the diversion probe
 * is disarmed a second later, by work the unload must cancel.
 */
static void arm_gap_and_close(int cycle)
{
	pid_t pid = fork();
	int status;

	T_ASSERT(pid >= 0, "fork");
	if (pid == 0) {
		struct cwp_next_args n = { .size = sizeof(n) };
		struct t_set s;
		int fd;

		t_nest(2);
		fd = open(CWP_DEVICE_PATH, O_RDWR);
		if (fd < 0)
			_exit(100 + errno);
		n.pid_set = (uintptr_t)t_set(&s, 3, 8310, 0, 10);
		if (ioctl(fd, CWP_IOC_SET_NEXT, &n))
			_exit(errno);
		close(fd);
		_exit(0);
	}
	/* The child exits with errno, 100 + errno for open, 128 + a signal. */
	status = t_wait(pid);
	if (status >= 128)
		t_fail("cycle %d: arming a gap list: killed by signal %d", cycle, status - 128);
	if (status)
		t_fail("cycle %d: arming a gap list: %s%s", cycle, status > 100 ? "open: " : "",
		       strerror(status % 100));
}

static volatile int stop, quiet;

static void *hammer(void *arg)
{
	struct cwp_clone_args a;
	struct t_set s;
	long i = (long)arg;

	while (!stop) {
		int fd = open(CWP_DEVICE_PATH, O_RDWR);
		long r;

		if (fd < 0)
			continue;
		t_clone_args(&a, t_set(&s, 1, 8200 + (int)i));
		r = ioctl(fd, CWP_IOC_CLONE, &a);
		if (r == 0)
			syscall(SYS_exit, 0);
		if (r > 0)
			t_reap(r);
		close(fd);
		/* Leave the device unused now and then; longer if asked. */
		usleep(quiet ? 100000 : 1000);
	}
	return NULL;
}

int main(void)
{
	struct cwp_next_args n;
	pthread_t th[4];
	struct t_set s;
	int i, fd;

	if (access("/sys/kernel/debug/kprobes", F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	close(clone_with_pids_fd());	/* the library's cached descriptor */

	for (i = 0; i < CYCLES; i++) {
		T_ASSERT(!rmmod(), "cycle %d: unload: %s", i, strerror(errno));
		T_ASSERT(probes() == 0, "cycle %d: probes left after unload", i);
		insmod();
		T_ASSERT(probes() == PROBES, "cycle %d: %d probes after load", i, probes());
		fd = open(CWP_DEVICE_PATH, O_RDWR);
		T_ASSERT(fd >= 0, "cycle %d: open: %s", i, strerror(errno));
		n.size = sizeof(n);
		n.pid_set = (uintptr_t)t_set(&s, 1, 8300);
		n.cwp_flags = n.pad = 0;
		T_ASSERT(!ioctl(fd, CWP_IOC_SET_NEXT, &n), "cycle %d: arm", i);
		close(fd);	/* drops the armed pids */
		if (i % 4 == 0)
			arm_gap_and_close(i);
		fd = open(CWP_DEVICE_PATH, O_RDWR);
		{
			struct cwp_clone_args a;
			long r;

			t_clone_args(&a, t_set(&s, 1, 8301));
			r = ioctl(fd, CWP_IOC_CLONE, &a);
			if (r == 0)
				_exit(0);
			T_ASSERT(r == 8301, "cycle %d: clone: %ld %s", i, r, strerror(errno));
			t_reap(r);
		}
		close(fd);
	}

	/* Unload while others keep using the device. */
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, hammer, (void *)(long)i);
	usleep(200 * 1000);
	/* On a slow (debug) kernel the users may leave no gap: slow them. */
	if (rmmod()) {
		quiet = 1;
		T_ASSERT(!rmmod() || !rmmod(), "unload under use: %s", strerror(errno));
	}
	usleep(200 * 1000);
	stop = 1;
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	/*
	 * An open() racing with the unload may have loaded the module again
	 * (the node autoloads it): either way, the probes match the state.
	 */
	if (access("/sys/module/clone_with_pids", F_OK)) {
		T_ASSERT(probes() == 0, "probes left after an unload under use");
		insmod();
	}
	T_ASSERT(probes() == PROBES, "%d probes after reload", probes());
	T_ASSERT(t_nr_requests() == 0, "pid sets armed after reload");
	fd = open(CWP_DEVICE_PATH, O_RDWR);
	T_ASSERT(fd >= 0, "open after reload: %s", strerror(errno));
	{
		struct cwp_clone_args a;
		long r;

		t_clone_args(&a, t_set(&s, 1, 8302));
		r = ioctl(fd, CWP_IOC_CLONE, &a);
		if (r == 0)
			_exit(0);
		T_ASSERT(r == 8302, "after reload: %ld %s", r, strerror(errno));
		t_reap(r);
	}
	close(fd);
	return T_PASS;
}
