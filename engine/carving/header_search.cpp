#include "engine/carving/header_search.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include "engine/error.hpp"

namespace dflab::engine::carving {

namespace {

using Bytes16 = unsigned char __attribute__((vector_size(16)));
using Mask16 = signed char __attribute__((vector_size(16)));

Bytes16 load(const std::byte* at) {
    Bytes16 v;
    std::memcpy(&v, at, sizeof v);
    return v;
}

bool any(Mask16 m) {
    uint64_t halves[2];
    std::memcpy(halves, &m, sizeof halves);
    return (halves[0] | halves[1]) != 0;
}

}  // namespace

HeaderSearch::HeaderSearch(std::vector<std::string_view> headers) : headers_(std::move(headers)) {
    for (auto h : headers_) {
        if (h.size() < 2) throw Error("a carving header needs at least two bytes");
        const auto a = static_cast<unsigned char>(h[0]), b = static_cast<unsigned char>(h[1]);
        bool known = false;
        for (size_t k = 0; k < first_.size(); ++k) known |= first_[k] == a && second_[k] == b;
        if (known) continue;
        first_.push_back(a);
        second_.push_back(b);
    }
}

std::optional<size_t> HeaderSearch::header_at(std::span<const std::byte> bytes, size_t at) const {
    for (size_t k = 0; k < headers_.size(); ++k) {
        const auto h = headers_[k];
        if (at + h.size() <= bytes.size() &&
            std::memcmp(bytes.data() + at, h.data(), h.size()) == 0)
            return k;
    }
    return std::nullopt;
}

std::optional<HeaderSearch::Hit> HeaderSearch::find(std::span<const std::byte> bytes, size_t from,
                                                    size_t limit) const {
    limit = std::min(limit, bytes.size());
    size_t at = from;
    // Offsets at..at+15 need bytes at..at+16: the last vector load ends one byte further.
    for (; at + 17 <= bytes.size() && at < limit; at += 16) {
        const Bytes16 one = load(bytes.data() + at), two = load(bytes.data() + at + 1);
        Mask16 starts{};
        for (size_t k = 0; k < first_.size(); ++k)
            starts |= (one == first_[k]) & (two == second_[k]);
        if (!any(starts)) continue;
        for (size_t i = at; i < std::min(at + 16, limit); ++i)
            if (auto k = header_at(bytes, i)) return Hit{i, *k};
    }
    for (; at < limit; ++at)
        if (auto k = header_at(bytes, at)) return Hit{at, *k};
    return std::nullopt;
}

}  // namespace dflab::engine::carving
