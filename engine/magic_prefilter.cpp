#include "engine/magic_prefilter.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstring>
#include <fstream>

#include "engine/magic_entry.hpp"

namespace dflab::engine {

using namespace magic;

struct MagicPrefilter::Impl {
    std::string reason;
    std::vector<Entry> entries;  // set 0 of the database, in order
    std::vector<std::byte> text_db;
    Evaluator evaluator{8192};

    // The top-level groups one pass of soft magic tries (binary or text), and an index of them:
    // groups found by the byte their top-level test needs at an offset (for each such offset, the
    // groups per byte value, CSR layout), then the groups that are tried on every head.
    struct Pass {
        std::vector<uint32_t> groups;           // start indexes into entries
        std::vector<uint32_t> group_end;        // one past each group's last entry
        std::vector<std::string> descriptions;  // of each group's top-level test
        struct ByteIndex {
            uint32_t offset;
            std::array<uint32_t, 257> start;
        };
        std::vector<ByteIndex> index;
        std::vector<uint32_t> indexed_groups;
        std::vector<uint32_t> always;
        // Per group: byte pairs one of which the head must hold for the top-level test to match
        // (count 0: no such condition), checked before the group's entries are read.
        struct Pairs {
            std::array<uint16_t, 4> pairs;
            uint8_t count;
        };
        std::vector<Pairs> needed;
    };
    Pass binary, text;
    size_t encoding_max = 65536;
    std::unique_ptr<std::bitset<65536>> pairs = std::make_unique<std::bitset<65536>>();

    bool load(const std::string& path);
    void build_index(Pass& pass);
    // What one group does in its pass (in order: the pass ends at the first group that outputs
    // or that finds a description).
    enum class Outcome { kNothing, kMatchedQuietly, kEndsPass, kMaybe };
    Outcome group_outcome(const Pass& pass, uint32_t g, Head h) const;
    // The first group of the pass that may output before the pass ends (groups.size(): none).
    uint32_t first_possible(const Pass& pass, Head h) const;
    // Whether a continuation under `parent` may output (true) and, if not, whether one with a
    // description surely matched (`found`).
    bool children_may_output(uint32_t parent, uint32_t end, Head h, int64_t parent_end,
                             bool& found) const;
};

bool MagicPrefilter::Impl::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    const std::streamoff size = in ? static_cast<std::streamoff>(in.tellg()) : -1;
    if (size < 0) {
        reason = path + ": cannot be read";
        return false;
    }
    if (static_cast<size_t>(size) < kRecord || static_cast<size_t>(size) % kRecord != 0) {
        reason = path + ": size is not a multiple of 376-byte records";
        return false;
    }
    std::vector<std::byte> db(static_cast<size_t>(size));
    in.seekg(0);
    if (!in.read(reinterpret_cast<char*>(db.data()), size)) {
        reason = path + ": cannot be read";
        return false;
    }
    const uint32_t magic = get_u32(db.data()), version = get_u32(db.data() + 4);
    const uint32_t n0 = get_u32(db.data() + 8), n1 = get_u32(db.data() + 12);
    if (magic != kMagicNumber || version != kVersion) {
        reason = path + ": not a version 18 compiled magic database in this byte order";
        return false;
    }
    const size_t records = db.size() / kRecord - 1;
    if (size_t{n0} + n1 != records || n0 == 0) {
        reason = path + ": entry counts in the header do not match the file size";
        return false;
    }
    entries.resize(n0);
    for (size_t i = 0; i < n0; ++i) {
        entries[i] = read_entry(db.data() + kRecord * (i + 1));
        const Entry& e = entries[i];
        if (e.vallen > kValueBytes) {
            reason = path + ": an entry's value is longer than 128 bytes";
            return false;
        }
    }
    if (entries.front().level != 0) {
        reason = path + ": set 0 does not start with a top-level entry";
        return false;
    }

    // The text database: the header (with the new count), every group of set 0 that the text
    // pass tries, and set 1 (the named subroutines `use` calls) whole.
    auto add_group = [&](Pass& pass, size_t i, size_t end) {
        pass.groups.push_back(static_cast<uint32_t>(i));
        pass.group_end.push_back(static_cast<uint32_t>(end));
        pass.descriptions.push_back(read_description(db.data() + kRecord * (i + 1)));
    };
    text_db.assign(db.begin(), db.begin() + kRecord);
    uint32_t kept = 0;
    for (size_t i = 0; i < n0;) {
        size_t end = i + 1;
        while (end < n0 && entries[end].level != 0) ++end;
        if (entries[i].flag & kBinaryTest) {
            add_group(binary, i, end);
        }
        if (entries[i].flag & kTextTest) {
            add_group(text, i, end);
            text_db.insert(text_db.end(), db.begin() + kRecord * (i + 1),
                           db.begin() + kRecord * (end + 1));
            kept += static_cast<uint32_t>(end - i);
        }
        i = end;
    }
    std::memcpy(text_db.data() + 8, &kept, 4);
    text_db.insert(text_db.end(), db.begin() + kRecord * (n0 + 1), db.end());

    // Regexes compiled once, as libmagic compiles them.
    if (!evaluator.ready()) {
        reason = "cannot create the C locale for regular expressions";
        return false;
    }
    for (auto& e : entries) evaluator.prepare(e);
    build_index(binary);
    build_index(text);
    return true;
}

// A group goes into the byte index when its top-level test can only match with one known byte
// at one known offset (and fails when that offset is past the head); all others are tried always.
void MagicPrefilter::Impl::build_index(Pass& pass) {
    struct Keyed {
        uint32_t offset, byte, group;
    };
    std::vector<Keyed> keyed;
    for (uint32_t g = 0; g < pass.groups.size(); ++g) {
        const Entry& m = entries[pass.groups[g]];
        bool keyed_ok = false;
        uint32_t at = 0, byte = 0;
        const bool plain_offset =
            (m.flag & (kIndirect | kOffsetAdd | kFromEnd)) == 0 && m.offset >= 0;
        if (plain_offset && m.reln == '=' && m.type == kString && m.vallen > 0 &&
            (m.str_flags & (kIgnoreLowercase | kIgnoreUppercase | kCompactWhitespace |
                            kOptionalWhitespace)) == 0 &&
            !(m.str_range != 0 && m.str_range < kValueBytes)) {
            keyed_ok = true;
            at = static_cast<uint32_t>(m.offset);
            byte = m.value[0];
        }
        const Numeric num = numeric_of(m.type);
        if (!keyed_ok && plain_offset && m.reln == '=' && num.width != 0 && num.bounds_checked &&
            (m.mask_op & ~kOpsMask) == 0 && (m.mask == 0 || (m.mask_op & kOpsMask) == 0)) {
            // v == l over `width` bytes: each byte of the head masked equals that byte of l.
            const uint64_t lw = truncate(m.q, num.width);
            const uint64_t mw =
                m.mask == 0 ? truncate(~uint64_t{0}, num.width) : truncate(m.mask, num.width);
            const uint64_t extended = (m.flag & kUnsigned) ? lw : sign_extend(lw, num.width);
            for (unsigned k = 0; k < num.width && extended == m.q; ++k) {
                static constexpr unsigned kMiddle[4] = {16, 24, 0, 8};
                const unsigned shift = num.order == Order::kLittle ? 8 * k
                                       : num.order == Order::kBig  ? 8 * (num.width - 1 - k)
                                                                   : kMiddle[k];
                if (((mw >> shift) & 0xff) != 0xff) continue;
                keyed_ok = true;
                at = static_cast<uint32_t>(m.offset) + k;
                byte = static_cast<uint32_t>((lw >> shift) & 0xff);
                break;
            }
        }
        Pass::Pairs needed{};
        const bool plain = (m.flag & (kIndirect | kOffsetAdd | kFromEnd)) == 0 && m.reln == '=';
        if (plain && (m.type == kString || m.type == kSearch))
            needed.count = static_cast<uint8_t>(
                first_pair_variants(m.value.data(), std::min<size_t>(m.vallen, kValueBytes),
                                    m.str_flags, false, needed.pairs));
        if (plain && m.type == kRegex && m.regex >= 0)
            needed.count = static_cast<uint8_t>(first_pair_variants(
                reinterpret_cast<const unsigned char*>(m.literal.data()), m.literal.size(), 0,
                (m.str_flags & (kIgnoreLowercase | kIgnoreUppercase)) != 0, needed.pairs));
        pass.needed.push_back(needed);
        if (keyed_ok) {
            keyed.push_back({at, byte, g});
        } else {
            pass.always.push_back(g);
        }
    }
    std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
        return a.offset != b.offset ? a.offset < b.offset
                                    : (a.byte != b.byte ? a.byte < b.byte : a.group < b.group);
    });
    for (size_t i = 0; i < keyed.size();) {
        Pass::ByteIndex bi{keyed[i].offset, {}};
        size_t j = i;
        for (uint32_t b = 0; b < 256; ++b) {
            bi.start[b] = static_cast<uint32_t>(pass.indexed_groups.size());
            while (j < keyed.size() && keyed[j].offset == bi.offset && keyed[j].byte == b) {
                pass.indexed_groups.push_back(keyed[j].group);
                ++j;
            }
        }
        bi.start[256] = static_cast<uint32_t>(pass.indexed_groups.size());
        pass.index.push_back(bi);
        i = j;
    }
}

// A cookie with MAGIC_MIME_TYPE outputs only MIME types (descriptions are not printed), so a
// group outputs only through an entry with a MIME type. An entry with a description that matches
// sets libmagic's found_match, which ends the pass (returning nothing) after its group.

// The continuations directly under `parent` (up to `end`): each that matches and has a MIME type
// is a "maybe"; each that matches passes the question to its own continuations.
bool MagicPrefilter::Impl::children_may_output(uint32_t parent, uint32_t end, Head h,
                                               int64_t parent_end, bool& found) const {
    const uint16_t level = static_cast<uint16_t>(entries[parent].level + 1);
    for (uint32_t i = parent + 1; i < end && entries[i].level >= level; ++i) {
        const Entry& c = entries[i];
        if (c.level != level) continue;
        if (c.type == kUse || c.type == kIndirectType || c.type == kName || c.type == 3 ||
            c.type == 47)
            return true;  // default, clear, use, indirect, name: not modelled
        int64_t c_end;
        switch (evaluator.test(c, h, parent_end, c_end)) {
            case Verdict::kNo:
                break;
            case Verdict::kMaybe:
                return true;
            case Verdict::kYes: {
                if (!c.no_mime) return true;
                if (c.has_desc) found = true;
                // moffset past the head (or not known): libmagic skips, or may skip, this
                // continuation's own continuations; a description found there is not sure.
                const bool runs = c_end != kUnknownEnd && static_cast<uint64_t>(c_end) <= h.size;
                if (c_end != kUnknownEnd && !runs) break;
                bool below = false;
                if (children_may_output(i, end, h, c_end, below)) return true;
                if (runs && below) found = true;
                break;
            }
        }
    }
    return false;
}

MagicPrefilter::Impl::Outcome MagicPrefilter::Impl::group_outcome(const Pass& pass, uint32_t g,
                                                                  Head h) const {
    const uint32_t start = pass.groups[g];
    const Entry& m = entries[start];
    // libmagic skips string tests marked binary-only ('b') when the head looks like text, which
    // every head taken here does (all bytes are text characters).
    if (is_string_type(m.type) &&
        (m.str_flags & (kStringTextTest | kStringBinaryTest)) == kStringBinaryTest)
        return Outcome::kNothing;
    int64_t end;
    switch (evaluator.test(m, h, kUnknownEnd, end)) {
        case Verdict::kNo:
            return Outcome::kNothing;
        case Verdict::kMaybe:
            return Outcome::kMaybe;
        case Verdict::kYes:
            break;
    }
    if (!m.no_mime) return Outcome::kMaybe;
    // moffset past the head: libmagic flushes the continuations, and skips the check that ends
    // the pass; not known: either may happen.
    if (end != kUnknownEnd && static_cast<uint64_t>(end) > h.size) return Outcome::kMatchedQuietly;
    bool found = false;
    if (children_may_output(start, pass.group_end[g], h, end, found)) return Outcome::kMaybe;
    if (end == kUnknownEnd) return Outcome::kMatchedQuietly;
    return (m.has_desc || found) ? Outcome::kEndsPass : Outcome::kMatchedQuietly;
}

namespace {
constexpr std::array<bool, 256> text_bytes() {
    std::array<bool, 256> t{};
    for (int c = 0x07; c <= 0x0d; ++c) t[static_cast<size_t>(c)] = true;
    t[0x1b] = true;
    for (int c = 0x20; c <= 0x7e; ++c) t[static_cast<size_t>(c)] = true;
    return t;
}
constexpr std::array<bool, 256> kTextByte = text_bytes();
}  // namespace

MagicPrefilter::MagicPrefilter(const std::string& path, size_t regex_max, size_t encoding_max)
    : impl_(std::make_unique<Impl>()) {
    impl_->evaluator = magic::Evaluator(regex_max);
    impl_->encoding_max = encoding_max;
    if (!impl_->load(path)) {
        impl_->entries.clear();
        impl_->binary = {};
        impl_->text = {};
        impl_->text_db.clear();
    }
}
MagicPrefilter::~MagicPrefilter() = default;
MagicPrefilter::MagicPrefilter(MagicPrefilter&&) noexcept = default;
MagicPrefilter& MagicPrefilter::operator=(MagicPrefilter&&) noexcept = default;

bool MagicPrefilter::usable() const {
    return impl_->reason.empty();
}
const std::string& MagicPrefilter::unusable_reason() const {
    return impl_->reason;
}
const std::vector<std::byte>& MagicPrefilter::text_database() const {
    return impl_->text_db;
}
size_t MagicPrefilter::binary_tests() const {
    return impl_->binary.groups.size();
}
size_t MagicPrefilter::text_tests() const {
    return impl_->text.groups.size();
}

namespace {
bool is_text(std::span<const std::byte> head) {
    if (head.size() < 2) return false;
    for (std::byte b : head)
        if (!kTextByte[static_cast<unsigned char>(b)]) return false;
    return true;
}
}  // namespace

// The first group of the pass that may output before a group that surely ends the pass
// (groups.size() when none may). Groups are numbered in libmagic's order.
uint32_t MagicPrefilter::Impl::first_possible(const Pass& pass, Head h) const {
    const auto none = static_cast<uint32_t>(pass.groups.size());
    uint32_t first_maybe = none, first_end = none;
    auto consider = [&](uint32_t g) {
        if (g > std::min(first_maybe, first_end)) return;  // libmagic never gets that far
        switch (group_outcome(pass, g, h)) {
            case Outcome::kMaybe:
                first_maybe = std::min(first_maybe, g);
                break;
            case Outcome::kEndsPass:
                first_end = std::min(first_end, g);
                break;
            default:
                break;
        }
    };
    for (const auto& bi : pass.index) {
        if (bi.offset >= h.size) break;
        const unsigned char b = h.data[bi.offset];
        for (uint32_t k = bi.start[b]; k < bi.start[b + 1u]; ++k) consider(pass.indexed_groups[k]);
    }
    for (uint32_t g : pass.always) {
        const auto& needed = pass.needed[g];
        if (!any_pair(h, needed.pairs, needed.count)) continue;
        consider(g);
    }
    return first_maybe < first_end ? first_maybe : none;
}

// The head's byte pairs, in the detector's scratch bitset (cleared again by ~PairsOf).
class PairsOf {
  public:
    PairsOf(std::bitset<65536>& bits, std::span<const std::byte> head) : bits_(bits), head_(head) {
        for (size_t i = 0; i + 1 < head.size(); ++i)
            bits_.set(static_cast<size_t>(head[i]) << 8 | static_cast<size_t>(head[i + 1]));
    }
    ~PairsOf() {
        if (head_.size() > 4096) {
            bits_.reset();
            return;
        }
        for (size_t i = 0; i + 1 < head_.size(); ++i)
            bits_.reset(static_cast<size_t>(head_[i]) << 8 | static_cast<size_t>(head_[i + 1]));
    }
    PairsOf(const PairsOf&) = delete;
    PairsOf& operator=(const PairsOf&) = delete;

  private:
    std::bitset<65536>& bits_;
    std::span<const std::byte> head_;
};

bool MagicPrefilter::no_binary_match(std::span<const std::byte> head) const {
    if (!usable() || !is_text(head)) return false;
    PairsOf pairs(*impl_->pairs, head);
    const Head h{reinterpret_cast<const unsigned char*>(head.data()), head.size(),
                 impl_->pairs.get()};
    return impl_->first_possible(impl_->binary, h) == impl_->binary.groups.size();
}

bool MagicPrefilter::no_text_match(std::span<const std::byte> head) const {
    if (!usable() || !is_text(head)) return false;
    // The text pass sees the head as converted by file_encoding: at most encoding_max bytes (ASCII
    // converts to itself). The pairs of the whole head are a superset of the pairs of that part.
    PairsOf pairs(*impl_->pairs, head);
    const Head h{reinterpret_cast<const unsigned char*>(head.data()),
                 std::min(head.size(), impl_->encoding_max), impl_->pairs.get()};
    return impl_->first_possible(impl_->text, h) == impl_->text.groups.size();
}

std::string MagicPrefilter::first_possible_test(std::span<const std::byte> head) const {
    if (!usable() || !is_text(head)) return "";
    const Impl& im = *impl_;
    PairsOf pairs(*impl_->pairs, head);
    Head h{reinterpret_cast<const unsigned char*>(head.data()), head.size(), impl_->pairs.get()};
    const Impl::Pass* pass = &im.binary;
    uint32_t g = im.first_possible(*pass, h);
    if (g == pass->groups.size()) {
        pass = &im.text;
        h.size = std::min(h.size, im.encoding_max);
        g = im.first_possible(*pass, h);
        if (g == pass->groups.size()) return "";
    }
    return std::string(pass == &im.binary ? "binary" : "text") + " pass, line " +
           std::to_string(im.entries[pass->groups[g]].lineno) + ": " + pass->descriptions[g];
}

}  // namespace dflab::engine
