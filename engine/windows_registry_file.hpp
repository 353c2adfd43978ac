#pragma once
// A Windows registry hive (regf) read with libregf from bytes in memory (a libbfio memory range),
// so a hive found in an image is parsed without touching the disk. Every libregf and libbfio
// handle is owned here and freed in order; every libregf error becomes one Error naming the hive.
// Keys hold on to the open hive, so a key stays usable however long the RegistryFile lives.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/utf16.hpp"

namespace dflab::engine {

// UTF-16LE text (strings, names in binary values, SAM V records): common::utf16le_to_utf8.
using common::utf16le_to_utf8;

// A value as stored: name, registry type (REG_SZ = 1, REG_DWORD = 4, ...) and its data bytes.
struct RegistryValue {
    std::string name;  // UTF-8; "" for the key's default value
    uint32_t type = 0;
    std::vector<std::byte> data;

    // REG_SZ / REG_EXPAND_SZ (and REG_LINK) text up to its first NUL; nothing for other types.
    std::optional<std::string> as_string() const;
    // REG_DWORD (little-endian, and REG_DWORD_BIG_ENDIAN), or any value of exactly 4 bytes.
    std::optional<uint32_t> as_dword() const;
    // REG_QWORD, or any value of exactly 8 bytes.
    std::optional<uint64_t> as_qword() const;
};

class RegistryKey {
  public:
    struct Handle;  // the open hive and this key's libregf handle

    std::string name() const;
    // The key's last-write time as stored: a FILETIME (common/windows_time.hpp).
    uint64_t last_written() const;
    std::vector<RegistryKey> subkeys() const;
    // A subkey by name, or by a relative path with backslashes ("Control\ComputerName");
    // case-insensitive as Windows is. Nothing when there is no such key.
    std::optional<RegistryKey> subkey(std::string_view path) const;
    std::vector<RegistryValue> values() const;
    // A value by name ("" for the default value), case-insensitive; nothing when absent.
    std::optional<RegistryValue> value(std::string_view name) const;

    explicit RegistryKey(std::shared_ptr<Handle> handle) : handle_(std::move(handle)) {}

  private:
    std::shared_ptr<Handle> handle_;
};

class RegistryFile {
  public:
    // Opens the hive held in `bytes` (the RegistryFile keeps them); `name` names it in errors.
    // Throws Error when libregf cannot read it: "NAME: not a readable registry hive: ...".
    RegistryFile(std::vector<std::byte> bytes, std::string name);
    ~RegistryFile();
    RegistryFile(RegistryFile&&) noexcept;
    RegistryFile& operator=(RegistryFile&&) noexcept;

    const std::string& name() const;
    RegistryKey root() const;
    // A key by its path below the root ("Select", "ControlSet001\Enum\USBSTOR"),
    // case-insensitive; nothing when there is no such key.
    std::optional<RegistryKey> key(std::string_view path) const;

    struct State;

  private:
    std::shared_ptr<State> state_;
};

}  // namespace dflab::engine
