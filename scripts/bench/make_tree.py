#!/usr/bin/env python3
"""Generates a realistic, seeded file tree for the analyze benchmark.

usage: make_tree.py OUTDIR [--files N] [--seed S]

Mixed sizes (many small documents, fewer medium files, a handful of large ones), nested folders,
text files that carry strings the benchmark rules look for, binary files with real signatures,
and modification times spread over three years. The same seed gives the same tree.
"""
import argparse
import os
import random

WORDS = ("report invoice password account transfer meeting contract server login backup "
         "project budget secret client draft final agenda notes archive photo").split()
SIGNATURES = [b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", b"%PDF-1.7\n", b"PK\x03\x04",
              b"MZ\x90\x00\x03\x00\x00\x00", b"\x7fELF\x02\x01\x01\x00"]
EXTENSIONS = [".png", ".jpg", ".pdf", ".zip", ".exe", ".bin"]


def size_for(rng):
    roll = rng.random()
    if roll < 0.75:
        return rng.randint(200, 32 * 1024)
    if roll < 0.962:
        return rng.randint(32 * 1024, 256 * 1024)
    if roll < 0.997:
        return rng.randint(256 * 1024, 4 * 1024 * 1024)
    return rng.randint(8 * 1024 * 1024, 24 * 1024 * 1024)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--files", type=int, default=6500)
    ap.add_argument("--seed", type=int, default=2023)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    folders = [""]
    for i in range(300):
        parent = rng.choice(folders)
        folders.append(os.path.join(parent, f"{rng.choice(WORDS)}_{i:03d}"))
    total = 0
    base_time = 1609459200  # 2021-01-01
    for i in range(args.files):
        folder = rng.choice(folders)
        os.makedirs(os.path.join(args.out, folder), exist_ok=True)
        size = size_for(rng)
        if rng.random() < 0.5:
            kind = rng.randrange(len(SIGNATURES))
            name = f"file_{i:05d}{EXTENSIONS[kind]}"
            body = SIGNATURES[kind] + rng.randbytes(max(0, size - len(SIGNATURES[kind])))
        else:
            name = f"doc_{i:05d}.txt"
            words = []
            length = 0
            while length < size:
                w = rng.choice(WORDS)
                if rng.random() < 0.001:
                    w = f"user{rng.randint(1, 999)}@example.org"
                words.append(w)
                length += len(w) + 1
            body = " ".join(words).encode()[:size]
        path = os.path.join(args.out, folder, name)
        with open(path, "wb") as f:
            f.write(body)
        t = base_time + rng.randint(0, 3 * 365 * 86400)
        os.utime(path, (t, t))
        total += len(body)
    print(f"{args.files} files, {total / 2**20:.0f} MiB in {len(folders)} folders")


if __name__ == "__main__":
    main()
