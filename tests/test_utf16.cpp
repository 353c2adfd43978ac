// UTF-16 conversions (common/utf16.hpp) against iconv, the C library's converter.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "common/utf16.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

using test::run;
using test::shell_quote;

std::string iconv(const std::string& bytes, const std::string& from, const std::string& to) {
    const std::string dir = test::temp_dir();
    std::ofstream(dir + "/in", std::ios::binary) << bytes;
    auto r = run("iconv -f " + from + " -t " + to + " " + shell_quote(dir + "/in"));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

std::string as_string(const std::vector<std::byte>& bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::span<const std::byte> as_bytes(const std::string& s) {
    return std::as_bytes(std::span(s.data(), s.size()));
}

const std::vector<std::string> kTexts = {"report.docx",
                                         "Отчёт за квартал",
                                         "Қазақстан Республикасы, өңір",
                                         "C:\\Users\\Әлия\\Desktop",
                                         "emoji 🔑 and 𝄞",
                                         ""};

TEST(Utf16, AgreesWithIconvBothWays) {
    for (const auto& text : kTexts) {
        auto le = common::utf8_to_utf16le(text);
        ASSERT_TRUE(le) << text;
        const std::string expected = iconv(text, "UTF-8", "UTF-16LE");
        EXPECT_EQ(as_string(*le), expected) << text;
        EXPECT_EQ(common::utf16le_to_utf8(as_bytes(expected)), text);
        EXPECT_EQ(common::utf8_to_utf16(text)->size(), expected.size() / 2) << text;
    }
}

TEST(Utf16, StopsAtTheFirstNulAndMarksAnOddByte) {
    std::string data = iconv("Run key", "UTF-8", "UTF-16LE");
    data += std::string("\0\0garbage", 9);
    EXPECT_EQ(common::utf16le_to_utf8(as_bytes(data)), "Run key");
    EXPECT_EQ(common::utf16le_to_utf8(as_bytes(std::string("A\0B", 3))), "A\xEF\xBF\xBD");
    EXPECT_EQ(common::utf16le_to_utf8(as_bytes(std::string("A\0B\0C", 5))), "AB\xEF\xBF\xBD");
}

TEST(Utf16, UnpairedSurrogatesStayVisibleAndTheResultIsValidUtf8) {
    // A lone high surrogate, then a lone low one, between letters.
    const std::string data(
        "a\0\x3d\xd8"
        "b\0\x00\xdc"
        "c\0",
        10);
    EXPECT_EQ(common::utf16le_to_utf8(as_bytes(data)),
              "a\xEF\xBF\xBD"
              "b\xEF\xBF\xBD"
              "c");
}

TEST(Utf16, InvalidUtf8IsRefused) {
    EXPECT_FALSE(common::utf8_to_utf16("caf\xe9"));
    EXPECT_FALSE(common::utf8_to_utf16le("\xc0\xaf"));
}

}  // namespace
}  // namespace dflab
