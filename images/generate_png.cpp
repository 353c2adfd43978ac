// Seeded pictures, and PNG written by hand (signature, IHDR, tEXt, IDAT, IEND) with zlib at a
// fixed compression level and strategy, so the bytes depend only on the inputs and zlib's version.
#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "engine/error.hpp"
#include "images/content_generator.hpp"

namespace dflab::images::detail {

using engine::Error;

std::vector<uint8_t> make_picture(uint32_t width, uint32_t height, Prng& prng) {
    auto colour = [&prng] {
        return std::array<int, 3>{static_cast<int>(prng.below(256)),
                                  static_cast<int>(prng.below(256)),
                                  static_cast<int>(prng.below(256))};
    };
    const auto top = colour();
    const auto bottom = colour();
    struct Rect {
        uint32_t x0, y0, x1, y1;
        std::array<int, 3> rgb;
    };
    std::vector<Rect> rects;
    const uint64_t count = 2 + prng.below(5);
    for (uint64_t i = 0; i < count; ++i) {
        Rect r{};
        r.x0 = static_cast<uint32_t>(prng.below(width));
        r.y0 = static_cast<uint32_t>(prng.below(height));
        r.x1 = r.x0 + 1 + static_cast<uint32_t>(prng.below(width - r.x0));
        r.y1 = r.y0 + 1 + static_cast<uint32_t>(prng.below(height - r.y0));
        r.rgb = colour();
        rects.push_back(r);
    }
    std::vector<uint8_t> pixels(size_t{width} * height * 3);
    for (uint32_t y = 0; y < height; ++y) {
        for (uint32_t x = 0; x < width; ++x) {
            std::array<int, 3> rgb{};
            const int64_t h = height > 1 ? height - 1 : 1;
            for (int c = 0; c < 3; ++c)
                rgb[c] = static_cast<int>((top[c] * (h - y) + bottom[c] * int64_t{y}) / h);
            for (const auto& r : rects)
                if (x >= r.x0 && x < r.x1 && y >= r.y0 && y < r.y1) rgb = r.rgb;
            uint8_t* p = &pixels[(size_t{y} * width + x) * 3];
            for (int c = 0; c < 3; ++c) p[c] = static_cast<uint8_t>(rgb[c]);
        }
    }
    return pixels;
}

namespace {

void put32(std::vector<std::byte>& out, uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(std::byte((v >> shift) & 0xff));
}

void chunk(std::vector<std::byte>& out, const char (&type)[5], std::span<const uint8_t> data) {
    put32(out, static_cast<uint32_t>(data.size()));
    const size_t start = out.size();
    for (int i = 0; i < 4; ++i) out.push_back(std::byte(static_cast<unsigned char>(type[i])));
    for (uint8_t b : data) out.push_back(std::byte(b));
    uLong crc = crc32(0L, Z_NULL, 0);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + start),
                static_cast<uInt>(out.size() - start));
    put32(out, static_cast<uint32_t>(crc));
}

std::vector<uint8_t> deflate_fixed(std::span<const uint8_t> raw) {
    z_stream z{};
    if (deflateInit2(&z, 6, Z_DEFLATED, 15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        throw Error("generate png: zlib initialisation failed");
    struct End {
        z_stream* z;
        ~End() { deflateEnd(z); }
    } end{&z};
    std::vector<uint8_t> out(deflateBound(&z, static_cast<uLong>(raw.size())));
    z.next_in = const_cast<Bytef*>(raw.data());  // zlib's API is not const-correct
    z.avail_in = static_cast<uInt>(raw.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) throw Error("generate png: zlib compression failed");
    out.resize(z.total_out);
    return out;
}

}  // namespace

std::vector<std::byte> generate_png(const GeneratedContent& g, const GenerationContext& c) {
    const auto width = static_cast<uint32_t>(option_int(g, "width", 64, 1, 8192));
    const auto height = static_cast<uint32_t>(option_int(g, "height", 48, 1, 8192));
    const std::string comment = option_string(g, "comment");

    Prng prng(c.seed, c.purpose, "picture");
    const auto pixels = make_picture(width, height, prng);
    std::vector<uint8_t> raw;  // each row: filter byte 0 (None), then RGB
    raw.reserve(size_t{height} * (size_t{width} * 3 + 1));
    for (uint32_t y = 0; y < height; ++y) {
        raw.push_back(0);
        const auto* row = &pixels[size_t{y} * width * 3];
        raw.insert(raw.end(), row, row + size_t{width} * 3);
    }

    std::vector<std::byte> out;
    for (uint8_t b : {0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a}) out.push_back(std::byte(b));
    std::vector<uint8_t> ihdr;
    for (uint32_t v : {width, height})
        for (int shift = 24; shift >= 0; shift -= 8) ihdr.push_back((v >> shift) & 0xff);
    for (uint8_t b : {8, 2, 0, 0, 0}) ihdr.push_back(b);  // 8-bit RGB, deflate, no interlace
    chunk(out, "IHDR", ihdr);
    if (!comment.empty()) {
        // tEXt is Latin-1; keep it for ASCII and use iTXt (UTF-8) otherwise.
        const bool ascii =
            std::all_of(comment.begin(), comment.end(), [](char ch) { return ch > 0; });
        std::vector<uint8_t> text;
        const std::string keyword = "Comment";
        text.insert(text.end(), keyword.begin(), keyword.end());
        text.push_back(0);
        if (!ascii) text.insert(text.end(), {0, 0, 0, 0});  // no compression, no language/key
        text.insert(text.end(), comment.begin(), comment.end());
        chunk(out, ascii ? "tEXt" : "iTXt", text);
    }
    chunk(out, "IDAT", deflate_fixed(raw));
    chunk(out, "IEND", {});
    return out;
}

}  // namespace dflab::images::detail
