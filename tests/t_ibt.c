// SPDX-License-Identifier: GPL-2.0
/*
 * IBT safety, asserted: the module must never reach a kernel function by an
 * indirect branch that IBT would trap on real hardware (QEMU without KVM
 * does not enforce IBT, so a crash cannot tell us). The query reports the
 * verdict reached at load: kernel_clone() is called through a static_call
 * verified to be a direct jump. The harness boots IBT kernels (Debian 6.12
 * and later) with cwp_expect_ibt=1; there the module must have seen the
 * IBT kernel and kernel_clone()'s sealed ENDBR, and still be safe.
 *
 * arm64: kernel_clone() is called through a pointer, which BTI checks only
 * on a kernel built with CONFIG_ARM64_BTI_KERNEL; the verdict must say what
 * the harness read in the kernel's config (cwp_expect_bti_kernel=1,
 * cwp_expect_pac_kernel=1) and that QEMU's -cpu max has BTI and address
 * authentication.
 */
#include "t.h"

#include <sys/ioctl.h>

int main(void)
{
	struct cwp_query q = { .size = sizeof(q) };
	int fd = clone_with_pids_fd();
	int expect_ibt = t_cmdline_has("cwp_expect_ibt=1");

	T_ASSERT(fd >= 0, "open: %s", strerror(errno));
	T_ASSERT(!ioctl(fd, CWP_IOC_QUERY, &q), "query: %s", strerror(errno));
	T_ASSERT(q.ibt & CWP_IBT_SAFE, "IBT verdict not safe: %#x", q.ibt);
#if defined(__aarch64__) || defined(__arm__)	/* armhf programs run on arm64 kernels */
	T_ASSERT(q.call_method == CWP_CALL_POINTER, "call method %u", q.call_method);
	T_ASSERT(!(q.ibt & (CWP_IBT_KERNEL | CWP_IBT_CPU | CWP_IBT_SEALED)),
		 "x86 IBT bits on arm64: %#x", q.ibt);
	T_ASSERT(!!(q.ibt & CWP_BTI_KERNEL) == t_cmdline_has("cwp_expect_bti_kernel=1"),
		 "BTI kernel verdict: %#x", q.ibt);
	T_ASSERT(!!(q.ibt & CWP_PAC_KERNEL) == t_cmdline_has("cwp_expect_pac_kernel=1"),
		 "PAC kernel verdict: %#x", q.ibt);
	T_ASSERT(q.ibt & CWP_BTI_CPU, "the CPU has no BTI: %#x", q.ibt);
	T_ASSERT(q.ibt & CWP_PAC_CPU, "the CPU has no address authentication: %#x", q.ibt);
	printf("verdict %#x (BTI: kernel %d, cpu %d, landing pad %d; PAC: kernel %d, cpu %d; safe %d)\n",
	       q.ibt, !!(q.ibt & CWP_BTI_KERNEL), !!(q.ibt & CWP_BTI_CPU),
	       !!(q.ibt & CWP_BTI_LANDING), !!(q.ibt & CWP_PAC_KERNEL),
	       !!(q.ibt & CWP_PAC_CPU), !!(q.ibt & CWP_IBT_SAFE));
	return T_PASS;
#endif
	T_ASSERT(q.call_method == CWP_CALL_STATIC_CALL, "call method %u", q.call_method);
	if (expect_ibt) {
		T_ASSERT(q.ibt & CWP_IBT_KERNEL, "IBT kernel not detected: %#x", q.ibt);
		T_ASSERT(q.ibt & CWP_IBT_SEALED, "sealed ENDBR of kernel_clone not detected: %#x", q.ibt);
	} else {
		T_ASSERT(!(q.ibt & (CWP_IBT_KERNEL | CWP_IBT_SEALED)), "IBT reported on a non-IBT kernel: %#x", q.ibt);
	}
	printf("ibt verdict %#x (kernel %d, cpu %d, sealed %d, safe %d)\n", q.ibt,
	       !!(q.ibt & CWP_IBT_KERNEL), !!(q.ibt & CWP_IBT_CPU),
	       !!(q.ibt & CWP_IBT_SEALED), !!(q.ibt & CWP_IBT_SAFE));
	return T_PASS;
}
