// Keyword search: literal and regex terms in UTF-8 and UTF-16LE, case folding, binary noise,
// offsets (checked against std::string::find on bytes the test builds), limits and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "engine/error.hpp"
#include "engine/keyword_search.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::engine {
namespace {

std::span<const std::byte> bytes(const std::string& s) {
    return std::as_bytes(std::span(s));
}

// UTF-16LE bytes of a UTF-16 string.
std::string utf16le(std::u16string_view s) {
    std::string out;
    for (const char16_t u : s) {
        out += static_cast<char>(u & 0xFF);
        out += static_cast<char>(u >> 8);
    }
    return out;
}

// Independent oracle: every non-overlapping occurrence of needle in haystack.
std::vector<uint64_t> find_all(std::string_view haystack, std::string_view needle) {
    std::vector<uint64_t> out;
    for (size_t at = haystack.find(needle); at != std::string_view::npos;
         at = haystack.find(needle, at + needle.size())) {
        out.push_back(at);
    }
    return out;
}

// Independent oracle for ASCII case-insensitive literals.
std::vector<uint64_t> find_all_ascii_caseless(std::string_view haystack, std::string_view needle) {
    std::vector<uint64_t> out;
    const auto same = [](char a, char b) {
        const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; };
        return lower(a) == lower(b);
    };
    auto it = haystack.begin();
    while ((it = std::search(it, haystack.end(), needle.begin(), needle.end(), same)) !=
           haystack.end()) {
        out.push_back(static_cast<uint64_t>(it - haystack.begin()));
        it += static_cast<std::ptrdiff_t>(needle.size());
    }
    return out;
}

std::vector<uint64_t> offsets(const std::vector<KeywordHit>& hits, size_t term,
                              std::string_view encoding) {
    std::vector<uint64_t> out;
    for (const auto& h : hits) {
        if (h.term == term && h.encoding == encoding) out.push_back(h.offset);
    }
    return out;
}

std::vector<std::string> texts(const std::vector<KeywordHit>& hits, size_t term,
                               std::string_view encoding) {
    std::vector<std::string> out;
    for (const auto& h : hits) {
        if (h.term == term && h.encoding == encoding) out.push_back(h.text);
    }
    return out;
}

std::vector<uint64_t> sorted(std::vector<uint64_t> v) {
    std::sort(v.begin(), v.end());
    return v;
}

std::vector<uint64_t> concat(std::vector<uint64_t> a, const std::vector<uint64_t>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return sorted(std::move(a));
}

std::string noise(size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string out(n, '\0');
    for (auto& c : out) c = static_cast<char>(rng() & 0xFF);
    return out;
}

void expect_sorted(const std::vector<KeywordHit>& hits) {
    EXPECT_TRUE(std::is_sorted(hits.begin(), hits.end(), [](const auto& a, const auto& b) {
        return std::tie(a.offset, a.term, a.encoding) < std::tie(b.offset, b.term, b.encoding);
    }));
}

TEST(KeywordSearch, LiteralAsciiAnyCase) {
    const std::string data =
        "user=alice Password: x\npassword=hunter2 PASSWORD pAsSwOrD passwor d passwordpassword";
    KeywordSearcher searcher({{"password"}});
    const auto hits = searcher.search(bytes(data));
    const auto expected = find_all_ascii_caseless(data, "password");
    ASSERT_EQ(expected.size(), 6u);
    EXPECT_EQ(offsets(hits, 0, "utf-8"), expected);
    EXPECT_TRUE(offsets(hits, 0, "utf-16le").empty());
    for (const auto& h : hits) {
        EXPECT_EQ(h.length, 8u);
        EXPECT_EQ(h.text, data.substr(h.offset, 8));
    }
    expect_sorted(hits);
}

TEST(KeywordSearch, LiteralMetacharactersAreLiteral) {
    const std::string data = "axb(c a.b(c a.b(c)";
    KeywordSearcher searcher({{"a.b(c"}, {"(c)"}});
    const auto hits = searcher.search(bytes(data));
    EXPECT_EQ(offsets(hits, 0, "utf-8"), find_all(data, "a.b(c"));
    EXPECT_EQ(offsets(hits, 1, "utf-8"), find_all(data, "(c)"));
}

TEST(KeywordSearch, CyrillicUtf8CaseInsensitive) {
    const std::string data =
        "start ПРИВЕТ мир, привет; ПрИвЕт! Привет\n"
        "ЁЛКА ёлка Ёлка | ҚАЗАҚСТАН қазақстан ҚазаҚстан | ӘЖЕ әже Әже | прив";
    KeywordSearcher searcher({{"Привет"}, {"ёлка"}, {"Қазақстан"}, {"әже"}});
    const auto hits = searcher.search(bytes(data));

    EXPECT_EQ(offsets(hits, 0, "utf-8"),
              concat(concat(find_all(data, "ПРИВЕТ"), find_all(data, "привет")),
                     concat(find_all(data, "ПрИвЕт"), find_all(data, "Привет"))));
    EXPECT_EQ(offsets(hits, 0, "utf-8").size(), 4u);
    EXPECT_EQ(
        offsets(hits, 1, "utf-8"),
        concat(concat(find_all(data, "ЁЛКА"), find_all(data, "ёлка")), find_all(data, "Ёлка")));
    EXPECT_EQ(offsets(hits, 1, "utf-8").size(), 3u);
    EXPECT_EQ(offsets(hits, 2, "utf-8"),
              concat(concat(find_all(data, "ҚАЗАҚСТАН"), find_all(data, "қазақстан")),
                     find_all(data, "ҚазаҚстан")));
    EXPECT_EQ(offsets(hits, 2, "utf-8").size(), 3u);
    EXPECT_EQ(offsets(hits, 3, "utf-8"),
              concat(concat(find_all(data, "ӘЖЕ"), find_all(data, "әже")), find_all(data, "Әже")));
    EXPECT_EQ(offsets(hits, 3, "utf-8").size(), 3u);

    EXPECT_EQ(texts(hits, 0, "utf-8"),
              (std::vector<std::string>{"ПРИВЕТ", "привет", "ПрИвЕт", "Привет"}));
    for (const auto& h : hits) {
        EXPECT_EQ(h.text, data.substr(h.offset, h.length));
        EXPECT_EQ(h.encoding, "utf-8");
    }
    expect_sorted(hits);
}

TEST(KeywordSearch, CyrillicUtf16LeAtEvenAndOddOffsets) {
    // Even-aligned, then odd-aligned (one stray byte before it), then odd again in other cases.
    std::string data = "\x01\x02" + utf16le(u"ПРИВЕТ") + "\xff" + utf16le(u"привет") + "zz" +
                       utf16le(u"ПрИвЕт") + std::string("\x00\x00\x00", 3) +
                       utf16le(u"Қазақстан ӘЖЕ");
    data += std::string("\x00", 1) + utf16le(u"қазақстан әже");
    KeywordSearcher searcher({{"Привет"}, {"ҚАЗАҚСТАН"}, {"әже"}});
    const auto hits = searcher.search(bytes(data));

    const auto privet =
        concat(concat(find_all(data, utf16le(u"ПРИВЕТ")), find_all(data, utf16le(u"привет"))),
               find_all(data, utf16le(u"ПрИвЕт")));
    ASSERT_EQ(privet.size(), 3u);
    EXPECT_EQ(privet[0] % 2, 0u);
    EXPECT_EQ(privet[1] % 2, 1u);
    EXPECT_EQ(offsets(hits, 0, "utf-16le"), privet);
    EXPECT_EQ(texts(hits, 0, "utf-16le"), (std::vector<std::string>{"ПРИВЕТ", "привет", "ПрИвЕт"}));

    const auto kz =
        concat(find_all(data, utf16le(u"Қазақстан")), find_all(data, utf16le(u"қазақстан")));
    ASSERT_EQ(kz.size(), 2u);
    EXPECT_NE(kz[0] % 2, kz[1] % 2);
    EXPECT_EQ(offsets(hits, 1, "utf-16le"), kz);
    EXPECT_EQ(offsets(hits, 2, "utf-16le"),
              concat(find_all(data, utf16le(u"ӘЖЕ")), find_all(data, utf16le(u"әже"))));

    const std::vector<uint32_t> lengths{2 * 6, 2 * 9, 2 * 3};
    for (const auto& h : hits) {
        EXPECT_EQ(h.encoding, "utf-16le");  // no UTF-8 text in data
        EXPECT_EQ(h.length, lengths.at(h.term));
    }
    expect_sorted(hits);
}

TEST(KeywordSearch, RegexTermsInBothEncodings) {
    const std::string ascii = "mail john.doe@example.com or call 555-1234; x@y no; 12-3456 ";
    const std::string wide = utf16le(u"контакт: Anna.K@mail.example.kz тел. 777-0101 ");
    // UTF-16 text at an odd offset as well.
    const std::string data = ascii + wide + "\x07" + utf16le(u"ops@corp.io 321-4321") + ascii;
    KeywordSearcher searcher(
        {{R"([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})", true}, {R"(\d{3}-\d{4})", true}});
    const auto hits = searcher.search(bytes(data));

    EXPECT_EQ(offsets(hits, 0, "utf-8"), find_all(data, "john.doe@example.com"));
    EXPECT_EQ(texts(hits, 0, "utf-8"),
              (std::vector<std::string>{"john.doe@example.com", "john.doe@example.com"}));
    EXPECT_EQ(offsets(hits, 1, "utf-8"), find_all(data, "555-1234"));

    EXPECT_EQ(offsets(hits, 0, "utf-16le"),
              concat(find_all(data, utf16le(u"Anna.K@mail.example.kz")),
                     find_all(data, utf16le(u"ops@corp.io"))));
    EXPECT_EQ(texts(hits, 0, "utf-16le"),
              (std::vector<std::string>{"Anna.K@mail.example.kz", "ops@corp.io"}));
    EXPECT_EQ(offsets(hits, 1, "utf-16le"),
              concat(find_all(data, utf16le(u"777-0101")), find_all(data, utf16le(u"321-4321"))));
    ASSERT_EQ(offsets(hits, 1, "utf-16le").size(), 2u);
    EXPECT_NE(offsets(hits, 1, "utf-16le")[0] % 2, offsets(hits, 1, "utf-16le")[1] % 2);
    for (const auto& h : hits) {
        if (h.encoding == "utf-16le") {
            EXPECT_EQ(h.length, 2 * h.text.size());  // ASCII text
        } else {
            EXPECT_EQ(h.text, data.substr(h.offset, h.length));
        }
    }
}

TEST(KeywordSearch, RegexCyrillicWordWithUnicodeProperties) {
    const std::string data = "12 ПАРОЛЬ: qwerty; пароль=Секрет123 ";
    KeywordSearcher searcher({{R"(пароль\W+\w+)", true}});
    const auto hits = searcher.search(bytes(data));
    ASSERT_EQ(hits.size(), 2u);
    EXPECT_EQ(hits[0].offset, data.find("ПАРОЛЬ"));
    EXPECT_EQ(hits[0].text, "ПАРОЛЬ: qwerty");
    EXPECT_EQ(hits[1].offset, data.find("пароль"));
    EXPECT_EQ(hits[1].text, "пароль=Секрет123");
}

TEST(KeywordSearch, BinaryNoiseWithInvalidUtf8AroundHits) {
    const std::string invalid = "\xff\xfe\xc3\x28\xe2\x82\xc0\x80\xed\xa0\x80\xf8\x88\x80\x80\x80";
    std::string data = noise(3000, 1) + invalid + "SeCrEt" + invalid + noise(777, 2) + "\xd0" +
                       "Секрет" + "\x80\xbf" + noise(1001, 3) + "\xd8" + utf16le(u"секрет") +
                       invalid + noise(500, 4) + "\xff" + utf16le(u" SECRET ") + "\xdc";
    KeywordSearcher searcher({{"secret"}, {"секрет"}, {R"(\bsecret\b)", true}});
    const auto hits = searcher.search(bytes(data));

    EXPECT_EQ(offsets(hits, 0, "utf-8"), find_all(data, "SeCrEt"));
    EXPECT_EQ(offsets(hits, 0, "utf-16le"), find_all(data, utf16le(u"SECRET")));
    EXPECT_EQ(offsets(hits, 1, "utf-8"), find_all(data, "Секрет"));
    EXPECT_EQ(offsets(hits, 1, "utf-16le"), find_all(data, utf16le(u"секрет")));
    EXPECT_EQ(offsets(hits, 2, "utf-8"), find_all(data, "SeCrEt"));
    EXPECT_EQ(offsets(hits, 2, "utf-16le"), find_all(data, utf16le(u"SECRET")));
    ASSERT_EQ(offsets(hits, 0, "utf-8").size(), 1u);
    ASSERT_EQ(offsets(hits, 1, "utf-16le").size(), 1u);
    for (const auto& h : hits) {
        EXPECT_TRUE(h.text == "SeCrEt" || h.text == "SECRET" || h.text == "Секрет" ||
                    h.text == "секрет")
            << h.text;
    }
}

TEST(KeywordSearch, InvalidBytesInsideARegexMatchAreReplaced) {
    // "." never matches an invalid sequence, so a match cannot span one; but its text is UTF-8.
    const std::string data = std::string("key=\xff") + "key=vaлue\xfe";
    KeywordSearcher searcher({{R"(key=.+)", true}});
    const auto hits = searcher.search(bytes(data));
    ASSERT_EQ(offsets(hits, 0, "utf-8").size(), 1u);
    EXPECT_EQ(hits[0].offset, data.rfind("key="));
    EXPECT_EQ(hits[0].text, "key=vaлue");
}

TEST(KeywordSearch, OffsetsMatchGrep) {
    // A second, external oracle: grep -obaP on a file (ASCII only, so locale does not matter).
    std::string data = noise(20000, 7);
    std::replace(data.begin(), data.end(), '\n', ' ');
    for (size_t at : {17u, 4099u, 12345u, 19990u}) data.replace(at, 7, "EVIDENC");
    const std::string dir = test::temp_dir();
    const std::string path = dir + "/grep.bin";
    std::ofstream(path, std::ios::binary) << data;
    const auto grep = test::run("LC_ALL=C grep -obaP 'EVIDENC' " + test::shell_quote(path));
    std::filesystem::remove_all(dir);
    ASSERT_EQ(grep.exit_code, 0) << grep.err;
    std::vector<uint64_t> expected;
    for (const auto& line : test::lines(grep.out)) {
        if (!line.empty()) expected.push_back(std::stoull(line.substr(0, line.find(':'))));
    }
    ASSERT_EQ(expected.size(), 4u);
    KeywordSearcher searcher({{"EVIDENC"}}, true);
    EXPECT_EQ(offsets(searcher.search(bytes(data)), 0, "utf-8"), expected);
}

TEST(KeywordSearch, ReportLimit) {
    const std::string data =
        "alpha beta alpha " + utf16le(u"alpha") + " " + utf16le(u"alpha") + " alphabet";
    KeywordSearcher searcher({{"alpha"}, {"alpha\\w*", true}});
    const auto all = searcher.search(bytes(data));
    const auto utf8 = find_all(data, "alpha");
    const auto utf16 = find_all(data, utf16le(u"alpha"));
    ASSERT_EQ(utf8.size(), 3u);
    ASSERT_EQ(utf16.size(), 2u);
    EXPECT_EQ(utf16[0] % 2, 1u);  // " " + 2 x "alpha " = 17 bytes
    EXPECT_EQ(utf16[1] % 2, 0u);
    EXPECT_EQ(offsets(all, 0, "utf-8"), utf8);
    EXPECT_EQ(offsets(all, 0, "utf-16le"), utf16);

    // Limit exactly at a hit leaves it out, one past includes it, for every encoding/alignment.
    std::vector<uint64_t> starts = concat(utf8, utf16);
    for (const uint64_t start : starts) {
        for (const size_t limit : {size_t(start), size_t(start + 1)}) {
            const auto hits = searcher.search(bytes(data), 0, limit);
            for (const auto& h : hits) EXPECT_LT(h.offset, limit);
            size_t expected = 0;
            for (const auto& h : all) expected += h.offset < limit;
            EXPECT_EQ(hits.size(), expected) << "limit " << limit;
        }
    }
    // A hit that starts before the limit is reported whole even though it runs past it.
    const auto last = data.rfind("alphabet");
    const auto hits = searcher.search(bytes(data), 0, last + 1);
    ASSERT_FALSE(hits.empty());
    EXPECT_EQ(hits.back().offset, last);
    EXPECT_EQ(hits.back().term, 1u);
    EXPECT_EQ(hits.back().text, "alphabet");
    EXPECT_TRUE(searcher.search(bytes(data), 0, 0).empty());
}

TEST(KeywordSearch, BaseOffsetIsAdded) {
    const std::string data = "..needle.." + utf16le(u"NEEDLE");
    KeywordSearcher searcher({{"needle"}});
    const uint64_t base = 0x1'0000'0000ull + 3;
    const auto plain = searcher.search(bytes(data));
    const auto based = searcher.search(bytes(data), base);
    ASSERT_EQ(plain.size(), 2u);
    ASSERT_EQ(based.size(), 2u);
    EXPECT_EQ(plain[0].offset, 2u);
    EXPECT_EQ(plain[1].offset, data.find(utf16le(u"NEEDLE")));
    for (size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(based[i].offset, plain[i].offset + base);
        EXPECT_EQ(based[i].length, plain[i].length);
        EXPECT_EQ(based[i].encoding, plain[i].encoding);
    }
    // report_limit is relative to data, not to base_offset.
    EXPECT_EQ(searcher.search(bytes(data), base, 3).size(), 1u);
}

TEST(KeywordSearch, BadRegexError) {
    try {
        KeywordSearcher searcher({{"ok"}, {"a(b", true}});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "term 'a(b': missing closing parenthesis at offset 3");
    }
    try {
        KeywordSearcher searcher({{"x[z-a]", true}});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "term 'x[z-a]': range out of order in character class at offset 4");
    }
    // A term with a newline is still reported on one line; the offset is in bytes of the term.
    try {
        KeywordSearcher searcher({{"ж\n(", true}});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "term 'ж\\x0a(': missing closing parenthesis at offset 4");
    }
    // The same text as a literal is fine.
    EXPECT_NO_THROW(KeywordSearcher({{"a(b"}}));
    EXPECT_THROW(KeywordSearcher({{""}}), Error);
}

TEST(KeywordSearch, CaseSensitive) {
    const std::string data =
        "Secret secret SECRET Пароль пароль ПАРОЛЬ" + utf16le(u"Пароль секрет");
    KeywordSearcher searcher({{"secret"}, {"Пароль"}, {"[a-z]+ret", true}}, true);
    const auto hits = searcher.search(bytes(data));
    EXPECT_EQ(offsets(hits, 0, "utf-8"), find_all(data, "secret"));
    EXPECT_EQ(offsets(hits, 0, "utf-8").size(), 1u);
    EXPECT_EQ(offsets(hits, 1, "utf-8"), find_all(data, "Пароль"));
    EXPECT_EQ(offsets(hits, 1, "utf-16le"), find_all(data, utf16le(u"Пароль")));
    EXPECT_EQ(texts(hits, 2, "utf-8"), (std::vector<std::string>{"ecret", "secret"}));
    EXPECT_TRUE(offsets(hits, 0, "utf-16le").empty());  // секрет is Cyrillic
}

TEST(KeywordSearch, EmptyMatchesAreSkipped) {
    const std::string data = "bbabaabbb" + std::string(100000, 'b');
    KeywordSearcher searcher({{"a*", true}, {"x?", true}, {"(?=b)", true}});
    const auto start = std::chrono::steady_clock::now();
    const auto hits = searcher.search(bytes(data));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
    ASSERT_EQ(offsets(hits, 0, "utf-8"), (std::vector<uint64_t>{2, 4}));
    EXPECT_EQ(texts(hits, 0, "utf-8"), (std::vector<std::string>{"a", "aa"}));
    for (const auto& h : hits) EXPECT_GT(h.length, 0u);
    EXPECT_TRUE(offsets(hits, 1, "utf-8").empty());
    EXPECT_TRUE(offsets(hits, 2, "utf-8").empty());
}

TEST(KeywordSearch, PathologicalRegexReturnsPromptly) {
    const std::string data = "needle " + std::string(100000, 'a') + "b needle";
    KeywordSearcher searcher({{"(a+)+$", true}, {"(a|aa)+c", true}, {"needle"}});
    const auto start = std::chrono::steady_clock::now();
    const auto hits = searcher.search(bytes(data));
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
    EXPECT_TRUE(offsets(hits, 0, "utf-8").empty());
    EXPECT_TRUE(offsets(hits, 1, "utf-8").empty());
    // Other terms are unaffected.
    EXPECT_EQ(offsets(hits, 2, "utf-8"), find_all(data, "needle"));
}

TEST(KeywordSearch, LongMatchesAreCapped) {
    const size_t max = KeywordSearcher::kMaxMatchBytes;
    const std::string data = "<" + std::string(10000, 'q') + ">" + std::string(3000, 'q') + "<" +
                             std::string(max + 1000, '\0') + ">" + std::string(3000, 'q') + "<" +
                             std::string(2000, 'q') + "ж" + std::string(2500, 'q');
    KeywordSearcher searcher({{"q+", true}, {R"([\x{0}]+)", true}});
    const auto hits = searcher.search(bytes(data));
    const auto q = offsets(hits, 0, "utf-8");
    ASSERT_EQ(q.size(), 5u);  // a capped match still consumes the whole run
    EXPECT_EQ(q[0], 1u);
    EXPECT_EQ(q[1], 10002u);
    for (const auto& h : hits) {
        EXPECT_LE(h.length, max);
        if (h.encoding == "utf-8") {
            EXPECT_EQ(h.text, data.substr(h.offset, h.length));
        }
    }
    EXPECT_EQ(hits.front().length, max);
    EXPECT_EQ(hits.front().text, std::string(max, 'q'));
    const auto nul8 = texts(hits, 1, "utf-8");
    ASSERT_EQ(nul8.size(), 1u);
    EXPECT_EQ(nul8[0], std::string(max, '\0'));
    // UTF-16: the run of NUL units at either alignment, capped to kMaxMatchBytes bytes.
    const auto nul16 = texts(hits, 1, "utf-16le");
    ASSERT_EQ(nul16.size(), 2u);
    EXPECT_EQ(nul16[0], std::string(max / 2, '\0'));
    EXPECT_EQ(nul16[1], std::string(max / 2, '\0'));
    const auto nul16_offsets = offsets(hits, 1, "utf-16le");
    EXPECT_EQ(nul16_offsets[0], data.find('\0'));
    EXPECT_EQ(nul16_offsets[1], data.find('\0') + 1);
}

TEST(KeywordSearch, CappedUtf8MatchEndsOnACharacter) {
    const size_t max = KeywordSearcher::kMaxMatchBytes;
    std::string data = std::string(max - 1, 'x') + "ж" + "xyz";  // ж straddles the cap
    KeywordSearcher searcher({{R"(\w+)", true}});
    const auto hits = searcher.search(bytes(data));
    const auto it = std::find_if(hits.begin(), hits.end(),
                                 [](const KeywordHit& h) { return h.encoding == "utf-8"; });
    ASSERT_NE(it, hits.end());
    EXPECT_EQ(offsets(hits, 0, "utf-8"), (std::vector<uint64_t>{0}));  // resumes after "xyz"
    EXPECT_EQ(it->length, max - 1);
    EXPECT_EQ(it->text, std::string(max - 1, 'x'));
}

TEST(KeywordSearch, SortedByOffsetTermEncoding) {
    const std::string data = "abc" + utf16le(u"abc") + "ABC";
    KeywordSearcher searcher({{"b"}, {"abc"}, {"a", true}});
    const auto hits = searcher.search(bytes(data));
    expect_sorted(hits);
    ASSERT_GE(hits.size(), 3u);
    EXPECT_EQ(hits[0].offset, 0u);
    EXPECT_EQ(hits[0].term, 1u);
    EXPECT_EQ(hits[1].offset, 0u);
    EXPECT_EQ(hits[1].term, 2u);
    EXPECT_EQ(hits[2].offset, 1u);
    EXPECT_EQ(hits[2].term, 0u);
}

TEST(KeywordSearch, TinyAndEmptyData) {
    KeywordSearcher searcher({{"a"}, {"b+", true}});
    EXPECT_TRUE(searcher.search({}).empty());
    const std::string one = "A";
    const auto hits = searcher.search(bytes(one));
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_EQ(hits[0].encoding, "utf-8");
    const std::string two = utf16le(u"b");
    const auto wide = searcher.search(bytes(two));
    ASSERT_EQ(wide.size(), 2u);  // "b" in UTF-8 at 0 and UTF-16LE at 0
    EXPECT_EQ(wide[0].encoding, "utf-16le");
    EXPECT_EQ(wide[0].length, 2u);
    EXPECT_EQ(wide[1].encoding, "utf-8");
    EXPECT_TRUE(KeywordSearcher(std::vector<KeywordTerm>{}).search(bytes(one)).empty());
}

TEST(KeywordSearch, SupplementaryCharactersInUtf16) {
    std::u16string lone = u"X lone";
    lone[0] = char16_t{0xD83D};  // an unpaired high surrogate
    const std::string data = "\x01" + utf16le(u"key 😀 value") + utf16le(lone);
    KeywordSearcher searcher({{"😀 VALUE"}, {"lone"}, {R"(value. lone)", true}});
    const auto hits = searcher.search(bytes(data));
    EXPECT_EQ(offsets(hits, 0, "utf-16le"), find_all(data, utf16le(u"😀 value")));
    EXPECT_EQ(offsets(hits, 0, "utf-16le").size(), 1u);
    EXPECT_EQ(texts(hits, 0, "utf-16le"), (std::vector<std::string>{"😀 value"}));
    EXPECT_EQ(offsets(hits, 1, "utf-16le"), find_all(data, utf16le(u"lone")));
    // An invalid code unit never matches, not even ".", but the search goes on after it.
    EXPECT_TRUE(offsets(hits, 2, "utf-16le").empty());
}

TEST(KeywordSearch, ThreadSafeAndMovable) {
    std::string data = noise(200000, 11);
    for (size_t at = 100; at < data.size() - 100; at += 9973) data.replace(at, 6, "Secret");
    data += utf16le(u"СЕКРЕТ");
    KeywordSearcher original({{"secret"}, {"секрет"}, {R"(s\w{4}t)", true}});
    KeywordSearcher searcher(std::move(original));
    ASSERT_EQ(searcher.terms().size(), 3u);
    EXPECT_EQ(searcher.terms()[2].text, R"(s\w{4}t)");
    const auto reference = searcher.search(bytes(data));
    EXPECT_EQ(offsets(reference, 0, "utf-8"), find_all(data, "Secret"));
    std::vector<std::vector<KeywordHit>> results(4);
    std::vector<std::thread> threads;
    for (auto& r : results) {
        threads.emplace_back([&] { r = searcher.search(bytes(data)); });
    }
    for (auto& t : threads) t.join();
    for (const auto& r : results) {
        ASSERT_EQ(r.size(), reference.size());
        for (size_t i = 0; i < r.size(); ++i) {
            EXPECT_EQ(r[i].offset, reference[i].offset);
            EXPECT_EQ(r[i].text, reference[i].text);
        }
    }
}

}  // namespace
}  // namespace dflab::engine
