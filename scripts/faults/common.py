"""What the three parts of scripts/faults.sh share: running a command under a time limit and
classifying how it ended, the message rules of docs/commands.md, and plain-text tables."""

import argparse
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass

# A sanitizer build reports memory errors, undefined behaviour and leaks on standard error.
SANITIZER = re.compile(
    rb"ERROR: (AddressSanitizer|LeakSanitizer|MemorySanitizer|ThreadSanitizer)|runtime error: "
)


@dataclass
class Run:
    argv: list
    returncode: int  # negative: killed by that signal
    stdout: bytes
    stderr: bytes
    timed_out: bool
    seconds: float

    def stderr_lines(self):
        return [line for line in self.stderr.decode("utf-8", "replace").split("\n") if line]

    def one_line(self):
        """The first line of standard error, for tables (shortened)."""
        lines = self.stderr_lines()
        return lines[0][:160] if lines else ""


def run(argv, timeout, env=None, cwd=None, stdin=subprocess.DEVNULL):
    """Runs argv in its own process group; on timeout the whole group (dflab's supervised workers
    too) is killed with SIGKILL."""
    started = time.monotonic()
    proc = subprocess.Popen(
        argv,
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    timed_out = False
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
    return Run(list(map(str, argv)), proc.returncode, out, err, timed_out, time.monotonic() - started)


def outcome(r):
    """crash | hang | ok | partial (exit 2) | refusal (exit 1) | other (any other exit status)."""
    if r.timed_out:
        return "hang"
    if r.returncode < 0 or SANITIZER.search(r.stderr):
        return "crash"
    return {0: "ok", 1: "refusal", 2: "partial"}.get(r.returncode, "other")


def message_problem(r):
    """None when standard error follows docs/commands.md, else what is wrong with it: a refusal
    (exit 1) is exactly one line 'dflab: ...'; on exit 0 or 2 every line starts with 'dflab: '."""
    lines = r.stderr_lines()
    if b"\0" in r.stderr:
        return "NUL byte on stderr"
    if r.returncode == 1 and len(lines) != 1:
        return f"{len(lines)} lines on stderr"
    for line in lines:
        if not line.startswith("dflab: "):
            return f"stderr line not 'dflab: ...': {line[:120]!r}"
    return None


def signal_name(returncode):
    try:
        return signal.Signals(-returncode).name
    except ValueError:
        return f"signal {-returncode}"


def describe(r):
    """One line saying how a run ended, for the lists of findings."""
    if r.timed_out:
        return f"timed out after {r.seconds:.0f} s"
    if r.returncode < 0:
        return f"killed by {signal_name(r.returncode)}"
    m = SANITIZER.search(r.stderr)
    if m:
        at = r.stderr.find(m.group(0))
        return "sanitizer: " + r.stderr[at : at + 200].decode("utf-8", "replace").split("\n")[0]
    return f"exit {r.returncode}: {r.one_line()}"


def table(header, rows):
    """Left-aligned columns, two spaces apart; numbers right-aligned."""
    cells = [list(map(str, header))] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        parts = []
        for i, c in enumerate(row):
            numeric = n > 0 and re.fullmatch(r"-?[0-9.]+", c) is not None
            parts.append(c.rjust(widths[i]) if numeric else c.ljust(widths[i]))
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def verdict(part, failures):
    """Prints the part's verdict; returns True when every check passed."""
    if failures:
        print(f"\n{part}: FAIL ({len(failures)} failed check(s))")
        for f in failures:
            print(f"  - {f}")
        return False
    print(f"\n{part}: PASS")
    return True


def arguments(timeout):
    """The options every part takes; each part adds its own."""
    p = argparse.ArgumentParser()
    p.add_argument("--dflab", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--seed", default="dflab-faults")
    p.add_argument("--timeout", type=float, default=timeout, help="seconds a run may take (a hang)")
    return p
