# SPDX-License-Identifier: GPL-2.0
"""Unit tests of tests/judge/bench_report.py, make bench's report, on
made-up BENCH lines in the forms tests/bench/cwp-bench.c prints them.

    python3 -m unittest discover -s tests/judge -p 'test_*.py'
"""

import os
import subprocess
import sys
import tempfile
import unittest

import bench_report

HERE = os.path.dirname(os.path.abspath(__file__))

LATENCY_US = {"fork": 101.2, "clone": 99.5, "clone3": 100.1, "clone3_settid": 104.0, "cwp_nopids": 102.3,
              "cwp": 106.6, "fwp": 105.9, "ns_last_pid": 131.4}
BASES = ("fork", "clone3_settid", "clone", "clone3", "ns_last_pid")


def triple(v):
    """A made-up "median,q1,q3" triple around v."""
    return "%.4f,%.4f,%.4f" % (v, v * 0.98, v * 1.03)


def series_result(tag, unit, us, methods):
    """A series' result lines: per method, its unit's triple, best, and its
    ratios to each base among methods."""
    lines = []
    for m in methods:
        line = "BENCH %s result method=%s %s=%.2f,%.2f,%.2f best=%.3f" % (tag, m, unit, us[m], us[m] * 0.97,
                                                                          us[m] * 1.04, us[m] * 0.95)
        for b in BASES:
            if b in methods:
                line += " vs_%s=%s best_vs_%s=%.4f" % (b, triple(us[m] / us[b]), b, us[m] / us[b] * 0.99)
        lines.append(line + " busy=%d wrong=0 fail=%d err=0" % (len(m) % 3, m == "ns_last_pid"))
    return lines


def cpu(k):
    return (" cpu0_softirq_us=%.1f cpu1_sys_us=%.1f cpu1_softirq_us=%.1f rcu_softirqs=%.3f ctxt=%.2f"
            " kworker_us=%.1f rcu_kthread_us=%.1f" % (12.5 * k, 30.25 * k, 3.2, 0.12, 2.5, 4.4 * k, 1.15 * k))


def full():
    """BENCH lines of every section, as make bench's results.txt holds them."""
    L = ["BENCH env kernel=6.1.0-28-amd64 cpus=2 mem_total_kb=1002032 clocksource=tsc "
         "meltdown=Mitigation:_PTI pid_max=32768 threads_max=7700 cwp_abi=3 cwp_ibt=0 cwp_max_requests=4096",
         "BENCH env time seconds=0.0",
         "BENCH latency params rounds=100 batch=20 methods=fork,clone,clone3,clone3_settid,cwp_nopids,cwp,fwp,"
         "ns_last_pid cpus=1 ops=16000",
         "BENCH latency round=0 fork=101.23 clone=99.11 clone3=100.00 clone3_settid=104.10 cwp_nopids=102.00"
         " cwp=106.70 fwp=105.80 ns_last_pid=131.00"]
    L += series_result("latency", "us", LATENCY_US, list(LATENCY_US))
    L.append("BENCH latency time seconds=42.3")
    L.append("BENCH depth params rounds=30 batch=12 methods=fork,clone3,clone3_settid,cwp,fwp "
             "depths=1,2,4,8,16,24,32 cpus=1")
    for d in (1, 2, 4, 8, 16, 32):
        us = {"fork": 100 + 0.5 * d, "clone3": 100.0 + 2.0 * d, "clone3_settid": 104.0 + 2.5 * d,
              "cwp": 106.0 + 2.75 * d, "fwp": 106.0 + 3.0 * d}
        L.append("BENCH depth d=%d round=0 fork=%.2f" % (d, us["fork"]))
        L += series_result("depth d=%d" % d, "us", us, list(us))
    L.append("BENCH depth error d=24 failed")
    L.append("BENCH depth time seconds=310.5")
    L.append("BENCH tax params rounds=24 batch=30 depths=1,32 cpus=1 (median of each batch)")
    for d in (1, 32):
        L.append("BENCH tax d=%d round=0 loaded=101.10 unloaded=100.00" % d)
        L.append("BENCH tax d=%d result loaded_us=101.50 unloaded_us=100.20 vs_unloaded=%s fail=0"
                 % (d, triple(1.013 if d == 1 else 1.0405)))
    L.append("BENCH tax time seconds=55.0")
    L.append("BENCH tree calibration method=fork n=500 create_s=0.512 teardown_s=0.200 kb_per_process=62.5 "
             "stack_kb=16.0 pagetables_kb=12.0 slab_kb=8.0 anon_kb=20.0 settle_ms=300")
    L.append("BENCH tree params requested=10000 n=9500 rounds=5 methods=fork,fwp,list,reserve_list gen=10,90,9400"
             " kb_per_process=64.35 mem_available_kb=850000 reserve_kb=65536 fits=9577 levels=3 cpus=2")
    L.append("BENCH tree run round=0 method=fork n=9500 create_s=10.123 teardown_s=3.000 mem_kb=600000"
             " free_kb=1 stack_kb=1 pagetables_kb=1 slab_kb=1 anon_kb=1 wrong=0 failed=0 unverified=0"
             " complete=1 settle_ms=300" + cpu(1))
    L.append("BENCH tree round=0 fork=10.12 fwp=10.40 list=10.30 reserve_list=10.20")
    tree = {"fork": 10.1, "fwp": 10.35, "list": 10.3, "reserve_list": 10.25}
    L += series_result("tree", "s", tree, list(tree))
    for i, m in enumerate(tree):
        L.append("BENCH tree cpu method=%s%s" % (m, cpu(i + 1)))
    L.append("BENCH tree time seconds=600.2")
    for mode, k in (("threads", 1.0), ("procs", 0.9)):
        us = {"fork": 50.0, "clone3_settid": 49.0 * k, "cwp": 48.0 * k, "fwp": 47.5 * k, "ns_last_pid": 35.0}
        L.append("BENCH tput mode=%s params rounds=30 ops_per_worker=10 workers=2 "
                 "methods=fork,clone3_settid,cwp,fwp,ns_last_pid" % mode)
        L.append("BENCH tput mode=%s round=0 fork=50.00" % mode)
        L += series_result("tput mode=" + mode, "ops", us, list(us))
        L.append("BENCH tput time seconds=%.1f" % (80 * k))
    L.append("BENCH churn params rounds=10 ops=50 methods=cwp,fwp,clone3_settid,ns_last_pid churner_window=3"
             " target=ns_last_pid+1..3")
    L.append("BENCH churn churner forks=123456 seconds=60.12 forks_per_s=2053.5")
    for m, exact in (("cwp", 480), ("fwp", 477), ("clone3_settid", 301), ("ns_last_pid", 155)):
        L.append("BENCH churn result method=%s requests=500 exact=%d wrong=%d busy=%d busy_taken=%d "
                 "busy_not_taken=%d other=0 err=0" % (m, exact, 0 if m != "ns_last_pid" else 300,
                                                      500 - exact, 500 - exact - 3, 3))
    L.append("BENCH churn time seconds=61.0")
    L.append("BENCH threads params rounds=10 threads=1000 methods=pthread,pthread_next,clone,cwp_fn,"
             "cwp_fn_nopids pthread_stack=64k raw_stack=32k cpus=1")
    L.append("BENCH threads round=0 pthread=20.00 pthread_next=21.00 clone=15.00 cwp_fn=16.00 cwp_fn_nopids=15.10")
    for i, (m, us, base) in enumerate((("pthread", 20.0, 20.0), ("pthread_next", 21.0, 20.0), ("clone", 15.0, 15.0),
                                       ("cwp_fn", 16.0, 15.0), ("cwp_fn_nopids", 15.1, 15.0))):
        L.append("BENCH threads result method=%s us=%.2f,%.2f,%.2f vs_base=%s vs_pthread=%s wrong=0 busy=0%s"
                 % (m, us, us * 0.99, us * 1.02, triple(us / base), triple(us / 20.0), cpu(i + 1)))
    L.append("BENCH threads time seconds=33.3")
    L.append("BENCH restore params rounds=200 tree=100 shape=10,90 methods=reserve_list,clone3_settid,ns_last_pid"
             " ahead=40 (the tree's pids start that far past ns_last_pid)")
    L.append("BENCH restore load seconds=120.5 forks=345678 snipes=1234")
    for m, c in (("reserve_list", 200), ("clone3_settid", 150), ("ns_last_pid", 90)):
        L.append("BENCH restore result method=%s restores=200 complete=%d failed_after_start=%d refused_up_front=0"
                 " wrong_restores=%d wrong_pids=%d err=0" % (m, c, 200 - c, 0 if c > 100 else 40, 0 if c > 100 else 77))
    L.append("BENCH restore time seconds=130.0")
    L.append("BENCH reserve params rounds=10 n=100,1000,4000 (reserve + release of n one-level sets, against "
             "fork() of n children that stay alive)")
    for n, r, f in ((100, 150, 9000), (1000, 1400, 91000), (4000, 5600, 370000)):
        L.append("BENCH reserve n=%d result method=reserve reserve_us=%d release_us=%d fork_us=%d vs_fork=%s fail=0"
                 % (n, r, r // 2, f, triple(r / f)))
    L.append("BENCH reserve time seconds=20.0")
    L.append("BENCH profile traced functions=21")
    L.append("BENCH profile params calls=20 methods=fork,clone3_settid,cwp,fwp depths=1,4,32")
    for d in (1, 4, 32):
        for m in ("fork", "clone3_settid", "cwp", "fwp"):
            L.append("BENCH profile d=%d method=%s calls=20 fn=try_module_get<-cwp_ioctl per_call=%.2f" % (d, m, 0.05))
            if m in ("cwp", "fwp"):
                L.append("BENCH profile d=%d method=%s calls=20 fn=cwp_kernel_clone_entry<-kprobe_ftrace_handler "
                         "per_call=1.00" % (d, m))
                L.append("BENCH profile d=%d method=%s calls=20 fn=kprobe_ftrace_handler<-ftrace_ops_list_func "
                         "per_call=%.2f" % (d, m, 3.0 + d / 8))
                L.append("BENCH profile d=%d method=%s calls=20 fn=kprobe_ftrace_handler<-other per_call=0.35"
                         % (d, m))
                L.append("BENCH profile d=%d method=%s calls=20 fn=cwp_idr_alloc_exact<-idr_alloc_cyclic "
                         "per_call=%.2f" % (d, m, d))
    L.append("BENCH profile time seconds=12.0")
    L.append("BENCH graph params kind=procs calls=20 methods=clone3_settid,cwp,fork,fwp maxdepth=8")
    L.append("BENCH graph kind=procs method=cwp calls=20 fn=cwp_kernel_clone_entry per_call=1.00 us_per_op=3.2")
    L.append("BENCH graph time seconds=5.0")
    return L


def report(lines, kernel="6.1.0-28-amd64", scale="1"):
    return bench_report.report(bench_report.read_bench(lines), kernel, scale)


class Report(unittest.TestCase):
    """The tables and the plot's data of a full run."""

    @classmethod
    def setUpClass(cls):
        cls.out, cls.dat = report(full())

    def test_header(self):
        self.assertEqual(self.out[:5], [
            "Kernel 6.1.0-28-amd64, QEMU TCG (2 vCPUs, 1 GiB), BENCH_SCALE=1. Each cell: median [quartiles] of",
            "per-round ratios; in a round the cases run side by side, interleaved.",
            "",
            "VM: kernel=6.1.0-28-amd64 cpus=2 mem_total_kb=1002032 clocksource=tsc meltdown=Mitigation:_PTI "
            "pid_max=32768 threads_max=7700 cwp_abi=3 cwp_ibt=0 cwp_max_requests=4096",
            "",
        ])

    def test_targets(self):
        self.assertIn("| 1. create + exit + reap | `clone_with_pids()` / `clone3()` set_tid | 1.025 [1.004, 1.056] "
                      "| <= 1.03 | met |", self.out)
        self.assertIn("|  | `fork_with_pids()` / `fork()` | 1.046 [1.026, 1.078] | <= 1.03 | **missed** |", self.out)
        self.assertIn("|  | `clone3()` set_tid / `clone3()` | 1.039 [1.018, 1.070] |  |  |", self.out)
        self.assertIn("| 2. tree of 9500, 3 generations, 2 nested pid ns | `fork_with_pids()` / `fork()` "
                      "| 1.025 [1.004, 1.056] | <= 1.05 | met |", self.out)
        self.assertIn("|  | the same, fastest round of each (fwp, lists, reserve all + lists) "
                      "| 1.014, 1.010, 1.005 |  |  |", self.out)
        self.assertIn("|  | `clone_with_pids()` / ns_last_pid pair | 1.371 [1.344, 1.413] | >= 1.2 | met |", self.out)
        self.assertIn("| 3. 2 processes, throughput | `fork_with_pids()` / `fork()` | 0.855 [0.838, 0.881] "
                      "| >= 0.95 | **missed** |", self.out)

    def test_depth(self):
        self.assertIn("| 4. depth 1 | `clone_with_pids()` / `clone3()` set_tid | 1.021 [1.001, 1.052] |  |  |", self.out)
        self.assertIn("| 4. growth 1 -> 32 levels | cwp / clone3 set_tid, fitted at 32 over at 1 | 1.032 | <= 1.03 "
                      "| **missed** |", self.out)
        self.assertIn("Fitted per level: `clone3()` set_tid 2.5 us, `clone3()` 2.0 us; `clone_with_pids()` "
                      "adds 0.2 us", self.out)
        self.assertIn("per level to `clone3()` set_tid, `fork_with_pids()` adds 2.5 us per level to `fork()`.", self.out)
        self.assertIn("| 32 | 1.054 [1.033, 1.086] | 1.741 [1.707, 1.794] | 1.122 [1.099, 1.156] | 116 | 164 | 184 "
                      "| 194 | 202 |", self.out)
        self.assertEqual(self.dat["depth.dat"][0], "1 1.0211 1.0007 1.0518 1.0846 1.0629 1.1171 1.0441 1.0232 1.0754 "
                                                   "100.5 102 106.5 108.75 109")

    def test_methods_and_churn(self):
        self.assertIn("| `fork()` | 101 | 1.000 [0.980, 1.030] | 0.973 [0.954, 1.002] | 1 | 0 | 0 |", self.out)
        self.assertIn("| ns_last_pid + `fork()` | 131 | 1.298 [1.272, 1.337] | 1.264 [1.238, 1.301] | 2 | 0 | 1 |",
                      self.out)
        self.assertIn("Under churn (another process forks continuously, about 2053.5 forks/s; each request asks",
                      self.out)
        self.assertIn("| ns_last_pid + `fork()` | 500 | 155 | 300 | 342 | 3 | 0 |", self.out)
        self.assertEqual(self.dat["churn.dat"], [
            '"cwp" 96.00 0.00 3.40 0.60 0.00',
            '"fwp" 95.40 0.00 4.00 0.60 0.00',
            '"clone3_settid" 60.20 0.00 39.20 0.60 0.00',
            '"ns_last_pid" 31.00 60.00 68.40 0.60 0.00',
        ])

    def test_restore_reserve(self):
        self.assertIn("start 40 past ns_last_pid, while a process forks at full speed (345678 forks)", self.out)
        self.assertIn("| ns_last_pid + `fork()` per process | 200 | 90 | 110 | 0 | 40 | 77 |", self.out)
        self.assertIn("| 1000 | 1400 | 700 | 91000 | 0.015 [0.015, 0.016] |", self.out)

    def test_deferred_work_and_profile(self):
        self.assertIn("| 1000 threads | cwp_fn | 18 | 5 | 50 | 121 |", self.out)
        # The tree's cpu lines of fork and fwp (those of the lists are not shown).
        self.assertIn("| tree of 9500 | fwp | 9 | 2 | 25 | 60 |", self.out)
        self.assertFalse([line for line in self.out if line.startswith("| tree of 9500 | list")])
        self.assertIn("| Function | fork d=1 | clone3_settid d=1 | cwp d=1 | fwp d=1 | fork d=4 | clone3_settid d=4 "
                      "| cwp d=4 | fwp d=4 | fork d=32 | clone3_settid d=32 | cwp d=32 | fwp d=32 |", self.out)
        self.assertIn("| `kprobe_ftrace_handler` | 0.00 | 0.00 | 3.47 | 3.47 | 0.00 | 0.00 | 3.85 | 3.85 | 0.00 "
                      "| 0.00 | 7.35 | 7.35 |", self.out)
        # Handlers of the other architecture, never run: no row.
        self.assertFalse([line for line in self.out if "kprobe_brk_handler" in line])

    def test_counts_used_and_errors(self):
        i = self.out.index("Counts used:")
        self.assertEqual(self.out[i + 2:i + 5], [
            "- latency: rounds=100 batch=20 methods=fork,clone,clone3,clone3_settid,cwp_nopids,cwp,fwp,ns_last_pid "
            "cpus=1 ops=16000 (42.3 s)",
            "- depth: rounds=30 batch=12 methods=fork,clone3,clone3_settid,cwp,fwp depths=1,2,4,8,16,24,32 "
            "cpus=1 (310.5 s)",
            "- tax: rounds=24 batch=30 depths=1,32 cpus=1 (median of each batch) (55.0 s)",
        ])
        self.assertIn("- tputmode=procs: rounds=30 ops_per_worker=10 workers=2 methods=fork,clone3_settid,cwp,fwp,"
                      "ns_last_pid (72.0 s)", self.out)
        self.assertIn("- tree: 10000 processes asked, 9577 fit in the VM's memory (64.3 kB per process, 850000 kB "
                      "available); 9500 used", self.out)
        self.assertEqual(self.out[-1], "\nErrors:\n- depth error d=24 failed")

    def test_plot_data(self):
        self.assertEqual(list(self.dat), ["churn.dat", "depth.dat", "latency.dat", "other.dat", "tput.dat"])
        self.assertEqual(self.dat["latency.dat"][0], '"cwp/clone3-settid" 1.0250 1.0045 1.0557')
        self.assertEqual(self.dat["other.dat"][-2:], ['"fork, module/none, 1 lvl" 1.0130 0.9927 1.0434',
                                                      '"fork, module/none, 32 lvl" 1.0405 1.0197 1.0717'])
        self.assertEqual(len(self.dat["tput.dat"]), 8)


class Partial(unittest.TestCase):
    """Runs of some sections only, and odd values."""

    def test_latency_only(self):
        out, dat = report([line for line in full() if line.startswith(("BENCH env", "BENCH latency"))])
        self.assertIn("| 2. tree of , 3 generations, 2 nested pid ns | `fork_with_pids()` / `fork()` | n/a | <= 1.05 "
                      "| not measured |", out)
        self.assertFalse([line for line in out if "4. " in line or "Restores" in line or "Function" in line])
        self.assertEqual(list(dat), ["latency.dat"])

    def test_one_depth(self):
        out, dat = report([line for line in full() if line.startswith("BENCH depth d=8 ")])
        self.assertIn("| 4. growth 8 -> 8 levels | cwp / clone3 set_tid, fitted at 8 over at 8 | 1.000 | <= 1.03 "
                      "| met |", out)
        self.assertIn("Fitted per level: `clone3()` set_tid 0.0 us, `clone3()` 0.0 us; `clone_with_pids()` adds "
                      "0.0 us", out)

    def test_restore_without_params(self):
        out, dat = report([line for line in full() if line.startswith("BENCH restore result")])
        self.assertIn("start  past ns_last_pid, while a process forks at full speed ( forks)", out)
        self.assertIn("- restore:  ( s)", out)

    def test_odd_values(self):
        lines = ["BENCH latency result method=cwp us=nan,1,2 vs_clone3_settid=nan,nan,nan busy=x wrong=3.9 fail=-2",
                 "BENCH latency result method=fwp us=0x10,1,2 vs_fork=1.5",
                 "BENCH churn result method=cwp requests=0 exact=0 wrong=1 busy_taken=0 busy_not_taken=0 other=0",
                 "BENCH depth d=2.5 result method=cwp us=1,1,1"]
        out, dat = report(lines)
        # mawk: a NaN compares equal to every number, so it meets a target.
        self.assertIn("| 1. create + exit + reap | `clone_with_pids()` / `clone3()` set_tid | nan [nan, nan] "
                      "| <= 1.03 | met |", out)
        self.assertIn("|  | `fork_with_pids()` / `fork()` | 1.500 [0.000, 0.000] | <= 1.03 | **missed** |", out)
        self.assertIn("| `clone_with_pids()` | nan | n/a | nan [nan, nan] | 0 | 3 | -2 |", out)
        self.assertIn("| `fork_with_pids()` | 16 | 1.500 [0.000, 0.000] | n/a | 0 | 0 | 0 |", out)
        self.assertEqual(dat["churn.dat"], ['"cwp" -nan inf -nan -nan -nan'])
        self.assertIn("| 4. growth 2 -> 2 levels | cwp / clone3 set_tid, fitted at 2 over at 2 | -nan | <= 1.03 "
                      "| met |", out)


class CommandLine(unittest.TestCase):
    """bench_report.py as bench.sh runs it."""

    def test_files(self):
        with tempfile.TemporaryDirectory() as tmp:
            results = os.path.join(tmp, "results.txt")
            with open(results, "w") as f:
                f.write("\n".join(["not a BENCH line"] + full()) + "\n")
            p = subprocess.run([sys.executable, os.path.join(HERE, "bench_report.py"), "--out", tmp,
                                "--kernel", "6.1.0-28-amd64", "--scale", "2", results],
                               stdout=subprocess.PIPE, check=True)
            out, dat = report(full(), scale="2")
            self.assertEqual(p.stdout.decode(), "".join(line + "\n" for line in out))
            self.assertEqual(sorted(f for f in os.listdir(tmp) if f.endswith(".dat")), sorted(dat))
            for name, lines in dat.items():
                with open(os.path.join(tmp, name)) as f:
                    self.assertEqual(f.read(), "".join(line + "\n" for line in lines))


if __name__ == "__main__":
    unittest.main()
