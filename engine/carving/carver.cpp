#include "engine/carving/carver.hpp"

#include <algorithm>
#include <optional>

#include "common/text.hpp"
#include "engine/carving/header_search.hpp"
#include "engine/error.hpp"

namespace dflab::engine::carving {

const std::vector<CarvedType>& carved_types() {
    using namespace std::string_view_literals;
    static const std::vector<CarvedType> types = {
        {"jpeg", "jpg", "\xFF\xD8\xFF"sv, 32ull << 20, validate_jpeg},
        {"png", "png", "\x89PNG\r\n\x1A\n"sv, 64ull << 20, validate_png},
        {"pdf", "pdf", "%PDF-"sv, 64ull << 20, validate_pdf},
        {"zip", "zip", "PK\x03\x04"sv, 64ull << 20, validate_zip},
        {"sqlite", "sqlite", "SQLite format 3\0"sv, kSqliteMaxSize, validate_sqlite},
    };
    return types;
}

std::vector<const CarvedType*> select_types(const std::vector<std::string>& names) {
    std::vector<const CarvedType*> out;
    std::vector<std::string> known;
    for (const auto& t : carved_types()) known.emplace_back(t.name);
    for (const auto& t : carved_types())
        if (names.empty() || std::find(names.begin(), names.end(), t.name) != names.end())
            out.push_back(&t);
    for (const auto& n : names)
        if (std::find(known.begin(), known.end(), n) == known.end())
            throw Error("--types '" + n + "': unknown type (types: " + common::join(known, ", ") +
                        ")");
    return out;
}

std::vector<ByteSource::Extent> ByteSource::extents(uint64_t offset, uint64_t length) const {
    if (length == 0) return {};
    return {{image_offset(offset), length}};
}

ImageSource::ImageSource(const Evidence& evidence, uint64_t begin, uint64_t end, uint32_t unit)
    : evidence_(evidence), begin_(begin), end_(std::max(begin, end)), unit_(unit ? unit : 512) {
    end_ = std::min(end_, evidence.size());
    begin_ = std::min(begin_, end_);
    if (evidence.format() == "raw")
        mapped_ = common::MappedFile::map_if_regular(evidence.paths().front(), evidence.size());
}

size_t ImageSource::read(uint64_t offset, std::span<std::byte> out) const {
    if (offset >= size()) return 0;
    const uint64_t n = std::min<uint64_t>(out.size(), size() - offset);
    if (const auto v = view(offset, n); !v.empty()) {
        std::copy(v.begin(), v.end(), out.begin());
        return v.size();
    }
    return evidence_.read(begin_ + offset, out.first(static_cast<size_t>(n)));
}

std::span<const std::byte> ImageSource::view(uint64_t offset, uint64_t length) const {
    if (!mapped_ || offset >= size()) return {};
    const uint64_t n = std::min(length, size() - offset);
    return mapped_->bytes().subspan(static_cast<size_t>(begin_ + offset), static_cast<size_t>(n));
}

std::vector<ByteSource::Extent> UnallocatedSource::extents(uint64_t offset, uint64_t length) const {
    std::vector<Extent> out;
    const uint64_t block = space_.block_size();
    for (uint64_t at = offset; at < offset + length;) {
        const uint64_t in_block = block - at % block;
        const uint64_t n = std::min(in_block, offset + length - at);
        const uint64_t image = space_.image_offset(at);
        if (!out.empty() && out.back().image_offset + out.back().length == image)
            out.back().length += n;
        else
            out.push_back({image, n});
        at += n;
    }
    return out;
}

namespace {

// A candidate's bytes, read from `at` in steps (64 KiB, then four times as much) while its
// validator asks for more, up to the type's maximum.
struct Candidate {
    std::vector<std::byte> bytes;
    Validation validation;
};

Candidate read_and_validate(const ByteSource& source, uint64_t at, const CarvedType& type) {
    Candidate c;
    const uint64_t available = std::min(type.max_size, source.size() - at);
    uint64_t want = std::min<uint64_t>(64ull << 10, available);
    for (;;) {
        c.bytes.resize(static_cast<size_t>(want));
        c.bytes.resize(source.read(at, c.bytes));
        c.validation = type.validate(c.bytes);
        if (c.validation.verdict == Verdict::Valid && type.name == "pdf" && want < available) {
            // An incremental update appends after a valid %%EOF: look once as far again past
            // it (at least 1 MiB) for a later one.
            const uint64_t length = c.validation.length;
            const uint64_t further =
                std::min(available, length + std::max<uint64_t>(length, 1ull << 20));
            if (further > c.bytes.size()) {
                c.bytes.resize(static_cast<size_t>(further));
                c.bytes.resize(source.read(at, c.bytes));
                c.validation = type.validate(c.bytes);
            }
            return c;
        }
        if (c.validation.verdict != Verdict::NeedMore) return c;
        if (c.bytes.size() < want || want >= available) {
            // The source or the maximum ends the file before its structure does.
            std::string why = c.validation.reason.empty() ? "truncated" : c.validation.reason;
            if (want >= type.max_size)
                why += " (within the " + std::to_string(type.max_size >> 20) + " MiB maximum)";
            c.validation = invalid(c.bytes.size(), why);
            return c;
        }
        want = std::min(want * 4, available);
    }
}

// Garfinkel's bifragment gap carving: the first fragment is [0, split) and the second starts a
// gap of whole units after it, at `second`; a split is tried at each unit boundary in the
// entropy-coded data before the point where validation failed, and second-fragment starts from
// one unit after the earliest split up. The first pair whose markers run to EOI and which libjpeg
// decodes without a warning is the file.
struct Bifragment {
    uint64_t split = 0, second = 0, second_length = 0;
};

std::optional<Bifragment> find_bifragment(const ByteSource& source, uint64_t at,
                                          const Candidate& first, const CarveOptions& o,
                                          std::vector<std::byte>& region) {
    const Validation& v = first.validation;
    if (v.scan_start == 0) return std::nullopt;
    const uint64_t unit = source.unit();
    const uint64_t fail = v.verdict == Verdict::Valid ? v.length : v.failed_at;
    const uint64_t max = carved_types().front().max_size;
    // The bytes from the header on: first up to the failure, the largest gap and 2 MiB, all of
    // them (the type's maximum and the largest gap) only when a second fragment runs further.
    const uint64_t full = std::min(max + o.max_gap, source.size() - at);
    auto load = [&](uint64_t n) {
        region.resize(static_cast<size_t>(n));
        region.resize(source.read(at, region));
    };
    load(std::min<uint64_t>(full, fail + o.max_gap + (2ull << 20)));
    // Split points: unit boundaries in the stream, from a failure backwards. Two failures: where
    // validation failed, and where the entropy-coded data first holds a marker that a baseline
    // scan cannot (FF and anything but 00, a restart marker, fill or EOI). Filler whose bytes
    // happen to parse as marker segments carries validation far past the true end of the first
    // fragment; the second point is just after it for the baseline JPEGs cameras write.
    const uint64_t scanned_to = std::min<uint64_t>(fail, region.size());
    uint64_t strict = scanned_to;
    for (uint64_t i = v.scan_start; i + 1 < scanned_to; ++i) {
        if (std::to_integer<uint8_t>(region[i]) != 0xFF) continue;
        const auto next = std::to_integer<uint8_t>(region[i + 1]);
        if (next == 0x00 || next == 0xFF || (next >= 0xD0 && next <= 0xD7) || next == 0xD9)
            continue;
        strict = i;
        break;
    }
    std::vector<uint64_t> splits;
    auto add_splits = [&](uint64_t point) {
        size_t added = 0;
        for (uint64_t b = (at + point) / unit * unit; b > at + v.scan_start && added < o.max_splits;
             b -= unit) {
            if (b - at > point) continue;
            if (std::find(splits.begin(), splits.end(), b - at) == splits.end())
                splits.push_back(b - at);
            ++added;
        }
    };
    if (strict < fail) add_splits(strict);
    add_splits(fail);
    if (splits.empty()) return std::nullopt;
    uint64_t scanned = 0, decodes = 0;
    const uint64_t budget = 256ull << 20;  // bytes of second-fragment scanning per file
    std::vector<std::byte> joined;
    // Second-fragment starts in ascending order; for each, the first-fragment ends nearest the
    // failure first. The true pair comes before the pairs that start the second fragment later
    // (inside its real data, where every start walks to EOI).
    const uint64_t lowest = *std::min_element(splits.begin(), splits.end()) + unit;
    const uint64_t highest =
        std::min<uint64_t>(*std::max_element(splits.begin(), splits.end()) + o.max_gap, full);
    auto walk_from = [&](uint64_t second) {
        const auto rest = std::span<const std::byte>(region).subspan(static_cast<size_t>(second));
        return validate_jpeg_scan(rest.first(std::min<size_t>(rest.size(), max)), 0);
    };
    for (uint64_t second = lowest; second < highest; second += unit) {
        if (scanned > budget || second >= region.size()) return std::nullopt;
        Validation s = walk_from(second);
        if (s.verdict == Verdict::NeedMore && region.size() < full) {
            load(full);
            s = walk_from(second);
        }
        scanned += s.verdict == Verdict::Valid ? s.length : s.failed_at + 1;
        if (s.verdict != Verdict::Valid) continue;
        for (uint64_t split : splits) {
            if (split >= second || second - split > o.max_gap || split + s.length > max) continue;
            if (++decodes > o.max_decodes) return std::nullopt;
            joined.assign(region.begin(), region.begin() + static_cast<ptrdiff_t>(split));
            joined.insert(joined.end(), region.begin() + static_cast<ptrdiff_t>(second),
                          region.begin() + static_cast<ptrdiff_t>(second + s.length));
            if (jpeg_decodes(joined)) return Bifragment{split, second, s.length};
        }
    }
    return std::nullopt;
}

}  // namespace

CarveStats carve(const ByteSource& source, uint64_t from, uint64_t to, const CarveOptions& o,
                 const std::function<void(const CarvedFile&, std::span<const std::byte>)>& found) {
    CarveStats stats;
    const auto types = select_types(o.types);
    std::vector<std::string_view> headers;
    size_t longest = 0;
    for (const auto* t : types) {
        headers.push_back(t->header);
        longest = std::max(longest, t->header.size());
    }
    const HeaderSearch search(headers);
    to = std::min(to, source.size());
    const uint64_t step = o.every_offset ? 1 : kSectorStep;
    const auto align = [step](uint64_t offset) { return (offset + step - 1) / step * step; };
    std::vector<std::byte> window, region;
    uint64_t pos = align(from);  // and a multiple of the step at each window's start
    while (pos < to && !stats.capped) {
        const uint64_t span_end = std::min(to, pos + o.window);
        std::span<const std::byte> bytes = source.view(pos, span_end - pos + longest);
        if (bytes.empty()) {
            window.resize(static_cast<size_t>(span_end - pos + longest));
            window.resize(source.read(pos, window));
            bytes = window;
        }
        uint64_t next = align(span_end);  // offsets before it are not multiples
        const auto limit = static_cast<size_t>(span_end - pos);
        for (size_t i = 0; i < limit; ++i) {
            const auto hit = search.find(bytes, i, limit, static_cast<size_t>(step));
            if (!hit) break;
            i = hit->offset;
            const CarvedType* type = types[hit->header];
            ++stats.candidates;
            const uint64_t at = pos + i;
            Candidate c = read_and_validate(source, at, *type);
            const bool jpeg = type->name == "jpeg";
            CarvedFile f;
            f.stream_offset = at;
            f.image_offset = source.image_offset(at);
            f.type = type->name;
            f.extension = type->extension;
            std::span<const std::byte> content;
            std::vector<std::byte> joined;
            uint64_t resume = 0;  // where the search goes on after a carved file
            if (c.validation.verdict == Verdict::Valid &&
                (!jpeg || jpeg_decodes(std::span(c.bytes).first(c.validation.length)))) {
                f.length = c.validation.length;
                f.subtype = c.validation.subtype;
                if (!f.subtype.empty()) f.extension = f.subtype;
                f.validation = c.validation.reason + (jpeg ? "; libjpeg decodes it" : "");
                f.fragments = source.extents(at, f.length);
                content = std::span(c.bytes).first(static_cast<size_t>(f.length));
                resume = at + f.length;
            } else if (jpeg) {
                auto b = find_bifragment(source, at, c, o, region);
                if (!b) continue;
                joined.assign(region.begin(), region.begin() + static_cast<ptrdiff_t>(b->split));
                joined.insert(
                    joined.end(), region.begin() + static_cast<ptrdiff_t>(b->second),
                    region.begin() + static_cast<ptrdiff_t>(b->second + b->second_length));
                f.length = joined.size();
                f.validation =
                    "two fragments (bifragment gap carving): markers walked to EOI; "
                    "libjpeg decodes it";
                f.fragments = source.extents(at, b->split);
                for (const auto& e : source.extents(at + b->second, b->second_length))
                    f.fragments.push_back(e);
                content = joined;
                resume = at + b->split;  // the gap may hold other files
                ++stats.fragmented;
            } else {
                continue;
            }
            found(f, content);
            if (++stats.carved >= o.max_files) {
                stats.capped = true;
                break;
            }
            if (resume >= span_end) {
                next = align(resume);
                break;
            }
            i = static_cast<size_t>(resume - pos) - 1;  // on after the file, in this window
        }
        pos = next;
        if (o.progress) o.progress(std::min(pos, to) - from, to - from);
    }
    return stats;
}

}  // namespace dflab::engine::carving
