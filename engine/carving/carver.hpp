#pragma once
// The carver: finds the headers of the registered types in a byte source (a partition's
// unallocated space, or a whole disk), validates each candidate with its type's validator
// (engine/carving/validators.hpp) and yields the files that validate, with where they lie in the
// image. JPEGs that fail are tried as two fragments with a gap between (bifragment gap carving).
// Memory is bounded: the source is read in windows, and a candidate is read up to its type's
// maximum size. docs/carving.md.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/mapped_file.hpp"
#include "engine/carving/validators.hpp"
#include "engine/evidence.hpp"
#include "engine/unallocated.hpp"

namespace dflab::engine::carving {

// One line a type: what `--types` calls it, the extension it is written with, the header it
// starts with, its largest carved size, its validator.
struct CarvedType {
    std::string_view name;
    std::string_view extension;
    std::string_view header;
    uint64_t max_size;
    Validation (*validate)(std::span<const std::byte>);
};
const std::vector<CarvedType>& carved_types();

// The bytes to carve: a stream with a map back to the image.
class ByteSource {
  public:
    virtual ~ByteSource() = default;
    virtual uint64_t size() const = 0;
    virtual size_t read(uint64_t offset, std::span<std::byte> out) const = 0;
    virtual uint64_t image_offset(uint64_t offset) const = 0;
    // Fragments start on multiples of this in the stream (the sector, or the file system block).
    virtual uint32_t unit() const = 0;
    // Where stream bytes [offset, offset + length) lie in the image, as contiguous extents.
    struct Extent {
        uint64_t image_offset = 0;
        uint64_t length = 0;
    };
    virtual std::vector<Extent> extents(uint64_t offset, uint64_t length) const;
    // Stream bytes [offset, offset + length) (fewer at the end) in memory, without a copy, where
    // the source can; empty where it cannot, and read() is used.
    virtual std::span<const std::byte> view(uint64_t, uint64_t) const { return {}; }
};

// Image bytes [begin, end): a whole disk, or one partition read raw. A raw image in one regular
// file is mapped into memory (common/mapped_file.hpp) and viewed without a copy.
class ImageSource : public ByteSource {
  public:
    ImageSource(const Evidence& evidence, uint64_t begin, uint64_t end, uint32_t unit);
    uint64_t size() const override { return end_ - begin_; }
    size_t read(uint64_t offset, std::span<std::byte> out) const override;
    uint64_t image_offset(uint64_t offset) const override { return begin_ + offset; }
    uint32_t unit() const override { return unit_; }
    std::span<const std::byte> view(uint64_t offset, uint64_t length) const override;

  private:
    const Evidence& evidence_;
    uint64_t begin_, end_;
    uint32_t unit_;
    std::optional<common::MappedFile> mapped_;
};

// A file system's unallocated blocks, in order (engine/unallocated.hpp).
class UnallocatedSource : public ByteSource {
  public:
    UnallocatedSource(const Evidence& evidence, UnallocatedSpace space)
        : evidence_(evidence), space_(std::move(space)) {}
    uint64_t size() const override { return space_.size(); }
    size_t read(uint64_t offset, std::span<std::byte> out) const override {
        return space_.read(evidence_, offset, out);
    }
    uint64_t image_offset(uint64_t offset) const override { return space_.image_offset(offset); }
    uint32_t unit() const override { return space_.block_size(); }
    std::vector<Extent> extents(uint64_t offset, uint64_t length) const override;

  private:
    const Evidence& evidence_;
    UnallocatedSpace space_;
};

struct CarvedFile {
    uint64_t stream_offset = 0;  // in the source
    uint64_t image_offset = 0;   // of the first byte
    uint64_t length = 0;
    std::string type;        // registry name: jpeg, png, pdf, zip, sqlite
    std::string subtype;     // zip: docx, xlsx, pptx, ooxml, or ""
    std::string extension;   // what it is written as: jpg, png, pdf, zip, docx, ..., sqlite
    std::string validation;  // what was checked
    std::vector<ByteSource::Extent> fragments;  // image extents in file order
};

// Where headers are looked for by default: at the starts of 512-byte sectors of the source, where
// a file system stores every file (as PhotoRec and foremost's quick mode look). A source's stream
// offsets that are multiples of it are sector starts of the image.
inline constexpr uint64_t kSectorStep = 512;

struct CarveOptions {
    std::vector<std::string> types;  // registry names; empty: all
    bool every_offset = false;       // headers at every byte offset (as foremost does by default)
    uint64_t max_files = 100000;     // stop after this many (stated in the output)
    uint64_t window = 4ull << 20;    // bytes searched for headers at a time
    uint64_t max_gap = 8ull << 20;   // bifragment: the largest gap tried
    unsigned max_splits = 64;        // bifragment: fragment ends tried before the failure
    unsigned max_decodes = 1024;     // bifragment: candidates handed to libjpeg
    // Called after each window searched: bytes of [from, to) done, and in all (a supervised child
    // reports it, so a long search with nothing found is not taken for a stalled one).
    std::function<void(uint64_t done, uint64_t total)> progress;
};

struct CarveStats {
    uint64_t candidates = 0;  // headers found
    uint64_t carved = 0;
    uint64_t fragmented = 0;
    bool capped = false;  // max_files reached
};

// The types named (throws Error for an unknown one, listing the known ones).
std::vector<const CarvedType*> select_types(const std::vector<std::string>& names);

// Carves the headers that start in [from, to) of `source`; `found` gets each file and its bytes,
// in offset order. A file may run past `to`.
CarveStats carve(const ByteSource& source, uint64_t from, uint64_t to, const CarveOptions& options,
                 const std::function<void(const CarvedFile&, std::span<const std::byte>)>& found);

}  // namespace dflab::engine::carving
