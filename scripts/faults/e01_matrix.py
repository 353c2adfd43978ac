"""Part 2 of scripts/faults.sh: copies of the disk.E01 set with one damage each, judged by
ewfverify (libewf's own tool, the oracle) and by dflab verify and dflab info.

Checks per damage: the two verdicts agree (both verified or both not), dflab never says SUCCESS
where ewfverify fails, a set whose first segment begins with the EVF signature is never described
as raw, and neither dflab command crashes, hangs or prints more than one line of error."""

import os
import shutil
import struct
import sys
import zlib

import common
import layout


class Set:
    """A copy of the segment files in a folder of its own."""

    def __init__(self, fixtures, folder):
        self.folder = folder
        os.makedirs(folder)
        self.names = sorted(f for f in os.listdir(fixtures) if f.startswith("disk.E"))
        for n in self.names:
            shutil.copy(os.path.join(fixtures, n), os.path.join(folder, n))

    def path(self, n):
        return os.path.join(self.folder, self.names[n] if isinstance(n, int) else n)

    def read(self, n):
        return bytearray(open(self.path(n), "rb").read())

    def write(self, n, data):
        open(self.path(n), "wb").write(data)

    def section(self, n, kind):
        """(descriptor offset, size) of the first section of that type in segment n."""
        for off, k, nxt, size in layout.ewf_sections(self.read(n)):
            if k == kind:
                return off, size
        raise LookupError(f"no '{kind}' section in {self.names[n]}")

    def edit(self, n, offset, new):
        d = self.read(n)
        d[offset : offset + len(new)] = new
        self.write(n, d)

    def flip(self, n, offset):
        d = self.read(n)
        d[offset] ^= 0x01
        self.write(n, d)

    def truncate(self, n, size):
        os.truncate(self.path(n), size)

    def rechecksum(self, n, kind, covered):
        """Rewrites the Adler-32 that follows the first `covered` bytes of a section's data."""
        off, _ = self.section(n, kind)
        d = self.read(n)
        data = off + 76
        d[data + covered : data + covered + 4] = struct.pack("<I", zlib.adler32(bytes(d[data : data + covered])))
        self.write(n, d)


LAST, MIDDLE = -1, 4  # the last segment; disk.E05


def chunk_data(s, n):
    return s.section(n, "sectors")[0] + 76


def changed_md5(s, kind, covered, rechecksum):
    """A byte of the stored MD5 (the first 16 bytes of a hash or digest section) changed."""
    def damage():
        off, _ = s.section(LAST, kind)
        s.flip(LAST, off + 76)
        if rechecksum:
            s.rechecksum(LAST, kind, covered)
    return damage


def damages(s):
    """name -> function that damages the set s in place."""
    last_size = os.path.getsize(s.path(LAST))
    return {
        "intact (no damage)": lambda: None,
        "last segment truncated to half": lambda: s.truncate(LAST, last_size // 2),
        "last segment truncated inside its hash section": lambda: s.truncate(LAST, s.section(LAST, "hash")[0] + 100),
        "last segment loses its last byte": lambda: s.truncate(LAST, last_size - 1),
        "last segment empty": lambda: s.truncate(LAST, 0),
        "middle segment truncated to half": lambda: s.truncate(MIDDLE, os.path.getsize(s.path(MIDDLE)) // 2),
        "byte flipped in chunk data (segment 3)": lambda: s.flip(2, chunk_data(s, 2) + 50000),
        "byte flipped in chunk data (segment 1)": lambda: s.flip(0, chunk_data(s, 0) + 1000),
        "byte flipped in a chunk checksum": lambda: s.flip(1, chunk_data(s, 1) + 32768),
        "stored MD5 changed (hash section)": changed_md5(s, "hash", 32, False),
        "stored MD5 changed, checksum rewritten (hash)": changed_md5(s, "hash", 32, True),
        "stored MD5 changed (digest section)": changed_md5(s, "digest", 76, False),
        "stored MD5 changed, checksum rewritten (digest)": changed_md5(s, "digest", 76, True),
        "stored MD5 changed in hash and digest, checksums rewritten": lambda: (
            changed_md5(s, "hash", 32, True)(), changed_md5(s, "digest", 76, True)()),
        "stored SHA-1 changed (digest section)": lambda: s.flip(LAST, s.section(LAST, "digest")[0] + 76 + 16),
        "middle segment missing": lambda: os.remove(s.path(MIDDLE)),
        "second segment missing": lambda: os.remove(s.path(1)),
        "last segment missing": lambda: os.remove(s.path(LAST)),
        "section descriptor zeroed ('table', segment 4)": lambda: s.edit(3, s.section(3, "table")[0], bytes(76)),
        "section descriptor zeroed ('sectors', segment 6)": lambda: s.edit(5, s.section(5, "sectors")[0], bytes(76)),
        "segment file header zeroed (segment 7)": lambda: s.edit(6, 0, bytes(13)),
        "first segment's file header zeroed": lambda: s.edit(0, 0, bytes(13)),
        "'done' section zeroed": lambda: s.edit(LAST, s.section(LAST, "done")[0], bytes(76)),
        "byte flipped in the 'header' section": lambda: s.flip(0, s.section(0, "header")[0] + 76 + 40),
        "byte flipped in the 'volume' section": lambda: s.flip(0, s.section(0, "volume")[0] + 76 + 8),
        "byte flipped in a 'table' entry": lambda: s.flip(1, s.section(1, "table")[0] + 76 + 24 + 4),
        "same 'table' entry flipped in table and table2": lambda: (
            s.flip(1, s.section(1, "table")[0] + 76 + 24 + 4), s.flip(1, s.section(1, "table2")[0] + 76 + 24 + 4)),
        "extra byte appended to the last segment": lambda: open(s.path(LAST), "ab").write(b"\0"),
        "extra byte appended to a middle segment": lambda: open(s.path(MIDDLE), "ab").write(b"\0"),
        "segments 3 and 4 renamed out of order": lambda: swap(s, 2, 3),
        "segment number changed in a file header (5 -> 6)": lambda: s.edit(MIDDLE, 9, struct.pack("<H", 6)),
        "segment 6 replaced by a copy of segment 5": lambda: shutil.copy(s.path(MIDDLE), s.path(5)),
    }


def swap(s, a, b):
    tmp = s.path("swap.tmp")
    os.rename(s.path(a), tmp)
    os.rename(s.path(b), s.path(a))
    os.rename(tmp, s.path(b))


def dflab_verdict(r):
    """verified | not verified, and the one-line reason dflab gives."""
    lines = [l for l in r.stdout.decode("utf-8", "replace").split("\n") if l]
    result = [l for l in lines if l.split(":")[0] in ("SUCCESS", "FAILURE", "UNVERIFIED")]
    reason = result[-1] if result else r.one_line()
    return ("verified" if r.returncode == 0 and reason.startswith("SUCCESS") else "not verified"), reason


def main():
    p = common.arguments(300)
    p.add_argument("--fixtures", required=True)
    args = p.parse_args()
    shutil.rmtree(os.path.join(args.work, "sets"), ignore_errors=True)

    probe = Set(args.fixtures, os.path.join(args.work, "sets", "probe"))
    names = list(damages(probe))
    shutil.rmtree(probe.folder)

    rows, failures = [], []
    for n, name in enumerate(names):
        s = Set(args.fixtures, os.path.join(args.work, "sets", f"{n:02d}"))
        damages(s)[name]()
        first = s.path(0)
        evf = os.path.exists(first) and open(first, "rb").read(8) == layout.EVF
        ewf = common.run(["ewfverify", "-q", first], args.timeout)
        ewf_verdict = "verified" if ewf.returncode == 0 else "not verified"
        ver = common.run([args.dflab, "verify", first], args.timeout)
        info = common.run([args.dflab, "info", first], args.timeout)
        verdict, reason = dflab_verdict(ver)
        fmt = next((l for l in info.stdout.decode("utf-8", "replace").split("\n") if l.startswith("Format:")),
                   info.one_line())
        fmt = fmt.replace("Format:", "").strip()
        damage = next((l.replace("Damage:", "", 1).strip() for l in info.stdout.decode("utf-8", "replace").split("\n")
                       if l.startswith("Damage:")), "")
        # the set's folder is the same in every message: leave it out of the table
        fmt, damage, reason = (t.replace(s.folder + "/", "") for t in (fmt, damage, reason))
        agree = verdict == ewf_verdict
        rows.append([n, name, ewf_verdict, verdict, "yes" if agree else "NO", fmt[:100] + (f" | {damage[:90]}" if damage else ""),
                     reason[:150]])
        for what, r in (("verify", ver), ("info", info)):
            kind = common.outcome(r)
            # verify's FAILURE and UNVERIFIED are its result on standard output, not an error
            result_printed = what == "verify" and not reason.startswith("dflab: ")
            if kind in ("crash", "hang", "other"):
                failures.append(f"{name}: dflab {what}: {kind}: {common.describe(r)}")
            elif common.message_problem(r) and not (result_printed and not r.stderr):
                failures.append(f"{name}: dflab {what}: {common.message_problem(r)}")
        if ewf.returncode not in (0, 1):
            failures.append(f"{name}: ewfverify: {common.describe(ewf)}")
        if not agree:
            failures.append(f"{name}: ewfverify says {ewf_verdict}, dflab verify {verdict}: {reason}")
        if verdict == "verified" and ewf.returncode != 0:
            failures.append(f"{name}: dflab says SUCCESS where ewfverify fails")
        if evf and fmt.lower().startswith("raw"):
            failures.append(f"{name}: the first segment begins with EVF but dflab info says 'Format: {fmt}'")
        shutil.rmtree(s.folder)

    print(f"Part 2: the disk.E01 set ({len(names)} damages) under ewfverify -q and dflab verify / info\n")
    print(common.table(["#", "damage", "ewfverify", "dflab verify", "agree", "dflab info: format | damage",
                        "dflab verify: reason"], rows))
    ok = common.verdict("Part 2 (E01 matrix)", failures)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
