// Machine hive artifacts: from SYSTEM the computer's name, its time zone and USB storage devices;
// from SOFTWARE the Windows installation and the networks the computer was connected to.
#include "engine/registry_artifacts.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace dflab::engine::registry {

namespace {

void set_string(nlohmann::json& fields, const char* field, const RegistryKey& key,
                const char* value) {
    if (auto v = key.value(value))
        if (auto s = v->as_string()) fields[field] = *s;
}

// A DWORD read as signed minutes (the time zone's biases), as RegRipper's unpack("s", ...).
void set_minutes(nlohmann::json& fields, const char* field, const RegistryKey& key,
                 const char* value) {
    if (auto v = key.value(value))
        if (auto d = v->as_dword()) fields[field] = static_cast<int32_t>(*d);
}

// "Disk&Ven_SanDisk&Prod_Cruzer_Blade&Rev_1.00": the device class and its vendor, product and
// revision (fields left out when the name lacks them).
void split_device_name(const std::string& name, nlohmann::json& fields) {
    size_t start = 0;
    bool first = true;
    while (start <= name.size()) {
        const size_t end = std::min(name.find('&', start), name.size());
        const std::string part = name.substr(start, end - start);
        if (first)
            fields["device_class"] = part;
        else if (part.rfind("Ven_", 0) == 0)
            fields["vendor"] = part.substr(4);
        else if (part.rfind("Prod_", 0) == 0)
            fields["product"] = part.substr(5);
        else if (part.rfind("Rev_", 0) == 0)
            fields["revision"] = part.substr(4);
        first = false;
        start = end + 1;
    }
}

// The device's Properties times (Windows 7 and later), each stored as a FILETIME in the default
// value of Properties\{83da6326-97a6-4088-9453-a1923f573b29}\00NN.
void device_property_times(const RegistryKey& device, nlohmann::json& fields) {
    static const std::pair<const char*, const char*> times[] = {
        {"0064", "first_install"},
        {"0065", "install"},
        {"0066", "last_arrival"},
        {"0067", "last_removal"},
    };
    auto properties = device.subkey("Properties\\{83da6326-97a6-4088-9453-a1923f573b29}");
    if (!properties) return;
    for (const auto& [number, field] : times) {
        auto key = properties->subkey(number);
        if (!key) continue;
        auto v = key->value("");
        if (!v) continue;
        if (auto t = filetime_at(v->data, 0)) fields[field] = time_field(t);
    }
}

// The artifact of `kind` from the key at `path`, when there is one, its fields set by
// `fill(key, fields)`.
template <class Fill>
void single_key_artifact(const RegistryFile& hive, const std::string& path, const char* kind,
                         std::vector<Artifact>& out, Fill&& fill) {
    guarded(out, path, [&] {
        auto key = hive.key(path);
        if (!key) return;
        Artifact a = key_artifact(kind, path, *key);
        fill(*key, a.fields);
        out.push_back(std::move(a));
    });
}

}  // namespace

std::optional<std::string> current_control_set(const RegistryFile& hive) {
    auto select = hive.key("Select");
    if (!select) return std::nullopt;  // not a SYSTEM hive
    auto current = select->value("Current");
    std::optional<uint32_t> number;
    if (current) number = current->as_dword();
    if (!number) throw Error(hive.name() + ": Select has no Current DWORD");
    char name[32];
    std::snprintf(name, sizeof name, "ControlSet%03u", *number);
    return std::string(name);
}

void computer_name(const RegistryFile& hive, const std::string& control_set,
                   std::vector<Artifact>& out) {
    const std::string path = control_set + "\\Control\\ComputerName\\ComputerName";
    single_key_artifact(
        hive, path, "computer_name", out, [&](const RegistryKey& key, auto& fields) {
            set_string(fields, "name", key, "ComputerName");
            if (auto tcpip = hive.key(control_set + "\\Services\\Tcpip\\Parameters"))
                set_string(fields, "hostname", *tcpip, "Hostname");
            fields["control_set"] = control_set;
        });
}

void time_zone(const RegistryFile& hive, const std::string& control_set,
               std::vector<Artifact>& out) {
    const std::string path = control_set + "\\Control\\TimeZoneInformation";
    single_key_artifact(hive, path, "time_zone", out, [&](const RegistryKey& key, auto& fields) {
        set_string(fields, "time_zone_key_name", key, "TimeZoneKeyName");
        set_string(fields, "standard_name", key, "StandardName");
        set_string(fields, "daylight_name", key, "DaylightName");
        set_minutes(fields, "bias", key, "Bias");
        set_minutes(fields, "active_time_bias", key, "ActiveTimeBias");
        fields["control_set"] = control_set;
    });
}

void usb_devices(const RegistryFile& hive, const std::string& control_set,
                 std::vector<Artifact>& out) {
    const std::string path = control_set + "\\Enum\\USBSTOR";
    std::optional<RegistryKey> usbstor;
    guarded(out, path, [&] { usbstor = hive.key(path); });
    if (!usbstor) return;
    std::vector<RegistryKey> kinds;
    guarded(out, path, [&] { kinds = usbstor->subkeys(); });
    for (const RegistryKey& kind : kinds) {
        std::string kind_name;
        std::vector<RegistryKey> serials;
        guarded(out, path, [&] {
            kind_name = kind.name();
            serials = kind.subkeys();
        });
        for (const RegistryKey& serial : serials) {
            std::string source = path + "\\" + kind_name;
            guarded(out, source, [&] {
                const std::string serial_name = serial.name();
                Artifact a = key_artifact("usb_device", source + "\\" + serial_name, serial);
                split_device_name(kind_name, a.fields);
                a.fields["serial"] = serial_name;
                set_string(a.fields, "friendly_name", serial, "FriendlyName");
                set_string(a.fields, "parent_id_prefix", serial, "ParentIdPrefix");
                device_property_times(serial, a.fields);
                out.push_back(std::move(a));
            });
        }
    }
}

namespace {

// A SYSTEMTIME (year, month, day of week, day, hour, minute, second, milliseconds; 16 bytes) as
// "2023-11-14T22:13:20", without a zone: NetworkList stores the machine's local time.
std::optional<std::string> systemtime_text(std::span<const std::byte> data) {
    if (data.size() != 16) return std::nullopt;
    const unsigned year = u16_at(data, 0), month = u16_at(data, 2), day = u16_at(data, 6),
                   hour = u16_at(data, 8), minute = u16_at(data, 10), second = u16_at(data, 12);
    if (year < 1601 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 ||
        minute > 59 || second > 59) {
        return std::nullopt;  // not a time Windows writes: the field is left out
    }
    char text[64];
    std::snprintf(text, sizeof text, "%04u-%02u-%02uT%02u:%02u:%02u", year, month, day, hour,
                  minute, second);
    return std::string(text);
}

// The default gateway's MAC of each profile GUID, from NetworkList\Signatures\(Un)Managed.
std::map<std::string, std::string> gateway_macs(const RegistryFile& hive, const std::string& base) {
    std::map<std::string, std::string> macs;
    for (const char* kind : {"\\Signatures\\Managed", "\\Signatures\\Unmanaged"}) {
        auto key = hive.key(base + kind);
        if (!key) continue;
        for (const RegistryKey& signature : key->subkeys()) {
            auto guid = signature.value("ProfileGuid");
            auto mac = signature.value("DefaultGatewayMac");
            if (!guid || !mac || mac->data.size() < 6) continue;
            std::string text;
            for (size_t i = 0; i < 6; ++i) {
                char part[4];
                std::snprintf(part, sizeof part, i ? "-%02X" : "%02X",
                              std::to_integer<unsigned>(mac->data[i]));
                text += part;
            }
            macs[guid->as_string().value_or("")] = text;
        }
    }
    return macs;
}

}  // namespace

void os_installation(const RegistryFile& hive, std::vector<Artifact>& out) {
    const std::string path = "Microsoft\\Windows NT\\CurrentVersion";
    guarded(out, path, [&] {
        auto key = hive.key(path);
        // SOFTWARE has this key; other hives (NTUSER.DAT has Software\Microsoft\...) do not.
        if (!key || !key->value("ProductName")) return;
        Artifact a = key_artifact("os_installation", path, *key);
        static const std::pair<const char*, const char*> texts[] = {
            {"ProductName", "product_name"},
            {"EditionID", "edition_id"},
            {"CompositionEditionID", "composition_edition_id"},
            {"ReleaseId", "release_id"},
            {"DisplayVersion", "display_version"},
            {"CurrentVersion", "current_version"},
            {"CurrentBuild", "current_build"},
            {"CSDVersion", "csd_version"},
            {"BuildLab", "build_lab"},
            {"BuildLabEx", "build_lab_ex"},
            {"ProductId", "product_id"},
            {"SystemRoot", "system_root"},
            {"RegisteredOwner", "registered_owner"},
            {"RegisteredOrganization", "registered_organization"},
        };
        for (const auto& [value, field] : texts) set_string(a.fields, field, *key, value);
        // InstallDate: a DWORD of seconds since 1970 (UTC); InstallTime (Windows 10 and later):
        // a QWORD FILETIME, the same moment to the tenth of a microsecond.
        std::optional<int64_t> install_date, install_time;
        if (auto v = key->value("InstallDate"))
            if (auto d = v->as_dword(); d && *d != 0) install_date = *d;
        if (auto v = key->value("InstallTime")) install_time = filetime_at(v->data, 0);
        if (install_date) a.fields["install_date"] = time_field(install_date);
        if (install_time) a.fields["install_time"] = time_field(install_time);
        if (auto installed = install_time ? install_time : install_date) {
            a.time = installed;
            a.time_kind = "installed";
        }
        out.push_back(std::move(a));
    });
}

void network_profiles(const RegistryFile& hive, std::vector<Artifact>& out) {
    const std::string base = "Microsoft\\Windows NT\\CurrentVersion\\NetworkList";
    const std::string path = base + "\\Profiles";
    std::vector<RegistryKey> profiles;
    std::map<std::string, std::string> macs;
    guarded(out, path, [&] {
        if (auto key = hive.key(path)) profiles = key->subkeys();
    });
    if (profiles.empty()) return;
    guarded(out, base + "\\Signatures", [&] { macs = gateway_macs(hive, base); });
    for (const RegistryKey& profile : profiles) {
        guarded(out, path, [&] {
            const std::string guid = profile.name();
            Artifact a = key_artifact("network_profile", path + "\\" + guid, profile);
            a.fields["guid"] = guid;
            set_string(a.fields, "profile_name", profile, "ProfileName");
            set_string(a.fields, "description", profile, "Description");
            if (auto v = profile.value("Managed"))
                if (auto d = v->as_dword()) a.fields["managed"] = *d != 0;
            if (auto v = profile.value("NameType"))
                if (auto d = v->as_dword()) {
                    a.fields["name_type"] = *d;
                    if (*d == 0x47) a.fields["type"] = "wireless";
                    if (*d == 0x06) a.fields["type"] = "wired";
                    if (*d == 0x17) a.fields["type"] = "broadband (3g)";
                }
            for (const auto& [value, field] :
                 {std::pair{"DateCreated", "date_created"},
                  std::pair{"DateLastConnected", "date_last_connected"}})
                if (auto v = profile.value(value))
                    if (auto t = systemtime_text(v->data)) a.fields[field] = *t;
            if (auto it = macs.find(guid); it != macs.end())
                a.fields["default_gateway_mac"] = it->second;
            out.push_back(std::move(a));
        });
    }
}

}  // namespace dflab::engine::registry
