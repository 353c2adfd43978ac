"""Part 3 of scripts/faults.sh: the lab record under kill -9 and on a full disk.

1. Several processes submit answers to one lab record at once (`dflab lab submit`, the free-text
   question `summary` of the intro pack, which has no attempt limit, each value unique) while
   random submissions are killed with SIGKILL after a random delay. A submission whose command
   exited 0 was acknowledged and must be in the record afterwards (read with sqlite3); the record
   must pass PRAGMA integrity_check, and every stored submission must have its audit row.
2. A full disk, two ways: a file size limit (`trap '' XFSZ; ulimit -f KIB`: writes fail with
   EFBIG as on a full disk) at several sizes, and, when this runs as root, a small tmpfs filled
   up to a few KiB. Every command that fails must name the disk (or the size limit) as the reason,
   never "not a dflab lab record"; whatever was acknowledged must still be there, and the record
   must work again once there is room."""

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import common

PARTICIPANTS = 12
QUESTION = "summary"
DISK_REASON = re.compile(r"disk|file size limit|no space|I/O error|cannot be written", re.I)


class Lab:
    def __init__(self, dflab, db, timeout):
        self.dflab, self.db, self.timeout = dflab, db, timeout
        self.acknowledged = []  # (participant, value) of every submission that exited 0
        self.lock = threading.Lock()

    def submit_argv(self, participant, value):
        return [self.dflab, "lab", "submit", "--db", self.db, participant, QUESTION, value]

    def acknowledge(self, participant, value):
        with self.lock:
            self.acknowledged.append((participant, value))

    def stored(self):
        """(participant, value) of every stored submission, read by sqlite3, not by dflab."""
        r = common.run(["sqlite3", "-json", self.db,
                        f"SELECT participant, value FROM submissions WHERE question = '{QUESTION}'"], 120)
        if r.returncode != 0:
            raise RuntimeError("sqlite3 cannot read the record: " + r.one_line())
        rows = json.loads(r.stdout or b"[]")
        return {(row["participant"], json.loads(row["value"])) for row in rows}

    def record_checks(self, failures, label):
        """Integrity, acknowledged submissions present, an audit row for each submission."""
        r = common.run(["sqlite3", self.db, "PRAGMA integrity_check"], 120)
        if r.stdout.strip() != b"ok":
            failures.append(f"{label}: PRAGMA integrity_check: {r.stdout[:200]!r} {r.one_line()}")
        stored = self.stored()
        lost = [a for a in self.acknowledged if a not in stored]
        if lost:
            failures.append(f"{label}: {len(lost)} acknowledged submission(s) missing, e.g. {lost[:3]}")
        counts = common.run(["sqlite3", self.db, "SELECT (SELECT count(*) FROM submissions), "
                             "(SELECT count(*) FROM audit WHERE action = 'submission')"], 120)
        subs, audits = counts.stdout.decode().strip().split("|")
        if subs != audits:
            failures.append(f"{label}: {subs} submissions but {audits} audit rows of submissions")
        return len(stored), len(lost)


def setup(args):
    """Builds the intro pack, makes the record and its participants."""
    out = os.path.join(args.work, "intro")
    db = os.path.join(args.work, "lab.sqlite")
    shutil.rmtree(out, ignore_errors=True)
    for f in (db, db + "-wal", db + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    steps = [[args.dflab, "pack", "build", args.pack, "-o", out],
             [args.dflab, "lab", "init", "--key", os.path.join(out, "instructor"), "--db", db]]
    people = os.path.join(args.work, "people.csv")
    with open(people, "w") as f:
        f.write("id,name\n" + "".join(f"p{n:02d},Participant {n}\n" for n in range(PARTICIPANTS)))
    steps.append([args.dflab, "lab", "participants", "--db", db, "import", people])
    for argv in steps:
        r = common.run(argv, 1800)
        if r.returncode != 0:
            raise SystemExit(f"part 3 setup failed: {' '.join(argv)}: {common.describe(r)}")
    return db


def kill_campaign(lab, args, failures):
    """Submitters in parallel, some of their commands killed with SIGKILL at a random moment."""
    kills, unexpected = [0], []

    def submitter(k):
        rng = random.Random(f"{args.seed}/submitter/{k}")
        for n in range(args.submissions):
            participant, value = f"p{rng.randrange(PARTICIPANTS):02d}", f"faults: submitter {k}, answer {n}"
            proc = subprocess.Popen(lab.submit_argv(participant, value), stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, start_new_session=True)
            killed = False
            if rng.random() < args.kill_share:
                try:
                    proc.wait(timeout=rng.uniform(0.0, args.kill_delay))
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    killed = True
            try:
                out, err = proc.communicate(timeout=lab.timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                out, err = proc.communicate()
                unexpected.append(f"{participant} {value!r}: hung")
                continue
            if proc.returncode == 0:
                lab.acknowledge(participant, value)
            elif killed:
                with lab.lock:
                    kills[0] += 1
            else:
                line = err.decode("utf-8", "replace").strip().split("\n")[0]
                unexpected.append(f"{participant} {value!r}: exit {proc.returncode}: {line[:160]}")

    started = time.monotonic()
    threads = [threading.Thread(target=submitter, args=(k,)) for k in range(args.processes)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    for u in unexpected[:10]:
        failures.append(f"kill -9: a submission that was not killed failed: {u}")
    if len(unexpected) > 10:
        failures.append(f"kill -9: ... {len(unexpected) - 10} more such failures")
    stored, lost = lab.record_checks(failures, "after kill -9")
    return [args.processes, args.processes * args.submissions, kills[0], len(lab.acknowledged), stored, lost,
            len(unexpected), f"{seconds:.0f}"]


def full_disk_attempt(lab, argv_prefix, label, rows, failures, submissions=3):
    """A few submissions and one read-only command under a full disk; classify and check them.
    One row per command: the result of each run and the first message."""
    runs = [("submit", lab.submit_argv("p00", f"faults: full disk, {label}, answer {n}")) for n in range(submissions)]
    runs.append(("scoreboard", [lab.dflab, "lab", "scoreboard", "--db", lab.db]))
    results = {}
    for what, argv in runs:
        r = common.run(argv_prefix + argv, lab.timeout)
        results.setdefault(what, []).append(r)
        if r.returncode == 0:
            if what == "submit":
                lab.acknowledge("p00", argv[-1])
            continue
        line = r.one_line()
        kind = common.outcome(r)
        if kind in ("crash", "hang", "other"):
            failures.append(f"full disk ({label}): {what}: {kind}: {common.describe(r)}")
        elif common.message_problem(r):
            failures.append(f"full disk ({label}): {what}: {common.message_problem(r)}")
        if "not a dflab lab record" in line or not DISK_REASON.search(line):
            failures.append(f"full disk ({label}): {what} does not name the disk: {line}")
    for what, rs in results.items():
        message = next((r.one_line() for r in rs if r.returncode != 0), "")
        rows.append([label, what, ", ".join("ok" if r.returncode == 0 else f"exit {r.returncode}" for r in rs),
                     message[:140]])
    return all(r.returncode == 0 for rs in results.values() for r in rs)


def file_size_limits(lab, failures):
    rows = []
    size_kib = os.path.getsize(lab.db) // 1024
    for kib in sorted({1, 16, 31, 32, 33, 36, 40, 64, size_kib // 2, size_kib, size_kib + 8, size_kib + 40}):
        full_disk_attempt(lab, ["bash", "-c", f"trap '' XFSZ; ulimit -f {kib}; exec \"$@\"", "ulimit"],
                          f"ulimit -f {kib}", rows, failures)
    return rows


def tmpfs_full(lab, work, failures):
    """The record on a tmpfs that is full up to FREE bytes, for several FREE; None when no tmpfs can
    be mounted (not root)."""
    mnt = os.path.join(work, "tmpfs")
    os.makedirs(mnt, exist_ok=True)
    common.run(["sqlite3", lab.db, "PRAGMA wal_checkpoint(TRUNCATE)"], 60)
    size = os.path.getsize(lab.db) + 1024 * 1024
    if common.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", mnt], 30).returncode != 0:
        return None
    rows, original = [], lab.db
    try:
        lab.db = os.path.join(mnt, "lab.sqlite")
        shutil.copy(original, lab.db)
        filler = os.path.join(mnt, "filler")
        for free_kib in (0, 4, 12, 36, 64, 128):
            if os.path.exists(filler):
                os.remove(filler)
            st = os.statvfs(mnt)
            fill = st.f_bavail * st.f_frsize - free_kib * 1024
            if fill > 0:
                with open(filler, "wb") as f:
                    f.write(bytes(fill))
            full_disk_attempt(lab, [], f"tmpfs, {free_kib} KiB free", rows, failures)
        os.remove(filler)
        if not full_disk_attempt(lab, [], "tmpfs with room again", rows, failures):
            failures.append("tmpfs: the record does not work again once there is room: " + rows[-2][3])
        common.run(["sqlite3", lab.db, "PRAGMA wal_checkpoint(TRUNCATE)"], 60)
        lab.record_checks(failures, "after the full tmpfs")
        shutil.copy(lab.db, original)  # later checks read the record from the tmpfs's state
        for f in (original + "-wal", original + "-shm"):
            if os.path.exists(f):
                os.remove(f)
    finally:
        lab.db = original
        common.run(["umount", mnt], 30)
    return rows


def main():
    p = common.arguments(120)
    p.add_argument("--pack", required=True)
    p.add_argument("--processes", type=int, default=4)
    p.add_argument("--submissions", type=int, default=50, help="per process")
    p.add_argument("--kill-share", type=float, default=0.3, help="share of submissions sent SIGKILL")
    p.add_argument("--kill-delay", type=float, default=1.0, help="seconds: the kill comes in [0, this)")
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    lab = Lab(args.dflab, setup(args), args.timeout)
    failures = []

    print("Part 3: the lab record under kill -9 and on a full disk\n")
    kill_row = kill_campaign(lab, args, failures)
    print(common.table(["processes", "submissions", "killed (SIGKILL)", "acknowledged", "stored", "lost",
                        "failed unkilled", "seconds"], [kill_row]))

    print()
    rows = file_size_limits(lab, failures)
    tmpfs = tmpfs_full(lab, args.work, failures)
    rows += tmpfs if tmpfs is not None else [["tmpfs", "-", "skipped", "cannot mount a tmpfs (not root?)"]]
    print(common.table(["full disk", "command", "result", "message"], rows))
    after = []
    if not full_disk_attempt(lab, [], "room again", after, failures):
        failures.append("the record does not work again once there is room: " + after[0][3])
    stored, lost = lab.record_checks(failures, "at the end")
    print(f"\nAt the end: {len(lab.acknowledged)} acknowledged submission(s), {stored} stored, {lost} lost; "
          f"integrity_check and audit rows checked with sqlite3")
    ok = common.verdict("Part 3 (lab record)", failures)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
