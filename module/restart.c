// SPDX-License-Identifier: GPL-2.0
/*
 * Restarts: a clone interrupted by a signal before anything was copied
 * returns ERESTARTNOINTR inside the kernel, and the kernel makes the same
 * system call again. Its request is kept for that restart (restart_call),
 * which is recognised by the same user instruction and stack pointers and
 * system call number. When another call of the task (a signal handler's)
 * replaces or cancels the request meanwhile, the restart is owed an error
 * (owed_call): it fails with EINTR rather than create a task with pids the
 * kernel chose, or with the handler's. A task owes one restart at a time.
 *
 * A request waiting for a restart, or owing one an error, holds a module
 * reference, so that the restart meets the probes even if its file was
 * closed. Everything here runs under cwp_lock, on the calling task's own
 * request.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <asm/syscall.h>

#include "cwp.h"

/* Requests owing a restart an error, system-wide. */
atomic_t cwp_nr_owed = ATOMIC_INIT(0);

/* The system call the calling task is in, as its restart makes it again. */
void cwp_current_call(struct cwp_call *call)
{
	struct pt_regs *regs = task_pt_regs(current);

	call->ip = instruction_pointer(regs);
	call->sp = user_stack_pointer(regs);
	call->nr = syscall_get_nr(current, regs);
}

/*
 * Is the calling task in @call, or in its restart? A restarted system
 * call resumes with the same user instruction and stack pointers and the
 * same number; a call made by a signal handler in between runs on the
 * handler's frame.
 */
bool cwp_in_call(const struct cwp_call *call)
{
	struct cwp_call now;

	cwp_current_call(&now);
	return now.ip == call->ip && now.sp == call->sp && now.nr == call->nr;
}

/*
 * Take or give back @req's module reference, as it waits for a restart
 * or owes one an error, or not. A caller that pins holds a reference
 * already (the ioctl's file, the probe's instance).
 */
void cwp_restart_repin(struct cwp_request *req)
{
	bool pin = req->restart || req->owed;

	if (pin == req->pinned)
		return;
	req->pinned = pin;
	if (pin)
		__module_get(THIS_MODULE);
	else
		module_put(THIS_MODULE);
}

/* @call, a restart of @req's task, must fail with EINTR. */
void cwp_restart_owe(struct cwp_request *req, const struct cwp_call *call)
{
	if (!req->owed)
		atomic_inc(&cwp_nr_owed);
	req->owed = true;
	if (call != &req->owed_call)
		req->owed_call = *call;
	cwp_restart_repin(req);
}

/* @req owes nothing any more: its restart came, or its task is gone. */
void cwp_restart_unowe(struct cwp_request *req)
{
	if (req->owed)
		atomic_dec(&cwp_nr_owed);
	req->owed = false;
	cwp_restart_repin(req);
}

/* @req waits for no restart any more. */
void cwp_restart_forget(struct cwp_request *req)
{
	req->restart = false;
	cwp_restart_repin(req);
}

/* @req is kept for the restart of the calling task's current call. */
void cwp_restart_await(struct cwp_request *req)
{
	req->restart = true;
	cwp_current_call(&req->restart_call);
	cwp_restart_repin(req);
}

/* Is @req kept for the restart of another call than the calling task's? */
bool cwp_restart_elsewhere(const struct cwp_request *req)
{
	return req->restart && !cwp_in_call(&req->restart_call);
}

/* Is the calling task's current call the restart @req owes an error? */
bool cwp_restart_owed_here(const struct cwp_request *req)
{
	return req->owed && cwp_in_call(&req->owed_call);
}

/*
 * The calling task drops @req, from a call that is not the restart @req
 * waits for (a signal handler's, while its interrupted clone waits): which
 * restart is owed an error now? Returns 0 and sets *@owed (NULL: none),
 * or -EBUSY when two would be (a handler's clone was interrupted in turn,
 * while another restart was owed): a task owes one at a time. A restart
 * that asks again itself owes nothing.
 */
int cwp_restart_debt(const struct cwp_request *req, const struct cwp_call **owed)
{
	bool owes = req->owed && !cwp_in_call(&req->owed_call);

	*owed = owes ? &req->owed_call : NULL;
	if (!cwp_restart_elsewhere(req))
		return 0;
	if (owes)
		return -EBUSY;
	*owed = &req->restart_call;
	return 0;
}

/*
 * The calling task's system call returns -ERESTARTNOINTR with no signal
 * pending: have it made again. The way out to user space runs the signal
 * code when TIF_SIGPENDING is set; it finds no signal, clears the flag
 * and restarts the call (arch_do_signal_or_restart(), arch_do_signal() on
 * v5.10, do_signal() on arm64), as for a signal that was ignored.
 */
void cwp_restart_syscall(void)
{
	set_tsk_thread_flag(current, TIF_SIGPENDING);
}
