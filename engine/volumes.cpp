#include "engine/volumes.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "engine/error.hpp"
#include "engine/file_system_signature.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

std::optional<FileSystemProbe> probe_file_system(const Evidence& evidence, uint64_t byte_offset,
                                                 FileSystemProbing probing) {
    if (byte_offset >= evidence.size()) return std::nullopt;
    std::array<std::byte, kSignatureBytes> head{};
    try {
        evidence.read(byte_offset, head);  // past the end reads as zeros, which match nothing
    } catch (const Error&) {               // unreadable (a damaged E01 chunk): TSK decides
        head.fill(std::byte{0});
    }
    const auto signature = file_system_signature(head);
    if (!signature && probing == FileSystemProbing::Signature) return std::nullopt;
    TskFileSystem fs(tsk_fs_open_img(tsk_handle(evidence), static_cast<TSK_OFF_T>(byte_offset),
                                     signature ? signature->family : TSK_FS_TYPE_DETECT));
    if (!fs) {
        tsk_error_reset();
        return std::nullopt;
    }
    return FileSystemProbe{tsk_fs_type_toname(fs->ftype),
                           static_cast<uint64_t>(fs->block_count) * fs->block_size};
}

namespace {

std::optional<std::string> file_system_type_at(const Evidence& evidence, uint64_t byte_offset,
                                               FileSystemProbing probing = FileSystemProbing::Any) {
    auto probe = probe_file_system(evidence, byte_offset, probing);
    if (!probe) return std::nullopt;
    return probe->type;
}

// A partition whose table entry was deleted leaves its file system in an unallocated gap, which
// mmls reports from the end of the previous partition (or sector 0). Look for it where
// partitioning tools put file systems: at sector 63 (old DOS alignment) and on 64 KiB boundaries,
// within the first 64 MiB of the gap.
void probe_gap(const Evidence& evidence, Partition& gap) {
    const uint64_t end = gap.start + gap.length;
    const uint64_t step = std::max<uint64_t>(1, (64u << 10) / gap.sector_size);
    std::vector<uint64_t> candidates;
    if (gap.start < 63 && 63 < end) candidates.push_back(63);
    for (uint64_t s = (gap.start / step + 1) * step; s + 1 < end && candidates.size() < 1024;
         s += step) {
        candidates.push_back(s);
    }
    for (uint64_t s : candidates) {
        if (auto fs =
                file_system_type_at(evidence, s * gap.sector_size, FileSystemProbing::Signature)) {
            gap.filesystem = fs;
            gap.filesystem_start = s;
            return;
        }
    }
}

std::string kind_of(TSK_VS_PART_FLAG_ENUM flags) {
    if (flags & TSK_VS_PART_FLAG_META) return "meta";
    if (flags & TSK_VS_PART_FLAG_UNALLOC) return "unallocated";
    return "partition";
}

}  // namespace

namespace {

VolumeLayout layout_at_offset(const Evidence& evidence, uint64_t offset) {
    const uint32_t sector_size = evidence.sector_size();
    const uint64_t sectors = evidence.size() / sector_size;
    const std::string where =
        "sector " + std::to_string(offset) + " (byte " + std::to_string(offset * sector_size) + ")";
    if (offset >= sectors) {
        throw Error(evidence.name() + ": --offset " + std::to_string(offset) +
                    " is beyond the image's " + std::to_string(sectors) + " sectors");
    }
    auto fs = file_system_type_at(evidence, offset * sector_size);
    if (!fs) {
        throw Error(evidence.name() + ": no file system that TSK recognises at " + where +
                    " (try 'dflab partitions --scan')");
    }
    Partition p;
    p.index = 0;
    p.start = offset;
    p.length = sectors - offset;
    p.sector_size = sector_size;
    p.description = "file system at " + where + ", given with --offset";
    p.kind = "partition";
    p.filesystem = fs;
    return {"offset", {p}};
}

}  // namespace

VolumeLayout read_volume_layout(const Evidence& evidence, std::optional<uint64_t> offset) {
    if (offset) return layout_at_offset(evidence, *offset);
    VolumeLayout layout;
    TskVolumeSystem vs(tsk_vs_open(tsk_handle(evidence), 0, TSK_VS_TYPE_DETECT));
    if (!vs) {
        std::string vs_error = take_tsk_error();
        auto fs = file_system_type_at(evidence, 0);
        if (!fs) {
            throw Error(evidence.name() +
                        ": no partition table or file system recognised (TSK: " + vs_error + ")");
        }
        layout.scheme = "none";
        Partition p;
        p.index = 0;
        p.start = 0;
        p.sector_size = evidence.sector_size();
        p.length = evidence.size() / p.sector_size;
        p.description = "bare file system";
        p.kind = "partition";
        p.filesystem = fs;
        layout.partitions.push_back(p);
        return layout;
    }
    layout.scheme = tsk_vs_type_toname(vs->vstype);
    for (TSK_PNUM_T i = 0; i < vs->part_count; ++i) {
        const TSK_VS_PART_INFO* part = tsk_vs_part_get(vs.get(), i);
        if (!part) continue;
        Partition p;
        p.index = static_cast<int>(part->addr);
        p.start = part->start;
        p.length = part->len;
        p.description = part->desc ? part->desc : "";
        p.kind = kind_of(part->flags);
        p.sector_size = vs->block_size ? vs->block_size : evidence.sector_size();
        if (p.kind != "meta" && p.length > 0)
            p.filesystem = file_system_type_at(
                evidence, p.byte_offset(),
                p.kind == "unallocated" ? FileSystemProbing::Signature : FileSystemProbing::Any);
        if (p.kind == "unallocated" && !p.filesystem) probe_gap(evidence, p);
        layout.partitions.push_back(p);
    }
    return layout;
}

std::vector<Partition> file_system_partitions(const Evidence& evidence, std::optional<int> index,
                                              std::optional<uint64_t> offset) {
    auto layout = read_volume_layout(evidence, offset);
    std::vector<Partition> out;
    for (const auto& p : layout.partitions) {
        if (index && p.index != *index) continue;
        if (index && !p.filesystem) {
            throw Error(evidence.name() + ": partition " + std::to_string(*index) +
                        " holds no file system that TSK recognises");
        }
        if (p.filesystem) out.push_back(p);
    }
    if (index && out.empty()) {
        throw Error(evidence.name() + ": no partition with index " + std::to_string(*index) +
                    " (see 'dflab partitions')");
    }
    if (out.empty()) throw Error(evidence.name() + ": no file system found in any partition");
    return out;
}

TskFileSystem open_file_system(const Evidence& evidence, const Partition& partition) {
    // The type the layout found there (the same open as the probe), else TSK's autodetection.
    const TSK_FS_TYPE_ENUM type =
        partition.filesystem ? tsk_fs_type_toid(partition.filesystem->c_str()) : TSK_FS_TYPE_DETECT;
    TskFileSystem fs(tsk_fs_open_img(tsk_handle(evidence),
                                     static_cast<TSK_OFF_T>(partition.byte_offset()),
                                     type == TSK_FS_TYPE_UNSUPP ? TSK_FS_TYPE_DETECT : type));
    if (!fs) {
        throw Error(evidence.name() + ": partition " + std::to_string(partition.index) +
                    ": cannot open file system: " + take_tsk_error());
    }
    return fs;
}

}  // namespace dflab::engine
