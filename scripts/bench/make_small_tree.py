#!/usr/bin/env python3
"""Generates a seeded tree of many tiny files for the small-files analyze benchmark.

usage: make_small_tree.py OUTDIR --files N [--seed S] [--per-folder K]

N files of 24-100 bytes (small enough that ext4 with inline_data keeps them in the inode), K per
folder, K folders per top folder (d000/d000/f0000000.txt ...): folders of a hundred entries, as in
real evidence; `mke2fs -d` links each entry with a linear scan of its folder, so big flat folders
would make building the image quadratic. Text with the words the benchmark rules look for: every 40th file holds
"password" or "login", every 500th an e-mail address, so YARA reports matches as in real data.
The same seed gives the same contents. Written with raw os calls: a million files take about
half a minute.
"""
import argparse
import os
import random

WORDS = ("report invoice account transfer meeting contract server backup project budget "
         "client draft final agenda notes archive photo").split()


def body_for(rng, i):
    words = [f"note {i}:"] + rng.choices(WORDS, k=rng.randint(2, 10))
    if i % 40 == 0:
        words.append(rng.choice(("password", "Login")))
    if i % 500 == 0:
        words.append(f"user{rng.randint(1, 999)}@example.org")
    return (" ".join(words)[:99] + "\n").encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, required=True)
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--per-folder", type=int, default=100)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    total = 0
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    for i in range(args.files):
        leaf = i // args.per_folder
        folder = os.path.join(args.out, f"d{leaf // args.per_folder:03d}", f"d{leaf % args.per_folder:03d}")
        if i % args.per_folder == 0:
            os.makedirs(folder)
        body = body_for(rng, i)
        fd = os.open(os.path.join(folder, f"f{i:07d}.txt"), flags, 0o644)
        os.write(fd, body)
        os.close(fd)
        total += len(body)
    leaves = (args.files + args.per_folder - 1) // args.per_folder
    print(f"{args.files} files, {total / 2**20:.1f} MiB in {leaves} folders")


if __name__ == "__main__":
    main()
