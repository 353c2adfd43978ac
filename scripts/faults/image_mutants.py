"""Part 1 of scripts/faults.sh: mutated fixture images through dflab ls, ls --json and analyze,
with TSK's fls on the same mutants for comparison.

Each mutant is made by one of the mutations below from random.Random("SEED/IMAGE/I"), so the same
seed and fixtures give the same mutants (the NTFS fixture itself is not byte-reproducible: its
"changed" times come from the build clock). The E01 set is mutated as a whole: one of its segment
files is changed. Every mutant is listed with what was done to it in WORK/part1/mutants.tsv;
the mutants of failed checks are kept in WORK/part1/kept/."""

import json
import os
import random
import shutil
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import common
import layout

IMAGES = os.environ.get("FAULTS_IMAGES", "fat16.img ext4.img ntfs.img mbr.img gpt.img disk.E01").split()


# --- mutations: each changes data (a bytearray) in place and says what it did -----------------

def flip_first_64k(d, areas, rng):
    n = rng.randint(1, 16)
    spots = sorted(rng.randrange(min(len(d), 65536)) for _ in range(n))
    for o in spots:
        d[o] ^= rng.randint(1, 255)
    return f"{n} byte(s) flipped in the first 64 KiB at " + ",".join(hex(o) for o in spots)


def flip_metadata(d, areas, rng):
    n = rng.randint(1, 16)
    done = []
    for _ in range(n):
        start, length, label = rng.choice(areas)
        o = start + rng.randrange(length)
        d[o] ^= rng.randint(1, 255)
        done.append(f"{hex(o)} ({label})")
    return f"{n} byte(s) flipped in metadata: " + ", ".join(done)


def zero_sectors(d, areas, rng):
    done = []
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.7:
            start, length, label = rng.choice(areas)
            o = (start + rng.randrange(length)) // 512 * 512
        else:
            o, label = rng.randrange(len(d)) // 512 * 512, "anywhere"
        d[o : o + 512] = bytes(len(d[o : o + 512]))
        done.append(f"{o // 512} ({label})")
    return "zeroed sector(s) " + ", ".join(done)


def truncate(d, areas, rng):
    if rng.random() < 0.5:  # inside or just after a metadata area
        start, length, label = rng.choice(areas)
        size = start + rng.randrange(length + 1)
        where = f" ({label})"
    else:
        size, where = rng.randrange(len(d)), ""
    old = len(d)
    del d[size:]
    return f"truncated to {size} of {old} bytes{where}"


def overwrite_structure(d, areas, rng):
    """A whole boot sector, superblock, partition table or EWF header/descriptor of random bytes."""
    heads = [a for a in areas if "data" not in a[2] and a[2] not in ("FAT", "FAT root directory")]
    start, length, label = rng.choice(heads or areas)
    length = min(length, 1024)
    d[start : start + length] = bytes(rng.randrange(256) for _ in range(length))
    return f"{label} at {hex(start)} overwritten with {length} random bytes"


def smash_field(d, areas, rng):
    """A 2-, 4- or 8-byte field of a structure set to an extreme value (sizes, counts, offsets)."""
    start, length, label = rng.choice(areas)
    width = rng.choice([2, 4, 8])
    o = start + rng.randrange(max(1, min(length, 128) - width)) // width * width
    value = rng.choice([0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000,
                        0xFFFFFFFF, 0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF])
    d[o : o + width] = (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
    return f"{width}-byte field at {hex(o)} ({label}) set to {value:#x}"


MUTATIONS = [flip_first_64k, flip_metadata, zero_sectors, truncate, overwrite_structure, smash_field]


def make_mutant(fixtures, image, i, seed, folder):
    """Writes mutant i of image into folder; returns (path to give dflab, description)."""
    rng = random.Random(f"{seed}/{image}/{i}")
    mutate = MUTATIONS[i % len(MUTATIONS)]
    os.makedirs(folder)
    if image == "disk.E01":
        segments = sorted(f for f in os.listdir(fixtures) if f.startswith("disk.E"))
        victim = rng.choice(segments)
        for s in segments:
            if s != victim:
                os.link(os.path.join(fixtures, s), os.path.join(folder, s))
        data = bytearray(open(os.path.join(fixtures, victim), "rb").read())
        what = mutate(data, layout.ewf_areas(data), rng)
        open(os.path.join(folder, victim), "wb").write(data)
        return os.path.join(folder, "disk.E01"), f"{mutate.__name__}: {victim}: {what}"
    data = bytearray(open(os.path.join(fixtures, image), "rb").read())
    what = mutate(data, layout.image_areas(data), rng)
    path = os.path.join(folder, image)
    open(path, "wb").write(data)
    return path, f"{mutate.__name__}: {what}"


# --- checks ------------------------------------------------------------------------------------

def json_lines_problem(out):
    """None when out is nothing or complete JSON Lines of objects in UTF-8."""
    if not out:
        return None
    if not out.endswith(b"\n"):
        return "output ends in a half line"
    for n, line in enumerate(out.split(b"\n")[:-1], 1):
        try:
            if not isinstance(json.loads(line.decode("utf-8")), dict):
                return f"line {n} is not an object"
        except (UnicodeDecodeError, ValueError) as e:
            return f"line {n} is not JSON: {str(e)[:80]}"
    return None


def case_problem(r, case):
    """None when analyze left what docs/case-database.md promises: on exit 0 or 2 a complete case
    (sqlite3 opens it, integrity ok, case_info complete = 1), otherwise no case and no
    .partial- file."""
    folder = os.path.dirname(case)
    leftovers = [f for f in os.listdir(folder) if f != os.path.basename(case)]
    if leftovers and not r.timed_out:
        return "left behind: " + ", ".join(leftovers)
    exists = os.path.exists(case)
    if r.returncode in (0, 2):
        if not exists:
            return f"exit {r.returncode} but no case file"
        q = common.run(["sqlite3", "-readonly", case,
                        "PRAGMA integrity_check; SELECT value FROM case_info WHERE key = 'complete';"], 60)
        if q.returncode != 0:
            return "sqlite3 cannot open the case: " + q.one_line()
        if q.stdout.split() != [b"ok", b"1"]:
            return "case not intact or not complete: " + q.stdout.decode("utf-8", "replace")[:100]
        return None
    if exists:
        return f"exit {r.returncode} but a case file was written"
    return None


def fls_runs(path, offsets, timeout):
    """fls -r on every file system of the original image (-o SECTOR on disks)."""
    runs = []
    for off in offsets:
        argv = ["fls", "-r"] + (["-o", str(off)] if off else []) + [path]
        runs.append(common.run(argv, timeout))
    return runs


def fls_outcome(runs):
    kinds = [common.outcome(r) for r in runs]
    for k in ("crash", "hang"):
        if k in kinds:
            return k
    return "read" if any(k == "ok" and r.stdout for k, r in zip(kinds, runs)) else "error"


def check_mutant(args, image, i, offsets):
    folder = os.path.join(args.work, "mutants", f"{image}-{i:03d}")
    path, what = make_mutant(args.fixtures, image, i, args.seed, folder)
    case_dir = os.path.join(args.work, "cases", f"{image}-{i:03d}")
    os.makedirs(case_dir)
    case = os.path.join(case_dir, "case.sqlite")
    runs = {
        "ls": common.run([args.dflab, "ls", "-r", path], args.timeout),
        "ls --json": common.run([args.dflab, "ls", "-r", "--json", path], args.timeout),
        "analyze": common.run([args.dflab, "analyze", path, "-o", case, "-k", "password", "-j", "1"],
                              args.timeout),
    }
    problems = []
    for name, r in runs.items():
        kind = common.outcome(r)
        if kind in ("crash", "hang", "other"):
            problems.append(f"{name}: {kind}: {common.describe(r)}")
        elif common.message_problem(r):
            problems.append(f"{name}: message: {common.message_problem(r)}")
    bad_json = json_lines_problem(runs["ls --json"].stdout)
    if bad_json:
        problems.append(f"ls --json: {bad_json}")
    half_case = case_problem(runs["analyze"], case)
    if half_case:
        problems.append(f"analyze: half-written case: {half_case}")
    fls = fls_runs(path, offsets, args.timeout)
    hidden = [off for off, r in zip(offsets, fls) if r.returncode == 0 and r.stdout] \
        if runs["ls"].returncode == 1 else []
    if hidden:  # fls -o reads file systems dflab refused: partitions --scan must find them
        scan = common.run([args.dflab, "partitions", "--scan", "--json", path], args.timeout)
        try:
            found = {e["start"] for e in json.loads(scan.stdout)}
        except ValueError:
            found = set()
        missed = [off for off in hidden if off not in found]
        if missed:
            problems.append(f"fls -o reads sector(s) {missed}, dflab refused and partitions --scan "
                            f"does not find them: {common.describe(scan)}")
    fls = fls_outcome(fls)
    result = {
        "image": image, "i": i, "what": what, "problems": problems, "fls": fls,
        "outcomes": {name: common.outcome(r) for name, r in runs.items()},
        "bad_message": sum(1 for r in runs.values() if common.message_problem(r)),
        "bad_json": bool(bad_json), "half_case": bool(half_case),
        "refusals": [r.one_line() for r in runs.values() if r.returncode == 1],
        "hidden": bool(hidden),
    }
    if problems:
        shutil.copytree(folder, os.path.join(args.work, "kept", f"{image}-{i:03d}"))
    shutil.rmtree(folder)
    shutil.rmtree(case_dir)
    return result


def main():
    p = common.arguments(120)
    p.add_argument("--fixtures", required=True)
    p.add_argument("--mutants", type=int, default=20)
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()
    os.makedirs(args.work, exist_ok=True)
    for sub in ("mutants", "cases", "kept"):
        shutil.rmtree(os.path.join(args.work, sub), ignore_errors=True)

    jobs = []
    for image in IMAGES:
        original = open(os.path.join(args.fixtures, "mbr.img" if image == "disk.E01" else image), "rb").read()
        offsets = layout.fs_offsets(original)
        jobs += [(image, i, offsets) for i in range(args.mutants)]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda j: check_mutant(args, *j), jobs))

    with open(os.path.join(args.work, "mutants.tsv"), "w") as f:
        f.write("image\tmutant\tmutation\tls\tls --json\tanalyze\tfls\n")
        for r in results:
            o = r["outcomes"]
            f.write(f"{r['image']}\t{r['i']}\t{r['what']}\t{o['ls']}\t{o['ls --json']}\t{o['analyze']}\t{r['fls']}\n")

    rows, totals = [], Counter()
    for image in IMAGES:
        mine = [r for r in results if r["image"] == image]
        c = Counter()
        for r in mine:
            for kind in r["outcomes"].values():
                c[kind] += 1
            c["runs"] += len(r["outcomes"])
            c["bad message"] += r["bad_message"]
            c["bad json"] += r["bad_json"]
            c["half case"] += r["half_case"]
            c["fls " + r["fls"]] += 1
            c["refused, fls read"] += r["hidden"]
        totals.update(c)
        rows.append([image, len(mine), c["runs"], c["ok"], c["partial"], c["refusal"], c["crash"], c["hang"],
                     c["other"], c["bad message"], c["bad json"], c["half case"], c["fls read"],
                     c["fls error"], c["fls hang"], c["fls crash"], c["refused, fls read"]])
    t = totals
    rows.append(["total", len(results), t["runs"], t["ok"], t["partial"], t["refusal"], t["crash"], t["hang"],
                 t["other"], t["bad message"], t["bad json"], t["half case"], t["fls read"], t["fls error"],
                 t["fls hang"], t["fls crash"], t["refused, fls read"]])
    print(f"Part 1: image mutants ({args.mutants} per image, seed {args.seed!r}, "
          f"timeout {args.timeout:g} s per run; dflab runs: ls -r, ls -r --json, analyze)\n")
    print(common.table(["image", "mutants", "runs", "ok", "exit 2", "refused", "crash", "hang", "other exit",
                        "bad msg", "bad json", "half case", "fls read", "fls err", "fls hang", "fls crash",
                        "refused/fls -o read"], rows))
    print("(refused/fls -o read: dflab ls refused, fls -o SECTOR read a file system; each such one must be\n"
          " found by dflab partitions --scan, for dflab ls --offset SECTOR)")

    refusals = Counter()
    for r in results:
        for line in r["refusals"]:
            refusals[line.split(": ", 2)[-1][:90]] += 1
    print("\nMost frequent refusals (message after the image name):")
    for line, n in refusals.most_common(8):
        print(f"  {n:4d}  {line}")

    failures = []
    for r in results:
        for problem in r["problems"]:
            failures.append(f"{r['image']} mutant {r['i']} ({r['what'][:100]}): {problem}")
    ok = common.verdict("Part 1 (image mutants)", failures)
    print(f"  mutants and outcomes: {os.path.join(args.work, 'mutants.tsv')}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
