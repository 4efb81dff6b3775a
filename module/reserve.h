/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reservation, between the two files that handle one: reserve.c (made,
 * released, freed, in process context) and reserve_clone.c (covered by a
 * set, claimed and consumed by its clone, in probe context).
 */
#ifndef _CWP_RESERVE_H
#define _CWP_RESERVE_H

#include <linux/list.h>
#include <linux/llist.h>

#include "cwp.h"

/* One reserved set. */
struct cwp_resv {
	struct list_head node;		/* in its file's list, or a local one */
	struct hlist_node hash_node;	/* in cwp_resv_hash, while in its file's list */
	struct cwp_file *cf;		/* its file, while in the file's list */
	struct llist_node dead_node;	/* in cwp_resv_dead, once unused */
	struct cwp_user *user;
	unsigned int refs;		/* its file (or a releaser), its clone, its set */
	bool privileged;		/* charged as a privileged caller's */
	bool charged;			/* counts in the quotas */
	bool counted;			/* counts in nr_reserved: reserved, not released */
	bool covered;			/* an armed set stands for it */
	bool in_flight;			/* claimed by a clone in progress */
	u32 handed;			/* levels alloc_pid() holds (bit i: level[i]) */
	u32 set;			/* its index in the caller's sets */
	unsigned int num;		/* num_pids of the caller's set */
	unsigned int top_level;		/* level of the caller's set's last entry */
	unsigned int nr_taken;		/* levels whose number it holds */
	unsigned int nr_levels;
	struct cwp_level level[];	/* innermost chosen level first */
};

/* reserve.c's, for reserve_clone.c; under cwp_lock. */
struct cwp_resv *cwp_resv_lookup(const struct cwp_file *cf, const struct pid_namespace *ns,
				 pid_t nr);
void cwp_resv_detach_one(struct cwp_resv *resv);
void cwp_resv_put_async(struct cwp_resv *resv);

#endif /* _CWP_RESERVE_H */
