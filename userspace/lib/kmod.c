// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkmod through dlopen(), as systemd's src/shared/module-util.c loads
 * it: the library and the tool use it when it is there and do without it
 * otherwise.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/clone_with_pids.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cwp_internal.h"

/*
 * dlopen() is looked up at run time, not linked: a statically linked
 * program (the test programs, a user's "pkg-config --static" build) gets
 * no static dlopen() from us, which glibc warns needs the shared
 * libraries at run time anyway. There, libkmod is simply absent.
 */
#pragma weak dlsym

static struct cwp_kmod cwp_kmod;
static int cwp_kmod_err;
static pthread_once_t cwp_kmod_once = PTHREAD_ONCE_INIT;

static const struct {
	const char *name;
	size_t off;
} cwp_kmod_syms[] = {
#define S(f) { "kmod_" #f, offsetof(struct cwp_kmod, f) }
	S(new), S(unref), S(load_resources), S(get_dirname),
	S(module_new_from_lookup), S(module_new_from_name), S(module_get_module),
	S(module_unref), S(module_unref_list), S(list_next),
	S(module_probe_insert_module), S(module_get_name), S(module_get_path),
	S(module_get_options), S(module_get_initstate), S(module_get_refcnt),
	S(module_get_info), S(module_info_get_key), S(module_info_get_value),
	S(module_info_free_list), S(config_get_blacklists), S(config_iter_get_key),
	S(config_iter_next), S(config_iter_free_iter),
#undef S
};

static void cwp_kmod_init(void)
{
	void *(*open_lib)(const char *file, int mode) = NULL;
	void *h;
	size_t i;

	if (dlsym)
		open_lib = (void *(*)(const char *, int))dlsym(RTLD_DEFAULT, "dlopen");
	if (!open_lib) {
		cwp_kmod_err = ELIBACC;
		return;
	}
	/* Never closed: libkmod keeps no state we would need to drop. */
	h = open_lib("libkmod.so.2", RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
	if (!h) {
		cwp_kmod_err = ELIBACC;
		return;
	}
	for (i = 0; i < sizeof(cwp_kmod_syms) / sizeof(cwp_kmod_syms[0]); i++) {
		void *p = dlsym(h, cwp_kmod_syms[i].name);

		if (!p) {
			cwp_kmod_err = ELIBACC;
			return;
		}
		*(void **)((char *)&cwp_kmod + cwp_kmod_syms[i].off) = p;
	}
}

const struct cwp_kmod *cwp_kmod_open(void)
{
	pthread_once(&cwp_kmod_once, cwp_kmod_init);
	if (cwp_kmod_err) {
		errno = cwp_kmod_err;
		return NULL;
	}
	return &cwp_kmod;
}

bool cwp_can_load_modules(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { { 0 } };

	if (syscall(SYS_capget, &h, d))
		return false;
	return d[CAP_TO_INDEX(CAP_SYS_MODULE)].effective & CAP_TO_MASK(CAP_SYS_MODULE);
}

int cwp_kmod_load(void)
{
	const struct cwp_kmod *k = cwp_kmod_open();
	struct kmod_list *list = NULL, *l;
	struct kmod_ctx *ctx;
	int ret = -ENOENT;

	if (!k)
		return -errno;
	ctx = k->new(NULL, NULL);
	if (!ctx)
		return -ENOMEM;
	if (k->module_new_from_lookup(ctx, CWP_DEVICE_NAME, &list) < 0 || !list)
		goto out;
	for (l = list; l; l = k->list_next(list, l)) {
		struct kmod_module *mod = k->module_get_module(l);

		ret = k->module_probe_insert_module(mod, KMOD_PROBE_APPLY_BLACKLIST,
						    NULL, NULL, NULL, NULL);
		k->module_unref(mod);
		if (ret == KMOD_PROBE_APPLY_BLACKLIST)
			ret = CWP_KMOD_BLACKLISTED;
		break;
	}
	k->module_unref_list(list);
out:
	k->unref(ctx);
	return ret;
}
