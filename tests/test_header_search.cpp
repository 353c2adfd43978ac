// The carver's header search (engine/carving/header_search.hpp) against the C++ library's own
// string search: over random buffers with headers planted at every alignment, at the very end and
// cut off by it, every offset std::string_view::find reports is found, in order, and no other;
// with a step (the carver's sector starts), exactly those of them at multiples of the step.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "engine/carving/header_search.hpp"

namespace dflab {
namespace {

using namespace std::string_view_literals;
using engine::carving::HeaderSearch;

const std::vector<std::string_view> kHeaders = {
    "\xFF\xD8\xFF"sv, "\x89PNG\r\n\x1A\n"sv, "%PDF-"sv, "PK\x03\x04"sv, "SQLite format 3\0"sv,
    "PK\x05\x06"sv,  // the same first two bytes as another header
};
// More distinct two-byte starts than the search holds in registers (its other path).
const std::vector<std::string_view> kManyHeaders = {
    "\xFF\xD8\xFF"sv,
    "\x89PNG\r\n\x1A\n"sv,
    "%PDF-"sv,
    "PK\x03\x04"sv,
    "SQLite format 3\0"sv,
    "PK\x05\x06"sv,
    "\xD8Q"sv,
    "Q\x05"sv,
    "\x03%"sv,
    "\x06\x89P"sv,
    "\x04\xFF"sv,
};

struct Found {
    size_t offset, header;
    bool operator==(const Found&) const = default;
};

// Every (offset, header) in [from, limit) whose header lies whole in the buffer, by the library.
// With a step, only the offsets that are multiples of it.
std::vector<Found> by_the_library(std::string_view text, size_t from, size_t limit,
                                  const std::vector<std::string_view>& headers = kHeaders,
                                  size_t step = 1) {
    std::vector<Found> out;
    for (size_t k = 0; k < headers.size(); ++k)
        for (size_t at = text.find(headers[k], from); at != std::string_view::npos && at < limit;
             at = text.find(headers[k], at + 1))
            if (at % step == 0) out.push_back({at, k});
    std::sort(out.begin(), out.end(), [](const Found& a, const Found& b) {
        return a.offset != b.offset ? a.offset < b.offset : a.header < b.header;
    });
    return out;
}

std::vector<Found> by_the_search(const std::string& text, size_t from, size_t limit,
                                 const std::vector<std::string_view>& headers = kHeaders,
                                 size_t step = 1) {
    const HeaderSearch search(headers);
    const auto bytes = std::as_bytes(std::span(text.data(), text.size()));
    std::vector<Found> out;
    for (auto hit = search.find(bytes, from, limit, step); hit;
         hit = search.find(bytes, hit->offset + 1, limit, step))
        out.push_back({hit->offset, hit->header});
    return out;
}

// Random buffers of a few byte values, so that partial headers (FF D8 00, PK 03 05) abound, with
// whole headers planted; the search against the library on each.
void compare_on_random_buffers(const std::vector<std::string_view>& headers, size_t step,
                               size_t max_size) {
    std::mt19937_64 random(20261207 + step);
    for (int round = 0; round < 200; ++round) {
        std::string text(1 + random() % max_size, '\0');
        const std::string alphabet = "\xFF\xD8PK\x03\x04%\x89\x05\x06Q";
        for (auto& c : text) c = alphabet[random() % alphabet.size()];
        for (int n = 0; n < 12; ++n) {
            const auto h = headers[random() % headers.size()];
            // With a step, most on its multiples (where the search looks) and some beside.
            size_t at = random() % text.size();
            if (step > 1 && random() % 4 != 0) at -= at % step;
            text.replace(at, std::min(h.size(), text.size() - at), h.substr(0, text.size() - at));
        }
        const size_t from = random() % 40, limit = text.size() - random() % 20;
        SCOPED_TRACE("round " + std::to_string(round) + ", " + std::to_string(text.size()) +
                     " bytes");
        const auto expected = by_the_library(text, from, limit, headers, step);
        auto firsts = expected;  // a search reports one header an offset: the first in the list
        firsts.erase(
            std::unique(firsts.begin(), firsts.end(),
                        [](const Found& a, const Found& b) { return a.offset == b.offset; }),
            firsts.end());
        EXPECT_EQ(by_the_search(text, from, limit, headers, step), firsts);
    }
}

TEST(HeaderSearch, FindsEveryHeaderTheLibraryFindsAndNoOther) {
    compare_on_random_buffers(kHeaders, 1, 4096);
}

TEST(HeaderSearch, FindsThemWithMoreDistinctStartsThanItHoldsAtOnce) {
    compare_on_random_buffers(kManyHeaders, 1, 4096);
}

TEST(HeaderSearch, WithAStepFindsExactlyTheHeadersAtItsMultiples) {
    compare_on_random_buffers(kHeaders, 512, 64 * 1024);
    compare_on_random_buffers(kHeaders, 3, 4096);
}

TEST(HeaderSearch, AHeaderAtEveryAlignmentAndAtTheEndIsFound) {
    for (size_t size = 17; size <= 80; ++size) {
        for (size_t at = 0; at + 3 <= size; ++at) {
            std::string text(size, 'x');
            text.replace(at, 3, "\xFF\xD8\xFF");
            const auto found = by_the_search(text, 0, size);
            ASSERT_EQ(found.size(), 1u) << "size " << size << ", at " << at;
            EXPECT_EQ(found[0].offset, at);
            EXPECT_EQ(found[0].header, 0u);
        }
    }
}

TEST(HeaderSearch, AHeaderCutOffByTheEndOfTheBufferIsNotFound) {
    std::string text(64, 'x');
    text.replace(60, 4, "SQLi");  // the first 4 bytes of a 16-byte header
    EXPECT_TRUE(by_the_search(text, 0, text.size()).empty());
    text.replace(62, 2, "\xFF\xD8");  // two of three
    EXPECT_TRUE(by_the_search(text, 0, text.size()).empty());
}

TEST(HeaderSearch, OffsetsBeforeFromOrAtLimitAndBeyondAreNotReported) {
    std::string text(100, 'x');
    text.replace(10, 3, "\xFF\xD8\xFF");
    text.replace(50, 4, "PK\x03\x04");
    EXPECT_EQ(by_the_search(text, 11, 100), (std::vector<Found>{{50, 3}}));
    EXPECT_EQ(by_the_search(text, 0, 50), (std::vector<Found>{{10, 0}}));
    // The limit bounds where a header begins, not where it ends.
    EXPECT_EQ(by_the_search(text, 0, 51), (std::vector<Found>{{10, 0}, {50, 3}}));
}

TEST(HeaderSearch, AOneByteHeaderIsRefused) {
    EXPECT_THROW(HeaderSearch({"\xFF"sv}), std::exception);
}

}  // namespace
}  // namespace dflab
