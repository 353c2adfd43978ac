#include "engine/analyzers/shell_links.hpp"

#include <cstdio>

#include "common/windows_time.hpp"
#include "engine/analyzers/artifact_analyzer.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/error.hpp"
#include "engine/file_type.hpp"
#include "engine/shell_link_file.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

static_assert(kMaxShellLinkBytes == FileTypeDetector::kHeadBytes);

namespace {

constexpr const char* kSource = "(link)";

nlohmann::json time_field(uint64_t filetime) {
    const std::optional<int64_t> t = common::filetime_to_unix_checked(filetime);
    if (!t) return nullptr;
    return iso_utc(*t);
}

nlohmann::json text_field(const std::optional<std::string>& s) {
    if (!s) return nullptr;
    return *s;
}

Artifact link_artifact(const ShellLink& link) {
    Artifact a;
    a.kind = "shell_link";
    a.source = kSource;
    a.time = common::filetime_to_unix_checked(link.modified);
    if (a.time) a.time_kind = "target_modified";
    nlohmann::json& f = a.fields;
    f["target_path"] = text_field(link.local_path ? link.local_path : link.network_path);
    f["drive_type"] = link.drive_type ? nlohmann::json(drive_type_name(*link.drive_type))
                                      : nlohmann::json(nullptr);
    f["volume_serial"] = link.volume_serial
                             ? nlohmann::json(volume_serial_text(*link.volume_serial))
                             : nlohmann::json(nullptr);
    f["volume_serial_number"] =
        link.volume_serial ? nlohmann::json(*link.volume_serial) : nlohmann::json(nullptr);
    f["volume_label"] = text_field(link.volume_label);
    f["target_size"] = link.file_size;
    f["target_attributes"] = link.attributes;
    f["target_created"] = time_field(link.created);
    f["target_accessed"] = time_field(link.accessed);
    f["target_modified"] = time_field(link.modified);
    f["relative_path"] = text_field(link.relative_path);
    f["working_directory"] = text_field(link.working_directory);
    f["arguments"] = text_field(link.arguments);
    f["description"] = text_field(link.description);
    f["machine_id"] = text_field(link.machine_id);
    return a;
}

class ShellLinkInstance : public AnalyzerInstance {
  public:
    explicit ShellLinkInstance(const FileSystem& fs) : fs_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (!has_shell_link_header(c.data)) return nullptr;
        // Not larger than the head, so the head is the whole content (what a short read gave).
        return read_artifact_file(fs_, c, kMaxShellLinkBytes, "shell link", kSource,
                                  [](std::vector<std::byte> bytes, const std::string& path) {
                                      return read_shell_link_artifacts(bytes, path);
                                  });
    }

  private:
    const FileSystem& fs_;
};

}  // namespace

std::string volume_serial_text(uint32_t serial) {
    char text[10];
    std::snprintf(text, sizeof text, "%04X-%04X", serial >> 16, serial & 0xffff);
    return text;
}

std::vector<Artifact> read_shell_link_artifacts(std::span<const std::byte> bytes,
                                                const std::string& name) {
    try {
        return {link_artifact(read_shell_link(bytes, name))};
    } catch (const std::exception& e) {  // liblnk's error, or no memory for a damaged size
        return {unreadable_artifact(kSource, common::one_line(e.what()))};
    }
}

AnalyzerRegistration shell_links_registration() {
    return artifact_analyzer_registration(
        "shell_links",
        "Windows shell links (any file starting with a .lnk header: Recent items, "
        "shortcuts): target path, times and size, volume type, serial and label, working "
        "directory, arguments, machine name",
        ContentNeed::Head, [](const FileSystem& fs) -> std::unique_ptr<AnalyzerInstance> {
            return std::make_unique<ShellLinkInstance>(fs);
        });
}

}  // namespace dflab::engine
