#include "engine/file_system_signature.hpp"

#include <cstdint>
#include <cstring>

namespace dflab::engine {

namespace {

// An ext superblock lies 1024 bytes into its file system; its magic 56 bytes further.
constexpr size_t kExtMagicAt = 1024 + 56;

bool has(std::span<const std::byte> p, size_t at, std::string_view text) {
    return std::memcmp(p.data() + at, text.data(), text.size()) == 0;
}

uint8_t byte_at(std::span<const std::byte> p, size_t at) {
    return std::to_integer<uint8_t>(p[at]);
}

bool boot_signature(std::span<const std::byte> p) {
    return byte_at(p, 510) == 0x55 && byte_at(p, 511) == 0xAA;
}

}  // namespace

std::optional<FileSystemSignature> file_system_signature(std::span<const std::byte> p) {
    if (p.size() < kSignatureBytes) return std::nullopt;
    if (has(p, 3, "NTFS    ") && boot_signature(p))
        return FileSystemSignature{"NTFS boot sector", TSK_FS_TYPE_NTFS_DETECT};
    if (has(p, 3, "EXFAT   ")) return FileSystemSignature{"exFAT boot sector", TSK_FS_TYPE_EXFAT};
    const uint8_t jump = byte_at(p, 0);
    if ((jump == 0xEB || jump == 0xE9) && boot_signature(p) &&
        (has(p, 54, "FAT12   ") || has(p, 54, "FAT16   ") || has(p, 54, "FAT     ") ||
         has(p, 82, "FAT32   "))) {
        return FileSystemSignature{"FAT boot sector", TSK_FS_TYPE_FAT_DETECT};
    }
    if (byte_at(p, kExtMagicAt) == 0x53 && byte_at(p, kExtMagicAt + 1) == 0xEF &&
        byte_at(p, 1024 + 24) <= 6) {  // s_log_block_size: blocks of 1 KiB to 64 KiB
        return FileSystemSignature{"ext superblock", TSK_FS_TYPE_EXT_DETECT};
    }
    return std::nullopt;
}

}  // namespace dflab::engine
