#pragma once
// One test of libmagic's compiled database (magic.mgc, format 18 of file 5.40 to 5.45) evaluated
// against a text head, for MagicPrefilter (engine/magic_prefilter.hpp): the record layout of
// file 5.44's src/file.h, and an Evaluator that answers, for one entry, "matches", "does not
// match" or "maybe" (anything it does not model). Internal to the prefilter.
#include <locale.h>
#include <regex.h>

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace dflab::engine::magic {

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

inline Numeric numeric_of(uint8_t type) {
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

inline bool is_string_type(uint8_t t) {
    return t == kString || t == kPascalString || t == kBeString16 || t == kLeString16 ||
           t == kRegex || t == kSearch || t == kIndirectType || t == kName || t == kUse ||
           t == kOctal;
}

inline uint64_t get_u64(const std::byte* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
inline uint32_t get_u32(const std::byte* p) {
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
    uint64_t q = 0;         // value.q: the number numeric tests compare with
    Numeric num;            // how a numeric type is read (width 0: not numeric)
    bool no_mime = false;   // no MIME type: a match alone outputs nothing under MAGIC_MIME_TYPE
    bool has_desc = false;  // a description: a match ends the pass after this group (found_match)
    int regex = -1;         // index of the compiled regex in the Evaluator
    std::string literal;    // for a regex: bytes every match contains ("" when none is known)
};

// The bytes of the head every test reads; all ASCII text (checked by the caller).
struct Head {
    const unsigned char* data;
    size_t size;
    const std::bitset<65536>* pairs;  // the byte pairs (first << 8 | second) the whole head has
};

// Sign extension as file_signextend does it for a value of `width` bytes, and the low `width`
// bytes of a value.
uint64_t sign_extend(uint64_t v, unsigned width);
uint64_t truncate(uint64_t v, unsigned width);

// The byte pairs (first << 8 | second) that the first two bytes of a pattern can be in the
// data, compared as file_strncmp compares under `flags` (or as REG_ICASE does); how many (0 when
// that is not known: fewer than two bytes, or whitespace under the whitespace flags).
size_t first_pair_variants(const unsigned char* pattern, size_t len, uint32_t flags,
                           bool ignore_case, std::array<uint16_t, 4>& out);
// Whether the head holds one of the `count` pairs (true when count is 0).
bool any_pair(Head h, const std::array<uint16_t, 4>& pairs, size_t count);

// One record of the database; `description` is its desc field.
Entry read_entry(const std::byte* record);
std::string read_description(const std::byte* record);

class Evaluator {
  public:
    explicit Evaluator(size_t regex_max);
    ~Evaluator();
    Evaluator(Evaluator&&) noexcept;
    Evaluator& operator=(Evaluator&&) noexcept;

    // False when the C locale regexes need cannot be made (then nothing is to be evaluated).
    bool ready() const;
    // Compiles a regex entry's pattern once, as libmagic compiles it (C locale), and finds the
    // literal every match contains. Patterns libmagic refuses stay uncompiled ("maybe").
    void prepare(Entry& e);
    // The entry at the offset libmagic computes for it (its own, or relative to the end of its
    // parent's match, `parent_end`). `end` receives where libmagic's moffset puts this match's
    // end (kUnknownEnd when not modelled), the base of its continuations' relative offsets.
    Verdict test(const Entry& m, Head h, int64_t parent_end, int64_t& end) const;

  private:
    Verdict numeric(const Entry& m, Head h, uint64_t offset, int64_t& end) const;
    Verdict at_offset(const Entry& m, Head h, uint64_t offset, int64_t& end) const;
    Verdict regex(const Entry& m, Head h, uint64_t offset, int64_t& end) const;

    struct CompiledRegex;
    struct LocaleFree {
        void operator()(locale_t l) const noexcept { freelocale(l); }
    };
    std::vector<std::unique_ptr<CompiledRegex>> regexes_;
    std::unique_ptr<std::remove_pointer_t<locale_t>, LocaleFree> c_locale_;
    size_t regex_max_;
};

}  // namespace dflab::engine::magic
