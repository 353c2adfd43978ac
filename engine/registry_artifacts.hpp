#pragma once
// The artifacts of Windows registry hives (docs/artifacts.md), each kind decoded by its own small
// function from a hive opened with engine/windows_registry_file.hpp. Key paths and offsets are
// the ones RegRipper's plugins read (named beside each function), so the two agree.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/artifact.hpp"
#include "engine/error.hpp"
#include "engine/windows_registry_file.hpp"

namespace dflab::engine {

// Every artifact the hive in `bytes` holds, whichever hive it is (SYSTEM, NTUSER.DAT, SAM: told
// apart by the keys present, not by the file's name). A hive that cannot be opened gives one
// `unreadable` artifact with source "(hive)"; a part that cannot be read gives one `unreadable`
// artifact with that part's key path as its source, and the other parts are still read.
std::vector<Artifact> read_registry_artifacts(std::vector<std::byte> bytes,
                                              const std::string& name);

// The pieces the decoders share.
namespace registry {

// The key's last-write time, UTC seconds; nothing when stored as 0 or past the year 9999 (a
// marker such as 0x7FFFFFFFFFFFFFFF, "never", or damage).
std::optional<int64_t> last_write(const RegistryKey& key);
// A FILETIME stored little-endian at `offset` of `data`, UTC seconds; nothing when 0, past the
// year 9999, or when `data` is too short.
std::optional<int64_t> filetime_at(std::span<const std::byte> data, size_t offset);
uint32_t u32_at(std::span<const std::byte> data, size_t offset);  // 0 when too short
uint16_t u16_at(std::span<const std::byte> data, size_t offset);  // 0 when too short
// An artifact of `kind` from `key`, found at `source`, its time the key's last write.
Artifact key_artifact(const char* kind, std::string source, const RegistryKey& key);
// ISO 8601 UTC text or JSON null.
nlohmann::json time_field(const std::optional<int64_t>& t);

// Runs `decode`; what it throws (an Error from libregf, or a std::bad_alloc for a value whose
// stored size is absurd) becomes an `unreadable` artifact with `source`, so one damaged key costs
// that key's artifacts only.
template <class Decode>
void guarded(std::vector<Artifact>& out, const std::string& source, Decode&& decode) {
    try {
        decode();
    } catch (const std::exception& e) {
        out.push_back(unreadable_artifact(source, common::one_line(e.what())));
    }
}

// SYSTEM (registry_system.cpp). `control_set` is "ControlSet001" for Select\Current = 1.
std::optional<std::string> current_control_set(const RegistryFile& hive);
void computer_name(const RegistryFile& hive, const std::string& control_set,
                   std::vector<Artifact>& out);  // RegRipper compname
void time_zone(const RegistryFile& hive, const std::string& control_set,
               std::vector<Artifact>& out);  // RegRipper timezone
void usb_devices(const RegistryFile& hive, const std::string& control_set,
                 std::vector<Artifact>& out);  // RegRipper usbstor
// SOFTWARE (registry_system.cpp).
void os_installation(const RegistryFile& hive, std::vector<Artifact>& out);   // winver
void network_profiles(const RegistryFile& hive, std::vector<Artifact>& out);  // networklist

// NTUSER.DAT, SAM and SOFTWARE (registry_user.cpp).
std::string rot13(std::string_view text);
void user_assist(const RegistryFile& hive, std::vector<Artifact>& out);       // userassist
void recent_documents(const RegistryFile& hive, std::vector<Artifact>& out);  // recentdocs
void user_accounts(const RegistryFile& hive, std::vector<Artifact>& out);     // samparse
void typed_paths(const RegistryFile& hive, std::vector<Artifact>& out);       // typedpaths
void run_mru(const RegistryFile& hive, std::vector<Artifact>& out);           // runmru
void search_terms(const RegistryFile& hive, std::vector<Artifact>& out);      // wordwheelquery
// NTUSER.DAT (below Software\) and SOFTWARE (at the root): the Run keys. RegRipper: run
void autoruns(const RegistryFile& hive, std::vector<Artifact>& out);

}  // namespace registry

}  // namespace dflab::engine
