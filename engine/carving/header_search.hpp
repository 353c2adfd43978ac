#pragma once
// Finding where known headers begin in a buffer: at every byte offset, or at every `step`-th (the
// sector starts). Every offset is searched without a test per byte: 32 offsets at a time are
// compared on their first two bytes (GCC's vector extensions: SSE2 on x86-64, NEON on ARM, plain
// code elsewhere), and only an offset whose two bytes begin some header is compared whole. In
// random data that is one offset in 13,000 for the carver's five headers, where a first-byte test
// stops at one in fifty.
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace dflab::engine::carving {

class HeaderSearch {
  public:
    // `headers`, each at least two bytes long, must outlive the search.
    explicit HeaderSearch(std::vector<std::string_view> headers);

    struct Hit {
        size_t offset = 0;  // in the buffer
        size_t header = 0;  // index in `headers`
    };
    // The first offset in [from, limit) that is a multiple of `step` (1: every offset) where a
    // header begins and lies whole inside `bytes`.
    std::optional<Hit> find(std::span<const std::byte> bytes, size_t from, size_t limit,
                            size_t step = 1) const;

  private:
    std::optional<size_t> header_at(std::span<const std::byte> bytes, size_t at) const;
    template <size_t Starts>
    std::optional<Hit> find_each(std::span<const std::byte> bytes, size_t at, size_t limit) const;

    std::vector<std::string_view> headers_;
    std::vector<unsigned char> first_, second_;  // the distinct two-byte starts
    bool first_byte_[256] = {};                  // bytes that begin some header
};

}  // namespace dflab::engine::carving
