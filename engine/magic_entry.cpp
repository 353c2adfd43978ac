#include "engine/magic_entry.hpp"

#include "engine/magic_regex.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

// The semantics below follow libmagic 5.44 (src/softmagic.c: mget, mcopy, mconvert, magiccheck,
// moffset, file_strncmp; src/funcs.c: file_regcomp, check_regex; src/der.c), re-expressed for one
// question: can this test match this head? Every case not modelled answers kMaybe.

namespace dflab::engine::magic {

// Sign extension as file_signextend does it for a value of `width` bytes.
uint64_t sign_extend(uint64_t v, unsigned width) {
    switch (width) {
        case 1:
            return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int8_t>(v)));
        case 2:
            return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int16_t>(v)));
        case 4:
            return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
        default:
            return v;
    }
}

uint64_t truncate(uint64_t v, unsigned width) {
    return width >= 8 ? v : v & ((uint64_t{1} << (8 * width)) - 1);
}

// The byte pairs (first << 8 | second) that the first two bytes of a pattern can be in the
// data, compared as file_strncmp compares under `flags` (or as REG_ICASE does). 0 when that is
// not known: fewer than two bytes, or whitespace under the whitespace flags.
size_t first_pair_variants(const unsigned char* pattern, size_t len, uint32_t flags,
                           bool ignore_case, std::array<uint16_t, 4>& out) {
    if (len < 2) return 0;
    const bool ws = flags & (kCompactWhitespace | kOptionalWhitespace);
    if (ws && (std::isspace(pattern[0]) || std::isspace(pattern[1]))) return 0;
    auto variants = [&](unsigned char c, unsigned char v[2]) {
        v[0] = c;
        v[1] = c;
        if (ignore_case) {
            v[0] = static_cast<unsigned char>(std::tolower(c));
            v[1] = static_cast<unsigned char>(std::toupper(c));
        } else if ((flags & kIgnoreLowercase) && std::islower(c)) {
            v[1] = static_cast<unsigned char>(std::toupper(c));
        } else if ((flags & kIgnoreUppercase) && std::isupper(c)) {
            v[1] = static_cast<unsigned char>(std::tolower(c));
        }
    };
    unsigned char a[2], b[2];
    variants(pattern[0], a);
    variants(pattern[1], b);
    size_t n = 0;
    for (unsigned char x : a)
        for (unsigned char y : b) out[n++] = static_cast<uint16_t>(x << 8 | y);
    return n;
}

bool any_pair(Head h, const std::array<uint16_t, 4>& pairs, size_t count) {
    for (size_t k = 0; k < count; ++k)
        if ((*h.pairs)[pairs[k]]) return true;
    return count == 0;
}

namespace {

// The relation applied to v (already sign-extended unless unsigned) and l.
Verdict relate(const Entry& m, uint64_t v, uint64_t l) {
    bool matched;
    switch (m.reln) {
        case 'x':
            return Verdict::kYes;
        case '!':
            matched = v != l;
            break;
        case '=':
            matched = v == l;
            break;
        case '>':
            matched =
                (m.flag & kUnsigned) ? v > l : static_cast<int64_t>(v) > static_cast<int64_t>(l);
            break;
        case '<':
            matched =
                (m.flag & kUnsigned) ? v < l : static_cast<int64_t>(v) < static_cast<int64_t>(l);
            break;
        case '&':
            matched = (v & l) == l;
            break;
        case '^':
            matched = (v & l) != l;
            break;
        default:
            return Verdict::kMaybe;
    }
    return matched ? Verdict::kYes : Verdict::kNo;
}

// What libmagic does when mget finds no data (returns 0): a '!' test then matches.
Verdict no_data(const Entry& m) {
    return m.reln == '!' ? Verdict::kYes : Verdict::kNo;
}

// OFFSET_OOB(n, o, i): the `i` bytes at `o` are not all inside the `n` bytes.
bool out_of_bounds(size_t n, uint64_t o, uint64_t i) {
    return n < o || i > n - o;
}

// file_strncmp: the pattern a (len bytes) against the data b, known up to b_end. Returns 0 on a
// match, as libmagic's does; sets `unknown` when libmagic would read past b_end (only the
// full-word check does), where its memory holds bytes this code cannot know.
uint64_t compare_string(bool& unknown, const unsigned char* a, const unsigned char* b,
                        const unsigned char* b_end, size_t len, size_t maxlen, uint32_t flags) {
    auto at = [&](const unsigned char* p) -> unsigned char { return p < b_end ? *p : 0; };
    uint64_t v = 0;
    const uint32_t ws = flags & (kCompactWhitespace | kOptionalWhitespace);
    const unsigned char* eb = b + (ws ? maxlen : len);
    if (flags == 0) {
        for (size_t i = 0; i < len; ++i) {
            v = static_cast<uint64_t>(static_cast<int64_t>(int{at(b + i)} - int{a[i]}));
            if (v != 0) break;
        }
        return v;
    }
    size_t left = len;
    for (; left > 0; --left) {
        if (b >= eb) {
            v = 1;
            break;
        }
        if ((flags & kIgnoreLowercase) && std::islower(*a)) {
            v = static_cast<uint64_t>(static_cast<int64_t>(std::tolower(at(b++)) - int{*a++}));
            if (v != 0) break;
        } else if ((flags & kIgnoreUppercase) && std::isupper(*a)) {
            v = static_cast<uint64_t>(static_cast<int64_t>(std::toupper(at(b++)) - int{*a++}));
            if (v != 0) break;
        } else if ((flags & kCompactWhitespace) && std::isspace(*a)) {
            a++;
            if (std::isspace(at(b))) {
                b++;
                if (!std::isspace(*a))
                    while (b < eb && std::isspace(at(b))) b++;
            } else {
                v = 1;
                break;
            }
        } else if ((flags & kOptionalWhitespace) && std::isspace(*a)) {
            a++;
            while (b < eb && std::isspace(at(b))) b++;
        } else {
            v = static_cast<uint64_t>(static_cast<int64_t>(int{at(b++)} - int{*a++}));
            if (v != 0) break;
        }
    }
    if (left == 0 && v == 0 && (flags & kFullWord)) {
        if (b >= b_end) unknown = true;
        if (at(b) && !std::isspace(at(b))) v = 1;
    }
    return v;
}

// Whether the pattern's first two bytes can occur in the head (true when not known).
bool first_pair_possible(Head h, const unsigned char* pattern, size_t len, uint32_t flags,
                         bool ignore_case) {
    std::array<uint16_t, 4> pairs{};
    return any_pair(h, pairs, first_pair_variants(pattern, len, flags, ignore_case, pairs));
}

// The value a numeric test sees: `width` bytes at `offset` in the head's order, zero-padded past
// the end (libmagic's mcopy), masked (mconvert), before sign extension. Empty when mconvert fails
// (division by zero): then mget reports no data.
bool read_numeric(const Entry& m, Head h, uint64_t offset, Numeric num, uint64_t& out) {
    unsigned char bytes[8] = {};
    if (offset < h.size) {
        const size_t n = std::min<size_t>(num.width, h.size - offset);
        std::memcpy(bytes, h.data + offset, n);
    }
    uint64_t v = 0;
    switch (num.order) {
        case Order::kLittle:
            for (unsigned k = 0; k < num.width; ++k) v |= uint64_t{bytes[k]} << (8 * k);
            break;
        case Order::kBig:
            for (unsigned k = 0; k < num.width; ++k) v = (v << 8) | bytes[k];
            break;
        case Order::kMiddle:
            v = (uint64_t{bytes[1]} << 24) | (uint64_t{bytes[0]} << 16) |
                (uint64_t{bytes[3]} << 8) | bytes[2];
            break;
    }
    const uint64_t mask = truncate(m.mask, num.width);
    if (m.mask != 0) {
        switch (m.mask_op & kOpsMask) {
            case 0:
                v &= mask;
                break;
            case 1:
                v |= mask;
                break;
            case 2:
                v ^= mask;
                break;
            case 3:
                v += mask;
                break;
            case 4:
                v -= mask;
                break;
            case 5:
                v *= mask;
                break;
            case 6:
                if (mask == 0) return false;
                v /= mask;
                break;
            case 7:
                if (mask == 0) return false;
                v %= mask;
                break;
        }
    }
    if (m.mask_op & kOpInverse) v = ~v;
    out = truncate(v, num.width);
    return true;
}

}  // namespace

Entry read_entry(const std::byte* r) {
    Entry e;
    std::memcpy(&e.level, r + kAtLevel, 2);
    e.flag = static_cast<uint8_t>(r[kAtFlag]);
    e.reln = static_cast<uint8_t>(r[kAtReln]);
    e.vallen = static_cast<uint8_t>(r[kAtVallen]);
    e.type = static_cast<uint8_t>(r[kAtType]);
    e.in_type = static_cast<uint8_t>(r[kAtInType]);
    e.in_op = static_cast<uint8_t>(r[kAtInOp]);
    e.mask_op = static_cast<uint8_t>(r[kAtMaskOp]);
    e.cond = static_cast<uint8_t>(r[kAtCond]);
    std::memcpy(&e.offset, r + kAtOffset, 4);
    std::memcpy(&e.in_offset, r + kAtInOffset, 4);
    std::memcpy(&e.lineno, r + kAtLineno, 4);
    e.mask = get_u64(r + kAtMask);
    e.str_range = get_u32(r + kAtMask);
    e.str_flags = get_u32(r + kAtMask + 4);
    std::memcpy(e.value.data(), r + kAtValue, kValueBytes);
    e.q = get_u64(r + kAtValue);
    e.num = numeric_of(e.type);
    // A cookie with MAGIC_MIME_TYPE prints no descriptions (MAGIC_NODESC): only a MIME type is
    // output (handle_annotation); a match with a description alone prints nothing.
    e.no_mime = r[kAtMime] == std::byte{0};
    e.has_desc = r[kAtDesc] != std::byte{0};
    return e;
}

std::string read_description(const std::byte* record) {
    const auto* desc = reinterpret_cast<const char*>(record + kAtDesc);
    return {desc, strnlen(desc, kAtMime - kAtDesc)};
}

struct Evaluator::CompiledRegex {
    regex_t rx{};
    bool compiled = false;
    CompiledRegex() = default;
    CompiledRegex(const CompiledRegex&) = delete;
    CompiledRegex& operator=(const CompiledRegex&) = delete;
    ~CompiledRegex() {
        if (compiled) regfree(&rx);
    }
};

Evaluator::Evaluator(size_t regex_max)
    : c_locale_(newlocale(LC_CTYPE_MASK, "C", static_cast<locale_t>(nullptr))),
      regex_max_(regex_max) {}
Evaluator::~Evaluator() = default;
Evaluator::Evaluator(Evaluator&&) noexcept = default;
Evaluator& Evaluator::operator=(Evaluator&&) noexcept = default;

bool Evaluator::ready() const {
    return c_locale_ != nullptr;
}

void Evaluator::prepare(Entry& e) {
    if (e.type != kRegex || !ready()) return;
    char pattern[kValueBytes + 1] = {};
    std::memcpy(pattern, e.value.data(), kValueBytes);
    if (!regex_acceptable(pattern)) return;
    auto compiled = std::make_unique<CompiledRegex>();
    const int cflags = REG_EXTENDED | REG_NEWLINE |
                       ((e.str_flags & (kIgnoreLowercase | kIgnoreUppercase)) ? REG_ICASE : 0);
    const locale_t old = uselocale(c_locale_.get());
    const int rc = regcomp(&compiled->rx, pattern, cflags);
    uselocale(old);
    if (rc != 0) return;
    compiled->compiled = true;
    e.regex = static_cast<int>(regexes_.size());
    e.literal = required_literal(pattern);
    regexes_.push_back(std::move(compiled));
}

Verdict Evaluator::numeric(const Entry& m, Head h, uint64_t offset, int64_t& end) const {
    const Numeric num = m.num;
    if (num.bounds_checked && out_of_bounds(h.size, offset, num.width)) return no_data(m);
    uint64_t v;
    if (!read_numeric(m, h, offset, num, v)) return no_data(m);
    if (!(m.flag & kUnsigned)) v = sign_extend(v, num.width);
    end = static_cast<int64_t>(offset) + num.width;
    return relate(m, v, m.q);
}

Verdict Evaluator::regex(const Entry& m, Head h, uint64_t offset, int64_t& end) const {
    if (m.regex < 0) return Verdict::kMaybe;  // libmagic refuses or fails to compile it
    if (h.size < offset) return no_data(m);
    const bool ignore_case = (m.str_flags & (kIgnoreLowercase | kIgnoreUppercase)) != 0;
    if (m.reln == '=' &&
        !first_pair_possible(h, reinterpret_cast<const unsigned char*>(m.literal.data()),
                             m.literal.size(), 0, ignore_case))
        return Verdict::kNo;
    // The region: str_range bytes, or str_range lines of at most 80 bytes, capped by regex_max.
    size_t lines = 0, bytes = m.str_range;
    if (m.str_flags & kRegexLineCount) {
        lines = m.str_range;
        bytes = lines * 80;
    }
    if (bytes == 0 || bytes > h.size - offset) bytes = h.size - offset;
    if (bytes > regex_max_) bytes = regex_max_;
    const char* begin = reinterpret_cast<const char*>(h.data) + offset;
    const char* region_end = begin + bytes;
    const char* last = region_end;
    for (const char* b = begin; lines > 0 && b < region_end; --lines, ++b) {
        const void* found = std::memchr(b, '\n', static_cast<size_t>(region_end - b));
        if (found == nullptr) found = std::memchr(b, '\r', static_cast<size_t>(region_end - b));
        if (found == nullptr) break;
        b = static_cast<const char*>(found);
        if (b < region_end - 1 && b[0] == '\r' && b[1] == '\n') ++b;
        if (b < region_end - 1 && b[0] == '\n') ++b;
        last = b;
    }
    if (lines > 0) last = region_end;
    // libmagic matches a copy without the region's last byte (it writes the terminator there).
    std::string copy(begin, static_cast<size_t>(last - begin));
    if (!copy.empty()) copy.pop_back();
    // Most patterns need a literal that most heads lack: then regexec cannot match.
    if (!m.literal.empty() && !contains(copy, m.literal, ignore_case)) return relate(m, 1, 0);
    regmatch_t match{};
    const locale_t old = uselocale(c_locale_.get());
    const int rc = regexec(&regexes_[static_cast<size_t>(m.regex)]->rx, copy.c_str(), 1, &match, 0);
    uselocale(old);
    if (rc != 0 && rc != REG_NOMATCH) return Verdict::kMaybe;
    if (rc == 0) {
        end = static_cast<int64_t>(offset) + match.rm_so;
        if (!(m.str_flags & kRegexOffsetStart)) end += match.rm_eo - match.rm_so;
    }
    return relate(m, rc == 0 ? 0 : 1, 0);
}

Verdict Evaluator::at_offset(const Entry& m, Head h, uint64_t offset, int64_t& end) const {
    end = kUnknownEnd;
    if (m.num.width != 0) return numeric(m, h, offset, end);
    switch (m.type) {
        case kString: {
            if (out_of_bounds(h.size, offset, m.vallen)) return no_data(m);
            if (m.reln == '=' && m.vallen > 0 && m.str_flags == 0 && h.data[offset] != m.value[0])
                return Verdict::kNo;
            // mcopy's copy: up to 128 bytes (or str_range), zero-padded, the last byte NUL.
            unsigned char copy[kValueBytes + 1] = {};
            size_t size = kValueBytes;
            if (m.str_range != 0 && m.str_range < kValueBytes) size = m.str_range;
            std::memcpy(copy, h.data + offset, std::min<size_t>(size, h.size - offset));
            copy[kValueBytes - 1] = 0;
            bool unknown = false;
            const uint64_t v = compare_string(unknown, m.value.data(), copy, copy + kValueBytes,
                                              m.vallen, kValueBytes, m.str_flags);
            if (unknown) return Verdict::kMaybe;
            if (m.reln == '=' || m.reln == '!') {
                end = static_cast<int64_t>(offset) + m.vallen;
            } else {
                const char* copied = reinterpret_cast<const char*>(copy);
                end = static_cast<int64_t>(offset) +
                      static_cast<int64_t>(m.value[0] == 0 ? std::strcspn(copied, "\r\n")
                                                           : std::strlen(copied));
            }
            return relate(m, v, 0);
        }
        case kSearch: {
            if (out_of_bounds(h.size, offset, m.vallen)) return no_data(m);
            const unsigned char* s = h.data + offset;
            const size_t s_len = h.size - offset;
            const size_t slen = std::min<size_t>(m.vallen, kValueBytes);
            if (m.reln == '=' && !first_pair_possible(h, m.value.data(), slen, m.str_flags, false))
                return Verdict::kNo;
            uint64_t v = 1;
            if (slen > 0 && m.str_flags == 0) {
                size_t span = m.str_range + slen;
                if (m.str_range == 0 || s_len < span) span = s_len;
                const void* found = memmem(s, span, m.value.data(), slen);
                v = found != nullptr ? 0 : 1;
                if (found != nullptr)
                    end = static_cast<int64_t>(offset) +
                          (static_cast<const unsigned char*>(found) - s);
            } else {
                for (size_t idx = 0; m.str_range == 0 || idx < m.str_range; ++idx) {
                    if (slen + idx > s_len) {
                        v = 1;
                        break;
                    }
                    bool unknown = false;
                    v = compare_string(unknown, m.value.data(), s + idx, h.data + h.size, slen,
                                       s_len - idx, m.str_flags);
                    if (unknown) return Verdict::kMaybe;
                    if (v == 0) {
                        end = static_cast<int64_t>(offset + idx);
                        break;
                    }
                }
            }
            if (end != kUnknownEnd && !(m.str_flags & kRegexOffsetStart)) end += m.vallen;
            return relate(m, v, 0);
        }
        case kRegex:
            return regex(m, h, offset, end);
        case kLeString16:
        case kBeString16: {
            // Every other byte is taken; past the end, libmagic leaves stale bytes, so a match of
            // the part that was copied is only "maybe".
            if (m.reln != '=') return Verdict::kMaybe;
            if (offset >= h.size) return m.value[0] == 0 ? Verdict::kMaybe : Verdict::kNo;
            size_t src = offset + (m.type == kBeString16 ? 1 : 0);
            for (size_t k = 0; k < m.vallen; ++k, src += 2) {
                if (src >= h.size || k >= kValueBytes - 1) return Verdict::kMaybe;
                unsigned char c = h.data[src];
                if (c == 0) return Verdict::kMaybe;  // never in ASCII text heads
                if (c != m.value[k]) return Verdict::kNo;
            }
            return Verdict::kYes;
        }
        case kPascalString: {
            // A necessary condition: the first byte after the length prefix (or NUL when the
            // length is zero) equals the value's first byte.
            if (m.reln != '=') return Verdict::kMaybe;
            if (out_of_bounds(h.size, offset, m.vallen)) return Verdict::kNo;
            if (m.vallen == 0) return Verdict::kMaybe;
            const size_t first = offset + 4 < h.size ? offset + 4 : h.size;
            for (size_t p = offset; p < first + 1 && p < h.size; ++p)
                if (h.data[p] == m.value[0]) return Verdict::kMaybe;
            return m.value[0] == 0 ? Verdict::kMaybe : Verdict::kNo;
        }
        case kGuid: {
            if (out_of_bounds(h.size, offset, 16)) return no_data(m);
            const int c = std::memcmp(m.value.data(), h.data + offset, 16);
            end = static_cast<int64_t>(offset) + 16;
            return relate(m, static_cast<uint64_t>(static_cast<int64_t>(c)), 0);
        }
        case kDer: {
            // der_cmp with a bare tag name: the tag byte names it and a short length fits.
            if (std::strcmp(reinterpret_cast<const char*>(m.value.data()), "seq") != 0)
                return Verdict::kMaybe;
            if (offset >= h.size) return Verdict::kNo;
            const unsigned char* b = h.data + offset;
            const size_t len = h.size - offset;
            const unsigned tag = b[0] & 0x1f;
            // A long-form tag continues while its bytes are >= 0x80: after an ASCII byte it is
            // tag 31 ("date"), never "seq"; with no byte after it, no tag at all.
            if (tag == 0x1f) return len > 1 && b[1] >= 0x80 ? Verdict::kMaybe : Verdict::kNo;
            if (tag != 16) return Verdict::kNo;
            if (len < 2) return Verdict::kNo;
            if (b[1] & 0x80) return Verdict::kMaybe;
            return 2 + size_t{b[1]} >= len ? Verdict::kNo : Verdict::kYes;
        }
        default:
            return Verdict::kMaybe;
    }
}

// One test at the offset libmagic computes for it: its own, or relative to its parent's end.
Verdict Evaluator::test(const Entry& m, Head h, int64_t parent_end, int64_t& end) const {
    end = kUnknownEnd;
    if (m.cond != 0) return Verdict::kMaybe;
    // A negative offset counts from the end of the file; magic_buffer has no file, so libmagic's
    // buffer_fill fails and the test (with the rest of its group) is skipped.
    if ((m.flag & kFromEnd) && !(m.flag & (kOffsetAdd | kIndirectOffsetAdd))) return Verdict::kNo;
    if (m.flag & kFromEnd) return Verdict::kMaybe;
    int64_t signed_offset = m.offset;
    if (m.flag & kOffsetAdd) {
        if (parent_end == kUnknownEnd) return Verdict::kMaybe;
        signed_offset += parent_end;
    }
    // mget reads ms->offset (an int32) as an unsigned 32-bit offset.
    uint64_t offset = static_cast<uint32_t>(static_cast<int32_t>(signed_offset));
    if (m.flag & kIndirect) {
        if (m.in_op & kOpIndirect) return Verdict::kMaybe;
        // The types mget reads an indirect offset as (others: "maybe").
        switch (m.in_type) {
            case kByte:
            case kShort:
            case kBeShort:
            case kLeShort:
            case kLong:
            case kBeLong:
            case kLeLong:
            case kMeLong:
            case kLeQuad:
            case kBeQuad:
                break;
            default:
                return Verdict::kMaybe;
        }
        Numeric in = numeric_of(m.in_type);
        in.bounds_checked = true;
        if (out_of_bounds(h.size, offset, in.width)) return no_data(m);
        uint64_t raw = 0;
        Entry plain{};
        plain.type = m.in_type;
        if (!read_numeric(plain, h, offset, in, raw)) return Verdict::kMaybe;
        const int64_t lhs = (m.in_op & kOpSigned) ? static_cast<int64_t>(sign_extend(raw, in.width))
                                                  : static_cast<int64_t>(raw);
        const int64_t off = m.in_offset;
        constexpr int64_t kUintMax = 0xffffffffLL, kIntMin = -0x80000000LL;
        if (lhs >= kUintMax || lhs <= kIntMin || off >= kUintMax || off <= kIntMin)
            return no_data(m);
        int64_t result = lhs;
        if (off != 0) {
            switch (m.in_op & kOpsMask) {
                case 0:
                    result = lhs & off;
                    break;
                case 1:
                    result = lhs | off;
                    break;
                case 2:
                    result = lhs ^ off;
                    break;
                case 3:
                    result = lhs + off;
                    break;
                case 4:
                    result = lhs - off;
                    break;
                case 5:
                    result = lhs * off;
                    break;
                case 6:
                    result = lhs / off;
                    break;
                case 7:
                    result = lhs % off;
                    break;
            }
        }
        if (m.in_op & kOpInverse) result = ~result;
        if (result >= kUintMax) return no_data(m);
        offset = static_cast<uint32_t>(result);
        if (m.flag & kIndirectOffsetAdd) {
            if (parent_end == kUnknownEnd) return m.level == 0 ? no_data(m) : Verdict::kMaybe;
            offset = static_cast<uint32_t>(offset + static_cast<uint64_t>(parent_end));
            if (offset == 0) return no_data(m);
        }
    }
    return at_offset(m, h, offset, end);
}

}  // namespace dflab::engine::magic
