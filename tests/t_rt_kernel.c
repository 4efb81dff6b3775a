// SPDX-License-Identifier: GPL-2.0
/*
 * The harness boots Debian's PREEMPT_RT kernels with cwp_expect_rt=1:
 * there the kernel must be a PREEMPT_RT one (a spinlock_t sleeps, and the
 * module's probes must not take one); elsewhere it must not be. The
 * version string names PREEMPT_RT (scripts/mkcompile_h, init/Makefile);
 * /sys/kernel/realtime, from the out-of-tree RT patches, is 1 on the
 * 6.12-rt of trixie but absent or 0 on 7.x-rt. The rest of the suite
 * exercises the probes.
 */
#include "t.h"

#include <fcntl.h>
#include <string.h>
#include <sys/utsname.h>

int main(void)
{
	int expect = t_cmdline_has("cwp_expect_rt=1");
	char c = '0';
	int fd = open("/sys/kernel/realtime", O_RDONLY | O_CLOEXEC);
	struct utsname u;
	int rt;

	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = '?';
		close(fd);
	}
	T_ASSERT(uname(&u) == 0, "uname: %m");
	rt = strstr(u.version, "PREEMPT_RT") != NULL;
	printf("stat: PREEMPT_RT %d (version \"%s\", /sys/kernel/realtime %c), expected %d\n",
	       rt, u.version, c, expect);
	T_ASSERT(rt == expect, "version \"%s\", cwp_expect_rt=%d", u.version, expect);
	T_ASSERT(c != '1' || rt, "/sys/kernel/realtime is 1 on a kernel whose version does not say PREEMPT_RT");
	return T_PASS;
}
