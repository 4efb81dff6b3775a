/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the files of clone_with_pids.ko. */
#ifndef _CWP_H
#define _CWP_H

#include <linux/types.h>
#include <linux/err.h>
#include <linux/clone_with_pids.h>

#undef pr_fmt
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* CWP_VERSION comes from the VERSION file, through Kbuild. */

struct kernel_clone_args;
struct cwp_pid_set;

/* ksyms.c: unexported kernel internals and the IBT verdict. */
int cwp_ksyms_init(void);
void cwp_ksyms_exit(void);
pid_t cwp_kernel_clone(struct kernel_clone_args *args);
bool cwp_ibt_indirect_ok(const void *fn);
u32 cwp_ibt_verdict(void);

/* pidset.c: pid sets, their namespaces, and the pid allocation hook. */
struct cwp_request;
int cwp_pidset_init(void);
void cwp_pidset_exit(void);
struct cwp_request *cwp_request_create(const struct cwp_pid_set __user *uset);
void cwp_request_arm(struct cwp_request *req);
void cwp_request_disarm(struct cwp_request *req);

/* ioctl.c: the misc device. */
int cwp_dev_init(void);
void cwp_dev_exit(void);

#endif /* _CWP_H */
