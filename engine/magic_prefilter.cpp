#include "engine/magic_prefilter.hpp"

#include <locale.h>
#include <regex.h>

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string_view>

// The semantics below follow libmagic 5.44 (src/softmagic.c: mget, mcopy, mconvert, magiccheck,
// file_strncmp; src/apprentice.c: the compiled layout; src/der.c), re-expressed for one question:
// can this top-level test, or a continuation under a test that prints nothing, match? Every case
// not modelled here answers kMaybe, which sends the head to full libmagic.

namespace dflab::engine {

namespace {

// The compiled format, version 18 (file 5.40 to 5.45): 376-byte records, the first a header.
constexpr uint32_t kMagicNumber = 0xF11E041C;
constexpr uint32_t kVersion = 18;
constexpr size_t kRecord = 376;
constexpr size_t kValueBytes = 128;  // union VALUETYPE, MAXstring

// struct magic field offsets.
constexpr size_t kAtLevel = 0, kAtFlag = 2, kAtReln = 4, kAtVallen = 5, kAtType = 6, kAtInType = 7,
                 kAtInOp = 8, kAtMaskOp = 9, kAtCond = 10, kAtOffset = 12, kAtInOffset = 16,
                 kAtLineno = 20, kAtMask = 24, kAtValue = 32, kAtDesc = 160, kAtMime = 224;

// flag bits
constexpr uint8_t kIndirect = 0x01, kOffsetAdd = 0x02, kIndirectOffsetAdd = 0x04, kUnsigned = 0x08,
                  kBinaryTest = 0x20, kTextTest = 0x40, kFromEnd = 0x80;
// str_flags bits
constexpr uint32_t kCompactWhitespace = 1u << 0, kOptionalWhitespace = 1u << 1,
                   kIgnoreLowercase = 1u << 2, kIgnoreUppercase = 1u << 3,
                   kStringTextTest = 1u << 5, kStringBinaryTest = 1u << 6,
                   kRegexLineCount = 1u << 11, kRegexOffsetStart = 1u << 4, kFullWord = 1u << 14;
// in_op / mask_op bits
constexpr uint8_t kOpsMask = 0x07, kOpSigned = 0x20, kOpInverse = 0x40, kOpIndirect = 0x80;

enum Type : uint8_t {
    kByte = 1,
    kShort = 2,
    kLong = 4,
    kString = 5,
    kDate = 6,
    kBeShort = 7,
    kBeLong = 8,
    kBeDate = 9,
    kLeShort = 10,
    kLeLong = 11,
    kLeDate = 12,
    kPascalString = 13,
    kLDate = 14,
    kBeLDate = 15,
    kLeLDate = 16,
    kRegex = 17,
    kBeString16 = 18,
    kLeString16 = 19,
    kSearch = 20,
    kMeDate = 21,
    kMeLDate = 22,
    kMeLong = 23,
    kQuad = 24,
    kLeQuad = 25,
    kBeQuad = 26,
    kQDate = 27,
    kLeQDate = 28,
    kBeQDate = 29,
    kQLDate = 30,
    kLeQLDate = 31,
    kBeQLDate = 32,
    kQwDate = 42,
    kLeQwDate = 43,
    kBeQwDate = 44,
    kName = 45,
    kUse = 46,
    kDer = 48,
    kGuid = 49,
    kIndirectType = 41,
    kOctal = 59
};

enum class Verdict { kNo, kYes, kMaybe };
constexpr int64_t kUnknownEnd = -1;

// How a numeric type is read: width in bytes, byte order, and whether libmagic checks that the
// bytes are there (quads are read zero-padded instead).
enum class Order { kLittle, kBig, kMiddle };
struct Numeric {
    uint8_t width = 0;  // 0: not a numeric type handled here
    Order order = Order::kLittle;
    bool bounds_checked = true;
};

Numeric numeric_of(uint8_t type) {
    switch (type) {
        case kByte:
            return {1, Order::kLittle, true};
        case kShort:
        case kLeShort:
            return {2, Order::kLittle, true};
        case kBeShort:
            return {2, Order::kBig, true};
        case kLong:
        case kLeLong:
        case kDate:
        case kLeDate:
        case kLDate:
        case kLeLDate:
            return {4, Order::kLittle, true};
        case kBeLong:
        case kBeDate:
        case kBeLDate:
            return {4, Order::kBig, true};
        case kMeLong:
        case kMeDate:
        case kMeLDate:
            return {4, Order::kMiddle, true};
        case kQuad:
        case kLeQuad:
        case kQDate:
        case kLeQDate:
        case kQLDate:
        case kLeQLDate:
        case kQwDate:
        case kLeQwDate:
            return {8, Order::kLittle, false};
        case kBeQuad:
        case kBeQDate:
        case kBeQLDate:
        case kBeQwDate:
            return {8, Order::kBig, false};
        default:
            return {};
    }
}

bool is_string_type(uint8_t t) {
    return t == kString || t == kPascalString || t == kBeString16 || t == kLeString16 ||
           t == kRegex || t == kSearch || t == kIndirectType || t == kName || t == kUse ||
           t == kOctal;
}

uint64_t get_u64(const std::byte* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
uint32_t get_u32(const std::byte* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}

struct Entry {
    uint16_t level = 0;
    uint8_t flag = 0, reln = 0, vallen = 0, type = 0, in_type = 0, in_op = 0, mask_op = 0, cond = 0;
    int32_t offset = 0, in_offset = 0;
    uint32_t lineno = 0;
    uint64_t mask = 0;  // num_mask; for strings str_range (low) and str_flags (high)
    uint32_t str_range = 0, str_flags = 0;
    std::array<unsigned char, kValueBytes> value{};
    uint64_t q = 0;       // value.q: the number numeric tests compare with
    Numeric num;          // how a numeric type is read (width 0: not numeric)
    bool silent = false;  // no description and no MIME type: a match alone prints nothing
    int regex = -1;       // index into Impl::regexes
    std::string literal;  // for a regex: bytes every match contains ("" when none is known)
};

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

// libmagic's check_regex: patterns it refuses (and then reports an error for).
bool regex_acceptable(const char* pattern) {
    unsigned char previous = 0;
    for (const char* p = pattern; *p; ++p) {
        const auto c = static_cast<unsigned char>(*p);
        if (c == previous && std::strchr("?*+{", c) != nullptr) return false;
        previous = c;
        if (std::isprint(c) || std::isspace(c) || c == '\b' || c == 0x8a) continue;
        return false;
    }
    return true;
}

// A run of literal bytes every match of the extended regular expression contains: the longest
// run of plain characters in the top-level sequence (outside groups and bracket expressions, and
// without a character a quantifier makes optional). "" when none is found or the pattern has a
// top-level alternation.
std::string required_literal(const char* pattern) {
    std::string best, run;
    auto end_run = [&] {
        if (run.size() > best.size()) best = run;
        run.clear();
    };
    for (const char* p = pattern; *p;) {
        const char c = *p;
        if (c == '|') return "";
        if (c == '*' || c == '?' || c == '{') {
            if (!run.empty()) run.pop_back();
            end_run();
            if (c == '{') {
                const char* close = std::strchr(p, '}');
                if (close == nullptr) return "";
                p = close + 1;
            } else {
                ++p;
            }
            continue;
        }
        if (c == '+') {
            end_run();
            ++p;
            continue;
        }
        if (c == '^' || c == '$' || c == '.') {
            end_run();
            ++p;
            continue;
        }
        if (c == '[') {  // bracket expression: "[]...]", "[^]...]", "[:class:]" inside
            end_run();
            ++p;
            if (*p == '^') ++p;
            if (*p == ']') ++p;
            while (*p && *p != ']') {
                if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                    const char kind = p[1];
                    p += 2;
                    while (*p && !(p[0] == kind && p[1] == ']')) ++p;
                    if (!*p) return "";
                    p += 2;
                } else {
                    ++p;
                }
            }
            if (!*p) return "";
            ++p;
            // a quantifier after the bracket only repeats it
            continue;
        }
        if (c == '(') {  // a group, perhaps with alternatives inside: skipped whole
            end_run();
            int depth = 0;
            for (; *p; ++p) {
                if (*p == '\\' && p[1]) {
                    ++p;
                } else if (*p == '[') {
                    ++p;
                    if (*p == '^') ++p;
                    if (*p == ']') ++p;
                    while (*p && *p != ']') {
                        if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
                            const char kind = p[1];
                            p += 2;
                            while (*p && !(p[0] == kind && p[1] == ']')) ++p;
                            if (!*p) return "";
                            ++p;
                        }
                        ++p;
                    }
                    if (!*p) return "";
                } else if (*p == '(') {
                    ++depth;
                } else if (*p == ')') {
                    if (--depth == 0) break;
                }
            }
            if (!*p) return "";
            ++p;
            continue;
        }
        if (c == '\\') {
            const auto next = static_cast<unsigned char>(p[1]);
            if (next == 0) return "";
            if (std::isalnum(next) || next == '<' || next == '>' || next == '`' || next == '\'') {
                end_run();  // GNU operators (\w, \b, \<, ...) and back-references
            } else {
                run.push_back(static_cast<char>(next));
            }
            p += 2;
            continue;
        }
        run.push_back(c);
        ++p;
    }
    end_run();
    return best;
}

// memmem, or a search ignoring ASCII case (the C locale's REG_ICASE).
bool contains(std::string_view hay, std::string_view needle, bool ignore_case) {
    if (!ignore_case) return hay.find(needle) != std::string_view::npos;
    auto lower = [](unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; };
    if (needle.size() > hay.size()) return false;
    for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        size_t k = 0;
        while (k < needle.size() && lower(static_cast<unsigned char>(hay[i + k])) ==
                                        lower(static_cast<unsigned char>(needle[k])))
            ++k;
        if (k == needle.size()) return true;
    }
    return false;
}

struct RegexFree {
    void operator()(regex_t* r) const noexcept {
        regfree(r);
        delete r;
    }
};
struct LocaleFree {
    void operator()(locale_t l) const noexcept { freelocale(l); }
};

// The bytes of the head every test reads; all ASCII text (checked by the caller).
struct Head {
    const unsigned char* data;
    size_t size;
    const std::bitset<65536>* pairs;  // the byte pairs (first << 8 | second) the whole head has
};

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

// Whether the pattern's first two bytes can occur in the head (true when not known).
bool first_pair_possible(Head h, const unsigned char* pattern, size_t len, uint32_t flags,
                         bool ignore_case) {
    std::array<uint16_t, 4> pairs{};
    return any_pair(h, pairs, first_pair_variants(pattern, len, flags, ignore_case, pairs));
}

}  // namespace

struct MagicPrefilter::Impl {
    std::string reason;
    std::vector<Entry> entries;  // set 0 of the database, in order
    std::vector<std::byte> text_db;
    std::vector<std::unique_ptr<regex_t, RegexFree>> regexes;
    std::unique_ptr<std::remove_pointer_t<locale_t>, LocaleFree> c_locale;
    size_t regex_max = 8192;

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
    // `end` receives where libmagic's moffset puts the match's end (kUnknownEnd when not
    // modelled), the base of the continuations' relative offsets.
    Verdict test(const Entry& m, Head h, int64_t parent_end, int64_t& end) const;
    Verdict numeric(const Entry& m, Head h, uint64_t offset, int64_t& end) const;
    Verdict at_offset(const Entry& m, Head h, uint64_t offset, int64_t& end) const;
    Verdict regex(const Entry& m, Head h, uint64_t offset, int64_t& end) const;
    bool group_may_print(const Pass& pass, uint32_t g, Head h) const;
    uint32_t first_possible(const Pass& pass, Head h) const;
    bool children_may_print(uint32_t parent, uint32_t end, Head h, int64_t parent_end) const;
};

bool MagicPrefilter::Impl::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        reason = path + ": cannot be read";
        return false;
    }
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), {});
    if (raw.size() < kRecord || raw.size() % kRecord != 0) {
        reason = path + ": size is not a multiple of 376-byte records";
        return false;
    }
    std::vector<std::byte> db(raw.size());
    std::memcpy(db.data(), raw.data(), raw.size());
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
        const std::byte* r = db.data() + kRecord * (i + 1);
        Entry& e = entries[i];
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
        e.silent = r[kAtDesc] == std::byte{0} && r[kAtMime] == std::byte{0};
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
        const auto* desc = reinterpret_cast<const char*>(db.data() + kRecord * (i + 1) + kAtDesc);
        pass.descriptions.emplace_back(desc, strnlen(desc, kAtMime - kAtDesc));
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

    // Regexes of the binary pass, compiled once as libmagic compiles them (C locale).
    c_locale.reset(newlocale(LC_CTYPE_MASK, "C", static_cast<locale_t>(nullptr)));
    if (!c_locale) {
        reason = "cannot create the C locale for regular expressions";
        return false;
    }
    for (auto& e : entries) {
        if (e.type != kRegex) continue;
        char pattern[kValueBytes + 1] = {};
        std::memcpy(pattern, e.value.data(), kValueBytes);
        if (!regex_acceptable(pattern)) continue;
        auto rx = std::unique_ptr<regex_t, RegexFree>(new regex_t);
        const int cflags = REG_EXTENDED | REG_NEWLINE |
                           ((e.str_flags & (kIgnoreLowercase | kIgnoreUppercase)) ? REG_ICASE : 0);
        const locale_t old = uselocale(c_locale.get());
        const int rc = regcomp(rx.get(), pattern, cflags);
        uselocale(old);
        if (rc != 0) {
            rx.release();  // regcomp failed: nothing to regfree
            continue;
        }
        e.regex = static_cast<int>(regexes.size());
        e.literal = required_literal(pattern);
        regexes.push_back(std::move(rx));
    }
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

// The value a numeric test sees: `width` bytes at `offset` in the head's order, zero-padded past
// the end (libmagic's mcopy), masked (mconvert), before sign extension. Empty when mconvert fails
// (division by zero): then mget reports no data.
static bool read_numeric(const Entry& m, Head h, uint64_t offset, Numeric num, uint64_t& out) {
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

Verdict MagicPrefilter::Impl::numeric(const Entry& m, Head h, uint64_t offset, int64_t& end) const {
    const Numeric num = m.num;
    if (num.bounds_checked && out_of_bounds(h.size, offset, num.width)) return no_data(m);
    uint64_t v;
    if (!read_numeric(m, h, offset, num, v)) return no_data(m);
    if (!(m.flag & kUnsigned)) v = sign_extend(v, num.width);
    end = static_cast<int64_t>(offset) + num.width;
    return relate(m, v, m.q);
}

Verdict MagicPrefilter::Impl::regex(const Entry& m, Head h, uint64_t offset, int64_t& end) const {
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
    if (bytes > regex_max) bytes = regex_max;
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
    const locale_t old = uselocale(c_locale.get());
    const int rc = regexec(regexes[static_cast<size_t>(m.regex)].get(), copy.c_str(), 1, &match, 0);
    uselocale(old);
    if (rc != 0 && rc != REG_NOMATCH) return Verdict::kMaybe;
    if (rc == 0) {
        end = static_cast<int64_t>(offset) + match.rm_so;
        if (!(m.str_flags & kRegexOffsetStart)) end += match.rm_eo - match.rm_so;
    }
    return relate(m, rc == 0 ? 0 : 1, 0);
}

Verdict MagicPrefilter::Impl::at_offset(const Entry& m, Head h, uint64_t offset,
                                        int64_t& end) const {
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
            if (tag == 0x1f) return Verdict::kMaybe;
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
Verdict MagicPrefilter::Impl::test(const Entry& m, Head h, int64_t parent_end, int64_t& end) const {
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

// Whether the continuations directly under `parent` (up to `end`) can print: each that matches
// and prints is a "maybe"; each that matches silently passes the question to its own children.
bool MagicPrefilter::Impl::children_may_print(uint32_t parent, uint32_t end, Head h,
                                              int64_t parent_end) const {
    const uint16_t level = static_cast<uint16_t>(entries[parent].level + 1);
    for (uint32_t i = parent + 1; i < end && entries[i].level >= level; ++i) {
        const Entry& c = entries[i];
        if (c.level != level) continue;
        if (c.type == kUse || c.type == kIndirectType || c.type == kName || c.type == 3 ||
            c.type == 47)
            return true;  // default, clear, use, indirect, name: not modelled
        int64_t c_end;
        switch (test(c, h, parent_end, c_end)) {
            case Verdict::kNo:
                break;
            case Verdict::kMaybe:
                return true;
            case Verdict::kYes:
                if (!c.silent) return true;
                // moffset past the head: libmagic skips this continuation's own continuations
                if (c_end != kUnknownEnd && static_cast<uint64_t>(c_end) > h.size) break;
                if (children_may_print(i, end, h, c_end)) return true;
                break;
        }
    }
    return false;
}

bool MagicPrefilter::Impl::group_may_print(const Pass& pass, uint32_t g, Head h) const {
    const uint32_t start = pass.groups[g];
    const Entry& m = entries[start];
    // libmagic skips string tests marked binary-only ('b') when the head looks like text, which
    // every head taken here does (all bytes are text characters).
    if (is_string_type(m.type) &&
        (m.str_flags & (kStringTextTest | kStringBinaryTest)) == kStringBinaryTest)
        return false;
    int64_t end;
    switch (test(m, h, kUnknownEnd, end)) {
        case Verdict::kNo:
            return false;
        case Verdict::kMaybe:
            return true;
        case Verdict::kYes:
            if (!m.silent) return true;
            // moffset past the head: libmagic flushes the group's continuations
            if (end != kUnknownEnd && static_cast<uint64_t>(end) > h.size) return false;
            return children_may_print(start, pass.group_end[g], h, end);
    }
    return true;
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
    impl_->regex_max = regex_max;
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

// The first group of the pass that may print for a text head (groups.size() when none may).
uint32_t MagicPrefilter::Impl::first_possible(const Pass& pass, Head h) const {
    for (const auto& bi : pass.index) {
        if (bi.offset >= h.size) break;
        const unsigned char b = h.data[bi.offset];
        for (uint32_t k = bi.start[b]; k < bi.start[b + 1u]; ++k)
            if (group_may_print(pass, pass.indexed_groups[k], h)) return pass.indexed_groups[k];
    }
    for (uint32_t g : pass.always) {
        const auto& needed = pass.needed[g];
        if (!any_pair(h, needed.pairs, needed.count)) continue;
        if (group_may_print(pass, g, h)) return g;
    }
    return static_cast<uint32_t>(pass.groups.size());
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
