/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the files of clone_with_pids.ko. */
#ifndef _CWP_H
#define _CWP_H

#include <linux/types.h>
#include <linux/err.h>
#include <linux/workqueue.h>
#include <linux/clone_with_pids.h>

#undef pr_fmt
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* CWP_VERSION comes from the VERSION file, through Kbuild. */

struct kernel_clone_args;
struct cwp_pid_set;
struct file;
struct pid_namespace;
struct task_struct;

/* ksyms.c: unexported kernel internals and the IBT verdict. */
int cwp_ksyms_init(void);
void cwp_ksyms_exit(void);
pid_t cwp_kernel_clone(struct kernel_clone_args *args);
bool cwp_ibt_indirect_ok(const void *fn);
u32 cwp_ibt_verdict(void);

/* At most this many requests exist at once, system-wide. */
#define CWP_MAX_REQUESTS	4096

enum cwp_request_state {
	CWP_REQ_ARMED,		/* waiting for the task's next kernel_clone() */
	CWP_REQ_ACTIVE,		/* that kernel_clone() is running */
	CWP_REQ_CONSUMED,	/* it returned; to be freed by the task */
};

struct cwp_level {
	struct pid_namespace *ns;
	pid_t nr;
};

/*
 * A pid set as read from the caller: cwp_pids_read() checks it once, then
 * it is either handed to kernel_clone() as clone3()'s set_tid, when the
 * chosen levels are the innermost ones without a gap (the usual restore),
 * or kept in a request for the pid allocation diversion.
 */
struct cwp_pids {
	struct pid_namespace *children_ns;
	unsigned int num;		/* entries in pids[] */
	unsigned int nr_chosen;		/* non-zero entries */
	bool set_tid_ok;		/* chosen levels are innermost, no gap */
	pid_t pids[CWP_MAX_PIDS];	/* oldest namespace first, as given */
};

/* The pids one task asked for, for its next clone; innermost level first. */
struct cwp_request {
	struct hlist_node node;
	struct rcu_head rcu;
	struct rcu_work free_work;
	struct task_struct *task;
	const struct cred *cred;	/* the credentials that were checked */
	const struct file *file;
	struct pid_namespace *children_ns;
	enum cwp_request_state state;
	bool divert;			/* the allocation is diverted */
	bool via_set_tid;		/* given to the clone as set_tid */
	int error;			/* the clone's error, forced by the module */
	unsigned int next_level;	/* where the level search starts */
	unsigned int nr_levels;
	struct cwp_level level[CWP_MAX_PIDS];
	/* For set_tid: set_tid[0] = 1 for a CLONE_NEWPID child, then level[].nr. */
	unsigned int set_tid_size;
	pid_t set_tid[CWP_MAX_PIDS + 1];
};

/* pidset.c: pid sets, their namespaces and privileges. */
int cwp_pidset_init(void);
void cwp_pidset_exit(void);
int cwp_pids_read(const struct cwp_pid_set __user *uset, struct cwp_pids *p);
bool cwp_pids_taken(const struct cwp_pids *p);
unsigned int cwp_pids_set_tid(const struct cwp_pids *p, pid_t *set_tid);
struct cwp_request *cwp_request_create(const struct cwp_pids *p,
				       const struct file *file);
void cwp_request_put(struct cwp_request *req);
void cwp_request_free(struct cwp_request *req);

/* hooks.c: requests on the kernel's clone path. */
int cwp_hooks_init(void);
void cwp_hooks_exit(void);
int cwp_request_arm(struct cwp_request *req);
bool cwp_request_cancel(void);
void cwp_request_release_file(const struct file *file);
unsigned int cwp_requests_count(void);
bool cwp_requests_exist(void);

/* ioctl.c: the misc device. */
int cwp_dev_init(void);
void cwp_dev_exit(void);

#endif /* _CWP_H */
