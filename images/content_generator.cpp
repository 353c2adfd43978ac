// Content -> bytes: text, base64, assets, seeded random bytes, and the dispatcher for generated
// documents (generate_<type>.cpp). See content_generator.hpp.
#include "images/content_generator.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>

#include "common/input_file.hpp"
#include "engine/error.hpp"
#include "images/recipe_parser.hpp"

namespace dflab::images {

using engine::Error;

namespace detail {
namespace {

uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

std::string join(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out.empty() ? "none" : out;
}

}  // namespace

Prng::Prng(uint64_t seed, std::string_view purpose, std::string_view stream) {
    // Domain tag, seed (little-endian), purpose, NUL, stream: unambiguous for any purpose.
    std::string input = "dflab-content-v1";
    input.push_back('\0');
    for (int i = 0; i < 8; ++i) input.push_back(static_cast<char>((seed >> (8 * i)) & 0xff));
    input.append(purpose);
    input.push_back('\0');
    input.append(stream);
    std::array<unsigned char, 32> digest{};
    unsigned int length = 0;
    if (EVP_Digest(input.data(), input.size(), digest.data(), &length, EVP_sha256(), nullptr) !=
            1 ||
        length != digest.size())
        throw Error("content generator: SHA-256 failed (OpenSSL)");
    for (size_t w = 0; w < 4; ++w) {
        uint64_t v = 0;
        for (size_t i = 0; i < 8; ++i) v |= uint64_t{digest[w * 8 + i]} << (8 * i);
        s_[w] = v;
    }
    if (s_[0] == 0 && s_[1] == 0 && s_[2] == 0 && s_[3] == 0) s_[0] = 1;  // the one bad state
}

uint64_t Prng::next() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

uint64_t Prng::below(uint64_t bound) {
    if (bound == 0) throw Error("content generator: empty random range");
    const uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
    for (;;) {
        const uint64_t r = next();
        if (r >= threshold) return r % bound;
    }
}

void Prng::fill(std::span<std::byte> out) {
    size_t i = 0;
    while (i < out.size()) {
        uint64_t v = next();
        for (int b = 0; b < 8 && i < out.size(); ++b, ++i, v >>= 8)
            out[i] = static_cast<std::byte>(v & 0xff);
    }
}

CivilTime civil_from_unix(int64_t seconds) {
    // Howard Hinnant's days -> civil algorithm; floor division so negative times work.
    int64_t days = seconds / 86400;
    int64_t rest = seconds % 86400;
    if (rest < 0) {
        rest += 86400;
        --days;
    }
    const int64_t z = days + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t d = doy - (153 * mp + 2) / 5 + 1;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    CivilTime t{};
    t.year = yoe + era * 400 + (m <= 2 ? 1 : 0);
    t.month = static_cast<int>(m);
    t.day = static_cast<int>(d);
    t.hour = static_cast<int>(rest / 3600);
    t.minute = static_cast<int>(rest / 60 % 60);
    t.second = static_cast<int>(rest % 60);
    return t;
}

std::string option_string(const GeneratedContent& g, const std::string& name,
                          const std::string& fallback) {
    auto it = g.options.find(name);
    return it == g.options.end() ? fallback : it->second;
}

int64_t option_int(const GeneratedContent& g, const std::string& name, int64_t fallback,
                   int64_t min, int64_t max) {
    auto it = g.options.find(name);
    if (it == g.options.end()) return fallback;
    const std::string& text = it->second;
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
        throw Error("generate " + g.type + ": option '" + name + "' must be an integer from " +
                    std::to_string(min) + " to " + std::to_string(max) + ", got '" + text + "'");
    return value;
}

}  // namespace detail

namespace {

std::vector<std::byte> to_bytes(std::string_view s) {
    std::vector<std::byte> out(s.size());
    std::transform(s.begin(), s.end(), out.begin(), [](char c) { return std::byte(c); });
    return out;
}

std::vector<std::byte> decode_base64(const std::string& input) {
    std::string text;
    text.reserve(input.size());
    for (char c : input)
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') text.push_back(c);  // YAML wrapping
    auto bad = [](const std::string& why) { return Error("invalid base64 content: " + why); };
    if (text.size() % 4 != 0)
        throw bad("length " + std::to_string(text.size()) +
                  " (without white space) is not a multiple of 4");
    size_t padding = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '=') {
            if (i + 2 < text.size())
                throw bad("'=' before the end, at character " + std::to_string(i + 1));
            ++padding;
        } else if (padding > 0 ||
                   !(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/')) {
            throw bad("unexpected character '" + std::string(1, c) + "' at character " +
                      std::to_string(i + 1));
        }
    }
    if (text.empty()) return {};
    std::vector<unsigned char> out(text.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                  static_cast<int>(text.size()));
    if (n < 0 || static_cast<size_t>(n) != out.size()) throw bad("rejected by the decoder");
    out.resize(out.size() - padding);
    std::vector<std::byte> bytes(out.size());
    std::memcpy(bytes.data(), out.data(), out.size());
    return bytes;
}

std::vector<std::byte> read_asset(const std::string& path) {
    // A regular file only, within the limit the recipe parser checked (it may have changed since).
    const std::string data = common::read_input_file(path, kLargestAsset, "recipe asset");
    std::vector<std::byte> bytes(data.size());
    std::memcpy(bytes.data(), data.data(), data.size());
    return bytes;
}

using Generator = std::vector<std::byte> (*)(const GeneratedContent&, const GenerationContext&);
struct GeneratorInfo {
    Generator generate;
    std::vector<std::string> options;
};

const std::map<std::string, GeneratorInfo>& generators() {
    static const std::map<std::string, GeneratorInfo> table = {
        {"jpeg", {detail::generate_jpeg, {"width", "height", "quality", "comment"}}},
        {"png", {detail::generate_png, {"width", "height", "comment"}}},
        {"pdf", {detail::generate_pdf, {"text", "title", "author"}}},
        {"zip", {detail::generate_zip, {}}},
        {"sqlite", {detail::generate_sqlite, {"keep_deleted"}}},
        {"registry", {detail::generate_registry, {"root", "file_name"}}},
        {"lnk", {detail::generate_lnk, {}}},  // its fields are in GeneratedContent::shell_link
        {"evtx", {detail::generate_evtx, {"channel", "computer"}}},
        {"chrome_history", {detail::generate_chrome_history, {}}},  // GeneratedContent::
        {"firefox_places", {detail::generate_firefox_places, {}}},  // browser_history
        {"prefetch", {detail::generate_prefetch, {}}},  // fields in GeneratedContent::prefetch
    };
    return table;
}

std::vector<std::byte> generate(const GeneratedContent& g, const GenerationContext& c) {
    const auto& table = generators();
    auto it = table.find(g.type);
    if (it == table.end())
        throw Error("unknown generated content type '" + g.type +
                    "' (allowed: jpeg, png, pdf, zip, sqlite, registry, lnk, evtx, chrome_history, "
                    "firefox_places, prefetch)");
    const auto& allowed = it->second.options;
    for (const auto& [name, value] : g.options)
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end())
            throw Error("generate " + g.type + ": unknown option '" + name +
                        "' (allowed: " + detail::join(allowed) + ")");
    if (!g.members.empty() && g.type != "zip")
        throw Error("generate " + g.type + ": 'members' is only for type zip");
    if (!g.sql.empty() && g.type != "sqlite")
        throw Error("generate " + g.type + ": 'sql' is only for type sqlite");
    if (!g.registry_keys.empty() && g.type != "registry")
        throw Error("generate " + g.type + ": 'keys' is only for type registry");
    if (!g.events.empty() && g.type != "evtx")
        throw Error("generate " + g.type + ": 'events' is only for type evtx");
    return it->second.generate(g, c);
}

struct Visitor {
    const GenerationContext& context;
    std::vector<std::byte> operator()(const TextContent& t) const { return to_bytes(t.text); }
    std::vector<std::byte> operator()(const Base64Content& b) const {
        return decode_base64(b.base64);
    }
    std::vector<std::byte> operator()(const AssetContent& a) const { return read_asset(a.path); }
    std::vector<std::byte> operator()(const RandomContent& r) const {
        if (r.size > (uint64_t{1} << 40))
            throw Error("random content of " + std::to_string(r.size) + " bytes is too large");
        std::vector<std::byte> out(static_cast<size_t>(r.size));
        detail::Prng prng(context.seed, context.purpose, "random");
        prng.fill(out);
        return out;
    }
    std::vector<std::byte> operator()(const GeneratedContent& g) const {
        return generate(g, context);
    }
};

}  // namespace

std::vector<std::byte> generate_content(const Content& content, const GenerationContext& context) {
    return std::visit(Visitor{context}, content);
}

}  // namespace dflab::images
