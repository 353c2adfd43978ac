#include "images/ntfs_format.hpp"

#include <array>
#include <cctype>
#include <ctime>
#include <fstream>
#include <string>
#include <vector>

#include "common/utf16.hpp"
#include "engine/error.hpp"
#include "engine/hashes.hpp"
#include "images/run_tool.hpp"

namespace dflab::images::ntfs {
namespace {

namespace fs = std::filesystem;
using engine::Error;

constexpr uint64_t kSerialOffset = 0x48;        // in the boot sector: 8 bytes, little-endian
constexpr uint64_t kTotalSectorsOffset = 0x28;  // sectors in the volume minus one

std::string where(const PartitionSpec& spec) {
    return spec.mark.str() + ": partition " + spec.id + ": ";
}

// "2024-02-12 07:00:00" in UTC: libfaketime's absolute form, which stops the clock there.
std::string faketime_stamp(int64_t time) {
    std::time_t t = static_cast<std::time_t>(time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 40> buffer{};
    std::strftime(buffer.data(), buffer.size(), "%Y-%m-%d %H:%M:%S", &tm);
    return buffer.data();
}

uint64_t read_le64(std::fstream& file, uint64_t offset) {
    std::array<unsigned char, 8> b{};
    file.seekg(static_cast<std::streamoff>(offset));
    file.read(reinterpret_cast<char*>(b.data()), b.size());
    uint64_t v = 0;
    for (size_t i = 0; i < b.size(); ++i) v |= uint64_t{b[i]} << (8 * i);
    return v;
}

void write_le64(std::fstream& file, uint64_t offset, uint64_t value) {
    std::array<char, 8> b{};
    for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<char>((value >> (8 * i)) & 0xff);
    file.seekp(static_cast<std::streamoff>(offset));
    file.write(b.data(), b.size());
}

}  // namespace

uint64_t volume_serial(const PartitionSpec& spec, uint64_t size, int64_t time) {
    if (spec.serial) {
        std::string digits;
        for (char c : *spec.serial)
            if (c != '-') digits += c;
        if (digits.size() != 16 ||
            digits.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
            throw Error(where(spec) + "NTFS serial '" + *spec.serial +
                        "' is not 16 hexadecimal digits (such as 0123456789ABCDEF)");
        return std::stoull(digits, nullptr, 16);
    }
    const std::string key = "dflab-ntfs:" + spec.id + ":" + spec.label + ":" +
                            std::to_string(size) + ":" + std::to_string(time);
    const std::string hex =
        engine::hash_bytes(std::as_bytes(std::span(key.data(), key.size())), engine::kSha256)
            .sha256;
    return std::stoull(hex.substr(0, 16), nullptr, 16);
}

void make_ntfs(const PartitionSpec& spec, const fs::path& image, uint64_t size, int64_t time) {
    const uint32_t cluster = spec.cluster_size.value_or(kDefaultClusterSize);
    if (cluster < kSectorSize || cluster > 65536 || (cluster & (cluster - 1)) != 0)
        throw Error(where(spec) + "NTFS cluster size " + std::to_string(cluster) +
                    " is not one of 512, 1024, 2048, ..., 65536");
    if (size % kSectorSize != 0)
        throw Error(where(spec) + "NTFS size " + std::to_string(size) +
                    " is not a whole number of 512-byte sectors");
    const uint64_t sectors = size / kSectorSize;
    if (sectors < 2048 || size / cluster < 64)
        throw Error(where(spec) + "too small for NTFS: " + std::to_string(size) +
                    " bytes; it needs at least 1 MiB and 64 clusters");
    if (common::utf16_units(spec.label) > 32)
        throw Error(where(spec) + "NTFS label '" + spec.label + "' is longer than 32 characters");
    const uint64_t serial = volume_serial(spec, size, time);
    {
        std::ofstream out(image, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("ntfs: cannot create " + image.string());
    }
    std::error_code ec;
    fs::resize_file(image, size, ec);
    if (ec) throw Error("ntfs: cannot size " + image.string() + ": " + ec.message());

    // -Q: no zeroing pass (the file is sparse zeros already); -p/-H/-S: the geometry Windows
    // writes (the partition's first sector, 255 heads, 63 sectors per track).
    std::vector<std::string> argv = {"faketime",
                                     "-f",
                                     faketime_stamp(time),
                                     "mkntfs",
                                     "-F",
                                     "-q",
                                     "-Q",
                                     "-s",
                                     std::to_string(kSectorSize),
                                     "-c",
                                     std::to_string(cluster),
                                     "-p",
                                     std::to_string(spec.start.value_or(0)),
                                     "-H",
                                     "255",
                                     "-S",
                                     "63"};
    if (!spec.label.empty()) {
        argv.emplace_back("-L");
        argv.push_back(spec.label);
    }
    argv.push_back(image.string());
    argv.push_back(std::to_string(sectors));
    ToolOptions options;
    options.new_session = true;
    options.subject = "partition " + spec.id;
    options.package = "faketime ntfs-3g";
    run_tool(argv, options);

    // mkntfs has no option for the serial: both boot sectors get it (the backup one is the
    // volume's last sector, right after the sectors the boot sector counts).
    std::fstream file(image, std::ios::binary | std::ios::in | std::ios::out);
    const uint64_t counted = read_le64(file, kTotalSectorsOffset);
    if (!file || counted + 1 > sectors)
        throw Error("ntfs: " + image.string() + ": mkntfs wrote an unexpected boot sector");
    write_le64(file, kSerialOffset, serial);
    write_le64(file, counted * kSectorSize + kSerialOffset, serial);
    file.flush();
    if (!file) throw Error("ntfs: cannot write the serial number into " + image.string());
}

}  // namespace dflab::images::ntfs
