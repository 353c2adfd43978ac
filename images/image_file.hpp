#pragma once
// The image files a build makes: writing bytes at an offset, copying one image into another,
// making a sparse file of a size, and hashing a sparse file without reading its holes.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>

namespace dflab::images {

// Writes `data` at byte `offset` of the existing `file`; throws dflab::engine::Error naming the
// file and the offset when the write fails or is short.
void write_at(const std::filesystem::path& file, uint64_t offset, std::span<const std::byte> data);

// Copies `from` into `to` at `offset`; `copied` is told the bytes of each piece.
void copy_into(const std::filesystem::path& from, const std::filesystem::path& to, uint64_t offset,
               const std::function<void(uint64_t)>& copied = {});

// Makes (or empties) `file` and gives it `size` bytes, all a hole.
void make_sized_file(const std::filesystem::path& file, uint64_t size);

// SHA-256 of a file, reading only its data: its holes (the unused parts of a file system image
// stay sparse) are hashed as zeros without a read. `hashed` is told the bytes hashed so far and
// the file's size.
std::string sparse_sha256(const std::filesystem::path& file,
                          const std::function<void(uint64_t, uint64_t)>& hashed = {});

}  // namespace dflab::images
