/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libclone_with_pids: what its files share, not exported. */
#ifndef CWP_INTERNAL_H
#define CWP_INTERNAL_H

#include <libkmod.h>
#include <stdbool.h>
#include <stdint.h>

#include "clone_with_pids.h"

#define CWP_HIDDEN __attribute__((visibility("hidden")))

/*
 * libkmod, opened with dlopen("libkmod.so.2") as systemd does, so that
 * nothing links it: programs work without it, they only cannot load the
 * module through it. A statically linked program never has it (dlopen()
 * is referenced weakly and so not linked in).
 */
struct cwp_kmod {
	struct kmod_ctx *(*new)(const char *dirname, const char * const *config_paths);
	struct kmod_ctx *(*unref)(struct kmod_ctx *ctx);
	int (*load_resources)(struct kmod_ctx *ctx);
	const char *(*get_dirname)(const struct kmod_ctx *ctx);
	int (*module_new_from_lookup)(struct kmod_ctx *ctx, const char *given_alias,
				      struct kmod_list **list);
	int (*module_new_from_name)(struct kmod_ctx *ctx, const char *name,
				    struct kmod_module **mod);
	struct kmod_module *(*module_get_module)(const struct kmod_list *entry);
	struct kmod_module *(*module_unref)(struct kmod_module *mod);
	int (*module_unref_list)(struct kmod_list *list);
	struct kmod_list *(*list_next)(const struct kmod_list *list,
				       const struct kmod_list *curr);
	int (*module_probe_insert_module)(struct kmod_module *mod, unsigned int flags,
					  const char *extra_options,
					  int (*run_install)(struct kmod_module *m,
							     const char *cmdline, void *data),
					  const void *data,
					  void (*print_action)(struct kmod_module *m, bool install,
							       const char *options));
	const char *(*module_get_name)(const struct kmod_module *mod);
	const char *(*module_get_path)(const struct kmod_module *mod);
	const char *(*module_get_options)(const struct kmod_module *mod);
	int (*module_get_initstate)(const struct kmod_module *mod);
	int (*module_get_refcnt)(const struct kmod_module *mod);
	int (*module_get_info)(const struct kmod_module *mod, struct kmod_list **list);
	const char *(*module_info_get_key)(const struct kmod_list *entry);
	const char *(*module_info_get_value)(const struct kmod_list *entry);
	void (*module_info_free_list)(struct kmod_list *list);
	struct kmod_config_iter *(*config_get_blacklists)(const struct kmod_ctx *ctx);
	const char *(*config_iter_get_key)(const struct kmod_config_iter *iter);
	bool (*config_iter_next)(struct kmod_config_iter *iter);
	void (*config_iter_free_iter)(struct kmod_config_iter *iter);
};

/* libkmod's functions, or NULL with errno set when it cannot be opened. */
const struct cwp_kmod *cwp_kmod_open(void) CWP_HIDDEN;

/*
 * Load the module as modprobe would: its modprobe.d options, install
 * commands, dependencies, and the blacklist honoured
 * (KMOD_PROBE_APPLY_BLACKLIST). Returns 0 when it is loaded (also if it
 * already was), CWP_KMOD_BLACKLISTED, or -errno: ENOENT not installed for
 * this kernel, and whatever init_module() said (EKEYREJECTED signature,
 * EPERM lockdown or no CAP_SYS_MODULE, ...), ELIBACC without libkmod.
 */
#define CWP_KMOD_BLACKLISTED	1
int cwp_kmod_load(void) CWP_HIDDEN;

/* Does the calling thread have CAP_SYS_MODULE in its effective set? */
bool cwp_can_load_modules(void) CWP_HIDDEN;

/*
 * The clone3() set_tid fallback, for when the module is absent. Both
 * return as their public counterparts; a request that set_tid cannot
 * express fails with ENODEV (it needs the module).
 */
long cwp_fallback_clone(int flags, void *stack, int *ptid, int *ctid, void *tls,
			const struct pid_set *set) CWP_HIDDEN;
long cwp_fallback_clone_fn(int flags, unsigned long sp, int *ptid, int *ctid, void *tls,
			   const struct pid_set *set) CWP_HIDDEN;
/* Can this kernel's clone3() take set_tid? Probed once. */
bool cwp_have_clone3_set_tid(void) CWP_HIDDEN;

long __cwp_clone_fn_raw(long nr, long a1, long a2, long a3, long a4, long a5) CWP_HIDDEN;

/* The NSpid line of a /proc status file (nspid.c). */
int cwp_nspid(const char *path, pid_t *out, unsigned int max) CWP_HIDDEN;

#endif /* CWP_INTERNAL_H */
