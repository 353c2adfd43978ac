#pragma once
// A Windows shell link (.lnk, [MS-SHLLINK]) read with liblnk from bytes in memory (a bounded
// libbfio handle, engine/libyal_memory.hpp). Every liblnk handle and error is owned here; every
// liblnk error becomes one Error naming the link.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace dflab::engine {

// The header's size (0x4C) and the link CLSID {00021401-0000-0000-C000-000000000046} at the start
// of `head`: how a shell link is recognised, whatever the file is called.
bool has_shell_link_header(std::span<const std::byte> head);

// What a link says about its target. Strings are UTF-8; absent when the link does not hold them.
struct ShellLink {
    // FILETIMEs as stored (common/windows_time.hpp); 0 when not set.
    uint64_t created = 0, accessed = 0, modified = 0;
    uint32_t file_size = 0;
    uint32_t attributes = 0;
    std::optional<uint32_t> drive_type;  // DRIVE_REMOVABLE = 2, DRIVE_FIXED = 3, ...
    std::optional<uint32_t> volume_serial;
    std::optional<std::string> volume_label, local_path, network_path, description, relative_path,
        working_directory, arguments, icon_location, machine_id;
};

// Throws Error "NAME: not a readable shell link: ..." when liblnk cannot read `bytes`.
ShellLink read_shell_link(std::span<const std::byte> bytes, const std::string& name);

// "removable", "fixed", "network", "optical", "ram_disk", "no_root_dir" or "unknown".
std::string drive_type_name(uint32_t drive_type);

}  // namespace dflab::engine
