// NTUSER.DAT artifacts (programs run, recent documents, typed paths, Run dialog commands, Explorer
// searches), SAM artifacts (user accounts) and the Run keys of NTUSER.DAT and SOFTWARE.
#include <cstdio>

#include "engine/registry_artifacts.hpp"

namespace dflab::engine::registry {

namespace {

constexpr const char* kUserAssist =
    "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\UserAssist";
constexpr const char* kRecentDocs =
    "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\RecentDocs";
constexpr const char* kSamUsers = "SAM\\Domains\\Account\\Users";
constexpr const char* kExplorer = "Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\";

// Whether `text` starts with `prefix`, ASCII case folded (value names such as url1, URL1).
bool same_prefix(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if ((text[i] | 0x20) != (prefix[i] | 0x20)) return false;
    return true;
}

// One UserAssist Count value: 72 bytes from Windows 7 on, 16 bytes before (where the stored run
// count starts at 5 and the name is ROT13 only when it starts with HRZR, "UEME" encoded).
std::optional<Artifact> user_assist_entry(const RegistryValue& v, const std::string& source,
                                          const std::string& guid) {
    Artifact a;
    a.kind = "program_run";
    a.source = source;
    a.time_kind = "last_run";
    a.fields["guid"] = guid;
    a.fields["value"] = v.name;
    if (v.data.size() == 72) {
        a.fields["name"] = rot13(v.name);
        a.fields["run_count"] = u32_at(v.data, 4);
        a.fields["focus_count"] = u32_at(v.data, 8);
        a.fields["focus_time_ms"] = u32_at(v.data, 12);
        a.time = filetime_at(v.data, 60);
    } else if (v.data.size() == 16) {
        a.fields["name"] = v.name.rfind("HRZR", 0) == 0 ? rot13(v.name) : v.name;
        uint32_t count = u32_at(v.data, 4);
        if (count > 5) count -= 5;
        a.fields["run_count"] = count;
        a.fields["session"] = u32_at(v.data, 0);
        a.time = filetime_at(v.data, 8);
    } else {
        return std::nullopt;  // not a program entry (UEME_CTLSESSION and the like)
    }
    return a;
}

// The value names of an MRU key in most-recent-first order: MRUListEx (DWORD indexes ended by
// 0xFFFFFFFF) or, on older systems, MRUList (one letter per value).
std::vector<std::string> mru_order(const RegistryKey& key) {
    std::vector<std::string> names;
    if (auto ex = key.value("MRUListEx")) {
        for (size_t at = 0; at + 4 <= ex->data.size(); at += 4) {
            const uint32_t index = u32_at(ex->data, at);
            if (index == 0xFFFFFFFF) break;
            names.push_back(std::to_string(index));
        }
    } else if (auto list = key.value("MRUList")) {
        for (char c : list->as_string().value_or("")) names.emplace_back(1, c);
    }
    return names;
}

void recent_docs_key(const RegistryKey& key, const std::string& source,
                     const std::optional<std::string>& extension, std::vector<Artifact>& out) {
    const std::vector<std::string> order = mru_order(key);
    for (size_t position = 0; position < order.size(); ++position) {
        auto v = key.value(order[position]);
        if (!v) continue;
        Artifact a;
        a.kind = "recent_document";
        a.source = source;
        a.fields["name"] = utf16le_to_utf8(v->data);
        a.fields["position"] = position;
        a.fields["value"] = order[position];
        a.fields["extension"] = extension ? nlohmann::json(*extension) : nlohmann::json(nullptr);
        if (position == 0) {  // the key was last written when this one was opened
            a.time = last_write(key);
            a.time_kind = "last_write";
        }
        out.push_back(std::move(a));
    }
}

// One text field of a SAM V value: entry `index` of its table of (offset, length, ...) triples;
// the text lies at offset + 0xCC.
std::string v_text(std::span<const std::byte> v, size_t index) {
    const uint32_t offset = u32_at(v, 12 * index);
    const uint32_t length = u32_at(v, 12 * index + 4);
    const size_t start = static_cast<size_t>(offset) + 0xCC;
    if (length == 0 || start > v.size() || length > v.size() - start) return {};
    return utf16le_to_utf8(v.subspan(start, length));
}

const std::pair<uint16_t, const char*> kAccountFlags[] = {
    {0x0001, "Account Disabled"},          {0x0002, "Home directory required"},
    {0x0004, "Password not required"},     {0x0008, "Temporary duplicate account"},
    {0x0010, "Normal user account"},       {0x0020, "MNS logon user account"},
    {0x0040, "Interdomain trust account"}, {0x0080, "Workstation trust account"},
    {0x0100, "Server trust account"},      {0x0200, "Password does not expire"},
    {0x0400, "Account auto locked"},
};

Artifact user_account(const RegistryFile& hive, const RegistryKey& name_key) {
    const std::string name = name_key.name();
    Artifact a;
    a.kind = "user_account";
    a.source = std::string(kSamUsers) + "\\Names\\" + name;
    a.time_kind = "last_logon";
    a.fields["name"] = name;
    a.fields["created"] = time_field(last_write(name_key));
    auto rid_value = name_key.value("");
    if (!rid_value) throw Error(hive.name() + ": " + a.source + " has no default value");
    const uint32_t rid = rid_value->type;  // the RID is the value's type, not its data
    a.fields["rid"] = rid;
    char rid_key[16];
    std::snprintf(rid_key, sizeof rid_key, "%08X", rid);
    const std::string user_path = std::string(kSamUsers) + "\\" + rid_key;
    auto user = hive.key(user_path);
    if (!user) return a;  // a name without its account record
    a.source = user_path;
    if (auto f = user->value("F")) {
        a.time = filetime_at(f->data, 8);
        a.fields["last_logon"] = time_field(a.time);
        a.fields["password_last_set"] = time_field(filetime_at(f->data, 24));
        a.fields["account_expires"] = time_field(filetime_at(f->data, 32));
        a.fields["last_failed_logon"] = time_field(filetime_at(f->data, 40));
        const uint16_t flags = u16_at(f->data, 56);
        a.fields["flags"] = flags;
        nlohmann::json names = nlohmann::json::array();
        for (const auto& [bit, text] : kAccountFlags)
            if (flags & bit) names.push_back(text);
        a.fields["flag_names"] = std::move(names);
        a.fields["failed_logon_count"] = u16_at(f->data, 64);
        a.fields["logon_count"] = u16_at(f->data, 66);
    }
    if (auto v = user->value("V")) {
        a.fields["full_name"] = v_text(v->data, 2);
        a.fields["comment"] = v_text(v->data, 3);
    }
    return a;
}

// The values of an MRU key (RunMRU, WordWheelQuery) in MRU order, one artifact each, with the
// key's last write as the time of the most recent one. `text` gives the value's text.
template <class Text>
void mru_artifacts(const RegistryKey& key, const std::string& source, const char* kind,
                   const char* field, Text&& text, std::vector<Artifact>& out) {
    const std::vector<std::string> order = mru_order(key);
    for (size_t position = 0; position < order.size(); ++position) {
        auto v = key.value(order[position]);
        if (!v) continue;
        Artifact a;
        a.kind = kind;
        a.source = source;
        a.fields[field] = text(*v);
        a.fields["position"] = position;
        a.fields["value"] = order[position];
        if (position == 0) {
            a.time = last_write(key);
            a.time_kind = "last_write";
        }
        out.push_back(std::move(a));
    }
}

// The Run keys RegRipper's run plugin reads (the ones holding command lines): in NTUSER.DAT
// below Software\, in SOFTWARE at the root.
constexpr const char* kRunKeys[] = {
    "Microsoft\\Windows\\CurrentVersion\\Run",
    "Microsoft\\Windows\\CurrentVersion\\RunOnce",
    "Microsoft\\Windows\\CurrentVersion\\RunServices",
    "Microsoft\\Windows\\CurrentVersion\\RunServicesOnce",
    "Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run",
    "Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Run",
    "Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\RunOnce",
    "Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer\\Run",
};

}  // namespace

std::string rot13(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>('a' + (c - 'a' + 13) % 26);
        if (c >= 'A' && c <= 'Z') c = static_cast<char>('A' + (c - 'A' + 13) % 26);
    }
    return out;
}

void user_assist(const RegistryFile& hive, std::vector<Artifact>& out) {
    std::vector<RegistryKey> guids;
    guarded(out, kUserAssist, [&] {
        if (auto key = hive.key(kUserAssist)) guids = key->subkeys();
    });
    for (const RegistryKey& guid_key : guids) {
        std::string source = kUserAssist;
        guarded(out, source, [&] {
            const std::string guid = guid_key.name();
            source += "\\" + guid + "\\Count";
            auto count = guid_key.subkey("Count");
            if (!count) return;
            for (const RegistryValue& v : count->values())
                if (auto a = user_assist_entry(v, source, guid)) out.push_back(std::move(*a));
        });
    }
}

void recent_documents(const RegistryFile& hive, std::vector<Artifact>& out) {
    std::optional<RegistryKey> key;
    guarded(out, kRecentDocs, [&] {
        key = hive.key(kRecentDocs);
        if (key) recent_docs_key(*key, kRecentDocs, std::nullopt, out);
    });
    if (!key) return;
    std::vector<RegistryKey> extensions;
    guarded(out, kRecentDocs, [&] { extensions = key->subkeys(); });
    for (const RegistryKey& sub : extensions) {
        std::string source = kRecentDocs;
        guarded(out, source, [&] {
            const std::string extension = sub.name();
            source += "\\" + extension;
            recent_docs_key(sub, source, extension, out);
        });
    }
}

void user_accounts(const RegistryFile& hive, std::vector<Artifact>& out) {
    const std::string names_path = std::string(kSamUsers) + "\\Names";
    std::vector<RegistryKey> names;
    guarded(out, names_path, [&] {
        if (auto key = hive.key(names_path)) names = key->subkeys();
    });
    for (const RegistryKey& name_key : names)
        guarded(out, names_path, [&] { out.push_back(user_account(hive, name_key)); });
}

void typed_paths(const RegistryFile& hive, std::vector<Artifact>& out) {
    const std::string path = std::string(kExplorer) + "TypedPaths";
    guarded(out, path, [&] {
        auto key = hive.key(path);
        if (!key) return;
        for (const RegistryValue& v : key->values()) {
            // url1 is the most recent; its time is the key's last write
            if (v.name.size() < 4 || !same_prefix(v.name, "url")) continue;
            const std::string digits = v.name.substr(3);
            if (digits.find_first_not_of("0123456789") != std::string::npos) continue;
            Artifact a;
            a.kind = "typed_path";
            a.source = path;
            a.fields["path"] = v.as_string().value_or(utf16le_to_utf8(v.data));
            a.fields["value"] = v.name;
            a.fields["number"] = std::stoul(digits.substr(0, 9));
            if (digits == "1") {
                a.time = last_write(*key);
                a.time_kind = "last_write";
            }
            out.push_back(std::move(a));
        }
    });
}

void run_mru(const RegistryFile& hive, std::vector<Artifact>& out) {
    const std::string path = std::string(kExplorer) + "RunMRU";
    guarded(out, path, [&] {
        if (auto key = hive.key(path))
            mru_artifacts(
                *key, path, "run_mru", "command",
                [](const RegistryValue& v) { return v.as_string().value_or(""); }, out);
    });
}

void search_terms(const RegistryFile& hive, std::vector<Artifact>& out) {
    const std::string path = std::string(kExplorer) + "WordWheelQuery";
    guarded(out, path, [&] {
        if (auto key = hive.key(path))
            mru_artifacts(
                *key, path, "search_term", "term",
                [](const RegistryValue& v) { return utf16le_to_utf8(v.data); }, out);
    });
}

void autoruns(const RegistryFile& hive, std::vector<Artifact>& out) {
    for (const char* prefix : {"Software\\", ""}) {
        for (const char* run_key : kRunKeys) {
            const std::string path = std::string(prefix) + run_key;
            guarded(out, path, [&] {
                auto key = hive.key(path);
                if (!key) return;
                for (const RegistryValue& v : key->values()) {
                    auto command = v.as_string();
                    if (!command) continue;  // not a command line
                    Artifact a = key_artifact("autorun", path, *key);
                    a.fields["name"] = v.name;
                    a.fields["command"] = *command;
                    out.push_back(std::move(a));
                }
            });
        }
    }
}

}  // namespace dflab::engine::registry
