# SPDX-License-Identifier: GPL-2.0
# Turn cwp-bench's BENCH lines (build/bench/results.txt) into the ratio
# tables (markdown, on stdout) and the plot's data files in `out`.
#
#   awk -v out=DIR -v kernel=RELEASE -v scale=N -f report.awk results.txt
#
# A ratio is printed as "median [first quartile, third quartile]" of the
# per-round ratios; a target is judged on the median, as the issue states.

function kv(line, key,    re, m) {
	re = "(^| )" key "=[^ ]*"
	if (!match(line, re))
		return ""
	m = substr(line, RSTART, RLENGTH)
	sub(/^ /, "", m)
	return substr(m, length(key) + 2)
}
function part(triple, i,    a) {
	split(triple, a, ",")
	return a[i] + 0
}
function ratio(triple) {
	if (triple == "")
		return "n/a"
	return sprintf("%.3f [%.3f, %.3f]", part(triple, 1), part(triple, 2), part(triple, 3))
}
function verdict(triple, op, target,    v) {
	if (triple == "")
		return "not measured"
	v = part(triple, 1)
	if (op == "<=")
		return v <= target ? "met" : "**missed**"
	return v >= target ? "met" : "**missed**"
}
function row(c1, c2, triple, target, op, t) {
	printf "| %s | %s | %s | %s | %s |\n", c1, c2, ratio(triple),
		target == "" ? "" : op " " target,
		target == "" ? "" : verdict(triple, op, t)
}
function dat(file, line) {
	print line > (out "/" file)
}

$1 != "BENCH" { next }
{
	sec = $2
	tag = ""
	if ($3 ~ /^(d|mode|n)=/)
		tag = $3
	method = kv($0, "method")
}
/ params / {
	last_tag[sec] = tag
	params[sec tag] = $0
	sub(/^BENCH [a-z]+ ([a-z]+=[a-z0-9]+ )?params /, "", params[sec tag])
}
/ error / {
	errors = errors "\n- " substr($0, 7)
}
/ result / {
	n = split($0, f, " ")
	for (i = 3; i <= n; i++) {
		if (split(f[i], p, "=") != 2)
			continue
		R[sec, tag, method, p[1]] = p[2]
	}
	if (sec == "depth") {
		d = substr(tag, 3) + 0
		depths[d] = 1
	}
	if (sec == "tax")
		taxd[substr(tag, 3) + 0] = 1
}
sec == "tree" && $3 == "params" {
	tree_n = kv($0, "n")
	tree_req = kv($0, "requested")
	tree_kb = kv($0, "kb_per_process")
	tree_avail = kv($0, "mem_available_kb")
	tree_fits = kv($0, "fits")
}
$3 == "time" {
	secs[sec last_tag[sec]] = kv($0, "seconds")
	next
}
sec == "env" {
	env = $0
	sub(/^BENCH env /, "", env)
}
sec == "tree" && $3 == "cpu" {
	TC[method] = $0
}
sec == "restore" && $3 == "load" {
	restore_forks = kv($0, "forks")
	restore_snipes = kv($0, "snipes")
}
sec == "churn" && $3 == "churner" {
	churn_rate = kv($0, "forks_per_s")
}
sec == "profile" && $3 ~ /^d=/ && kv($0, "fn") != "" {
	fn = kv($0, "fn")
	sub(/<-.*/, "", fn)
	P[tag, method, fn] += kv($0, "per_call")
	pdepth[substr(tag, 3) + 0] = 1
}

END {
	L = "latency"
	printf "Kernel %s, QEMU TCG (2 vCPUs, 1 GiB), BENCH_SCALE=%s. Each cell: median [quartiles] of\n", kernel, scale
	printf "per-round ratios; in a round the cases run side by side, interleaved.\n\n"
	if (env != "")
		printf "VM: %s\n\n", env

	print "| Case | Ratio | Measured | Target | |"
	print "|---|---|---|---|---|"
	c = "1. create + exit + reap"
	row(c, "`clone_with_pids()` / `clone3()` set_tid", R[L, "", "cwp", "vs_clone3_settid"], "1.03", "<=", 1.03)
	row("", "`fork_with_pids()` / `fork()`", R[L, "", "fwp", "vs_fork"], "1.03", "<=", 1.03)
	row("", "`clone_with_pids()` / `fork()`", R[L, "", "cwp", "vs_fork"])
	row("", "`fork_with_pids()` / `clone3()` set_tid", R[L, "", "fwp", "vs_clone3_settid"])
	row("", "`clone3()` set_tid / `fork()`", R[L, "", "clone3_settid", "vs_fork"])
	row("", "ns_last_pid + `fork()` / `fork()`", R[L, "", "ns_last_pid", "vs_fork"])
	row("", "ns_last_pid + `fork()` / `clone3()` set_tid", R[L, "", "ns_last_pid", "vs_clone3_settid"])
	row("", "`clone_with_pids()`, no pids / raw `clone()`", R[L, "", "cwp_nopids", "vs_clone"])
	row("", "`clone3()` set_tid / `clone3()`", R[L, "", "clone3_settid", "vs_clone3"])
	c = sprintf("2. tree of %s, 3 generations, 2 nested pid ns", tree_n)
	row(c, "`fork_with_pids()` / `fork()`", R["tree", "", "fwp", "vs_fork"], "1.05", "<=", 1.05)
	row("", "lists + `fork()` / `fork()`", R["tree", "", "list", "vs_fork"])
	row("", "reserve all + lists + `fork()` / `fork()`", R["tree", "", "reserve_list", "vs_fork"], "1.02", "<=", 1.02)
	if (R["tree", "", "reserve_list", "best_vs_fork"] != "")
		printf "|  | the same, fastest round of each (fwp, lists, reserve all + lists) | %.3f, %.3f, %.3f |  |  |\n",
			R["tree", "", "fwp", "best_vs_fork"], R["tree", "", "list", "best_vs_fork"],
			R["tree", "", "reserve_list", "best_vs_fork"]
	T = "mode=threads"
	c = "3. 2 threads, throughput"
	row(c, "`fork_with_pids()` / `fork()`", R["tput", T, "fwp", "vs_fork"], "0.95", ">=", 0.95)
	row("", "`clone_with_pids()` / `fork()`", R["tput", T, "cwp", "vs_fork"], "0.95", ">=", 0.95)
	row("", "`fork_with_pids()` / ns_last_pid pair", R["tput", T, "fwp", "vs_ns_last_pid"], "1.2", ">=", 1.2)
	row("", "`clone_with_pids()` / ns_last_pid pair", R["tput", T, "cwp", "vs_ns_last_pid"], "1.2", ">=", 1.2)
	row("", "`clone3()` set_tid / `fork()`", R["tput", T, "clone3_settid", "vs_fork"])
	# The issue sets these targets for threads; restorers are processes.
	T = "mode=procs"
	c = "3. 2 processes, throughput"
	row(c, "`fork_with_pids()` / `fork()`", R["tput", T, "fwp", "vs_fork"], "0.95", ">=", 0.95)
	row("", "`clone_with_pids()` / `fork()`", R["tput", T, "cwp", "vs_fork"], "0.95", ">=", 0.95)
	row("", "`fork_with_pids()` / ns_last_pid pair", R["tput", T, "fwp", "vs_ns_last_pid"], "1.2", ">=", 1.2)
	row("", "`clone_with_pids()` / ns_last_pid pair", R["tput", T, "cwp", "vs_ns_last_pid"], "1.2", ">=", 1.2)
	row("", "`clone3()` set_tid / `fork()`", R["tput", T, "clone3_settid", "vs_fork"])
	dmin = 1e9
	dmax = 0
	for (d in depths) {
		if (d + 0 < dmin)
			dmin = d + 0
		if (d + 0 > dmax)
			dmax = d + 0
	}
	if (dmax) {
		D1 = "d=" dmin
		D2 = "d=" dmax
		row(sprintf("4. depth %d", dmin), "`clone_with_pids()` / `clone3()` set_tid", R["depth", D1, "cwp", "vs_clone3_settid"])
		row(sprintf("4. depth %d", dmax), "`clone_with_pids()` / `clone3()` set_tid", R["depth", D2, "cwp", "vs_clone3_settid"])
		# Least squares over every depth: the ratio's trend, and the
		# microseconds per level each method adds (differences are
		# side by side, measured within the same rounds).
		nd = 0
		for (d = 1; d <= 64; d++) {
			if (!(d in depths))
				continue
			D = "d=" d
			nd++
			X[nd] = d
			Yr[nd] = part(R["depth", D, "cwp", "vs_clone3_settid"], 1)
			Yd[nd] = part(R["depth", D, "cwp", "us"], 1) - part(R["depth", D, "clone3_settid", "us"], 1)
			Ys[nd] = part(R["depth", D, "clone3_settid", "us"], 1)
			Yc[nd] = part(R["depth", D, "clone3", "us"], 1)
			Yf[nd] = part(R["depth", D, "fwp", "us"], 1) - part(R["depth", D, "fork", "us"], 1)
		}
		br = slope(X, Yr, nd)
		ar = icept(X, Yr, nd, br)
		g = (ar + br * dmax) / (ar + br * dmin)
		printf "| 4. growth %d -> %d levels | cwp / clone3 set_tid, fitted at %d over at %d | %.3f | <= 1.03 | %s |\n",
			dmin, dmax, dmax, dmin, g, g <= 1.03 ? "met" : "**missed**"
		depth_extra = slope(X, Yd, nd)
		depth_own = slope(X, Ys, nd)
		depth_plain = slope(X, Yc, nd)
		depth_fwp = slope(X, Yf, nd)
		row(sprintf("4. depth %d", dmax), "`fork_with_pids()` / `fork()`", R["depth", D2, "fwp", "vs_fork"])
		row(sprintf("4. depth %d", dmax), "`clone3()` set_tid / `clone3()`", R["depth", D2, "clone3_settid", "vs_clone3"])
	}
	c = "5. 1000 threads, creation"
	row(c, "`clone_with_pids_next()` + `pthread_create()` / `pthread_create()`", R["threads", "", "pthread_next", "vs_base"])
	row("", "`clone_with_pids_fn()` / glibc `clone()`", R["threads", "", "cwp_fn", "vs_base"])
	row("", "`clone_with_pids_fn()`, no pids / glibc `clone()`", R["threads", "", "cwp_fn_nopids", "vs_base"])
	for (d = 1; d <= 64; d++)
		if (d in taxd)
			row("module loaded, " d " level" (d > 1 ? "s" : ""), "plain `fork()` loaded / unloaded", R["tax", "d=" d, "", "vs_unloaded"])

	print ""
	print "Create + exit + reap, every method against both references (one level; median"
	print "microseconds under TCG for scale only):"
	print ""
	print "| Method | us | / `fork()` | / `clone3()` set_tid | pid taken, retried | wrong pid | failed |"
	print "|---|---|---|---|---|---|---|"
	split("fork clone clone3 clone3_settid cwp_nopids cwp fwp ns_last_pid", lm, " ")
	split("`fork()`|raw `clone()`|raw `clone3()`|raw `clone3()` set_tid|`clone_with_pids()`, no pids|`clone_with_pids()`|`fork_with_pids()`|ns_last_pid + `fork()`", ln, "|")
	for (i = 1; i <= 8; i++) {
		m = lm[i]
		if (R[L, "", m, "us"] == "")
			continue
		printf "| %s | %.0f | %s | %s | %d | %d | %d |\n", ln[i], part(R[L, "", m, "us"], 1),
			ratio(R[L, "", m, "vs_fork"]), ratio(R[L, "", m, "vs_clone3_settid"]),
			R[L, "", m, "busy"], R[L, "", m, "wrong"], R[L, "", m, "fail"]
	}

	print ""
	print "Under churn (another process forks continuously, about " churn_rate " forks/s; each request asks"
	print "for one of the next 3 pids the kernel would hand out):"
	print ""
	print "| Method | Requests | Exact pid | Wrong pid | EBUSY/EEXIST, pid taken | EBUSY/EEXIST, pid free | Other errors |"
	print "|---|---|---|---|---|---|---|"
	split("cwp fwp clone3_settid ns_last_pid", cm, " ")
	split("`clone_with_pids()`|`fork_with_pids()`|`clone3()` set_tid|ns_last_pid + `fork()`", cn, "|")
	for (i = 1; i <= 4; i++) {
		m = cm[i]
		if (R["churn", "", m, "requests"] == "")
			continue
		req = R["churn", "", m, "requests"]
		printf "| %s | %d | %d | %d | %d | %d | %d |\n", cn[i], req,
			R["churn", "", m, "exact"], R["churn", "", m, "wrong"],
			R["churn", "", m, "busy_taken"], R["churn", "", m, "busy_not_taken"],
			R["churn", "", m, "other"]
		dat("churn.dat", sprintf("\"%s\" %.2f %.2f %.2f %.2f %.2f", m,
			100 * R["churn", "", m, "exact"] / req, 100 * R["churn", "", m, "wrong"] / req,
			100 * R["churn", "", m, "busy_taken"] / req,
			100 * R["churn", "", m, "busy_not_taken"] / req, 100 * R["churn", "", m, "other"] / req))
	}

	if (R["restore", "", "reserve_list", "restores"] != "") {
		print ""
		print "Restores of a 100-process tree (10 children, 9 grandchildren each, one pid level) whose pids"
		print "start " kv(params["restore"], "ahead") " past ns_last_pid, while a process forks at full speed (" restore_forks " forks)"
		print "and another takes the 3 pids after ns_last_pid with `clone3()` set_tid (" restore_snipes " taken):"
		print ""
		print "| Method | Restores | Complete, exact | Failed after creating some | Refused before creating any | Restores with wrong pids | Wrong pids |"
		print "|---|---|---|---|---|---|---|"
		split("reserve_list clone3_settid ns_last_pid", rm_, " ")
		split("reserve the tree + lists + `fork()`|`clone3()` set_tid per process (CRIU)|ns_last_pid + `fork()` per process", rn_, "|")
		for (i = 1; i <= 3; i++) {
			m = rm_[i]
			if (R["restore", "", m, "restores"] == "")
				continue
			printf "| %s | %d | %d | %d | %d | %d | %d |\n", rn_[i], R["restore", "", m, "restores"],
				R["restore", "", m, "complete"], R["restore", "", m, "failed_after_start"],
				R["restore", "", m, "refused_up_front"], R["restore", "", m, "wrong_restores"],
				R["restore", "", m, "wrong_pids"]
		}
	}
	nres = 0
	for (k in R) {
		split(k, kk, SUBSEP)
		if (kk[1] == "reserve" && kk[4] == "vs_fork")
			resn[nres++] = substr(kk[2], 3) + 0
	}
	if (nres) {
		print ""
		print "Reserving n pids (one level) and releasing them, against creating n processes with `fork()`"
		print "(they stay alive until all exist); medians, microseconds under TCG:"
		print ""
		print "| n | Reserve | Release | fork() x n | Reserve / fork() x n |"
		print "|---|---|---|---|---|"
		for (n = 1; n <= 100000; n++) {
			N = "n=" n
			if (R["reserve", N, "reserve", "vs_fork"] == "")
				continue
			printf "| %d | %s | %s | %s | %s |\n", n, R["reserve", N, "reserve", "reserve_us"],
				R["reserve", N, "reserve", "release_us"], R["reserve", N, "reserve", "fork_us"],
				ratio(R["reserve", N, "reserve", "vs_fork"])
		}
	}

	if (dmax) {
		print ""
		print "Cost versus depth (levels = pids per process; all levels chosen). Ratios, then"
		print "median microseconds per create + exit + reap under TCG, for scale only."
		printf "Fitted per level: `clone3()` set_tid %.1f us, `clone3()` %.1f us; `clone_with_pids()` adds %.1f us\n",
			depth_own, depth_plain, depth_extra
		printf "per level to `clone3()` set_tid, `fork_with_pids()` adds %.1f us per level to `fork()`.\n", depth_fwp
		print ""
		print "| Levels | cwp / clone3 set_tid | fwp / fork | clone3 set_tid / clone3 | fork us | clone3 us | clone3 set_tid us | cwp us | fwp us |"
		print "|---|---|---|---|---|---|---|---|---|"
		for (d = 1; d <= 64; d++) {
			if (!(d in depths))
				continue
			D = "d=" d
			printf "| %d | %s | %s | %s | %.0f | %.0f | %.0f | %.0f | %.0f |\n", d,
				ratio(R["depth", D, "cwp", "vs_clone3_settid"]),
				ratio(R["depth", D, "fwp", "vs_fork"]),
				ratio(R["depth", D, "clone3_settid", "vs_clone3"]),
				part(R["depth", D, "fork", "us"], 1), part(R["depth", D, "clone3", "us"], 1),
				part(R["depth", D, "clone3_settid", "us"], 1), part(R["depth", D, "cwp", "us"], 1),
				part(R["depth", D, "fwp", "us"], 1)
			dat("depth.dat", sprintf("%d %s %s %s %s %s %s %s %s", d,
				triple3(R["depth", D, "cwp", "vs_clone3_settid"]),
				triple3(R["depth", D, "fwp", "vs_fork"]),
				triple3(R["depth", D, "clone3_settid", "vs_clone3"]),
				part(R["depth", D, "fork", "us"], 1), part(R["depth", D, "clone3", "us"], 1),
				part(R["depth", D, "clone3_settid", "us"], 1), part(R["depth", D, "cwp", "us"], 1),
				part(R["depth", D, "fwp", "us"], 1)))
		}
	}

	# Deferred work: CPU time of kernel threads and softirqs per creation.
	print ""
	print "Work done after each creation, elsewhere (microseconds of CPU per process or thread, from"
	print "/proc/stat and the kernel threads' /proc/<pid>/stat; tick-sampled, so rough):"
	print ""
	print "| Case | Method | kworker | RCU kthreads | softirq, creating CPU | system, other CPU |"
	print "|---|---|---|---|---|---|"
	split("pthread pthread_next clone cwp_fn cwp_fn_nopids", tm, " ")
	for (i = 1; i <= 5; i++) {
		m = tm[i]
		if (R["threads", "", m, "kworker_us"] == "")
			continue
		printf "| 1000 threads | %s | %.0f | %.0f | %.0f | %.0f |\n", m,
			R["threads", "", m, "kworker_us"], R["threads", "", m, "rcu_kthread_us"],
			R["threads", "", m, "cpu0_softirq_us"], R["threads", "", m, "cpu1_sys_us"]
	}
	split("fork fwp clone3_settid cwp", trm, " ")
	for (i = 1; i <= 4; i++) {
		m = trm[i]
		if (!(m in TC))
			continue
		printf "| tree of %s | %s | %.0f | %.0f | %.0f | %.0f |\n", tree_n, m,
			kv(TC[m], "kworker_us"), kv(TC[m], "rcu_kthread_us"),
			kv(TC[m], "cpu0_softirq_us"), kv(TC[m], "cpu1_sys_us")
	}

	np = 0
	for (d = 1; d <= 64; d++)
		if (d in pdepth)
			pd[++np] = d
	if (np) {
		print ""
		print "What runs per call (ftrace function tracer, calls per create + exit + reap):"
		print ""
		hdr = "| Function |"
		sep = "|---|"
		split("fork clone3_settid cwp fwp", pm, " ")
		for (j = 1; j <= np; j++)
			for (i = 1; i <= 4; i++) {
				hdr = hdr " " pm[i] " d=" pd[j] " |"
				sep = sep "---|"
			}
		print hdr
		print sep
		nf = split("kprobe_int3_handler kprobe_ftrace_handler kprobe_breakpoint_handler kprobe_breakpoint_ss_handler kretprobe_breakpoint_handler kprobe_brk_handler kprobe_ss_brk_handler kretprobe_brk_handler cwp_kernel_clone_entry cwp_idr_alloc_cyclic_pre cwp_idr_alloc_exact cwp_kernel_clone_return cwp_do_exit_pre cwp_ioctl cwp_request_create cwp_request_arm cwp_request_cancel queue_rcu_work cwp_request_free try_module_get module_put", fl, " ")
		for (k = 1; k <= nf; k++) {
			# The kernel's probe handlers are the architecture's: a
			# row for those this kernel ran, not the other's zeros.
			if (fl[k] ~ /^kprobe_|^kretprobe_/) {
				any = 0
				for (j = 1; j <= np; j++)
					for (i = 1; i <= 4; i++)
						if (P["d=" pd[j], pm[i], fl[k]] > 0)
							any = 1
				if (!any)
					continue
			}
			line = "| `" fl[k] "` |"
			for (j = 1; j <= np; j++)
				for (i = 1; i <= 4; i++)
					line = line sprintf(" %.2f |", P["d=" pd[j], pm[i], fl[k]])
			print line
		}
	}

	print ""
	print "Counts used:"
	print ""
	ns = split("latency depth tax tputmode=threads tputmode=procs churn restore reserve threads tree profile", order, " ")
	for (i = 1; i <= ns; i++)
		if (order[i] in params)
			printf "- %s: %s (%s s)\n", order[i], params[order[i]], secs[order[i]]
	if (tree_n != "")
		printf "- tree: %s processes asked, %s fit in the VM's memory (%.1f kB per process, %s kB available); %s used\n",
			tree_req, tree_fits, tree_kb, tree_avail, tree_n
	if (errors != "")
		print "\nErrors:" errors

	# Plot data: label median q1 q3.
	lat("cwp/clone3-settid", R[L, "", "cwp", "vs_clone3_settid"])
	lat("fwp/fork", R[L, "", "fwp", "vs_fork"])
	lat("cwp/fork", R[L, "", "cwp", "vs_fork"])
	lat("clone3-settid/fork", R[L, "", "clone3_settid", "vs_fork"])
	lat("cwp-nopids/clone", R[L, "", "cwp_nopids", "vs_clone"])
	lat("ns-last-pid/fork", R[L, "", "ns_last_pid", "vs_fork"])
	other("tree fwp/fork", R["tree", "", "fwp", "vs_fork"])
	other("threads pthread-next/pthread", R["threads", "", "pthread_next", "vs_base"])
	other("threads cwp-fn/clone", R["threads", "", "cwp_fn", "vs_base"])
	other("threads cwp-fn-nopids/clone", R["threads", "", "cwp_fn_nopids", "vs_base"])
	for (d = 1; d <= 64; d++)
		if (d in taxd)
			other("fork, module/none, " d " lvl", R["tax", "d=" d, "", "vs_unloaded"])
	tput("2 thr fwp/fork", R["tput", "mode=threads", "fwp", "vs_fork"])
	tput("2 thr cwp/fork", R["tput", "mode=threads", "cwp", "vs_fork"])
	tput("2 thr fwp/last-pid", R["tput", "mode=threads", "fwp", "vs_ns_last_pid"])
	tput("2 thr cwp/last-pid", R["tput", "mode=threads", "cwp", "vs_ns_last_pid"])
	tput("2 proc fwp/fork", R["tput", "mode=procs", "fwp", "vs_fork"])
	tput("2 proc cwp/fork", R["tput", "mode=procs", "cwp", "vs_fork"])
	tput("2 proc fwp/last-pid", R["tput", "mode=procs", "fwp", "vs_ns_last_pid"])
	tput("2 proc cwp/last-pid", R["tput", "mode=procs", "cwp", "vs_ns_last_pid"])
}
function slope(x, y, n,    i, sx, sy, sxx, sxy) {
	for (i = 1; i <= n; i++) {
		sx += x[i]
		sy += y[i]
		sxx += x[i] * x[i]
		sxy += x[i] * y[i]
	}
	if (n < 2 || n * sxx == sx * sx)
		return 0
	return (n * sxy - sx * sy) / (n * sxx - sx * sx)
}
function icept(x, y, n, b,    i, sx, sy) {
	for (i = 1; i <= n; i++) {
		sx += x[i]
		sy += y[i]
	}
	return (sy - b * sx) / n
}
function triple3(t) {
	if (t == "")
		return "NaN NaN NaN"
	return sprintf("%.4f %.4f %.4f", part(t, 1), part(t, 2), part(t, 3))
}
function lat(label, t) {
	if (t != "")
		dat("latency.dat", sprintf("\"%s\" %s", label, triple3(t)))
}
function other(label, t) {
	if (t != "")
		dat("other.dat", sprintf("\"%s\" %s", label, triple3(t)))
}
function tput(label, t) {
	if (t != "")
		dat("tput.dat", sprintf("\"%s\" %s", label, triple3(t)))
}
