#include "engine/registry_artifacts.hpp"

#include "common/windows_time.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

namespace registry {

namespace {

std::optional<int64_t> seconds_of(uint64_t filetime) {
    return common::filetime_to_unix_checked(filetime);
}

}  // namespace

std::optional<int64_t> last_write(const RegistryKey& key) {
    return seconds_of(key.last_written());
}

uint32_t u32_at(std::span<const std::byte> data, size_t offset) {
    if (offset + 4 > data.size()) return 0;
    uint32_t v = 0;
    for (size_t i = 4; i-- > 0;) v = (v << 8) | std::to_integer<uint32_t>(data[offset + i]);
    return v;
}

uint16_t u16_at(std::span<const std::byte> data, size_t offset) {
    if (offset + 2 > data.size()) return 0;
    return static_cast<uint16_t>(std::to_integer<uint16_t>(data[offset]) |
                                 (std::to_integer<uint16_t>(data[offset + 1]) << 8));
}

std::optional<int64_t> filetime_at(std::span<const std::byte> data, size_t offset) {
    if (offset + 8 > data.size()) return std::nullopt;
    const uint64_t ft =
        (static_cast<uint64_t>(u32_at(data, offset + 4)) << 32) | u32_at(data, offset);
    return seconds_of(ft);
}

Artifact key_artifact(const char* kind, std::string source, const RegistryKey& key) {
    Artifact a;
    a.kind = kind;
    a.source = std::move(source);
    a.time = last_write(key);
    a.time_kind = "last_write";
    return a;
}

nlohmann::json time_field(const std::optional<int64_t>& t) {
    if (!t) return nullptr;
    return iso_utc(*t);
}

}  // namespace registry

std::vector<Artifact> read_registry_artifacts(std::vector<std::byte> bytes,
                                              const std::string& name) {
    std::vector<Artifact> out;
    std::optional<RegistryFile> hive;
    try {
        hive.emplace(std::move(bytes), name);
        (void)hive->root().subkeys();  // what every decoder reads first
    } catch (const std::exception& e) {
        out.push_back(unreadable_artifact("(hive)", common::one_line(e.what())));
        return out;
    }
    using namespace registry;
    std::optional<std::string> control_set;
    guarded(out, "Select", [&] { control_set = current_control_set(*hive); });
    if (control_set) {
        computer_name(*hive, *control_set, out);
        time_zone(*hive, *control_set, out);
        usb_devices(*hive, *control_set, out);
    }
    user_assist(*hive, out);
    recent_documents(*hive, out);
    user_accounts(*hive, out);
    typed_paths(*hive, out);
    run_mru(*hive, out);
    search_terms(*hive, out);
    autoruns(*hive, out);
    os_installation(*hive, out);
    network_profiles(*hive, out);
    return out;
}

}  // namespace dflab::engine
