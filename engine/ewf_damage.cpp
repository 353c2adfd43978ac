#include "engine/ewf_damage.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <regex>
#include <span>

namespace dflab::engine {

namespace {

constexpr std::array<unsigned char, 8> kEvfSignature{'E', 'V', 'F', 0x09, 0x0d, 0x0a, 0xff, 0x00};
constexpr uint64_t kHeaderSize = 13;
constexpr uint64_t kDescriptorSize = 76;
constexpr int kMaxSections = 1 << 20;  // a chain that loops is damage, not work

uint32_t adler32(std::span<const unsigned char> data) {
    uint32_t a = 1, b = 0;
    for (unsigned char c : data) {
        a = (a + c) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

uint64_t little_endian(std::span<const unsigned char> bytes) {
    uint64_t v = 0;
    for (size_t i = bytes.size(); i-- > 0;) v = (v << 8) | bytes[i];
    return v;
}

std::string file_name(const std::string& path) {
    return std::filesystem::path(path).filename().string();
}

// The name the segment after `path` has (disk.E04 -> disk.E05), or a description of it.
std::string next_segment_name(const std::string& path) {
    const std::string name = file_name(path);
    static const std::regex numbered(R"(^(.*\.[EeSs])([0-9]{2})$)");
    std::smatch m;
    if (std::regex_match(name, m, numbered) && m[2] != "99") {
        const int n = std::stoi(m[2].str()) + 1;
        return m[1].str() + (n < 10 ? "0" : "") + std::to_string(n);
    }
    return "the one after " + name;
}

class Segment {
  public:
    explicit Segment(const std::string& path)
        : name_(file_name(path)), in_(path, std::ios::binary) {
        std::error_code ec;
        size_ = std::filesystem::file_size(path, ec);
        if (ec) size_ = 0;
    }

    bool read(uint64_t offset, std::span<unsigned char> out) {
        if (offset > size_ || out.size() > size_ - offset) return false;
        in_.clear();
        in_.seekg(static_cast<std::streamoff>(offset));
        in_.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
        return static_cast<size_t>(in_.gcount()) == out.size();
    }

    // The damage in this segment (expected to be number `number`); sets `last_type` to the type
    // of the section its chain ends with.
    std::optional<std::string> check(uint64_t number, std::string& last_type) {
        const std::string at = "segment " + name_;
        if (!in_) return at + " cannot be read";
        std::array<unsigned char, kHeaderSize> header{};
        if (!read(0, header)) {
            return at + " is truncated: " + std::to_string(size_) +
                   " bytes, not even a segment header";
        }
        if (!std::equal(kEvfSignature.begin(), kEvfSignature.end(), header.begin()))
            return at + " does not begin with the EVF signature";
        const uint64_t stored_number = little_endian(std::span(header).subspan(9, 2));
        if (stored_number != number) {
            return at + " is segment number " + std::to_string(stored_number) +
                   " of a set, not number " + std::to_string(number);
        }
        uint64_t offset = kHeaderSize;
        for (int i = 0; i < kMaxSections; ++i) {
            std::array<unsigned char, kDescriptorSize> d{};
            if (!read(offset, d)) {
                return at + " is truncated: it ends at byte " + std::to_string(size_) +
                       ", inside the section descriptor at byte " + std::to_string(offset);
            }
            if (adler32(std::span(d).first(72)) != little_endian(std::span(d).subspan(72, 4))) {
                return at + ": the section descriptor at byte " + std::to_string(offset) +
                       " is damaged (its checksum does not match)";
            }
            std::string type(reinterpret_cast<const char*>(d.data()), 16);
            type = type.substr(0, type.find('\0'));
            const uint64_t next = little_endian(std::span(d).subspan(16, 8));
            if (type == "done" || type == "next") {
                last_type = type;
                return std::nullopt;
            }
            if (next > size_) {
                return at + " is truncated: it ends at byte " + std::to_string(size_) +
                       ", inside its '" + type + "' section (bytes " + std::to_string(offset) +
                       " to " + std::to_string(next) + ")";
            }
            if (next <= offset) {
                return at + ": the '" + type + "' section at byte " + std::to_string(offset) +
                       " points back to byte " + std::to_string(next);
            }
            if (auto damage = check_hash_data(type, offset + kDescriptorSize)) return damage;
            offset = next;
        }
        return at + ": more than " + std::to_string(kMaxSections) + " sections";
    }

  private:
    // The hash section holds the MD5 (16 bytes), 16 unknown bytes and the Adler-32 of those 32;
    // the digest section the MD5, the SHA-1 (20 bytes), 40 bytes of padding and the Adler-32 of
    // those 76.
    std::optional<std::string> check_hash_data(const std::string& type, uint64_t data) {
        size_t covered = 0;
        if (type == "hash") covered = 32;
        if (type == "digest") covered = 76;
        if (covered == 0) return std::nullopt;
        std::vector<unsigned char> bytes(covered + 4);
        const std::string at = "segment " + name_ + ": its '" + type + "' section";
        if (!read(data, bytes)) return at + " is cut short";
        if (adler32(std::span(bytes).first(covered)) !=
            little_endian(std::span(bytes).subspan(covered, 4))) {
            return at + " does not match its checksum: the stored " +
                   (type == "hash" ? "MD5 was" : "MD5 and SHA-1 were") + " changed or damaged";
        }
        return std::nullopt;
    }

    std::string name_;
    std::ifstream in_;
    uint64_t size_ = 0;
};

// The segment number `path` stores in its header, when it begins with the EVF signature.
std::optional<uint64_t> stored_segment_number(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::array<unsigned char, kHeaderSize> header{};
    if (!in.read(reinterpret_cast<char*>(header.data()), header.size())) return std::nullopt;
    if (!std::equal(kEvfSignature.begin(), kEvfSignature.end(), header.begin()))
        return std::nullopt;
    return little_endian(std::span(header).subspan(9, 2));
}

}  // namespace

bool has_evf_signature(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::array<char, kEvfSignature.size()> head{};
    if (!in.read(head.data(), head.size())) return false;
    return std::equal(kEvfSignature.begin(), kEvfSignature.end(), head.begin(),
                      [](unsigned char a, char b) { return a == static_cast<unsigned char>(b); });
}

std::optional<std::string> find_ewf_damage(const std::vector<std::string>& named) {
    // libewf orders a set by the numbers its segments store, not by their names: segments renamed
    // out of order (E03 holding segment 4, E04 segment 3) are a whole set, which ewfverify
    // verifies. When the stored numbers are exactly 1 to n, that is the order checked; otherwise
    // the names' order, where the first segment out of place is the damage.
    std::vector<std::string> segments = named;
    std::vector<std::pair<uint64_t, std::string>> numbered;
    for (const auto& path : named)
        if (auto n = stored_segment_number(path)) numbered.emplace_back(*n, path);
    std::sort(numbered.begin(), numbered.end());
    bool permutation = numbered.size() == named.size();
    for (size_t i = 0; permutation && i < numbered.size(); ++i)
        permutation = numbered[i].first == i + 1;
    if (permutation)
        for (size_t i = 0; i < numbered.size(); ++i) segments[i] = numbered[i].second;

    std::string last_type;
    for (size_t i = 0; i < segments.size(); ++i) {
        Segment segment(segments[i]);
        if (auto damage = segment.check(i + 1, last_type)) return damage;
    }
    if (!segments.empty() && last_type == "next") {
        return "segment " + next_segment_name(named.back()) + " is missing (" +
               file_name(segments.back()) + " ends in a 'next' section)";
    }
    return std::nullopt;
}

}  // namespace dflab::engine
