#include "engine/byte_runs.hpp"

#include <algorithm>
#include <array>

#include "engine/error.hpp"
#include "engine/ext_block_map_check.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

namespace {

// Appends runs, merging one that continues the last in the file and on disk (fiwalk does too).
struct RunList {
    std::vector<ByteRun> runs;
    void add(const ByteRun& r) {
        if (r.length == 0) return;
        if (!runs.empty()) {
            ByteRun& last = runs.back();
            const bool continues_file = last.file_offset + last.length == r.file_offset;
            const bool continues_disk =
                last.image_offset.has_value() == r.image_offset.has_value() &&
                (!last.image_offset || *last.image_offset + last.length == *r.image_offset);
            if (last.kind == r.kind && continues_file && continues_disk) {
                last.length += r.length;
                return;
            }
        }
        runs.push_back(r);
    }
};

// The run list of a non-resident attribute, clipped to its size, in file order.
std::vector<ByteRun> nonresident_runs(const TSK_FS_INFO* fs, const TSK_FS_ATTR* attr) {
    RunList out;
    const uint64_t block = fs->block_size;
    const uint64_t size = attr->size > 0 ? static_cast<uint64_t>(attr->size) : 0;
    uint64_t initialised = attr->nrd.initsize >= 0 ? static_cast<uint64_t>(attr->nrd.initsize) : 0;
    if (initialised > size) initialised = size;
    const uint64_t skip = attr->nrd.skiplen;
    const bool compressed = (attr->flags & TSK_FS_ATTR_COMP) != 0;
    for (const TSK_FS_ATTR_RUN* run = attr->nrd.run; run; run = run->next) {
        if (run->len == 0) continue;  // an entry not in use
        // Offsets in the attribute's stream, whose first `skip` bytes are not content.
        const uint64_t stream_start = run->offset * block;
        const uint64_t stream_end = stream_start + run->len * block;
        if (stream_end <= skip) continue;
        const uint64_t begin = std::max(stream_start, skip);
        const uint64_t file_begin = begin - skip;
        if (file_begin >= size) break;
        const uint64_t file_end = std::min(stream_end - skip, size);
        const uint64_t disk = fs->offset + run->addr * block + (begin - stream_start);
        if (run->flags & TSK_FS_ATTR_RUN_FLAG_SPARSE) {
            out.add({file_begin, std::nullopt, file_end - file_begin, ByteRun::Kind::sparse});
        } else if (run->flags & TSK_FS_ATTR_RUN_FLAG_FILLER) {
            out.add({file_begin, std::nullopt, file_end - file_begin, ByteRun::Kind::fill});
        } else if (compressed) {
            out.add({file_begin, disk, file_end - file_begin, ByteRun::Kind::compressed});
        } else {
            const uint64_t split = std::clamp(initialised, file_begin, file_end);
            out.add({file_begin, disk, split - file_begin, ByteRun::Kind::data});
            out.add({split, disk + (split - file_begin), file_end - split,
                     ByteRun::Kind::uninitialized});
        }
    }
    return out.runs;
}

uint16_t u16(std::span<const uint8_t> b, size_t at) {
    return static_cast<uint16_t>(b[at] | (b[at + 1] << 8));
}
uint32_t u32(std::span<const uint8_t> b, size_t at) {
    return static_cast<uint32_t>(u16(b, at)) | (static_cast<uint32_t>(u16(b, at + 2)) << 16);
}

// NTFS: the size of an MFT entry, from the boot sector (clusters per record, or 2^-n bytes).
std::optional<uint32_t> mft_record_size(TSK_FS_INFO* fs) {
    std::array<uint8_t, 512> boot{};
    if (tsk_fs_read(fs, 0, reinterpret_cast<char*>(boot.data()), boot.size()) !=
        static_cast<ssize_t>(boot.size())) {
        take_tsk_error();
        return std::nullopt;
    }
    const uint32_t cluster = static_cast<uint32_t>(u16(boot, 0x0B)) * boot[0x0D];
    const auto per_record = static_cast<int8_t>(boot[0x40]);
    const uint64_t bytes = per_record > 0 ? static_cast<uint64_t>(per_record) * cluster
                                          : (per_record > -31 ? 1ull << -per_record : 0);
    if (bytes < 256 || bytes > 65536) return std::nullopt;
    return static_cast<uint32_t>(bytes);
}

}  // namespace

// NTFS: where the MFT entries are (the entry size and $MFT's own run list, so a fragmented $MFT
// is followed), read once per file system.
struct ByteRunReader::Mft {
    uint32_t record_size = 0;
    std::vector<ByteRun> runs;
};

namespace {

std::optional<ByteRunReader::Mft> read_mft(TSK_FS_INFO* fs) {
    const auto record_size = mft_record_size(fs);
    if (!record_size) return std::nullopt;
    TskFile mft(tsk_fs_file_open_meta(fs, nullptr, 0));
    const TSK_FS_ATTR* mft_data =
        mft ? tsk_fs_file_attr_get_type(mft.get(), TSK_FS_ATTR_TYPE_NTFS_DATA, 0, 0) : nullptr;
    if (!mft_data || !(mft_data->flags & TSK_FS_ATTR_NONRES)) {
        take_tsk_error();
        return std::nullopt;
    }
    return ByteRunReader::Mft{*record_size, nonresident_runs(fs, mft_data)};
}

// NTFS: the image offset of a resident attribute's content inside its MFT entry (the base
// entry; an attribute moved to an extension entry is not found).
std::optional<uint64_t> resident_offset(TSK_FS_INFO* fs, const ByteRunReader::Mft& mft,
                                        uint64_t entry, const TSK_FS_ATTR* attr) {
    const uint32_t record_size = mft.record_size;
    const uint64_t at = entry * record_size;
    std::optional<uint64_t> record;  // image offset of the entry
    for (const ByteRun& r : mft.runs) {
        if (r.kind != ByteRun::Kind::data || at < r.file_offset ||
            at + record_size > r.file_offset + r.length)
            continue;
        record = *r.image_offset + (at - r.file_offset);
        break;
    }
    if (!record) return std::nullopt;
    std::vector<uint8_t> buf(record_size);
    if (tsk_img_read(fs->img_info, static_cast<TSK_OFF_T>(*record),
                     reinterpret_cast<char*>(buf.data()),
                     buf.size()) != static_cast<ssize_t>(buf.size())) {
        take_tsk_error();
        return std::nullopt;
    }
    std::span<const uint8_t> rec(buf);
    if (rec[0] != 'F' || rec[1] != 'I' || rec[2] != 'L' || rec[3] != 'E') return std::nullopt;
    // Undo the update sequence: the last two bytes of each sector are kept in the array.
    const size_t usa = u16(rec, 0x04), usa_count = u16(rec, 0x06);
    for (size_t i = 1; i < usa_count; ++i) {
        const size_t end = i * 512;
        if (end > buf.size() || usa + 2 * i + 1 >= buf.size()) break;
        buf[end - 2] = buf[usa + 2 * i];
        buf[end - 1] = buf[usa + 2 * i + 1];
    }
    size_t off = u16(rec, 0x14);
    while (off + 0x18 <= buf.size()) {
        const uint32_t type = u32(rec, off);
        if (type == 0xFFFFFFFFu) break;
        const uint32_t length = u32(rec, off + 4);
        if (length < 0x18 || off + length > buf.size()) break;
        const bool nonresident = rec[off + 8] != 0;
        const uint16_t id = u16(rec, off + 0x0E);
        if (!nonresident && type == attribute_type(attr) && id == attr->id) {
            const uint32_t content_length = u32(rec, off + 0x10);
            const uint16_t content_offset = u16(rec, off + 0x14);
            if (content_offset + static_cast<uint64_t>(content_length) > length)
                return std::nullopt;
            return *record + off + content_offset;
        }
        off += length;
    }
    return std::nullopt;
}

}  // namespace

std::string_view kind_name(ByteRun::Kind kind) {
    switch (kind) {
        case ByteRun::Kind::data:
            return "data";
        case ByteRun::Kind::sparse:
            return "sparse";
        case ByteRun::Kind::fill:
            return "fill";
        case ByteRun::Kind::uninitialized:
            return "uninitialized";
        case ByteRun::Kind::resident:
            return "resident";
        case ByteRun::Kind::compressed:
            return "compressed";
    }
    return "data";
}

ByteRun::Kind parse_kind(std::string_view name) {
    for (auto k :
         {ByteRun::Kind::data, ByteRun::Kind::sparse, ByteRun::Kind::fill,
          ByteRun::Kind::uninitialized, ByteRun::Kind::resident, ByteRun::Kind::compressed}) {
        if (kind_name(k) == name) return k;
    }
    throw Error("byte run kind '" + std::string(name) +
                "': expected data, sparse, fill, uninitialized, resident or compressed");
}

ByteRunReader::ByteRunReader(const FileSystem& fs) : fs_(tsk_handle(fs)) {}
ByteRunReader::~ByteRunReader() = default;

std::vector<ByteRun> ByteRunReader::runs(const ContentAddress& address) {
    TskFile file(tsk_fs_file_open_meta(fs_, nullptr, address.meta_addr));
    if (!file || !file->meta) {
        throw Error("byte runs: no metadata at address " + format_inode(address) + ": " +
                    take_tsk_error());
    }
    if (auto why = unmappable_block_map(file.get())) {
        throw Error("byte runs: inode " + format_inode(address) + ": " + *why);
    }
    const TSK_FS_ATTR* attr =
        address.attr_type ? tsk_fs_file_attr_get_type(
                                file.get(), static_cast<TSK_FS_ATTR_TYPE_ENUM>(*address.attr_type),
                                address.attr_id.value_or(0), address.attr_id ? 1 : 0)
                          : tsk_fs_file_attr_get(file.get());
    if (!attr) {
        take_tsk_error();  // no content attribute (a name without content, a lost run list)
        return {};
    }
    if (attr->flags & TSK_FS_ATTR_RES) {
        if (attr->size <= 0) return {};
        std::optional<uint64_t> at;
        if (TSK_FS_TYPE_ISNTFS(fs_->ftype)) {
            if (!mft_read_) {
                if (auto m = read_mft(fs_)) mft_ = std::make_unique<Mft>(std::move(*m));
                mft_read_ = true;
            }
            if (mft_) at = resident_offset(fs_, *mft_, file->meta->addr, attr);
        }
        return {ByteRun{0, at, static_cast<uint64_t>(attr->size), ByteRun::Kind::resident}};
    }
    if (attr->flags & TSK_FS_ATTR_NONRES) return nonresident_runs(fs_, attr);
    return {};
}

std::vector<ByteRun> byte_runs(const FileSystem& fs, const ContentAddress& address) {
    return ByteRunReader(fs).runs(address);
}

void write_byte_runs(Database& db, int64_t file_id, std::span<const ByteRun> runs) {
    auto ins = db.prepare(kByteRunInsert);
    write_byte_runs(ins, file_id, runs);
}

void write_byte_runs(Statement& ins, int64_t file_id, std::span<const ByteRun> runs) {
    int64_t seq = 0;
    for (const ByteRun& r : runs) {
        ins.bind(1, file_id)
            .bind(2, seq++)
            .bind(3, static_cast<int64_t>(r.file_offset))
            .bind(4, r.image_offset ? std::optional<int64_t>(static_cast<int64_t>(*r.image_offset))
                                    : std::nullopt)
            .bind(5, static_cast<int64_t>(r.length))
            .bind(6, kind_name(r.kind));
        ins.run();
    }
}

}  // namespace dflab::engine
