#include "images/partition_table.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdio>

#include "engine/error.hpp"
#include "images/run_tool.hpp"

namespace dflab::images {

namespace {

std::string default_mbr_type(FileSystemType fs) {
    switch (fs) {
        case FileSystemType::Fat12:
            return "01";
        case FileSystemType::Fat16:
            return "06";
        case FileSystemType::Fat32:
            return "0c";
        case FileSystemType::Ntfs:
            return "07";
        default:
            return "83";
    }
}

std::string default_gpt_type(FileSystemType fs) {
    switch (fs) {
        case FileSystemType::Ext2:
        case FileSystemType::Ext3:
        case FileSystemType::Ext4:
            return "8300";
        default:
            return "0700";
    }
}

uint64_t sectors(uint64_t bytes, uint32_t sector_size) {
    return bytes / sector_size;
}

// MBR entry numbers: primaries 1-4 in order, logical partitions from 5.
std::vector<int> mbr_numbers(const DiskSpec& disk) {
    std::vector<int> numbers;
    int primary = 0, logical = 4;
    bool extended = false;
    for (const auto& p : disk.partitions) {
        if (p.logical) {
            if (!extended) {
                ++primary;  // the extended container takes a primary slot
                extended = true;
            }
            numbers.push_back(++logical);
        } else {
            numbers.push_back(++primary);
        }
    }
    return numbers;
}

}  // namespace

std::string derived_guid(uint64_t seed, const std::string& name) {
    std::string input = std::to_string(seed) + "/" + name;
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_Digest(input.data(), input.size(), md.data(), &len, EVP_sha256(), nullptr);
    md[6] = static_cast<unsigned char>((md[6] & 0x0f) | 0x40);
    md[8] = static_cast<unsigned char>((md[8] & 0x3f) | 0x80);
    char text[37];
    std::snprintf(text, sizeof text,
                  "%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X", md[0],
                  md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11],
                  md[12], md[13], md[14], md[15]);
    return text;
}

void write_partition_table(const DiskSpec& disk, uint64_t seed,
                           const std::filesystem::path& image) {
    if (disk.table == PartitionTable::None) return;
    const uint32_t ss = disk.sector_size;
    if (disk.table == PartitionTable::Mbr) {
        std::string script = "label: dos\nunit: sectors\nsector-size: " + std::to_string(ss) +
                             "\nlabel-id: 0x" + derived_guid(seed, "mbr").substr(0, 8) + "\n\n";
        // Primaries in order; the extended container (type 05) where the first logical is, spanning
        // every logical partition with 1 MiB before each for its extended boot record.
        uint64_t ext_start = 0, ext_end = 0;
        for (const auto& p : disk.partitions) {
            if (!p.logical) continue;
            uint64_t start = *p.start, end = start + sectors(p.size, ss);
            uint64_t container = start - (1ull << 20) / ss;
            if (ext_start == 0 || container < ext_start) ext_start = container;
            ext_end = std::max(ext_end, end);
        }
        bool extended_written = false;
        for (const auto& p : disk.partitions) {
            if (p.logical && !extended_written) {
                script += "start=" + std::to_string(ext_start) +
                          ", size=" + std::to_string(ext_end - ext_start) + ", type=5\n";
                extended_written = true;
            }
            if (p.logical) continue;
            script += "start=" + std::to_string(*p.start) +
                      ", size=" + std::to_string(sectors(p.size, ss)) +
                      ", type=" + p.type_code.value_or(default_mbr_type(p.filesystem)) + "\n";
        }
        for (const auto& p : disk.partitions) {
            if (!p.logical) continue;
            script += "start=" + std::to_string(*p.start) +
                      ", size=" + std::to_string(sectors(p.size, ss)) +
                      ", type=" + p.type_code.value_or(default_mbr_type(p.filesystem)) + "\n";
        }
        run_tool({"sfdisk", "--no-reread", "--no-tell-kernel", "--quiet", image.string()}, {},
                 script);
        return;
    }
    std::vector<std::string> args{"sgdisk", "-o", "-U", derived_guid(seed, "gpt-disk")};
    int n = 0;
    for (const auto& p : disk.partitions) {
        ++n;
        const std::string num = std::to_string(n);
        args.insert(args.end(),
                    {"-n",
                     num + ":" + std::to_string(*p.start) + ":" +
                         std::to_string(*p.start + sectors(p.size, ss) - 1),
                     "-t", num + ":" + p.type_code.value_or(default_gpt_type(p.filesystem)), "-u",
                     num + ":" + derived_guid(seed, "gpt-partition-" + p.id)});
        if (!p.label.empty()) args.insert(args.end(), {"-c", num + ":" + p.label});
    }
    args.push_back(image.string());
    run_tool(args);
}

void delete_partition_entries(const DiskSpec& disk, const std::filesystem::path& image) {
    if (disk.table == PartitionTable::None) return;
    std::vector<int> numbers =
        disk.table == PartitionTable::Mbr ? mbr_numbers(disk) : std::vector<int>{};
    for (size_t i = 0; i < disk.partitions.size(); ++i) {
        if (!disk.partitions[i].delete_entry) continue;
        if (disk.table == PartitionTable::Mbr) {
            run_tool({"sfdisk", "--no-reread", "--no-tell-kernel", "--quiet", "--delete",
                      image.string(), std::to_string(numbers[i])});
        } else {
            run_tool({"sgdisk", "-d", std::to_string(i + 1), image.string()});
        }
    }
}

}  // namespace dflab::images
