// A small PDF 1.4 written by hand: Letter pages of text lines (wrapped at 85 characters, 46 lines a
// page), an Info dictionary (Title, Author, Producer, CreationDate and ModDate from the context
// time) and an exact cross-reference table. Text that fits WinAnsiEncoding uses Helvetica;
// otherwise (Cyrillic, Kazakh, ...) a Type0 font with Identity-H codes equal to the Unicode code
// points and a ToUnicode CMap, so text extraction (pdftotext, keyword search) recovers it exactly;
// the font is not embedded, so how such text looks depends on the viewer.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "engine/error.hpp"
#include "images/content_generator.hpp"

namespace dflab::images::detail {

using engine::Error;

namespace {

constexpr size_t kWrap = 85;
constexpr size_t kLinesPerPage = 46;

std::vector<char32_t> decode_utf8(const std::string& s, const std::string& option) {
    std::vector<char32_t> out;
    for (size_t i = 0; i < s.size();) {
        const auto b = static_cast<unsigned char>(s[i]);
        int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
        if (len == 0 || i + len > s.size())
            throw Error("generate pdf: option '" + option + "' is not valid UTF-8 at byte " +
                        std::to_string(i + 1));
        char32_t cp = len == 1 ? b : b & (0x7f >> len);
        for (int k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(s[i + k]);
            if ((c >> 6) != 2)
                throw Error("generate pdf: option '" + option + "' is not valid UTF-8 at byte " +
                            std::to_string(i + k + 1));
            cp = (cp << 6) | (c & 0x3f);
        }
        out.push_back(cp);
        i += len;
    }
    return out;
}

// WinAnsiEncoding (PDF 1.7 Annex D) for the code points that differ from Latin-1: 0x80-0x9F.
int win_ansi(char32_t cp) {
    if ((cp >= 0x20 && cp < 0x7f) || (cp >= 0xa0 && cp <= 0xff)) return static_cast<int>(cp);
    static const std::map<char32_t, int> extra = {
        {0x20ac, 0x80}, {0x201a, 0x82}, {0x0192, 0x83}, {0x201e, 0x84}, {0x2026, 0x85},
        {0x2020, 0x86}, {0x2021, 0x87}, {0x02c6, 0x88}, {0x2030, 0x89}, {0x0160, 0x8a},
        {0x2039, 0x8b}, {0x0152, 0x8c}, {0x017d, 0x8e}, {0x2018, 0x91}, {0x2019, 0x92},
        {0x201c, 0x93}, {0x201d, 0x94}, {0x2022, 0x95}, {0x2013, 0x96}, {0x2014, 0x97},
        {0x02dc, 0x98}, {0x2122, 0x99}, {0x0161, 0x9a}, {0x203a, 0x9b}, {0x0153, 0x9c},
        {0x017e, 0x9e}, {0x0178, 0x9f}};
    auto it = extra.find(cp);
    return it == extra.end() ? -1 : it->second;
}

// Lines of at most kWrap characters, broken at the last space where there is one.
std::vector<std::vector<char32_t>> wrap(const std::vector<char32_t>& text) {
    std::vector<std::vector<char32_t>> lines(1);
    for (char32_t cp : text) {
        if (cp == '\r') continue;
        if (cp == '\n') {
            lines.emplace_back();
            continue;
        }
        if (cp < 0x20 || cp == 0x7f) cp = ' ';  // tabs and other controls
        auto& line = lines.back();
        line.push_back(cp);
        if (line.size() > kWrap) {
            auto space = std::find(line.rbegin(), line.rend(), U' ');
            size_t cut = space == line.rend() ? kWrap : line.rend() - space;  // after the space
            std::vector<char32_t> rest(line.begin() + static_cast<std::ptrdiff_t>(cut), line.end());
            line.resize(cut);
            lines.push_back(std::move(rest));
        }
    }
    return lines;
}

std::string hex4(unsigned v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04X", v);
    return buf;
}

// A PDF text string for the Info dictionary: literal for printable ASCII, else UTF-16BE + BOM.
std::string text_string(const std::string& value, const std::string& option) {
    const auto cps = decode_utf8(value, option);
    if (std::all_of(cps.begin(), cps.end(), [](char32_t cp) { return cp >= 0x20 && cp < 0x7f; })) {
        std::string out = "(";
        for (char ch : value) {
            if (ch == '(' || ch == ')' || ch == '\\') out += '\\';
            out += ch;
        }
        return out + ")";
    }
    std::string out = "<FEFF";
    for (char32_t cp : cps) {
        if (cp >= 0x10000) {
            const char32_t v = cp - 0x10000;
            out += hex4(0xd800 + static_cast<unsigned>(v >> 10));
            out += hex4(0xdc00 + static_cast<unsigned>(v & 0x3ff));
        } else {
            out += hex4(static_cast<unsigned>(cp));
        }
    }
    return out + ">";
}

std::string pdf_date(int64_t time) {
    const CivilTime t = civil_from_unix(time);
    if (t.year < 0 || t.year > 9999) throw Error("generate pdf: time out of range for a PDF date");
    char buf[40];
    std::snprintf(buf, sizeof buf, "(D:%04d%02d%02d%02d%02d%02d+00'00')", static_cast<int>(t.year),
                  t.month, t.day, t.hour, t.minute, t.second);
    return buf;
}

}  // namespace

std::vector<std::byte> generate_pdf(const GeneratedContent& g, const GenerationContext& c) {
    const auto text = decode_utf8(option_string(g, "text"), "text");
    const auto lines = wrap(text);
    bool unicode = false;
    std::set<char32_t> used;
    for (const auto& line : lines)
        for (char32_t cp : line) {
            if (cp >= 0x10000)
                throw Error("generate pdf: option 'text' has U+" +
                            hex4(static_cast<unsigned>(cp >> 16)) +
                            hex4(static_cast<unsigned>(cp & 0xffff)) +
                            ", outside the Basic Multilingual Plane, which is not supported");
            if (win_ansi(cp) < 0) unicode = true;
            used.insert(cp);
        }
    auto encode = [&](const std::vector<char32_t>& line) {
        std::string s;
        if (unicode) {
            s = "<";
            for (char32_t cp : line) s += hex4(static_cast<unsigned>(cp));
            return s + ">";
        }
        s = "(";
        for (char32_t cp : line) {
            const int b = win_ansi(cp);
            if (b == '(' || b == ')' || b == '\\') {
                s += '\\';
                s += static_cast<char>(b);
            } else if (b >= 0x80) {
                s += '\\';
                for (int shift = 6; shift >= 0; shift -= 3)
                    s += static_cast<char>('0' + ((b >> shift) & 7));
            } else {
                s += static_cast<char>(b);
            }
        }
        return s + ")";
    };

    // Objects: 1 catalog, 2 pages, 3 font, 4 info, [5 CIDFont, 6 descriptor, 7 ToUnicode],
    // then a page and its content stream for each page.
    std::vector<std::string> objects(unicode ? 7 : 4);
    objects[2] = unicode
                     ? "<< /Type /Font /Subtype /Type0 /BaseFont /DejaVuSans /Encoding /Identity-H "
                       "/DescendantFonts [5 0 R] /ToUnicode 7 0 R >>"
                     : "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica "
                       "/Encoding /WinAnsiEncoding >>";
    std::string info = "<< /Producer (dflab)";
    if (auto title = option_string(g, "title"); !title.empty())
        info += " /Title " + text_string(title, "title");
    if (auto author = option_string(g, "author"); !author.empty())
        info += " /Author " + text_string(author, "author");
    info += " /CreationDate " + pdf_date(c.time) + " /ModDate " + pdf_date(c.time) + " >>";
    objects[3] = info;
    if (unicode) {
        objects[4] =
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /DejaVuSans /CIDSystemInfo << "
            "/Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R "
            "/DW 600 >>";
        objects[5] =
            "<< /Type /FontDescriptor /FontName /DejaVuSans /Flags 32 /FontBBox [-1021 -463 1793 "
            "1232] /ItalicAngle 0 /Ascent 928 /Descent -236 /CapHeight 729 /StemV 80 >>";
        std::string cmap =
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
        std::vector<char32_t> codes(used.begin(), used.end());
        for (size_t i = 0; i < codes.size(); i += 100) {  // at most 100 entries a block
            const size_t n = std::min<size_t>(100, codes.size() - i);
            cmap += std::to_string(n) + " beginbfchar\n";
            for (size_t k = i; k < i + n; ++k) {
                const std::string h = hex4(static_cast<unsigned>(codes[k]));
                cmap += "<" + h + "> <" + h + ">\n";
            }
            cmap += "endbfchar\n";
        }
        cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
        objects[6] =
            "<< /Length " + std::to_string(cmap.size()) + " >>\nstream\n" + cmap + "endstream";
    }

    const size_t pages = std::max<size_t>(1, (lines.size() + kLinesPerPage - 1) / kLinesPerPage);
    std::string kids;
    for (size_t p = 0; p < pages; ++p) {
        const size_t page_object = objects.size() + 1;
        kids += (p ? " " : "") + std::to_string(page_object) + " 0 R";
        objects.push_back(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << "
            "/Font << /F1 3 0 R >> >> /Contents " +
            std::to_string(page_object + 1) + " 0 R >>");
        std::string stream = "BT\n/F1 11 Tf\n14 TL\n72 720 Td\n";
        for (size_t i = p * kLinesPerPage; i < std::min(lines.size(), (p + 1) * kLinesPerPage); ++i)
            stream += (i % kLinesPerPage ? "T* " : "") + encode(lines[i]) + " Tj\n";
        stream += "ET\n";
        objects.push_back("<< /Length " + std::to_string(stream.size()) + " >>\nstream\n" + stream +
                          "endstream");
    }
    objects[0] = "<< /Type /Catalog /Pages 2 0 R >>";
    objects[1] = "<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pages) + " >>";

    std::string out = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
    std::vector<size_t> offsets;
    for (size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(out.size());
        out += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const size_t xref = out.size();
    out += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (size_t offset : offsets) {
        char buf[24];
        std::snprintf(buf, sizeof buf, "%010zu 00000 n \n", offset);
        out += buf;
    }
    out += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
           " /Root 1 0 R /Info 4 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    std::vector<std::byte> bytes(out.size());
    std::transform(out.begin(), out.end(), bytes.begin(), [](char ch) { return std::byte(ch); });
    return bytes;
}

}  // namespace dflab::images::detail
