#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""check-external's judge: one kernel's results, from its VM's log to a verdict.

    external.py extract --splat-file FILE LOG
    external.py judge --kernel K [--text-off OFF] KNOWN RESULTS

extract reads LOG, the VM's serial console log (tests/external/init prints
its EXT-* lines; a carriage return anywhere is dropped), and prints the raw
records of the results file: tap, prog, notrun, stress, check, load,
kprobe, time, ufault and splat, and "check vm-finished FAIL" when the log
has no EXT-DONE line. FILE holds the kernel log's splats, one POSIX
extended regular expression a line (lines starting with "#" and empty
lines are ignored); a line matching any of them is a splat, but for a user
program's own fault, which the kernel reports with " ip:... sp:...
error:..." (a ufault record).

judge reads KNOWN (tests/external/known) and RESULTS, the records of
kernel K, and prints the judgement records (count, diff, unexplained,
known, flaky, premodule, stale, ratio, fail, verdict) to append to
RESULTS; OFF is the file offset of stress-ng's executable segment. The
selftests' runs (none, module, load) must agree program by program (exit
status) and TAP line by TAP line (ok, not ok, skip, xfail), but for what
KNOWN calls flaky and for what failed only in run none (before the module
was loaded) and passed in every run with it; whatever else fails or skips
must be explained by KNOWN; every stressor must succeed, but for a failure
whose every user fault is a crash KNOWN names; every check must pass.
It exits 0 whatever the verdict.

The formats of the records and of KNOWN: tests/external/README.md.

Both commands print exactly what the awk programs they replace print
(check-external.sh's extraction and compare.awk, run by mawk): a value
read from a file is compared as a number when it looks like one (C's
strtod, so hex too, but for infinities and NaNs) and as a string
otherwise, and numbers are printed as mawk prints them.
"""

import argparse
import math
import re
import sys

# awk's values.
#
# A value is None when it was never set (it is then both "" and 0), a str
# when it was read from a file or the command line (a number when it looks
# like one), or a float when it was computed.

NUMBER = re.compile(
    r"[ \t\n\r\f\v]*([+-]?(?:"
    r"0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?[0-9]+)?"
    r"|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
    r"|[iI][nN][fF](?:[iI][nN][iI][tT][yY])?"
    r"|[nN][aA][nN](?:\([0-9A-Za-z_]*\))?))")
MAX_INT = 2147483647


def strtod(s):
    """C's strtod() of s: the number its longest prefix spells (0 when none),
    and where that prefix ends."""
    m = NUMBER.match(s)
    if not m:
        return 0.0, 0
    t = m.group(1)
    if "x" in t or "X" in t:
        try:
            return float.fromhex(t), m.end()
        except OverflowError:
            return (-math.inf if t.startswith("-") else math.inf), m.end()
    return float(re.sub(r"\(.*", "", t)), m.end()


def looks_numeric(s):
    """Whether a string read from a file is a number for mawk: strtod()
    reads all of it, but for blanks around it, and it is no infinity, no
    NaN and within a double's range (strtod() sets no ERANGE: a non-zero
    number below the smallest normal double is out of range too). mawk's
    arithmetic still reads "inf" and "nan" as numbers."""
    value, end = strtod(s)
    if end == 0 or s[end:].strip(" \t\n\r\f\v") != "":
        return False
    text = s[:end].strip(" \t\n\r\f\v").lstrip("+-")
    if text[:1] in ("i", "I", "n", "N") or math.isinf(value):
        return False
    if abs(value) < sys.float_info.min:
        mantissa = re.sub(r"[pP].*", "", text[2:]) if text[:2] in ("0x", "0X") else re.sub(r"[eE].*", "", text)
        return not re.search(r"[1-9a-fA-F]", mantissa)
    return True


def to_num(v):
    """The number of a value, as awk converts it."""
    if v is None:
        return 0.0
    if isinstance(v, str):
        return strtod(v)[0]
    return float(v)


def cfmt(spec, x):
    """C's printf() of one double with spec ("%.3f", "%.6g"): Python's
    output, but for a NaN whose sign bit is set, which glibc prints "-nan"."""
    if math.isnan(x):
        return "-nan" if math.copysign(1.0, x) < 0 else "nan"
    return spec % x


def num_to_str(x):
    """The string of a number, as mawk makes it: an integer within a C int
    as one, any other number with "%.6g"."""
    if not math.isnan(x) and not math.isinf(x) and x == math.floor(x) and -MAX_INT <= x <= MAX_INT:
        return "%d" % x
    return cfmt("%.6g", x)


def to_str(v):
    """The string of a value, as awk converts it."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    return num_to_str(v)


def c_hex(x):
    """printf("%x") of a number in mawk: clamped to 0 .. 0xffffffff."""
    if x >= 0xffffffff:
        return "ffffffff"
    if x > 0:
        return "%x" % int(x)
    return "0"


def compare(a, b):
    """awk's comparison of two values, -1, 0 or 1: as numbers when each is a
    number, unset or a string that looks like a number, else as strings.
    A string constant is never passed here: awk compares it as a string."""
    def numeric(v):
        return v is None or not isinstance(v, str) or looks_numeric(v)
    if numeric(a) and numeric(b):
        # A NaN compares equal to every number, as in mawk.
        x, y = to_num(a), to_num(b)
        return (x > y) - (x < y)
    sa, sb = to_str(a), to_str(b)
    return (sa > sb) - (sa < sb)


# awk's toupper() and tolower(): ASCII letters only.
UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fields(line):
    """The fields of a line as awk's default field splitting makes them:
    runs of spaces, tabs and newlines separate them."""
    line = line.strip(" \t\n")
    return re.split(r"[ \t\n]+", line) if line else []


def field(f, i):
    """awk's $i of the fields f: "" beyond the last."""
    return f[i - 1] if i <= len(f) else ""


def split(s, sep):
    """awk's split(s, a, sep) for a one-character sep other than a blank."""
    return s.split(sep) if s != "" else []


def get(a, i):
    """awk's a[i] of a list made by split(): None when beyond its end."""
    return a[i - 1] if i <= len(a) else None


def read_records(path):
    """A file's lines, as awk reads them (the last one may lack its
    newline); bytes are kept as they are, one character each."""
    with open(path, "rb") as f:
        data = f.read()
    lines = data.decode("latin-1").split("\n")
    if lines[-1] == "":
        lines.pop()
    return lines


def write(lines):
    """Print lines, each byte as it was read."""
    sys.stdout.buffer.write("".join(line + "\n" for line in lines).encode("latin-1"))
    sys.stdout.flush()


# extract: the VM's log to raw records.

# A user program's own fault as the kernel reports it ("traps: COMM[PID]
# general protection fault ip:... sp:... error:0 in FILE[...]"): not a
# splat; a ufault record, judged with the program (tests/external/init).
UFAULT = re.compile(r" ip:[0-9a-f]+ sp:[0-9a-f]+ error:[0-9a-f]+")

POSIX_CLASSES = {
    "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "blank": " \\t", "cntrl": "\\x00-\\x1f\\x7f",
    "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": " -~",
    "punct": "!-/:-@\\[-`{-~", "space": " \\t\\n\\r\\f\\v", "upper": "A-Z", "xdigit": "0-9A-Fa-f",
}


def ere(pattern):
    """Python's regular expression for a POSIX extended one: its bracket
    expressions rewritten (classes such as [:digit:], a leading "]" taken
    literally, "[" escaped); the rest of an ERE means the same to Python."""
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if c != "[":
            out.append(c)
            i += 1
            continue
        i += 1
        out.append("[")
        if pattern.startswith("^", i):
            out.append("^")
            i += 1
        first = True
        while i < len(pattern) and (pattern[i] != "]" or first):
            first = False
            if pattern.startswith("[:", i) and ":]" in pattern[i + 2:]:
                end = pattern.index(":]", i + 2)
                name = pattern[i + 2:end]
                if name not in POSIX_CLASSES:
                    raise ValueError("unknown character class [:%s:] in %r" % (name, pattern))
                out.append(POSIX_CLASSES[name])
                i = end + 2
                continue
            if pattern[i] == "\\" and i + 1 < len(pattern):
                out.append(pattern[i:i + 2])
                i += 2
                continue
            out.append("\\" + pattern[i] if pattern[i] in "[]&~|" else pattern[i])
            i += 1
        out.append("]")
        i += 1
    return "".join(out)


def read_splats(path):
    """The splat expressions of a file: one a line, but for lines starting
    with "#" and empty lines."""
    with open(path, "rb") as f:
        lines = f.read().decode("latin-1").split("\n")
    return [re.compile(ere(line)) for line in lines if line != "" and not line.startswith("#")]


def tap_record(line, f):
    """The tap record of an EXT-OUT line (its fields f), or None when its
    output line is no TAP result line."""
    run = field(f, 2)
    ct = re.sub(r":$", "", field(f, 3), count=1)
    line = re.sub(r"^EXT-OUT [^ ]+ [^ ]+: ", "", line, count=1)
    if not re.match(r"(not )?ok [0-9]+", line):
        return None
    state = "not-ok" if line.startswith("not ") else "ok"
    line = re.sub(r"^(not )?ok ", "", line, count=1)
    n = re.match(r"[0-9]*", line).group()
    rest = line[len(n):]
    # rstart is awk's RSTART after match(rest, /#.*/): where the directive
    # starts (1 for the first character), 0 when there is none.
    rstart = rest.find("#") + 1
    directive = ""
    if rstart:
        directive = rest[rstart - 1:].translate(UPPER)
        rest = rest[:rstart - 1]
    if re.match(r"# *SKIP", directive):
        state = "skip"
    elif re.match(r"# *XFAIL", directive):
        state = "xfail"
    rest = rest.strip(" \t")
    # "ok 8 # SKIP reason": the reason describes it. A "not ok 12" without
    # a description and without a directive is described by what follows
    # the number's last digit, that digit included ("2"): rstart is 0 then.
    if rest == "" and state != "ok":
        rest = line[max(len(n) + rstart, 1) - 1:]
        rest = re.sub(r"^# *[A-Za-z]+[ \t]*", "", rest, count=1)
    if rest == "":
        rest = "-"
    return " ".join(["tap", run, ct, n, state, rest])


def extract(lines, splats):
    """The raw records of a VM's log (its lines), splats being the compiled
    expressions of a splat: what check-external.sh's awk program prints."""
    out = []
    last = ""
    t = None
    done = False
    for line in lines:
        line = line.replace("\r", "")
        f = fields(line)
        if line.startswith("EXT-OUT "):
            rec = tap_record(line, f)
            if rec is not None:
                out.append(rec)
        elif line.startswith("EXT-SOUT "):
            pass
        elif line.startswith("EXT-PROG "):
            out.append(" ".join(["prog"] + [field(f, i) for i in range(2, 6)]))
        elif line.startswith("EXT-NOTRUN "):
            out.append(" ".join(["notrun", field(f, 2), field(f, 3)]))
        elif line.startswith("EXT-STRESS "):
            out.append(" ".join(["stress"] + [field(f, i) for i in range(2, 7)]))
        elif line.startswith("EXT-CHECK "):
            # The line made again from its fields: single spaces.
            out.append(" ".join(["check"] + f[1:]))
        elif line.startswith("EXT-LOAD "):
            out.append("load " + line[len("EXT-LOAD "):])
        elif line.startswith("EXT-KPROBE "):
            out.append("kprobe " + line[len("EXT-KPROBE "):])
        elif line.startswith("EXT-PHASE "):
            # A phase lasts until the next one starts, the last one until
            # EXT-DONE.
            if last != "":
                out.append("time %s %s" % (last, num_to_str(to_num(field(f, 4)) - to_num(t))))
            last = field(f, 2) + "-" + field(f, 3)
            t = field(f, 4)
        elif line.startswith("EXT-DONE"):
            done = True
            if last != "":
                out.append("time %s %s" % (last, num_to_str(to_num(field(f, 2)) - to_num(t))))
        elif line.startswith("EXT-UFAULT "):
            out.append("ufault " + line[len("EXT-UFAULT "):])
        elif UFAULT.search(line):
            pass
        elif any(p.search(line) for p in splats):
            out.append("splat " + line)
    if not done:
        out.append("check vm-finished FAIL")
    return out


# judge: the records of one kernel to its judgement.

def kmatch(pats, k):
    """Whether the KERNELS of a known entry (a comma list, "*" for all,
    "6.12*" for 6.12 and 6.12-rt) name kernel k."""
    for p in split(pats, ","):
        if p == "*" or compare(p, k) == 0:
            return True
        if p.endswith("*") and k.startswith(p[:-1]):
            return True
    return False


def read_known(lines, kernel):
    """The entries of the known file (its lines) that apply to kernel:
    dicts of prog (collection:program), sub (its subtest, "" for the
    program), kind and reason, in the file's order."""
    known = []
    for line in lines:
        if re.match(r"[ \t]*(#|$)", line):
            continue
        f = fields(line)
        if not kmatch(field(f, 1), kernel):
            continue
        w = split(field(f, 2), ":")
        known.append({
            "prog": to_str(get(w, 1)) + ":" + to_str(get(w, 2)),
            "sub": w[2] if len(w) > 2 else "",
            "kind": field(f, 3),
            # The reason: the line after its third field (all of it when
            # the line starts with a blank or has fewer fields).
            "reason": re.sub(r"^[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]*", "", line, count=1),
        })
    return known


def known_for(known, ct, desc, num):
    """The known entry (index) for program ct, subtest desc ("" for the
    program) numbered num in its TAP output ("" for the program), None when
    there is none: an entry names a subtest by the first word of its
    description or, for programs whose descriptions do not tell their
    subtests apart, by its number (#N)."""
    for i, k in enumerate(known):
        if k["prog"] != to_str(ct):
            continue
        if (k["sub"] == "" or (to_str(desc) != "" and compare(k["sub"], desc) == 0) or
                (to_str(num) != "" and k["sub"] == "#" + to_str(num))):
            return i
    return None


def flaky_sub(known, ct, desc, num):
    """Whether known calls that subtest (or its program) flaky."""
    i = known_for(known, ct, desc, num)
    return i is not None and known[i]["kind"] == "flaky"


def subtests_explain(known, res, rn, ct):
    """Whether the TAP lines of program ct explain its failing exit in run
    rn: it has some that are not ok or skipped, and known explains every
    one of them."""
    n = 0
    for tp in res["taps"]:
        if compare(tp[0], ct) != 0:
            continue
        t = to_str(res["tap"].get((rn, tp)))
        if t == "" or t == "ok":
            continue
        i = known_for(known, ct, res["tapdesc"].get((rn, tp)), tp[1])
        if i is None or known[i]["kind"] == "flaky-load":
            return False
        n += 1
    return n > 0


# Run none comes before the module is ever loaded: a result that is not ok
# there only, ok in every compared run with the module (runs 2 to nr), is
# not the module's doing. It is reported, not counted. A TAP line missing
# in run none counts as not ok when its program failed there only.

def premodule_exit(res, ct, nr):
    """Whether program ct failed in run none only, of the first nr runs."""
    e = res["prog_exit"].get(("none", ct))
    if to_str(e) == "" or compare(e, 0) == 0:
        return False
    for r in RUNS[1:nr]:
        if to_str(res["prog_exit"].get((r, ct))) != "0":
            return False
    return True


def premodule_tap(res, premod, tp, ct, nr):
    """Whether TAP line tp of program ct was not ok in run none only, of
    the first nr runs."""
    t = to_str(res["tap"].get(("none", tp)))
    if t == "ok" or (t == "" and ct not in premod):
        return False
    for r in RUNS[1:nr]:
        if to_str(res["tap"].get((r, tp))) != "ok":
            return False
    return True


def hexval(h):
    """The number a hex string spells ("0x" before it or not); a character
    that is no hex digit counts as -1, as it does in compare.awk."""
    h = to_str(h).translate(LOWER)
    if h.startswith("0x"):
        h = h[2:]
    n = 0.0
    for c in h:
        n = n * 16 + "0123456789abcdef".find(c)
    return n


def ufault_known(known, text_off, s, line):
    """The known crash entry (index, None when none) that explains a user
    fault of stress-ng's stressor s, reported by the kernel line line, and
    where the fault was (FILE+0xOFF, "?" when the line does not say). The
    line ends "in FILE[OFF,START+SIZE]" where the kernel gives the file
    offset, "in FILE[START+SIZE]" where it does not: then the offset is the
    instruction's in the mapping plus that of stress-ng's executable
    segment (text_off, from check-external.sh)."""
    m = re.search(r"in [^ \[]+\[[0-9a-f,+]+\]", line)
    if not m:
        return None, "?"
    m = m.group()[3:-1]
    f = m[:m.index("[")]
    m = m[len(f) + 1:]
    if "," in m:
        off = hexval(m[:m.index(",")])
    else:
        ip = re.search(r"ip:[0-9a-f]+", line)
        if not ip or to_str(text_off) == "":
            return None, "?"
        start = re.sub(r"\+.*", "", m, count=1)
        off = hexval(ip.group()[3:]) - hexval(start) + hexval(text_off)
    where = "%s+0x%s" % (f, c_hex(off))
    if f != "stress-ng":
        return None, where
    for i, k in enumerate(known):
        if k["kind"] == "crash" and k["prog"] == "stress-ng:" + s and hexval(k["sub"]) == off:
            return i, where
    return None, where


RUNS = ["none", "module", "load"]
STRESS_RUNS = ["none", "module", "load", "none2"]


def new_results():
    """The records of a results file, as the judge keeps them."""
    return {
        "prog_exit": {},     # (run, program): exit status
        "progs": {},         # the programs, in the order first seen (keys)
        "tap": {},           # (run, tap): state
        "tapdesc": {},       # (run, tap): the first word of its description
        "taps": {},          # (program, TAP number, occurrence), in the order first seen (keys)
        "tapocc": {},        # (run, program, TAP number): occurrences so far
        "src": {},           # (run, stressor): exit status
        "sops": {},          # (run, stressor): bogo ops
        "srate": {},         # (run, stressor): bogo ops/s
        "stressors": {},     # in the order first seen (keys)
        "nuf": {},           # (run, stressor): user faults
        "ufk": {},           # (run, stressor): the known entry of its last known crash
        "ufbad": {},         # (run, stressor): user faults known does not explain
        "checks": 0,
        "splats": 0,
        "bad": 0,
    }


def read_results(known, lines, text_off, out):
    """The records of the results file (its lines); the check failures
    and the judgement of the stressors' user faults, printed as they are
    read, go to out."""
    res = new_results()
    for line in lines:
        f = fields(line)
        kind = field(f, 1)
        if kind == "prog":
            # prog RUN CT EXIT SECONDS
            res["prog_exit"][(field(f, 2), field(f, 3))] = field(f, 4)
            res["progs"].setdefault(field(f, 3))
        elif kind == "notrun":
            # notrun RUN CT: shown by the known file's notrun entries.
            pass
        elif kind == "tap":
            # tap RUN CT N STATE DESC...
            run, ct, num = field(f, 2), field(f, 3), field(f, 4)
            occ = res["tapocc"].get((run, ct, num), 0) + 1
            res["tapocc"][(run, ct, num)] = occ
            tp = (ct, num, str(occ))
            res["tap"][(run, tp)] = field(f, 5)
            res["tapdesc"][(run, tp)] = field(f, 6)
            res["taps"].setdefault(tp)
        elif kind == "stress":
            # stress RUN STRESSOR RC BOGO_OPS RATE
            key = (field(f, 2), field(f, 3))
            res["src"][key] = field(f, 4)
            res["sops"][key] = field(f, 5)
            res["srate"][key] = field(f, 6)
            res["stressors"].setdefault(field(f, 3))
        elif kind == "check":
            res["checks"] += 1
            if field(f, 3) != "PASS":
                out.append("fail check " + field(f, 2) + " " + field(f, 3))
                res["bad"] += 1
        elif kind == "splat":
            res["splats"] += 1
        elif kind == "ufault":
            # ufault stress RUN STRESSOR: KERNEL-LINE, or ufault RUN CT: ...
            if field(f, 2) != "stress":
                continue
            r, s = field(f, 3), re.sub(r":$", "", field(f, 4), count=1)
            res["nuf"][(r, s)] = res["nuf"].get((r, s), 0) + 1
            i, where = ufault_known(known, text_off, s, line)
            if i is not None:
                res["ufk"][(r, s)] = i
                out.append("known stress %s %s: user fault at %s (%s)" % (r, s, where, known[i]["reason"]))
            else:
                out.append("unexplained stress %s %s: user fault at %s" % (r, s, where))
                res["ufbad"][(r, s)] = res["ufbad"].get((r, s), 0) + 1
    return res


def shown(v):
    """A result as diff and flaky lines show it: "missing" when not there."""
    return "missing" if to_str(v) == "" else to_str(v)


def judge_counts(res, out):
    """The count line of each run: its programs passed (exit 0), skipped
    (exit 4) and failed, and its TAP lines ok, not ok and skipped."""
    for r in RUNS:
        p = fl = s = 0
        to = tn = ts = 0
        for ct in res["progs"]:
            e = res["prog_exit"].get((r, ct))
            if to_str(e) == "":
                continue
            if compare(e, 0) == 0:
                p += 1
            elif compare(e, 4) == 0:
                s += 1
            else:
                fl += 1
        for tp in res["taps"]:
            t = to_str(res["tap"].get((r, tp)))
            if t == "ok":
                to += 1
            elif t == "not-ok":
                tn += 1
            elif t == "skip":
                ts += 1
        if p + fl + s:
            out.append("count %s programs %d passed %d failed %d skipped; tap %d ok %d not-ok %d skip"
                       % (r, p, fl, s, to, tn, ts))


def tap_desc(res, tp, nr):
    """The description of TAP line tp: its last one of the first nr runs
    that has one."""
    d = ""
    for r in RUNS[:nr]:
        if to_str(res["tapdesc"].get((r, tp))) != "":
            d = res["tapdesc"][(r, tp)]
    return d


def judge_programs(known, res, st, out):
    """Program exits: identical in every run, explained when not 0."""
    prog_exit = res["prog_exit"]
    for ct in res["progs"]:
        kp = known_for(known, ct, "", None)
        if kp is not None:
            st["kused"].add(kp)
        if kp is not None and known[kp]["kind"] == "flaky":
            out.append("flaky %s exit%s (not compared: %s)" % (
                ct, "".join(" %s=%s" % (r, to_str(prog_exit.get((r, ct)))) for r in RUNS),
                known[kp]["reason"]))
            continue
        # flaky-load: the runs without the load are compared and must pass
        # or be explained by another entry; the load run is shown.
        nr = len(RUNS)
        if kp is not None and known[kp]["kind"] == "flaky-load":
            out.append("flaky %s exit load=%s (not compared in run load: %s)" % (
                ct, to_str(prog_exit.get(("load", ct))), known[kp]["reason"]))
            nr = len(RUNS) - 1
            kp = None
        # A flaky subtest that differs between runs may change the exit.
        skip_exit = False
        for tp in res["taps"]:
            if compare(tp[0], ct) != 0:
                continue
            d = tap_desc(res, tp, nr)
            if not flaky_sub(known, ct, d, tp[1]):
                continue
            kf = known_for(known, ct, d, tp[1])
            st["kused"].add(kf)
            states = [res["tap"].get((r, tp)) for r in RUNS[:nr]]
            same = all(compare(t, states[0]) == 0 for t in states[1:])
            out.append("flaky %s:%s%s (not compared: %s)" % (
                ct, to_str(d), "".join(" %s=%s" % (r, shown(t)) for r, t in zip(RUNS, states)),
                known[kf]["reason"]))
            st["flakytap"].add(tp)
            if not same:
                skip_exit = True
        if not skip_exit and premodule_exit(res, ct, nr):
            out.append("premodule %s exit none=%s (not counted: failed before the module was loaded, "
                       "passed in every run with it)" % (ct, to_str(prog_exit.get(("none", ct)))))
            st["premod"].add(ct)
            continue
        exits = [prog_exit.get((r, ct)) for r in RUNS[:nr]]
        same = all(compare(e, exits[0]) == 0 for e in exits[1:])
        if not same and not skip_exit:
            out.append("diff %s exit%s" % (ct, "".join(" %s=%s" % (r, shown(e)) for r, e in zip(RUNS, exits))))
            res["bad"] += 1
        for r, e in zip(RUNS, exits):
            if to_str(e) == "" or compare(e, 0) == 0 or (skip_exit and not same):
                continue
            if kp is not None:
                if kp not in st["kshown"]:
                    st["kshown"].add(kp)
                    out.append("known %s %s: %s" % (ct, known[kp]["kind"], known[kp]["reason"]))
            elif not subtests_explain(known, res, r, ct) and (ct, "exit") not in st["unexp"]:
                st["unexp"].add((ct, "exit"))
                out.append("unexplained %s exit %s in run %s" % (ct, to_str(e), r))
                res["bad"] += 1


def judge_taps(known, res, st, out):
    """TAP lines: identical in every run, explained when not ok or skipped."""
    for tp in res["taps"]:
        if tp in st["flakytap"]:
            continue
        ct, num = tp[0], tp[1]
        kp = known_for(known, ct, "", None)
        if kp is not None and known[kp]["kind"] == "flaky":
            continue
        nr = len(RUNS) - 1 if kp is not None and known[kp]["kind"] == "flaky-load" else len(RUNS)
        d = tap_desc(res, tp, nr)
        if premodule_tap(res, st["premod"], tp, ct, nr):
            out.append("premodule %s #%s %s none=%s (not counted: before the module was loaded, "
                       "ok in every run with it)" % (ct, num, to_str(d), shown(res["tap"].get(("none", tp)))))
            continue
        states = [res["tap"].get((r, tp)) for r in RUNS[:nr]]
        if not all(compare(t, states[0]) == 0 for t in states[1:]):
            out.append("diff %s #%s %s%s" % (ct, num, to_str(d),
                                             "".join(" %s=%s" % (r, shown(t)) for r, t in zip(RUNS, states))))
            res["bad"] += 1
        for r, t in zip(RUNS, states):
            t = to_str(t)
            if t == "" or t == "ok":
                continue
            ks = known_for(known, ct, d, num)
            if ks is not None and known[ks]["kind"] != "flaky-load":
                st["kused"].add(ks)
                if ks not in st["kshown"]:
                    st["kshown"].add(ks)
                    k = known[ks]
                    out.append("known %s%s %s: %s" % (ct, "" if k["sub"] == "" else ":" + k["sub"],
                                                      k["kind"], k["reason"]))
            elif tp not in st["unexp"]:
                st["unexp"].add(tp)
                out.append("unexplained %s #%s %s %s in run %s" % (ct, num, to_str(d), t, r))
                res["bad"] += 1


def judge_known(known, res, st, out):
    """The known entries of programs that ran but did not fail, skip or
    flake (stale), and those of programs not run."""
    for i, k in enumerate(known):
        if i not in st["kused"] and k["kind"] != "notrun" and k["prog"] in res["progs"]:
            out.append("stale %s%s %s: did not fail, skip or flake here" % (
                k["prog"], "" if k["sub"] == "" else ":" + k["sub"], k["kind"]))
    for k in known:
        if k["kind"] == "notrun":
            out.append("known %s notrun: %s" % (k["prog"], k["reason"]))


def div(a, b):
    """a / b as C divides doubles: by zero, an infinity, or NaN for 0 / 0
    (x86's NaN, whose sign bit is set)."""
    if b != 0:
        return a / b
    if math.isnan(a):
        return a
    if a == 0:
        return -math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def log(x):
    """C's log(): -inf for 0, NaN (sign bit set, as x86 makes it) below 0."""
    if x == 0:
        return -math.inf
    if x < 0:
        return -math.nan
    return math.log(x)


def exp(x):
    """C's exp(): an infinity when the result is too large."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def judge_stress(known, res, out):
    """stress-ng: every stressor of every run succeeded; ratios to the base
    (the mean of the two runs without the module), geometric means."""
    src, sops, srate = res["src"], res["sops"], res["srate"]
    nm = nl = 0
    lm = ll = ln = 0.0
    for s in res["stressors"]:
        crashed = False
        for r in STRESS_RUNS:
            if res["ufbad"].get((r, s)):
                out.append("fail stress %s %s: %d user faults not explained by known" % (
                    r, s, res["ufbad"][(r, s)]))
                res["bad"] += 1
                continue
            rc = src.get((r, s))
            if to_str(rc) == "" or compare(rc, 0) == 0:
                continue
            # A failure whose every fault is a known crash of stress-ng's
            # own: reported, its rates not compared.
            if res["nuf"].get((r, s)):
                kp = res["ufk"][(r, s)]
                out.append("flaky stress %s %s exit %s (not compared: %s)" % (
                    r, s, to_str(rc), known[kp]["reason"]))
                crashed = True
                continue
            out.append("fail stress %s %s exit %s" % (r, s, to_str(rc)))
            res["bad"] += 1
        if crashed:
            out.append("ratio %s none (a run crashed)" % s)
            continue
        rate = {r: srate.get((r, s)) for r in STRESS_RUNS}
        base = (to_num(rate["none"]) + to_num(rate["none2"])) / 2
        if any(compare(rate[r], 0) <= 0 for r in ("none", "none2", "module", "load")):
            out.append("ratio %s none (a run made no bogo op)" % s)
            continue
        rm = div(to_num(rate["module"]), base)
        rl = div(to_num(rate["load"]), base)
        noise = div(to_num(rate["none2"]), to_num(rate["none"]))
        # A rate from a handful of operations (clone, whose random flags
        # include CLONE_NEWNET, can make 0 to 70 in 3 s under TCG) is shown,
        # not averaged.
        few = any(compare(sops.get((r, s)), 10) < 0 for r in STRESS_RUNS)
        out.append("ratio %s module/base %s load/base %s none2/none %s%s" % (
            s, cfmt("%.3f", rm), cfmt("%.3f", rl), cfmt("%.3f", noise),
            " (fewer than 10 bogo ops in a run: not in the geometric means)" if few else ""))
        if few:
            continue
        lm += log(rm)
        nm += 1
        ll += log(rl)
        nl += 1
        ln += log(noise)
    # The host's load changing between none and none2 (a VM beside this one
    # starting or ending) moves module and load with it: a noise of more
    # than 2 either way makes the means say nothing.
    if nm:
        noise = exp(ln / nm)
        moved = noise > 2 or noise < 0.5
        out.append("ratio geomean module/base %s load/base %s none2/none %s%s" % (
            cfmt("%.3f", exp(lm / nm)), cfmt("%.3f", exp(ll / nl)), cfmt("%.3f", noise),
            " (the host's load changed during the run: not a measure)" if moved else ""))


def judge(known_lines, result_lines, kernel, text_off):
    """The judgement lines of one kernel's results: what compare.awk prints."""
    if not known_lines:
        # compare.awk tells the known file from the results by FNR == NR:
        # when the known file is empty, the results are read as known
        # entries, and there are no results.
        known_lines, result_lines = result_lines, []
    out = []
    known = read_known(known_lines, kernel)
    res = read_results(known, result_lines, text_off, out)
    # kused: the entries that applied; kshown: the entries printed; unexp:
    # the exits and TAP lines found unexplained; flakytap: the TAP lines
    # of flaky subtests; premod: the programs that failed only in run none.
    st = {"kused": set(), "kshown": set(), "unexp": set(), "flakytap": set(), "premod": set()}
    judge_counts(res, out)
    judge_programs(known, res, st, out)
    judge_taps(known, res, st, out)
    judge_known(known, res, st, out)
    judge_stress(known, res, out)
    if res["splats"]:
        out.append("fail kernel log: %d splat lines" % res["splats"])
        res["bad"] += 1
    if not res["checks"]:
        out.append("fail no check ran")
        res["bad"] += 1
    out.append("verdict %s" % ("FAIL" if res["bad"] else "PASS"))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description="check-external's judge (tests/external/README.md)")
    sub = ap.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="a VM's log to the raw records of its results")
    ex.add_argument("--splat-file", required=True, help="the kernel log's splats, one ERE a line")
    ex.add_argument("log")
    ju = sub.add_parser("judge", help="one kernel's records to its judgement")
    ju.add_argument("--kernel", required=True, help="the kernel's name in the matrix (5.10, 6.12-rt, ...)")
    ju.add_argument("--text-off", default="", help="file offset of stress-ng's executable segment")
    ju.add_argument("known")
    ju.add_argument("results")
    args = ap.parse_args(argv)
    if args.command == "extract":
        write(extract(read_records(args.log), read_splats(args.splat_file)))
    else:
        write(judge(read_records(args.known), read_records(args.results), args.kernel, args.text_off))
    return 0


if __name__ == "__main__":
    sys.exit(main())
