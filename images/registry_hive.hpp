#pragma once
// Windows registry hive files (the "regf" format), written reproducibly.
//
// A hive starts from an empty one made here from the published format (a base block and one hive
// bin holding the root key); keys and values are added with hivex (Debian's libhivex), and every
// key's last-write time and the base block's time are then set from the recipe, so the same keys
// give the same bytes each time. Readers that check these files: hivexget, regfexport (libregf),
// RegRipper.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dflab::images {

// The most data one value holds: hives of version 1.4 and later keep more in big data cells,
// which are not written here.
inline constexpr size_t kMaxHiveValueData = 16344;

// A value as stored: its registry type and its data bytes exactly as they go into the hive.
struct HiveValue {
    enum class Type : uint32_t {
        None = 0,
        String = 1,        // REG_SZ
        ExpandString = 2,  // REG_EXPAND_SZ
        Binary = 3,        // REG_BINARY
        Dword = 4,         // REG_DWORD (little-endian)
        MultiString = 7,   // REG_MULTI_SZ
        Qword = 11,        // REG_QWORD (little-endian)
    };
    std::string name;  // UTF-8; empty is the key's default value
    Type type = Type::None;
    std::vector<std::byte> data;

    // UTF-16LE text ending in one NUL character, as Windows stores REG_SZ.
    static HiveValue string(std::string_view name, std::string_view utf8);
    static HiveValue expand_string(std::string_view name, std::string_view utf8);
    static HiveValue multi_string(std::string_view name, std::span<const std::string> utf8);
    static HiveValue dword(std::string_view name, uint32_t value);
    static HiveValue qword(std::string_view name, uint64_t value);
    static HiveValue binary(std::string_view name, std::span<const std::byte> bytes);
};

// A key, by its path below the root key with backslashes ("ControlSet001\Control\ComputerName").
// Parent keys not listed are made with the same last-write time as their first listed child.
struct HiveKey {
    std::string path;
    int64_t last_write =
        0;  // UTC seconds since 1970, written as a FILETIME (common/windows_time.hpp)
    std::vector<HiveValue> values;
};

struct HiveSpec {
    std::string root_name = "ROOT";  // the root key's name (Windows: "ROOT", "CMI-CreateHive{...}")
    std::string
        file_name;        // stored in the base block, e.g. "\??\C:\Windows\System32\config\SYSTEM"
    int64_t written = 0;  // the base block's last-written time, UTC seconds
    std::vector<HiveKey> keys;
};

// Builds the hive file's bytes. Throws Error naming the key or value that cannot be written.
std::vector<std::byte> build_hive(const HiveSpec& spec);

}  // namespace dflab::images
