"""Where the metadata of the fixture images lies, read from their bytes (so mutations can aim at
it): boot sectors, superblocks, FATs, group descriptors, inode tables, the MFT, partition tables,
and the sections of EWF segment files. Every area is (start, length, label)."""

import struct


def u16(d, o):
    return struct.unpack_from("<H", d, o)[0] if o + 2 <= len(d) else 0


def u32(d, o):
    return struct.unpack_from("<I", d, o)[0] if o + 4 <= len(d) else 0


def u64(d, o):
    return struct.unpack_from("<Q", d, o)[0] if o + 8 <= len(d) else 0


def fs_kind(d, o):
    if d[o + 3 : o + 11] == b"NTFS    ":
        return "ntfs"
    if u16(d, o + 1024 + 56) == 0xEF53:
        return "ext"
    if d[o + 510 : o + 512] == b"\x55\xaa" and (b"FAT" in d[o + 54 : o + 62] or b"FAT" in d[o + 82 : o + 90]):
        return "fat"
    return None


def fs_areas(d, o):
    """The metadata areas of the file system starting at byte o (the first is its boot sector or
    superblock)."""
    kind = fs_kind(d, o)
    if kind == "fat":
        bps = u16(d, o + 11) or 512
        reserved, fats, root_entries, fat_sectors = u16(d, o + 14), d[o + 16], u16(d, o + 17), u16(d, o + 22)
        fat_start = o + reserved * bps
        root_start = fat_start + fats * fat_sectors * bps
        return [
            (o, 512, "FAT boot sector"),
            (fat_start, min(fat_sectors * bps, 8192), "FAT"),
            (root_start, root_entries * 32, "FAT root directory"),
        ]
    if kind == "ext":
        sb = o + 1024
        block = 1024 << u32(d, sb + 24)
        gdt = o + (block if block > 1024 else 2048)
        inode_size = u16(d, sb + 88) or 128
        inode_table = o + u32(d, gdt + 8) * block
        return [
            (sb, 1024, "ext superblock"),
            (gdt, 64 * 4, "ext group descriptors"),
            (inode_table, 32 * inode_size, "ext inode table (first 32 inodes)"),
        ]
    if kind == "ntfs":
        bps = u16(d, o + 11) or 512
        cluster = bps * (d[o + 13] or 8)
        mft = o + u64(d, o + 48) * cluster
        return [(o, 512, "NTFS boot sector"), (mft, 64 * 1024, "NTFS MFT (first 64 records)")]
    return []


def partitions(d):
    """The start byte of each partition, MBR or GPT."""
    return _mbr_or_gpt(d)[0]


def extended_boot_records(d):
    return _mbr_or_gpt(d)[1]


def _mbr_or_gpt(d):
    if d[510:512] != b"\x55\xaa":
        return [], []
    if d[512:520] == b"EFI PART":
        first, count, size = u64(d, 512 + 72), u32(d, 512 + 80), u32(d, 512 + 84)
        starts = []
        for i in range(count):
            entry = first * 512 + i * size
            if d[entry : entry + 16] != bytes(16):
                starts.append(u64(d, entry + 32) * 512)
        return starts, []
    starts, ebrs, extended, ebr = [], [], None, None
    for i in range(4):
        e = 446 + 16 * i
        kind, lba = d[e + 4], u32(d, e + 8)
        if kind in (0x05, 0x0F, 0x85):
            extended = ebr = lba
        elif kind:
            starts.append(lba * 512)
    for _ in range(64):  # the chain of extended boot records
        if ebr is None:
            break
        o = ebr * 512
        if d[o + 510 : o + 512] != b"\x55\xaa":
            break
        ebrs.append(o)
        if d[o + 446 + 4]:
            starts.append((ebr + u32(d, o + 446 + 8)) * 512)
        ebr = extended + u32(d, o + 462 + 8) if d[o + 462 + 4] else None
    return starts, ebrs


def table_areas(d):
    if d[512:520] == b"EFI PART":
        return [(0, 512, "protective MBR"), (512, 512, "GPT header"), (1024, 32 * 512, "GPT entries"),
                (len(d) - 33 * 512, 33 * 512, "backup GPT")]
    return [(0, 512, "MBR")] + [(o, 512, "extended boot record") for o in extended_boot_records(d)]


def image_areas(d):
    """All metadata areas of a bare file system or a partitioned disk."""
    if fs_kind(d, 0):
        return fs_areas(d, 0)
    areas = table_areas(d)
    for start in partitions(d):
        areas += fs_areas(d, start)
    return [a for a in areas if a[0] + a[1] <= len(d) and a[1] > 0]


def fs_offsets(d):
    """Sectors where file systems start, for fls -o."""
    return [0] if fs_kind(d, 0) else [s // 512 for s in partitions(d) if fs_kind(d, s)]


# EWF (E01) segment files, as libyal's documentation of the format lays them out: a 13-byte file
# header (signature, segment number), then a chain of sections, each a 76-byte descriptor
# (type[16], next u64, size u64, padding[40], Adler-32 of the first 72 bytes) and its data.
EVF = b"EVF\x09\x0d\x0a\xff\x00"


def ewf_sections(d):
    out, off = [], 13
    while off + 76 <= len(d) and len(out) < 64:
        kind = d[off : off + 16].rstrip(b"\0").decode("ascii", "replace")
        nxt, size = u64(d, off + 16), u64(d, off + 24)
        out.append((off, kind, nxt, size))
        if kind in ("next", "done") or nxt <= off:
            break
        off = nxt
    return out


def ewf_areas(d):
    """Descriptors and the small sections (everything but chunk data)."""
    areas = [(0, 13, "EWF file header")]
    for off, kind, nxt, size in ewf_sections(d):
        areas.append((off, 76, f"'{kind}' section descriptor"))
        if kind != "sectors" and size > 76:
            areas.append((off + 76, min(size - 76, len(d) - off - 76), f"'{kind}' section data"))
    return [a for a in areas if a[1] > 0]
