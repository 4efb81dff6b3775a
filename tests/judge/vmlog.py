#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge the serial console log of a test VM.

    vmlog.py verdict LOG            kernel splats: print them, exit 1
    vmlog.py emulator-fault LOG     exit 0 if the VM died of QEMU TCG
                                    running a stale int3, 1 otherwise
    vmlog.py results [--fail NAME]... [--details FILE] LOG...
                                    the tests' results: a report, then
                                    "counts PASSED FAILED SKIPPED"; what
                                    the failed tests said goes to FILE
                                    (default: with the report)

A log holds the kernel's console output and what the VM's init prints,
KTAP (Documentation/dev-tools/ktap.rst): "ok N name", "not ok N name",
"ok N name # SKIP", diagnostic lines starting with "# ". The test init
(tests/vm/init) prints "# kernel RELEASE" first and "# done" last, and for
each test "# run NAME", then what the test printed as "# NAME: LINE" (all
of it for a test that did not pass or in verbose mode, its "stat:" lines
otherwise, as "# stat NAME: ..."), "# time NAME SECONDS" and its result
line. Lines may end with a carriage return (serial console).

The kernel-log patterns are tests/judge/kernel-log.txt: one list for every
check of the project.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PATTERNS = os.path.join(HERE, "kernel-log.txt")

# A user program's own fault as the kernel reports it: not a kernel splat.
USER_FAULT = re.compile(r" ip:[0-9a-f]+ sp:[0-9a-f]+ error:[0-9a-f]+")
RESULT = re.compile(r"^(not ok|ok) [0-9]+ (\S+)(.*)$")
# Marks of text patching in a log: static keys, static calls, kprobes.
TEXT_PATCHING = re.compile(r"text_poke|static_call_transform|jump_label_transform|"
                           r"arch_jump_label|static_key_(enable|disable)")


def read_lines(path):
    """The lines of a log, without carriage returns; undecodable bytes kept."""
    with open(path, "rb") as f:
        data = f.read()
    return data.decode("utf-8", "replace").replace("\r", "").split("\n")


def load_patterns(path=PATTERNS):
    """The kernel-log patterns, compiled into one expression."""
    pats = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                pats.append(line)
    return re.compile("|".join("(?:%s)" % p for p in pats))


def is_ours(line):
    """A line a VM's init printed (KTAP, or check-external's EXT- records), not the kernel."""
    return line.startswith("# ") or line.startswith("EXT-") or RESULT.match(line) is not None


def splats(lines, patterns):
    """Indexes of the kernel's lines that match a pattern."""
    return [i for i, line in enumerate(lines)
            if patterns.search(line) and not USER_FAULT.search(line) and not is_ours(line)]


def splat_report(lines, found, before=2, after=20, limit=60):
    """The lines around each splat, as check scripts print them."""
    out, shown = [], set()
    for i in found:
        for j in range(max(0, i - before), min(len(lines), i + after + 1)):
            if j not in shown:
                shown.add(j)
                out.append(lines[j])
        if len(out) >= limit:
            break
    return out[:limit]


def emulator_int3(lines):
    """Did this VM die of QEMU TCG running a stale int3 of kernel text?

    Under TCG, a CPU has been seen executing the temporary int3 of a
    static key, static call or kprobe site after the kernel finished
    patching it; the kernel's int3 handler, no longer expecting it, oopses
    (since v6.2, commit "x86/kprobes: Drop removed INT3 handling code").
    True for an int3 oops whose RIP is not in the module and where the
    memory no longer holds that int3: the oops's code bytes, read from
    memory when it printed, show another byte than 0xcc just before RIP,
    which an int3 trap leaves one byte past the int3. Where the oops could
    not read them, true if the log shows text patching. False otherwise:
    an int3 still in the kernel's text is not the emulator's doing.
    """
    start = None
    for i, line in enumerate(lines):
        if re.search(r"int3: 0000 \[#", line):
            start = i
            break
    if start is None:
        return False
    oops = lines[start:start + 21]
    rip = next((l for l in oops if "RIP: 0010:" in l), "")
    if not rip or "clone_with_pids" in rip:
        return False
    code = next((l for l in oops if "Code: " in l), "")
    m = re.search(r"Code: .*([0-9a-f]{2}) <[0-9a-f]{2}>", code)
    if m:
        return m.group(1) != "cc"
    return any(TEXT_PATCHING.search(l) for l in lines)


def results(lines):
    """The result lines: [(name, "PASS"|"FAIL"|"SKIP")], in order."""
    out = []
    for line in lines:
        m = RESULT.match(line)
        if not m:
            continue
        state, name, rest = m.groups()
        if state == "not ok":
            res = "FAIL"
        elif re.match(r"\s*#\s*SKIP", rest, re.I):
            res = "SKIP"
        else:
            res = "PASS"
        out.append((name, res))
    return out


def diagnostics(lines, name):
    """What test NAME printed ("# NAME: LINE")."""
    prefix = "# %s: " % name
    return [l[len(prefix):] for l in lines if l.startswith(prefix)]


def report(logs, host_fails, patterns):
    """Judge one kernel's logs, read as one.

    Returns (report lines, details, passed, failed, skipped); details are
    what the failed tests printed.
    """
    out = []
    details = []
    res = []
    for path in logs:
        lines = read_lines(path) if os.path.exists(path) else []
        res += [(n, r, lines) for n, r in results(lines)]
        if not any(l == "# done" for l in lines):
            last = [l[6:] for l in lines if l.startswith("# run ")]
            hung = last[-1] if last else "none"
            out.append("the VM (%s) did not finish, last test started: %s; its log ends with:"
                       % (os.path.basename(path), hung))
            out += ["  | " + l for l in lines[-40:]]
            res.append(("vm-finished(%s)" % hung, "FAIL", lines))
        found = splats(lines, patterns)
        if found:
            out += splat_report(lines, found)
            res.append(("kernel-log-clean", "FAIL", lines))
        for l in lines:
            if l.startswith("# log ") and "kernel_clone" in l:
                out.append("  " + l[6:])
            if l.startswith("# stat "):
                out.append("  " + l[7:])
    res += [(n, "FAIL", []) for n in host_fails]
    times = []
    for path in logs:
        lines = read_lines(path) if os.path.exists(path) else []
        for l in lines:
            m = re.match(r"^# time (\S+) ([0-9]+)$", l)
            if m:
                times.append((int(m.group(2)), m.group(1)))
    times.sort(key=lambda t: -t[0])
    if times:
        out.append("  slowest: " + ", ".join("%s %ds" % (n, t) for t, n in times[:5]))
    for name, r, _ in res:
        if r != "PASS":
            out.append("  %s %s" % (name, r))
    for name, r, lines in res:
        if r == "FAIL":
            said = diagnostics(lines, name)
            if said:
                details.append("  --- %s" % name)
                details += ["  " + s for s in said[-40:]]
    passed = sum(1 for _, r, _ in res if r == "PASS")
    failed = sum(1 for _, r, _ in res if r == "FAIL")
    skipped = sum(1 for _, r, _ in res if r == "SKIP")
    return out, details, passed, failed, skipped


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("verdict")
    v.add_argument("--patterns", default=PATTERNS)
    v.add_argument("log")
    e = sub.add_parser("emulator-fault")
    e.add_argument("log")
    r = sub.add_parser("results")
    r.add_argument("--patterns", default=PATTERNS)
    r.add_argument("--fail", action="append", default=[])
    r.add_argument("--details")
    r.add_argument("logs", nargs="*")
    a = ap.parse_args(argv)
    if a.cmd == "verdict":
        lines = read_lines(a.log)
        found = splats(lines, load_patterns(a.patterns))
        for l in splat_report(lines, found):
            print(l)
        return 1 if found else 0
    if a.cmd == "emulator-fault":
        return 0 if emulator_int3(read_lines(a.log)) else 1
    out, details, p, f, s = report(a.logs, a.fail, load_patterns(a.patterns))
    if a.details:
        with open(a.details, "w") as d:
            d.write("".join(l + "\n" for l in details))
    else:
        out += details
    for l in out:
        print(l)
    print("counts %d %d %d" % (p, f, s))
    return 1 if f else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
