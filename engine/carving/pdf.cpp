// PDF: "%PDF-" and a version digit, then the last "%%EOF" (before the next "%PDF-" header) that
// follows a "startxref" whose offset points at a cross-reference table ("xref") or a
// cross-reference stream (an indirect object of /Type /XRef); a table's in-use entries must each
// point at their object. Incremental updates add later %%EOFs; each is checked the same way.
#include <cctype>
#include <string_view>

#include "engine/carving/validators.hpp"

namespace dflab::engine::carving {

namespace {

// The offset "startxref" names when `eof` (an "%%EOF") closes a valid trailer; npos otherwise.
size_t startxref_target(std::string_view s, size_t eof) {
    const size_t from = eof > 1024 ? eof - 1024 : 0;
    const size_t key = s.rfind("startxref", eof);
    if (key == std::string_view::npos || key < from) return std::string_view::npos;
    size_t pos = key + 9;
    while (pos < eof && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
    uint64_t value = 0;
    size_t digits = 0;
    while (pos < eof && std::isdigit(static_cast<unsigned char>(s[pos])) && digits < 16) {
        value = value * 10 + static_cast<uint64_t>(s[pos] - '0');
        ++pos;
        ++digits;
    }
    if (digits == 0 || value >= key) return std::string_view::npos;
    return static_cast<size_t>(value);
}

size_t skip_space(std::string_view s, size_t pos) {
    while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
    return pos;
}

// A decimal number at `pos` (at most 10 digits); npos when there is none.
uint64_t number_at(std::string_view s, size_t& pos) {
    uint64_t value = 0;
    size_t digits = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos])) && digits < 10) {
        value = value * 10 + static_cast<uint64_t>(s[pos++] - '0');
        ++digits;
    }
    return digits ? value : std::string_view::npos;
}

// "OOOOOOOOOO GGGGG n" or "... f" and a two-byte end of line (" \n", " \r" or "\r\n").
bool entry_well_formed(std::string_view e) {
    for (size_t i = 0; i < 17; ++i) {
        const bool digit = std::isdigit(static_cast<unsigned char>(e[i])) != 0;
        if ((i == 10 || i == 16) ? e[i] != ' ' : !digit) return false;
    }
    if (e[17] != 'n' && e[17] != 'f') return false;
    const std::string_view eol = e.substr(18, 2);
    return eol == " \n" || eol == " \r" || eol == "\r\n";
}

// The classic cross-reference table at `at` ("xref", then subsections "FIRST COUNT" of 20-byte
// entries): every in-use entry's offset holds "NUMBER GENERATION obj" with its own number.
bool xref_table_consistent(std::string_view s, size_t at) {
    constexpr size_t kMaxEntries = 1000000;
    size_t pos = skip_space(s, at + 4), checked = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        const uint64_t first = number_at(s, pos);
        pos = skip_space(s, pos);
        const uint64_t count = number_at(s, pos);
        if (first == std::string_view::npos || count == std::string_view::npos) return false;
        pos = skip_space(s, pos);
        for (uint64_t i = 0; i < count; ++i, pos += 20) {
            if (pos + 20 > s.size() || ++checked > kMaxEntries) return false;
            if (!entry_well_formed(s.substr(pos, 20))) return false;
            if (s[pos + 17] != 'n') continue;  // free entries ('f') point nowhere
            size_t field = pos;
            const uint64_t offset = number_at(s, field);
            if (offset == std::string_view::npos || offset >= s.size()) return false;
            size_t obj = offset;
            if (number_at(s, obj) != first + i) return false;
            obj = skip_space(s, obj);
            if (number_at(s, obj) == std::string_view::npos) return false;
            if (s.substr(skip_space(s, obj), 3) != "obj") return false;
        }
        pos = skip_space(s, pos);
    }
    return s.substr(pos, 7) == "trailer";
}

bool is_xref(std::string_view s, size_t at) {
    if (s.substr(at, 4) == "xref") return xref_table_consistent(s, at);
    // "N G obj" ... /Type /XRef: a cross-reference stream.
    const std::string_view head = s.substr(at, 64);
    if (head.empty() || !std::isdigit(static_cast<unsigned char>(head[0]))) return false;
    const size_t obj = head.find("obj");
    if (obj == std::string_view::npos) return false;
    const std::string_view dict = s.substr(at, 4096);
    const size_t stream = dict.find("stream");
    return dict.substr(0, stream).find("/XRef") != std::string_view::npos;
}

}  // namespace

Validation validate_pdf(std::span<const std::byte> d) {
    if (d.size() < 16) return need_more();
    const std::string_view s(reinterpret_cast<const char*>(d.data()), d.size());
    if (!s.starts_with("%PDF-") || !std::isdigit(static_cast<unsigned char>(s[5])))
        return invalid(0, "no %PDF- header");
    const size_t next_header = s.find("%PDF-", 5);
    const size_t limit = next_header == std::string_view::npos ? s.size() : next_header;
    size_t end = 0;
    for (size_t eof = s.find("%%EOF"); eof != std::string_view::npos && eof < limit;
         eof = s.find("%%EOF", eof + 5)) {
        const size_t target = startxref_target(s, eof);
        if (target == std::string_view::npos || !is_xref(s, target)) continue;
        end = eof + 5;
        if (end < s.size() && s[end] == '\r') ++end;
        if (end < s.size() && s[end] == '\n') ++end;
    }
    if (end == 0 && next_header != std::string_view::npos)
        return invalid(next_header, "another %PDF- header before any valid %%EOF");
    if (end == 0) return need_more();
    return valid(end, "%PDF- header to the last %%EOF whose startxref points at an xref");
}

}  // namespace dflab::engine::carving
