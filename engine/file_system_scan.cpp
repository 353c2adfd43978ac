#include "engine/file_system_scan.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string_view>

#include "engine/volumes.hpp"

namespace dflab::engine {

namespace {

constexpr size_t kChunk = 4u << 20;
// An ext superblock lies 1024 bytes into its file system; its magic 56 bytes further.
constexpr size_t kExtMagicAt = 1024 + 56;
constexpr size_t kLookAhead = 2048;  // bytes past a sector start that the checks read

bool has(const std::byte* p, size_t at, std::string_view text) {
    return std::memcmp(p + at, text.data(), text.size()) == 0;
}

uint8_t byte_at(const std::byte* p, size_t at) {
    return std::to_integer<uint8_t>(p[at]);
}

bool boot_signature(const std::byte* p) {
    return byte_at(p, 510) == 0x55 && byte_at(p, 511) == 0xAA;
}

// What the sector at `p` (with kLookAhead bytes readable) looks like the start of, or nothing.
std::optional<std::string_view> signature_at(const std::byte* p) {
    if (has(p, 3, "NTFS    ") && boot_signature(p)) return "NTFS boot sector";
    if (has(p, 3, "EXFAT   ")) return "exFAT boot sector";
    const uint8_t jump = byte_at(p, 0);
    if ((jump == 0xEB || jump == 0xE9) && boot_signature(p) &&
        (has(p, 54, "FAT12   ") || has(p, 54, "FAT16   ") || has(p, 54, "FAT     ") ||
         has(p, 82, "FAT32   "))) {
        return "FAT boot sector";
    }
    if (byte_at(p, kExtMagicAt) == 0x53 && byte_at(p, kExtMagicAt + 1) == 0xEF &&
        byte_at(p, 1024 + 24) <= 6) {  // s_log_block_size: blocks of 1 KiB to 64 KiB
        return "ext superblock";
    }
    return std::nullopt;
}

}  // namespace

std::vector<FoundFileSystem> scan_for_file_systems(
    const Evidence& evidence, const std::function<void(uint64_t, uint64_t)>& progress) {
    const uint64_t size = evidence.size();
    const uint32_t sector = evidence.sector_size();
    std::vector<FoundFileSystem> found;
    uint64_t covered_until = 0;  // sectors before this belong to a file system already found
    std::vector<std::byte> buffer(kChunk + kLookAhead);

    for (uint64_t chunk = 0; chunk < size; chunk += kChunk) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(size - chunk, buffer.size()));
        const size_t got = evidence.read(chunk, std::span(buffer).first(want));
        // Past the end of the image reads as zeros: no signature is made of them.
        std::fill(buffer.begin() + static_cast<std::ptrdiff_t>(got), buffer.end(), std::byte{0});
        const size_t sectors_here =
            static_cast<size_t>(std::min<uint64_t>(kChunk, size - chunk) / sector);
        for (size_t i = 0; i < sectors_here; ++i) {
            const uint64_t at = chunk / sector + i;
            if (at < covered_until) continue;
            auto signature = signature_at(buffer.data() + i * sector);
            if (!signature) continue;
            auto probe = probe_file_system(evidence, at * sector);
            if (!probe) continue;
            FoundFileSystem fs{at, probe->length / sector, probe->type, std::string(*signature)};
            // NTFS keeps a copy of its boot sector in the sector after its last cluster.
            covered_until =
                at + std::max<uint64_t>(fs.length, 1) + (*signature == "NTFS boot sector" ? 1 : 0);
            found.push_back(std::move(fs));
        }
        if (progress) progress(std::min(size, chunk + kChunk), size);
    }
    return found;
}

}  // namespace dflab::engine
