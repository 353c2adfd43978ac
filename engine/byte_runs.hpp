#pragma once
// Byte runs: where each piece of an entry's content lies in the image, as DFXML's <byte_run>
// (fiwalk) describes it: a piece of the file (file_offset, length) and, when it is stored, its
// absolute byte offset in the image.
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/file_system.hpp"
#include "engine/sqlite.hpp"

struct TSK_FS_INFO;  // libtsk's handle (engine/tsk_access.hpp); only byte_runs.cpp uses it

namespace dflab::engine {

struct ByteRun {
    enum class Kind {
        data,           // stored as is at image_offset
        sparse,         // a hole: reads as zeros, nothing stored (image_offset absent)
        fill,           // TSK knows the length but not the place (a FILLER run); reads as zeros
        uninitialized,  // NTFS: allocated past the initialised size; reads as zeros, the old
                        // bytes are still at image_offset
        resident,       // inside the metadata record (NTFS MFT entry); image_offset when known
        compressed,     // NTFS: compressed clusters at image_offset (length is the stored size)
    };
    uint64_t file_offset = 0;
    std::optional<uint64_t> image_offset;  // absolute byte offset in the image
    uint64_t length = 0;
    Kind kind = Kind::data;
    bool operator==(const ByteRun&) const = default;
};

std::string_view kind_name(ByteRun::Kind kind);
// Parses a kind_name(); throws Error for anything else.
ByteRun::Kind parse_kind(std::string_view name);

// The byte runs of one entry's content, in file order, covering [0, size) of the attribute the
// address names (its default attribute when attr_type is absent): the run list of a
// non-resident attribute, clipped to the attribute's size, adjacent runs that continue each
// other in the file and on disk merged (as fiwalk merges them). Offsets are absolute in the image
// (fs->offset + block * block_size). Resident NTFS data is one run of kind resident, located
// inside the MFT entry when the entry can be read (the bytes at image_offset are then the
// content, except that the last two bytes of each 512-byte sector of the entry hold the update
// sequence number on disk). Empty when the entry has no content attribute (no metadata, a
// name without content). Throws Error only when the metadata address cannot be opened.
std::vector<ByteRun> byte_runs(const FileSystem& fs, const ContentAddress& address);

// byte_runs() for many entries of one file system: what it learns about the file system once
// (on NTFS, where the MFT entries lie) is kept. One per FileSystem and thread, like the handle.
class ByteRunReader {
  public:
    explicit ByteRunReader(const FileSystem& fs);
    ~ByteRunReader();
    ByteRunReader(const ByteRunReader&) = delete;
    ByteRunReader& operator=(const ByteRunReader&) = delete;
    std::vector<ByteRun> runs(const ContentAddress& address);
    struct Mft;

  private:
    TSK_FS_INFO* fs_;  // the FileSystem's own handle
    std::unique_ptr<Mft> mft_;
    bool mft_read_ = false;
};

// Appends the runs of one files row to the byte_runs table (seq 0, 1, ...), in the caller's
// transaction if there is one.
void write_byte_runs(Database& db, int64_t file_id, std::span<const ByteRun> runs);
// The same with a statement prepared from kByteRunInsert, for many files.
void write_byte_runs(Statement& insert, int64_t file_id, std::span<const ByteRun> runs);
inline constexpr std::string_view kByteRunInsert =
    "INSERT INTO byte_runs(file_id, seq, file_offset, image_offset, length, kind) "
    "VALUES (?,?,?,?,?,?)";

}  // namespace dflab::engine
