#include "engine/keyword_search.hpp"

// Both PCRE2 libraries are used (8-bit for ASCII/UTF-8, 16-bit for UTF-16LE), so no default code
// unit width: every PCRE2 name below carries its explicit _8 or _16 suffix.
#define PCRE2_CODE_UNIT_WIDTH 0
#include <pcre2.h>

#include <algorithm>
#include <array>
#include <new>
#include <string_view>
#include <tuple>
#include <utility>

#include "common/utf16.hpp"
#include "common/utf8.hpp"
#include "engine/error.hpp"

namespace dflab::engine {

namespace {

// Per start position, a bound on backtracking (the interpreter's main loop count; the JIT uses it
// "in a different way") and on nesting depth, so that a pathological regex gives up promptly.
constexpr uint32_t kMatchLimit = 1'000'000;
constexpr uint32_t kDepthLimit = 100'000;
constexpr size_t kJitStackStart = 32 * 1024;
constexpr size_t kJitStackMax = 1024 * 1024;

constexpr char32_t kInvalid = 0xFFFFFFFF;
constexpr char32_t kReplacement = 0xFFFD;

// Decodes one UTF-8 sequence at p[i] (strictly: no overlongs, surrogates or values above
// U+10FFFF) and advances i past it; on an invalid sequence advances one byte, returns kInvalid.
char32_t next_utf8(std::span<const unsigned char> p, size_t& i) {
    const unsigned lead = p[i];
    if (lead < 0x80) {
        ++i;
        return lead;
    }
    size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        len = 2, cp = lead & 0x1F, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        len = 3, cp = lead & 0x0F, min = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        len = 4, cp = lead & 0x07, min = 0x10000;
    } else {
        ++i;
        return kInvalid;
    }
    if (p.size() - i < len) {
        ++i;
        return kInvalid;
    }
    for (size_t k = 1; k < len; ++k) {
        const unsigned c = p[i + k];
        if ((c & 0xC0) != 0x80) {
            ++i;
            return kInvalid;
        }
        cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
        ++i;
        return kInvalid;
    }
    i += len;
    return cp;
}

// Bytes as UTF-8, each invalid byte replaced by U+FFFD.
std::string utf8_text(std::span<const unsigned char> bytes) {
    std::string out;
    out.reserve(bytes.size());
    for (size_t i = 0; i < bytes.size();) {
        const char32_t cp = next_utf8(bytes, i);
        common::append_utf8(out, cp == kInvalid ? kReplacement : cp);
    }
    return out;
}

std::span<const unsigned char> as_bytes(std::string_view s) {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

// A term as it is shown in a one-line message: control characters escaped.
std::string printable(std::string_view term) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (const char c : term) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            out += "\\x";
            out += kDigits[u >> 4];
            out += kDigits[u & 0xF];
        } else {
            out += c;
        }
    }
    return out;
}

// The explicit-width PCRE2 API, so that compiling and scanning are written once.
struct Width8 {
    using Unit = PCRE2_UCHAR8;
    using Code = pcre2_code_8;
    using MatchData = pcre2_match_data_8;
    using MatchContext = pcre2_match_context_8;
    using JitStack = pcre2_jit_stack_8;
    static constexpr std::string_view kEncoding = "utf-8";

    static Code* compile(std::span<const Unit> pattern, uint32_t options, int* error,
                         PCRE2_SIZE* offset) {
        return pcre2_compile_8(pattern.data(), pattern.size(), options, error, offset, nullptr);
    }
    static int jit_compile(Code* code) { return pcre2_jit_compile_8(code, PCRE2_JIT_COMPLETE); }
    static void free(Code* p) { pcre2_code_free_8(p); }
    static void free(MatchData* p) { pcre2_match_data_free_8(p); }
    static void free(MatchContext* p) { pcre2_match_context_free_8(p); }
    static void free(JitStack* p) { pcre2_jit_stack_free_8(p); }
    static MatchData* match_data() { return pcre2_match_data_create_8(1, nullptr); }
    static MatchContext* match_context() { return pcre2_match_context_create_8(nullptr); }
    static JitStack* jit_stack() {
        return pcre2_jit_stack_create_8(kJitStackStart, kJitStackMax, nullptr);
    }
    static void assign(MatchContext* c, JitStack* s) { pcre2_jit_stack_assign_8(c, nullptr, s); }
    static void set_limits(MatchContext* c) {
        pcre2_set_match_limit_8(c, kMatchLimit);
        pcre2_set_depth_limit_8(c, kDepthLimit);
    }
    static void set_offset_limit(MatchContext* c, PCRE2_SIZE limit) {
        pcre2_set_offset_limit_8(c, limit);
    }
    static int match(const Code* code, std::span<const Unit> subject, PCRE2_SIZE start,
                     uint32_t options, MatchData* md, MatchContext* c) {
        return pcre2_match_8(code, subject.data(), subject.size(), start, options, md, c);
    }
    static const PCRE2_SIZE* ovector(MatchData* md) { return pcre2_get_ovector_pointer_8(md); }
};

struct Width16 {
    using Unit = PCRE2_UCHAR16;
    using Code = pcre2_code_16;
    using MatchData = pcre2_match_data_16;
    using MatchContext = pcre2_match_context_16;
    using JitStack = pcre2_jit_stack_16;
    static constexpr std::string_view kEncoding = "utf-16le";

    static Code* compile(std::span<const Unit> pattern, uint32_t options, int* error,
                         PCRE2_SIZE* offset) {
        return pcre2_compile_16(pattern.data(), pattern.size(), options, error, offset, nullptr);
    }
    static int jit_compile(Code* code) { return pcre2_jit_compile_16(code, PCRE2_JIT_COMPLETE); }
    static void free(Code* p) { pcre2_code_free_16(p); }
    static void free(MatchData* p) { pcre2_match_data_free_16(p); }
    static void free(MatchContext* p) { pcre2_match_context_free_16(p); }
    static void free(JitStack* p) { pcre2_jit_stack_free_16(p); }
    static MatchData* match_data() { return pcre2_match_data_create_16(1, nullptr); }
    static MatchContext* match_context() { return pcre2_match_context_create_16(nullptr); }
    static JitStack* jit_stack() {
        return pcre2_jit_stack_create_16(kJitStackStart, kJitStackMax, nullptr);
    }
    static void assign(MatchContext* c, JitStack* s) { pcre2_jit_stack_assign_16(c, nullptr, s); }
    static void set_limits(MatchContext* c) {
        pcre2_set_match_limit_16(c, kMatchLimit);
        pcre2_set_depth_limit_16(c, kDepthLimit);
    }
    static void set_offset_limit(MatchContext* c, PCRE2_SIZE limit) {
        pcre2_set_offset_limit_16(c, limit);
    }
    static int match(const Code* code, std::span<const Unit> subject, PCRE2_SIZE start,
                     uint32_t options, MatchData* md, MatchContext* c) {
        return pcre2_match_16(code, subject.data(), subject.size(), start, options, md, c);
    }
    static const PCRE2_SIZE* ovector(MatchData* md) { return pcre2_get_ovector_pointer_16(md); }
};

template <class W>
struct Free {
    template <class T>
    void operator()(T* p) const noexcept {
        W::free(p);
    }
};
template <class W>
using CodePtr = std::unique_ptr<typename W::Code, Free<W>>;
template <class W>
using MatchDataPtr = std::unique_ptr<typename W::MatchData, Free<W>>;
template <class W>
using MatchContextPtr = std::unique_ptr<typename W::MatchContext, Free<W>>;
template <class W>
using JitStackPtr = std::unique_ptr<typename W::JitStack, Free<W>>;

std::string error_message(int code) {
    std::array<PCRE2_UCHAR8, 256> buffer{};
    if (pcre2_get_error_message_8(code, buffer.data(), buffer.size()) < 0) {
        return "PCRE2 error " + std::to_string(code);
    }
    return reinterpret_cast<const char*>(buffer.data());
}

// A term's pattern in UTF-16, with the UTF-8 byte offset of each code unit (plus one past the
// end) so that a compile error can be reported at the same offset as for the UTF-8 pattern.
struct Utf16Pattern {
    std::vector<PCRE2_UCHAR16> units;
    std::vector<size_t> byte_offsets;
};

Utf16Pattern to_utf16(std::string_view utf8) {
    Utf16Pattern out;
    const auto bytes = as_bytes(utf8);
    for (size_t i = 0; i < bytes.size();) {
        const size_t at = i;
        char32_t cp = next_utf8(bytes, i);
        if (cp == kInvalid) cp = kReplacement;  // unreachable: the UTF-8 compile rejects it
        if (cp >= 0x10000) {
            cp -= 0x10000;
            out.units.push_back(static_cast<PCRE2_UCHAR16>(0xD800 + (cp >> 10)));
            out.units.push_back(static_cast<PCRE2_UCHAR16>(0xDC00 + (cp & 0x3FF)));
            out.byte_offsets.insert(out.byte_offsets.end(), 2, at);
        } else {
            out.units.push_back(static_cast<PCRE2_UCHAR16>(cp));
            out.byte_offsets.push_back(at);
        }
    }
    out.byte_offsets.push_back(bytes.size());
    return out;
}

template <class W>
CodePtr<W> compile(const KeywordTerm& term, std::span<const typename W::Unit> pattern,
                   uint32_t options, const std::vector<size_t>* byte_offsets) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    CodePtr<W> code(W::compile(pattern, options, &error, &offset));
    if (!code) {
        if (byte_offsets && offset < byte_offsets->size()) offset = (*byte_offsets)[offset];
        throw Error("term '" + printable(term.text) + "': " + error_message(error) + " at offset " +
                    std::to_string(offset));
    }
    // The JIT is an optimisation: where it is unavailable or fails, the interpreter is used.
    (void)W::jit_compile(code.get());
    return code;
}

// Per-search scratch for one code unit width: pcre2_match state is never shared between threads.
template <class W>
struct Scratch {
    MatchDataPtr<W> data{W::match_data()};
    MatchContextPtr<W> context{W::match_context()};
    JitStackPtr<W> jit_stack{W::jit_stack()};

    Scratch() {
        if (!data || !context) throw std::bad_alloc();
        W::set_limits(context.get());
        // Without a stack of its own the JIT uses 32 KiB of the machine stack.
        if (jit_stack) W::assign(context.get(), jit_stack.get());
    }
};

bool is_resource_limit(int rc) {
    return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
           rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT;
}

// Every non-empty, non-overlapping match of code in subject that starts before `starts` (a code
// unit count); calls emit(first, end) in code units. A match that exceeds a resource limit ends
// the scan: there are no more hits for this term in this subject.
template <class W, class Emit>
void scan(const KeywordTerm& term, const typename W::Code* code,
          std::span<const typename W::Unit> subject, size_t starts, Scratch<W>& scratch,
          Emit&& emit) {
    if (starts == 0) return;
    W::set_offset_limit(scratch.context.get(), starts - 1);
    // PCRE2_NOTEMPTY: an empty match (e.g. of "a*") is never a hit; the search goes on past it.
    uint32_t options = PCRE2_NOTEMPTY;
    size_t start = 0;
    while (start < starts) {
        const int rc =
            W::match(code, subject, start, options, scratch.data.get(), scratch.context.get());
        if (rc == PCRE2_ERROR_NOMATCH) return;
        if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !(options & PCRE2_NO_JIT)) {
            options |= PCRE2_NO_JIT;  // the interpreter keeps its backtracking on the heap
            continue;
        }
        if (is_resource_limit(rc)) return;
        if (rc < 0) {
            throw Error("term '" + printable(term.text) + "': " + error_message(rc));
        }
        const PCRE2_SIZE* ovector = W::ovector(scratch.data.get());
        const size_t first = ovector[0];
        const size_t end = ovector[1];
        if (first >= starts) return;
        if (end <= first) {  // defensive: NOTEMPTY should rule this out
            start = std::max(start, first) + 1;
            continue;
        }
        emit(first, end);
        start = end;
    }
}

struct CompiledTerm {
    CodePtr<Width8> utf8;
    CodePtr<Width16> utf16;
};

}  // namespace

struct KeywordSearcher::Impl {
    std::vector<KeywordTerm> terms;
    std::vector<CompiledTerm> compiled;
};

KeywordSearcher::KeywordSearcher(std::vector<KeywordTerm> terms, bool case_sensitive)
    : impl_(std::make_unique<Impl>()) {
    impl_->terms = std::move(terms);
    impl_->compiled.reserve(impl_->terms.size());
    for (const auto& term : impl_->terms) {
        if (term.text.empty()) throw Error("term '': empty search term");
        // PCRE2_LITERAL allows neither PCRE2_UCP nor needs it: in UTF mode caseless matching of
        // non-ASCII characters always uses Unicode case folding.
        uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_USE_OFFSET_LIMIT;
        options |= term.regex ? PCRE2_UCP : PCRE2_LITERAL;
        if (!case_sensitive) options |= PCRE2_CASELESS;
        CompiledTerm compiled;
        compiled.utf8 = compile<Width8>(term, as_bytes(term.text), options, nullptr);
        const Utf16Pattern pattern = to_utf16(term.text);
        compiled.utf16 = compile<Width16>(term, pattern.units, options, &pattern.byte_offsets);
        impl_->compiled.push_back(std::move(compiled));
    }
}

KeywordSearcher::~KeywordSearcher() = default;
KeywordSearcher::KeywordSearcher(KeywordSearcher&&) noexcept = default;
KeywordSearcher& KeywordSearcher::operator=(KeywordSearcher&&) noexcept = default;

const std::vector<KeywordTerm>& KeywordSearcher::terms() const {
    return impl_->terms;
}

std::vector<KeywordHit> KeywordSearcher::search(std::span<const std::byte> data,
                                                uint64_t base_offset, size_t report_limit) const {
    std::vector<KeywordHit> hits;
    const size_t limit = std::min(report_limit, data.size());
    if (limit == 0 || impl_->terms.empty()) return hits;
    const std::span<const unsigned char> bytes(reinterpret_cast<const unsigned char*>(data.data()),
                                               data.size());
    const auto add_hit = [&](size_t term, size_t offset, size_t length, std::string_view encoding,
                             std::string text) {
        KeywordHit& hit = hits.emplace_back();
        hit.term = term;
        hit.offset = base_offset + offset;
        hit.length = static_cast<uint32_t>(length);
        hit.encoding = encoding;
        hit.text = std::move(text);
    };

    // ASCII/UTF-8: the bytes themselves. A match starting at byte b may start a hit if b < limit.
    {
        Scratch<Width8> scratch;
        for (size_t t = 0; t < impl_->terms.size(); ++t) {
            scan<Width8>(impl_->terms[t], impl_->compiled[t].utf8.get(), bytes, limit, scratch,
                         [&](size_t first, size_t end) {
                             size_t length = end - first;
                             if (length > kMaxMatchBytes) {
                                 // Cap at a character boundary (the match is valid UTF-8).
                                 length = kMaxMatchBytes;
                                 for (int k = 0; k < 3 && (bytes[first + length] & 0xC0) == 0x80;
                                      ++k) {
                                     --length;
                                 }
                             }
                             add_hit(t, first, length, Width8::kEncoding,
                                     utf8_text(bytes.subspan(first, length)));
                         });
        }
    }

    // UTF-16LE: the bytes as 16-bit code units from an even and from an odd byte offset, copied
    // (one alignment at a time) into an aligned buffer. Code unit u starts at byte 2u + shift.
    if (data.size() >= 2) {
        Scratch<Width16> scratch;
        std::vector<PCRE2_UCHAR16> units;
        units.reserve(data.size() / 2);
        for (size_t shift = 0; shift < 2; ++shift) {
            units.resize((data.size() - shift) / 2);
            for (size_t u = 0; u < units.size(); ++u) {
                units[u] = static_cast<PCRE2_UCHAR16>(bytes[shift + 2 * u] |
                                                      (bytes[shift + 2 * u + 1] << 8));
            }
            // Units u with 2u + shift < limit (limit >= 1 here).
            const size_t starts = std::min(units.size(), (limit - shift + 1) / 2);
            for (size_t t = 0; t < impl_->terms.size(); ++t) {
                scan<Width16>(impl_->terms[t], impl_->compiled[t].utf16.get(),
                              std::span<const PCRE2_UCHAR16>(units), starts, scratch,
                              [&](size_t first, size_t end) {
                                  size_t length = end - first;
                                  if (length > kMaxMatchBytes / 2) {
                                      // Cap without splitting a surrogate pair.
                                      length = kMaxMatchBytes / 2;
                                      if (units[first + length - 1] >= 0xD800 &&
                                          units[first + length - 1] <= 0xDBFF) {
                                          --length;
                                      }
                                  }
                                  add_hit(
                                      t, 2 * first + shift, 2 * length, Width16::kEncoding,
                                      common::utf16_to_utf8(
                                          std::span<const uint16_t>(units).subspan(first, length)));
                              });
            }
        }
    }

    std::sort(hits.begin(), hits.end(), [](const KeywordHit& a, const KeywordHit& b) {
        return std::tie(a.offset, a.term, a.encoding) < std::tie(b.offset, b.term, b.encoding);
    });
    return hits;
}

}  // namespace dflab::engine
