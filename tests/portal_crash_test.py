#!/usr/bin/env python3
"""Crash safety of `dflab serve`: a submission acknowledged with 200 is in the lab record.

Several threads submit answers through the JSON API (docs/portal-api.md) with http.client while
the server is killed with SIGKILL at random moments, five times, and restarted on the same lab
record each time. Afterwards every submission whose 200 reply reached a client must be in the
record's submissions table (read with Python's own sqlite3, not dflab) with the participant,
question and value sent, no acknowledged id may be given twice, and PRAGMA integrity_check must
say ok.

Usage: tests/portal_crash_test.py DFLAB   (standard library only; python3 and sqlite3)
"""
import csv
import http.client
import io
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DFLAB = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "build", "tools", "dflab"))
KILLS = 5
THREADS = 6
PARTICIPANTS = 12
SEED = int(os.environ.get("DFLAB_CRASH_SEED", str(int(time.time()))))
RNG = random.Random(SEED)


def fail(message):
    print(f"portal_crash_test: FAIL: {message}", flush=True)
    sys.exit(1)


def run(*args):
    return subprocess.run([DFLAB, *args], check=True, capture_output=True, text=True).stdout


class Server:
    """dflab serve on 127.0.0.1, port 0; restarted on the same lab record."""

    def __init__(self, folder, db, bundle):
        self.folder, self.db, self.bundle = folder, db, bundle
        self.password = "crash-" + os.urandom(6).hex()
        self.password_file = os.path.join(folder, "password")
        with open(self.password_file, "w") as f:
            f.write(self.password + "\n")
        self.process = None
        self.port = 0
        self.generation = 0
        self.starts = 0
        self.lock = threading.Condition()

    def start(self):
        self.starts += 1
        port_file = os.path.join(self.folder, f"port-{self.starts}")
        log = open(os.path.join(self.folder, f"serve-{self.starts}.log"), "w")
        env = dict(os.environ)
        # A SIGKILLed process reports no leaks; a stopped one's leak report is not what this checks.
        env["ASAN_OPTIONS"] = ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"), "detect_leaks=0"]))
        process = subprocess.Popen(
            [DFLAB, "serve", "--lab", self.db, "--bundle", self.bundle, "--listen", "127.0.0.1:0",
             "--port-file", port_file, "--instructor-password-file", self.password_file,
             "--access-log", os.path.join(self.folder, "access.log")],
            stdout=log, stderr=subprocess.STDOUT, env=env)
        deadline = time.time() + 60
        port = 0
        while not port:
            if process.poll() is not None:
                fail(f"dflab serve exited with {process.returncode} before listening (start {self.starts}): "
                     + open(log.name).read()[-2000:])
            if time.time() > deadline:
                process.kill()
                fail("dflab serve wrote no port file within 60 s")
            try:
                with open(port_file) as f:
                    port = int(f.read().strip() or 0)
            except (FileNotFoundError, ValueError):
                pass
            if not port:
                time.sleep(0.02)
        with self.lock:
            self.process, self.port = process, port
            self.generation += 1
            self.lock.notify_all()

    def kill(self):
        with self.lock:
            process = self.process
            self.process = None
            self.port = 0
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self):
        with self.lock:
            process = self.process
            self.process = None
        if process:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                fail("dflab serve did not stop within 15 s of SIGTERM")

    def current(self, timeout=60):
        """The port of the running server, waiting while it restarts."""
        deadline = time.time() + timeout
        with self.lock:
            while not self.port:
                left = deadline - time.time()
                if left <= 0:
                    return 0
                self.lock.wait(left)
            return self.port


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged = []  # (submission id, participant, question, value)
        self.interrupted = 0  # requests whose reply never came (the server was killed)
        self.statuses = {}
        self.errors = []

    def count(self, status):
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1


def worker(server, codes, questions, lab, results, stop):
    """Logs in as its participants in turn and submits wrong answers until told to stop."""
    sessions = {}  # participant -> (cookie, csrf, server generation)
    connection, connected_port = None, 0
    sequence = 0
    while not stop.is_set():
        port = server.current()
        if not port:
            results.errors.append("the server did not come back within 60 s")
            return
        if port != connected_port or connection is None:
            if connection:
                connection.close()
            connection, connected_port = http.client.HTTPConnection("127.0.0.1", port, timeout=20), port
        participant = RNG.choice(list(codes))
        try:
            session = sessions.get(participant)
            if session is None or session[2] != port:
                body = json.dumps({"code": codes[participant]})
                connection.request("POST", "/api/v1/login", body, {"Content-Type": "application/json"})
                reply = connection.getresponse()
                data = reply.read()
                results.count(f"login {reply.status}")
                if reply.status == 429:
                    time.sleep(0.2)
                    continue
                if reply.status != 200:
                    results.errors.append(f"login of {participant}: {reply.status} {data[:200]!r}")
                    return
                cookie = ""
                for name, value in reply.getheaders():
                    if name.lower() == "set-cookie" and value.startswith("dflab_session="):
                        cookie = value.split(";")[0]
                session = (cookie, json.loads(data)["csrf"], port)
                sessions[participant] = session
            question = RNG.choice(questions)
            sequence += 1
            value = f"crash-{participant}-{sequence}-{RNG.randrange(1 << 30)} ответ"
            headers = {"Content-Type": "application/json", "Cookie": session[0], "X-CSRF-Token": session[1]}
            connection.request("POST", f"/api/v1/labs/{lab}/questions/{question}/submissions",
                               json.dumps({"value": value}), headers)
            reply = connection.getresponse()
            data = reply.read()
        except (OSError, http.client.HTTPException):
            with results.lock:
                results.interrupted += 1
            connection.close()
            connection = None
            time.sleep(0.01)
            continue
        results.count(reply.status)
        if reply.status == 200:
            try:
                submission = json.loads(data)["submission"]
            except (ValueError, KeyError, TypeError):
                results.errors.append(f"submission of {participant}/{question}: 200 without a submission id: {data[:200]!r}")
                return
            with results.lock:
                results.acknowledged.append((submission, participant, question, value))
        elif reply.status == 401:
            sessions.pop(participant, None)
        elif reply.status in (409, 429):
            pass  # refused by the rules or the rate limit: nothing stored, nothing acknowledged
        else:
            results.errors.append(f"submission of {participant}/{question}: {reply.status} {data[:200]!r}")
            return


def main():
    if not os.access(DFLAB, os.X_OK):
        fail(f"{DFLAB}: no dflab binary")
    pack = subprocess.run(["bash", os.path.join(HERE, "browser", "build_pack.sh"), DFLAB], check=True,
                          capture_output=True, text=True).stdout.strip().splitlines()[-1]
    folder = tempfile.mkdtemp(prefix="dflab-portal-crash-")
    db = os.path.join(folder, "lab.sqlite")
    run("lab", "init", "--key", os.path.join(pack, "instructor"), "--db", db)
    people = os.path.join(folder, "people.csv")
    with open(people, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "team"])
        for i in range(PARTICIPANTS):
            w.writerow([f"c{i:02}", f"Участник {i}", f"team{i % 3}"])
    run("lab", "participants", "import", people, "--db", db)
    # Without -o the codes come as CSV on standard output (id,name,code).
    rows = list(csv.reader(io.StringIO(run("lab", "participants", "codes", "--db", db))))
    if rows and "code" in rows[0]:
        header = rows.pop(0)
        codes = {r[header.index("id")]: r[header.index("code")] for r in rows if r}
    else:
        codes = {r[0]: r[2] for r in rows if r}
    if len(codes) != PARTICIPANTS:
        fail(f"dflab lab participants codes printed {len(codes)} codes for {PARTICIPANTS} participants")

    with open(os.path.join(pack, "instructor", "answer-key.json")) as f:
        key = json.load(f)
    lab = key["pack"]
    # Questions a wrong answer can be given to again and again (no prerequisite to be refused on).
    questions = [q["id"] for q in key["questions"] if not q["prerequisites"]]

    print(f"portal_crash_test: seed {SEED} (DFLAB_CRASH_SEED), lab record {db}", flush=True)
    server = Server(folder, db, os.path.join(pack, "participant"))
    server.start()
    results, stop = Results(), threading.Event()
    threads = [threading.Thread(target=worker, args=(server, codes, questions, lab, results, stop), daemon=True)
               for _ in range(THREADS)]
    for t in threads:
        t.start()
    try:
        for kill in range(KILLS):
            before = len(results.acknowledged)
            deadline = time.time() + 30
            # Under load: wait until this server has acknowledged some submissions, then a random while.
            while len(results.acknowledged) < before + 10 and time.time() < deadline and not results.errors:
                time.sleep(0.02)
            time.sleep(RNG.uniform(0.05, 1.5))
            if results.errors:
                break
            server.kill()
            print(f"kill {kill + 1}: SIGKILL after {len(results.acknowledged)} acknowledged submissions", flush=True)
            server.start()
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
        server.stop()

    print(f"acknowledged {len(results.acknowledged)}, interrupted {results.interrupted}, "
          f"replies {dict(sorted((str(k), v) for k, v in results.statuses.items()))}", flush=True)
    if results.errors:
        fail("; ".join(results.errors[:5]))
    if len(results.acknowledged) < KILLS * 10:
        fail(f"only {len(results.acknowledged)} submissions acknowledged: not under load")

    ids = [a[0] for a in results.acknowledged]
    if len(set(ids)) != len(ids):
        fail("a submission id was acknowledged twice: an acknowledged submission was lost and its id reused")
    record = sqlite3.connect(db)
    check = record.execute("PRAGMA integrity_check").fetchall()
    if check != [("ok",)]:
        fail(f"PRAGMA integrity_check: {check[:5]}")
    stored = {row[0]: row[1:] for row in record.execute("SELECT id, participant, question, value FROM submissions")}
    missing, different = [], []
    for submission, participant, question, value in results.acknowledged:
        row = stored.get(submission)
        if row is None:
            missing.append(submission)
        elif row[0] != participant or row[1] != question or json.loads(row[2]) != value:
            different.append((submission, row, (participant, question, value)))
    if missing:
        fail(f"{len(missing)} acknowledged submissions are not in the lab record, e.g. ids {missing[:10]}")
    if different:
        fail(f"{len(different)} acknowledged submissions differ in the record, e.g. {different[:3]}")
    # The record still works for dflab itself after the crashes.
    run("lab", "scoreboard", "--db", db, "--json")
    print(f"portal_crash_test: {len(ids)} acknowledged submissions survived {KILLS} kills; "
          f"{len(stored)} in the record; integrity ok", flush=True)
    if os.environ.get("DFLAB_KEEP_TEST_DIRS") != "1":
        shutil.rmtree(folder, ignore_errors=True)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
