#include "engine/file_signatures.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace dflab::engine {

namespace {

// A type recognised by its leading bytes. `min_size` is the shortest content for which libmagic
// 5.44 gives `mime` (shorter content, even with the whole signature, gets another answer).
// `text_like`: the signature is made of bytes text may contain, so the content may be text to
// libmagic, and libmagic tries CSV before any signature (FF D8 FF "a,b\n1,2\n..." is text/csv).
struct Signature {
    std::string_view magic;
    size_t min_size;
    std::string_view mime;
    bool text_like = false;
};

using namespace std::string_view_literals;

// libmagic tries its entries strongest first and the first match wins, so a signature is certain
// only when no stronger entry can match content that starts with it. The rows are formats libmagic
// ranks high (`file -l`: JPEG 210, PNG 200, SQLite 181, xz 180, PDF 150, GIF 150, ELF 140, above
// every MBR/partition/file-system entry), and each was checked against `file --mime-type -b` on
// real samples, their truncations, look-alikes and samples carrying other formats' signatures at
// their offsets (MBR, GPT, ISO 9660, tar, ext2, FAT, NTFS, LUKS, btrfs, MP4, WAVE);
// tests/test_file_type_agreement.cpp checks them again on every run. Left to libmagic on purpose:
// gzip, bzip2 and zstd (weak entries: a gzip file with 55 AA at byte 510 is a "DOS/MBR boot
// sector" to libmagic, one with "CD001" at byte 32769 an ISO 9660 image), ZIP (refined to
// docx/xlsx/jar/apk/epub
// ...), OLE (doc/xls/msi), BMP ("BM" is too weak), RAR and 7z (no Debian tool to make samples).
constexpr std::array kSignatures = {
    Signature{"\xff\xd8\xff"sv, 4, "image/jpeg", true},
    Signature{"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"sv, 16, "image/png"},
    Signature{"GIF8"sv, 4, "image/gif", true},
    Signature{"%PDF-"sv, 5, "application/pdf", true},
    Signature{"\xfd\x37\x7a\x58\x5a\x00"sv, 6, "application/x-xz"},  // "\xfd" "7zXZ\0"
};

bool starts_with(std::span<const std::byte> head, std::string_view magic) {
    return head.size() >= magic.size() && std::memcmp(head.data(), magic.data(), magic.size()) == 0;
}

// True when libmagic's CSV test cannot take the content: CSV needs a comma (outside quotes) on
// the first line, and text: a NUL byte makes the content text in no encoding libmagic tries (it
// has no UTF-16/32 byte-order mark either, starting with a signature). Else libmagic decides.
bool cannot_be_csv(std::span<const std::byte> head) {
    for (std::byte b : head) {
        if (b == std::byte{'\n'}) return true;
        if (b == std::byte{','} || b == std::byte{'"'}) {
            return std::memchr(head.data(), 0, head.size()) != nullptr;
        }
    }
    return true;  // one line without a comma
}

// Little- or big-endian unsigned integer of `width` bytes at `offset` (the caller checks bounds).
uint64_t read_uint(std::span<const std::byte> head, size_t offset, size_t width, bool big) {
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) {
        const size_t at = big ? offset + i : offset + width - 1 - i;
        v = (v << 8) | std::to_integer<uint64_t>(head[at]);
    }
    return v;
}

// SQLite: the 16-byte header string and a page size SQLite can write (512..32768, or 1 for
// 65536). libmagic calls a page size of 0 something else.
std::string_view sqlite(std::span<const std::byte> head) {
    if (head.size() < 18 || !starts_with(head, "SQLite format 3\x00"sv)) return {};
    const uint64_t page = read_uint(head, 16, 2, true);
    const bool valid = page == 1 || (page >= 512 && page <= 32768 && (page & (page - 1)) == 0);
    return valid ? "application/vnd.sqlite3" : std::string_view{};
}

// ELF, refined the way `file` refines it: by e_type, and for shared objects (ET_DYN) by the
// DF_1_PIE flag in the dynamic segment (a PIE executable or a shared library). When the dynamic
// segment lies beyond `head`, the answer is libmagic's for the same bytes: a shared library.
std::string_view elf(std::span<const std::byte> head) {
    constexpr std::string_view kElfMagic = "\x7f\x45\x4c\x46";  // "\x7f" "ELF"
    if (head.size() < 52 || !starts_with(head, kElfMagic)) return {};
    const auto cls = std::to_integer<int>(head[4]);
    const auto data = std::to_integer<int>(head[5]);
    if ((cls != 1 && cls != 2) || (data != 1 && data != 2)) return {};
    const bool wide = cls == 2;
    const bool big = data == 2;
    const size_t header_size = wide ? 64 : 52;
    if (head.size() < header_size) return {};
    switch (read_uint(head, 16, 2, big)) {
        case 1:
            return "application/x-object";
        case 2:
            return "application/x-executable";
        case 3:
            break;
        case 4:
            return "application/x-coredump";
        default:
            return {};
    }
    const size_t word = wide ? 8 : 4;
    const uint64_t phoff = read_uint(head, wide ? 32 : 28, word, big);
    const uint64_t phentsize = read_uint(head, wide ? 54 : 42, 2, big);
    const uint64_t phnum = read_uint(head, wide ? 56 : 44, 2, big);
    const uint64_t phsize = wide ? 56 : 32;
    bool pie = false;
    if (phentsize == phsize && phnum <= 2048) {
        for (uint64_t i = 0; i < phnum; ++i) {
            const uint64_t ph = phoff + i * phsize;
            if (phoff > head.size() || ph + phsize > head.size()) break;
            if (read_uint(head, ph, 4, big) != 2) continue;  // PT_DYNAMIC
            const uint64_t offset = read_uint(head, ph + (wide ? 8 : 4), word, big);
            const uint64_t filesz = read_uint(head, ph + (wide ? 32 : 16), word, big);
            const uint64_t entry = 2 * word;
            for (uint64_t d = 0; d + entry <= filesz; d += entry) {
                if (offset > head.size() || offset + d + entry > head.size()) break;
                const uint64_t tag = read_uint(head, offset + d, word, big);
                if (tag == 0x6ffffffb) {  // DT_FLAGS_1; the last one counts, as in file
                    pie = (read_uint(head, offset + d + word, word, big) & 0x08000000) != 0;
                }
            }
        }
    }
    return pie ? "application/x-pie-executable" : "application/x-sharedlib";
}

}  // namespace

std::string_view signature_mime(std::span<const std::byte> head) {
    for (const auto& s : kSignatures) {
        if (head.size() >= s.min_size && starts_with(head, s.magic)) {
            return !s.text_like || cannot_be_csv(head) ? s.mime : std::string_view{};
        }
    }
    if (auto m = sqlite(head); !m.empty()) return m;
    return elf(head);
}

}  // namespace dflab::engine
