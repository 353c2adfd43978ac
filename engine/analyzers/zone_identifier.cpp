#include "engine/analyzers/zone_identifier.hpp"

#include <map>

#include "common/text.hpp"
#include "common/utf16.hpp"
#include "common/utf8.hpp"
#include "engine/analyzers/artifact_analyzer.hpp"
#include "engine/error.hpp"

namespace dflab::engine {

namespace {

constexpr const char* kSource = "(zone identifier)";
constexpr std::string_view kStreamSuffix = ":zone.identifier";

// The text as UTF-8: a UTF-16LE BOM means UTF-16LE, a UTF-8 BOM is dropped.
std::string stream_text(std::span<const std::byte> bytes) {
    auto starts = [&](std::initializer_list<unsigned> prefix) {
        if (bytes.size() < prefix.size()) return false;
        size_t i = 0;
        for (unsigned b : prefix)
            if (std::to_integer<unsigned>(bytes[i++]) != b) return false;
        return true;
    };
    if (starts({0xFF, 0xFE})) return common::utf16le_to_utf8(bytes.subspan(2));
    if (starts({0xEF, 0xBB, 0xBF})) bytes = bytes.subspan(3);
    return common::to_display_utf8(
        std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// The keys of the [ZoneTransfer] section (lower case) and their values, trimmed; a key given
// twice keeps its first value, as Windows' GetPrivateProfileString reads it.
std::map<std::string, std::string> zone_transfer_values(const std::string& text,
                                                        const std::string& path) {
    std::map<std::string, std::string> values;
    bool seen = false, inside = false;
    for (size_t at = 0; at < text.size();) {
        size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        const std::string line = common::trim(text.substr(at, end - at));  // and the \r
        at = end + 1;
        if (line.empty() || line[0] == ';' || line[0] == '#') continue;
        if (line.front() == '[') {
            inside = common::lower(line) == "[zonetransfer]";
            seen = seen || inside;
            continue;
        }
        const size_t eq = line.find('=');
        if (!inside || eq == std::string::npos) continue;
        values.try_emplace(common::lower(common::trim(line.substr(0, eq))),
                           common::trim(line.substr(eq + 1)));
    }
    if (!seen)
        throw Error(path + ": not a readable Zone.Identifier stream: no [ZoneTransfer] section");
    return values;
}

nlohmann::json value_or_null(const std::map<std::string, std::string>& values,
                             const std::string& key) {
    const auto it = values.find(key);
    if (it == values.end()) return nullptr;
    return it->second;
}

Artifact origin_artifact(std::span<const std::byte> bytes, const std::string& path) {
    const auto values = zone_transfer_values(stream_text(bytes), path);
    Artifact a;
    a.kind = "download_origin";
    a.source = kSource;
    nlohmann::json& f = a.fields;
    f["file"] = common::to_display_utf8(path.substr(0, path.size() - kStreamSuffix.size()));
    f["zone_id"] = nullptr;
    f["zone_name"] = nullptr;
    if (const auto it = values.find("zoneid"); it != values.end()) {
        const std::optional<int64_t> zone = common::parse_int<int64_t>(it->second);
        if (!zone)
            throw Error(path + ": not a readable Zone.Identifier stream: ZoneId " +
                        common::quote(it->second) + " is not a number");
        f["zone_id"] = *zone;
        if (const std::string name = zone_name(*zone); !name.empty()) f["zone_name"] = name;
    }
    f["referrer_url"] = value_or_null(values, "referrerurl");
    f["host_url"] = value_or_null(values, "hosturl");
    if (values.contains("lastwriterpackagefamilyname"))
        f["last_writer_package_family_name"] = values.at("lastwriterpackagefamilyname");
    return a;
}

class ZoneIdentifierInstance : public AnalyzerInstance {
  public:
    explicit ZoneIdentifierInstance(const FileSystem& fs) : fs_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (!is_zone_identifier_path(c.entry.path)) return nullptr;
        auto f =
            read_artifact_file(fs_, c, kMaxZoneIdentifierBytes, "Zone.Identifier stream", kSource,
                               [](std::vector<std::byte> bytes, const std::string& path) {
                                   return read_zone_identifier_artifacts(bytes, path);
                               });
        // A stream has no times of its own: the entry's are its file's ($STANDARD_INFORMATION).
        for (Artifact& a : f->artifacts)
            if (a.kind == "download_origin" && c.entry.crtime) {
                a.time = c.entry.crtime;
                a.time_kind = "file_created";
            }
        return f;
    }

  private:
    const FileSystem& fs_;
};

}  // namespace

bool is_zone_identifier_path(const std::string& path) {
    return path.size() > kStreamSuffix.size() &&
           common::lower(path.substr(path.size() - kStreamSuffix.size())) == kStreamSuffix;
}

std::string zone_name(int64_t zone) {
    static const char* const kNames[] = {"Local machine", "Local intranet", "Trusted", "Internet",
                                         "Restricted"};
    if (zone < 0 || zone > 4) return "";
    return kNames[zone];
}

std::vector<Artifact> read_zone_identifier_artifacts(std::span<const std::byte> bytes,
                                                     const std::string& path) {
    try {
        return {origin_artifact(bytes, path)};
    } catch (const std::exception& e) {
        return {unreadable_artifact(kSource, common::one_line(e.what()))};
    }
}

AnalyzerRegistration zone_identifier_registration() {
    return artifact_analyzer_registration(
        "zone_identifier",
        "Mark of the Web (NTFS Zone.Identifier streams): the zone a downloaded file came "
        "from, the referring page and the download URL",
        ContentNeed::Head,
        [](const FileSystem& fs) { return std::make_unique<ZoneIdentifierInstance>(fs); });
}

}  // namespace dflab::engine
