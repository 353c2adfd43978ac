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
        first_byte_[a] = true;
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

// Offsets at..at+31 need bytes at..at+32: the last vector load ends one byte further. `Starts`
// distinct two-byte starts are compared with broadcasts held in registers; with 0, any number of
// them, broadcast on each step.
template <size_t Starts>
std::optional<HeaderSearch::Hit> HeaderSearch::find_each(std::span<const std::byte> bytes,
                                                         size_t at, size_t limit) const {
    const size_t count = Starts > 0 ? Starts : first_.size();
    Bytes16 first[Starts > 0 ? Starts : 1]{}, second[Starts > 0 ? Starts : 1]{};
    for (size_t k = 0; k < Starts; ++k) {
        first[k] = Bytes16{} + first_[k];
        second[k] = Bytes16{} + second_[k];
    }
    const std::byte* p = bytes.data();
    for (; at + 33 <= bytes.size() && at < limit; at += 32) {
        const Bytes16 one = load(p + at), two = load(p + at + 1);
        const Bytes16 three = load(p + at + 16), four = load(p + at + 17);
        Mask16 starts{};
        for (size_t k = 0; k < count; ++k) {
            const Bytes16 a = Starts > 0 ? first[k] : Bytes16{} + first_[k];
            const Bytes16 b = Starts > 0 ? second[k] : Bytes16{} + second_[k];
            starts |= ((one == a) & (two == b)) | ((three == a) & (four == b));
        }
        if (!any(starts)) continue;
        for (size_t i = at; i < std::min(at + 32, limit); ++i)
            if (auto k = header_at(bytes, i)) return Hit{i, *k};
    }
    for (; at < limit; ++at)
        if (auto k = header_at(bytes, at)) return Hit{at, *k};
    return std::nullopt;
}

std::optional<HeaderSearch::Hit> HeaderSearch::find(std::span<const std::byte> bytes, size_t from,
                                                    size_t limit, size_t step) const {
    limit = std::min(limit, bytes.size());
    if (step > 1) {
        const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
        for (size_t at = (from + step - 1) / step * step; at < limit; at += step)
            if (first_byte_[p[at]])
                if (auto k = header_at(bytes, at)) return Hit{at, *k};
        return std::nullopt;
    }
    switch (first_.size()) {
        case 1:
            return find_each<1>(bytes, from, limit);
        case 2:
            return find_each<2>(bytes, from, limit);
        case 3:
            return find_each<3>(bytes, from, limit);
        case 4:
            return find_each<4>(bytes, from, limit);
        case 5:
            return find_each<5>(bytes, from, limit);
        case 6:
            return find_each<6>(bytes, from, limit);
        default:
            return find_each<0>(bytes, from, limit);
    }
}

}  // namespace dflab::engine::carving
