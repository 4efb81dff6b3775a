/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the files of clone_with_pids.ko. */
#ifndef _CWP_H
#define _CWP_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <linux/clone_with_pids.h>

#undef pr_fmt
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

/* CWP_VERSION comes from the VERSION file, through Kbuild. */

struct idr;
struct kernel_clone_args;
struct cwp_pid_set;
struct pid_namespace;
struct pt_regs;
struct task_struct;

/* ksyms.c: unexported kernel internals and the IBT verdict. */
int cwp_ksyms_init(void);
void cwp_ksyms_exit(void);
pid_t cwp_kernel_clone(struct kernel_clone_args *args);
bool cwp_ibt_indirect_ok(const void *fn);
u32 cwp_ibt_verdict(void);
extern spinlock_t *cwp_pidmap_lock;
extern int *cwp_pid_max_global;

struct cwp_level {
	struct pid_namespace *ns;
	unsigned int level;		/* ns->level */
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

/* A set of a list armed for a task's clones, kept until its turn. */
struct cwp_queued {
	struct cwp_pids p;
	struct cwp_resv *cover;		/* the reservation it stands for, or NULL */
};

/* An open file of the device: the requests and reservations made through it. */
struct cwp_file {
	struct list_head requests;	/* under cwp_lock */
	struct list_head reservations;	/* under cwp_lock */
};

/*
 * The life of a request (request.c creates, arms and frees it; clone.c
 * takes it through its clone; restart.c keeps the restarts):
 *
 *   ARMED --(its task's kernel_clone() starts)--> ACTIVE
 *   ACTIVE --(the clone created a task, a list has a next set)--> ARMED
 *   ACTIVE --(the clone created a task, or failed for good)--> DONE
 *   ACTIVE --(the clone returns ERESTARTNOINTR)--> ARMED, waiting for the
 *	restart of that system call (@restart, @restart_call): no other
 *	clone of the task takes it
 *   ARMED --(a gap list of an unprivileged caller, too old)--> EXPIRED
 *   EXPIRED --(its task's kernel_clone() starts, to fail: ETIME)--> ACTIVE
 *   ARMED, EXPIRED --(cancelled, replaced by another request, dropped at
 *	execve() or with its file, its task exits)--> DONE
 *
 * Every state but DONE is live: it counts against the quotas and makes
 * the probes look. A done request stays in the table, out of the probes'
 * way, until its task's next call, its exit or the release of its file
 * frees it; one whose clone is in progress (ACTIVE, or ARMED waiting for
 * its restart) stays for that clone when its file is released.
 *
 * Besides its state, a request may owe a restart an error (@owed,
 * @owed_call): its task replaced or cancelled, from another call (a
 * signal handler's), a request that waited for the restart of an
 * interrupted clone; that restart then fails with EINTR (in
 * cwp_clone_activate(), or at CWP_IOC_CLONE's entry for the ioctl's
 * own), rather than create a task with pids the kernel chose, or take the
 * new request's. A DONE request with @restart set marks an interrupted
 * CWP_IOC_CLONE whose pids went as clone3()'s set_tid, without a request
 * of their own (cwp_request_await_restart()). A request waiting for a
 * restart, or owing one an error, holds a module reference, so that the
 * restart meets the probes.
 */
enum cwp_request_state {
	CWP_REQ_ARMED,
	CWP_REQ_ACTIVE,
	CWP_REQ_EXPIRED,
	CWP_REQ_DONE,
};

struct cwp_user;

/* A system call of a task, as its restart will make it again. */
struct cwp_call {
	unsigned long ip;		/* user instruction pointer */
	unsigned long sp;		/* user stack pointer */
	long nr;			/* system call number */
};

/* Times a clone is made again after its diversion missed, then EOPNOTSUPP. */
#define CWP_DIVERT_RETRIES	3
/* Times the diversion probe is armed again until it fires, then EOPNOTSUPP. */
#define CWP_REARM_TRIES		4

/* The pids one task asked for, for its next clone; innermost level first. */
struct cwp_request {
	struct hlist_node node;		/* in the table, by task */
	struct list_head file_node;	/* in its file's list */
	struct list_head expire_node;	/* in the list of those that expire */
	struct rcu_head rcu;
	struct rcu_work free_work;
	struct task_struct *task;
	const struct cred *cred;	/* the credentials that were checked */
	struct cwp_file *owner;		/* NULL once its file is released */
	struct pid_namespace *children_ns;
	struct cwp_user *user;
	u64 exec_id;			/* the task's program when armed */
	unsigned long armed_at;		/* jiffies */
	struct cwp_call restart_call;	/* the interrupted clone, for its restart */
	struct cwp_call owed_call;	/* the restart owed an error */
	/* The clone using it, while active. */
	const struct kernel_clone_args *args;
	struct cwp_resv *resv;		/* the reservation it consumes, while active */
	u64 ioctl_flags;		/* CWP_IOC_CLONE's flags, see cwp_clone_poison() */
	enum cwp_request_state state;
	bool privileged;		/* in the initial user namespace */
	bool ioctl;			/* made by CWP_IOC_CLONE for its own clone */
	bool keeps_divert_armed;	/* counts in cwp_requests_diverting() */
	bool restart;			/* for the restart of an interrupted clone */
	bool owed;			/* owed_call must fail with EINTR */
	bool pinned;			/* holds a module reference (restart or owed) */
	bool diverting;			/* its clone's allocation is diverted now */
	bool via_set_tid;		/* given to the clone as set_tid */
	bool uses_divert;		/* a set of it is made by the diversion */
	int error;			/* the clone's error, forced by the module */
	unsigned int next_level;	/* where the level search starts */
	unsigned int nr_diverted;	/* levels diverted in this clone */
	unsigned int divert_retries;	/* clones restarted after a missed diversion */
	/* CWP_IOC_SET_NEXT_LIST: the list, and the set now in level[]. */
	struct cwp_queued *queue;
	unsigned int nr_queued;
	unsigned int queue_pos;
	unsigned int nr_sets;		/* sets not consumed yet */
	unsigned int nr_charged;	/* of which counted in the quotas: not covered */
	struct cwp_resv *cover;		/* the reservation the set in level[] stands for */
	unsigned int nr_levels;
	struct cwp_level level[CWP_MAX_PIDS];
	/* For set_tid: set_tid[0] = 1 for a CLONE_NEWPID child, then level[].nr. */
	unsigned int set_tid_size;
	pid_t set_tid[CWP_MAX_PIDS + 1];
};

/* Protects the request table, the files' lists and the quotas. */
extern raw_spinlock_t cwp_lock;

/* pidset.c: pid sets, their namespaces and privileges. */
int cwp_pids_read(const struct cwp_pid_set __user *uset, struct cwp_pids *p);
bool cwp_pids_taken(const struct cwp_pids *p);
unsigned int cwp_pids_set_tid(const struct cwp_pids *p, pid_t *set_tid);
pid_t cwp_pids_innermost(const struct cwp_pids *p, struct pid_namespace **ns);
bool cwp_init_ns_privileged(void);

/* request.c: the request object and its table; process context. */
extern atomic_t cwp_nr_live;		/* live requests (not DONE) */
extern atomic_t cwp_nr_table;		/* requests in the table */
int cwp_request_init(void);
void cwp_request_exit(void);
struct cwp_request *cwp_request_create(const struct cwp_pids *p,
				       struct cwp_file *owner);
struct cwp_request *cwp_request_create_list(struct cwp_queued *queue, unsigned int nr,
					    struct cwp_file *owner);
void cwp_clone_poison(struct kernel_clone_args *args);
void cwp_request_file_closed(struct cwp_file *owner);
void cwp_request_free(struct cwp_request *req);
unsigned int cwp_sets_armed(void);
bool cwp_requests_exist(void);
size_t cwp_requests_mem(void);
unsigned int cwp_requests_diverting(unsigned long *idle_since);
/* For arm.c and clone.c; the calling task's, under cwp_lock. */
struct cwp_request *cwp_request_alloc(struct pid_namespace *children_ns,
				      struct cwp_file *owner);
bool cwp_request_insert(struct cwp_request *req, enum cwp_request_state state);
void cwp_request_expire_later(void);
struct cwp_request *cwp_request_find(const struct task_struct *task);
void cwp_request_next(struct cwp_request *req);
void cwp_request_end(struct cwp_request *req);
void cwp_request_unlink(struct cwp_request *req);
void cwp_request_free_deferred(struct cwp_request *req);

/* arm.c: arming, cancelling, CWP_IOC_CLONE's own clone; process context. */
bool cwp_request_uses_divert(const struct cwp_request *req);
bool cwp_request_over_quota(const struct cwp_request *req);
int cwp_request_arm(struct cwp_request *req);
int cwp_request_cancel(void);
int cwp_request_restart_check(void);
int cwp_request_await_restart(void);
bool cwp_request_for_ioctl(struct kernel_clone_args *args);
bool cwp_request_unclaimed(void);

/* restart.c: clones interrupted and made again; under cwp_lock. */
extern atomic_t cwp_nr_owed;		/* requests owing a restart an error */
void cwp_current_call(struct cwp_call *call);
bool cwp_in_call(const struct cwp_call *call);
void cwp_restart_repin(struct cwp_request *req);
void cwp_restart_owe(struct cwp_request *req, const struct cwp_call *call);
void cwp_restart_unowe(struct cwp_request *req);
void cwp_restart_forget(struct cwp_request *req);
void cwp_restart_await(struct cwp_request *req);
bool cwp_restart_elsewhere(const struct cwp_request *req);
bool cwp_restart_owed_here(const struct cwp_request *req);
int cwp_restart_debt(const struct cwp_request *req, const struct cwp_call **owed);
void cwp_restart_syscall(void);

/* clone.c: the calling task's clone, from the probes. */
int cwp_clone_activate(struct kernel_clone_args *args, int *force_err);
void cwp_clone_finish(struct pt_regs *regs);
pid_t cwp_clone_divert_nr(const struct idr *idr, int pid_max, bool *reserved);
bool cwp_clone_keep_nr(const struct idr *idr, unsigned long id);
int cwp_clone_verify(struct task_struct *child, const struct kernel_clone_args *args,
		     bool *diversion_failed);
void cwp_clone_task_exit(void);

/* quota.c: how many requests each user may have live. */
int cwp_quota_init(void);
struct cwp_user *cwp_user_get(kuid_t uid);
void cwp_user_put(struct cwp_user *user);
bool cwp_quota_full(const struct cwp_user *user, bool privileged, unsigned int n);
int cwp_quota_charge(struct cwp_user *user, bool privileged, unsigned int n,
		     unsigned int checked);
void cwp_quota_uncharge(struct cwp_user *user, bool privileged, unsigned int n);
unsigned int cwp_quota_max_requests(void);
unsigned int cwp_quota_user_requests(void);
unsigned int cwp_quota_divert_ttl_ms(void);
size_t cwp_quota_mem(void);

/* divert.c: the pid allocation diversion. */
int cwp_divert_init(void);
void cwp_divert_exit(void);
bool cwp_divert_usable(void);
int cwp_divert_get(void);
void cwp_divert_got(void);
void cwp_divert_broken(void);

/* probes.c: the probes on the kernel's clone path. */
int cwp_probes_init(void);
void cwp_probes_exit(void);
bool cwp_probes_live(void);
size_t cwp_probes_mem(void);

/* debugfs.c: counters and fault injection, for the tests. */
extern atomic_t cwp_stat_restarts;
extern atomic_t cwp_stat_resv_back;
extern u64 cwp_stat_resv_hold_max;
extern u32 cwp_stat_resv_batch_max;
void cwp_debugfs_init(void);
void cwp_debugfs_exit(void);
bool cwp_inject(int what);

/* Faults the tests inject, for the safety nets. */
enum {
	CWP_INJECT_SKIP_DIVERT,		/* the diversion misses a level */
	CWP_INJECT_MISS_ENTRY,		/* the kretprobe misses a clone */
	CWP_INJECT_STALE_ARM,		/* the armed diversion probe does not fire */
	CWP_INJECT_NR,
};

/* reserve.c: pids reserved ahead of their clones. */
struct cwp_resv;
int cwp_reserve_init(void);
bool cwp_reserve_usable(void);
bool cwp_reserve_matches(struct cwp_file *cf, const struct cwp_pids *p);
struct cwp_resv *cwp_reserve_cover(struct cwp_file *cf, const struct cwp_pids *p);
void cwp_reserve_uncover(struct cwp_resv *resv);
struct cwp_resv *cwp_reserve_claim(struct cwp_resv *resv);
bool cwp_reserve_hand(struct cwp_resv *resv, const struct idr *idr, pid_t nr);
bool cwp_reserve_keep(struct cwp_resv *resv, const struct idr *idr, unsigned long id);
void cwp_reserve_done(struct cwp_resv *resv, bool created);
int cwp_reserve(struct cwp_file *cf, struct cwp_reserve_args *args);
int cwp_reserve_release(struct cwp_file *cf, struct cwp_reserve_args *args);
void cwp_reserve_file_closed(struct cwp_file *cf);
unsigned int cwp_reserved(void);
size_t cwp_reserve_mem(void);
void cwp_reserve_exit(void);

/* ioctl.c: the misc device. */
int cwp_dev_init(void);
void cwp_dev_exit(void);

#endif /* _CWP_H */
