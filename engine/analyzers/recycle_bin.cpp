#include "engine/analyzers/recycle_bin.hpp"

#include <algorithm>

#include "common/text.hpp"
#include "common/utf8.hpp"
#include "engine/analyzers/artifact_analyzer.hpp"
#include "engine/error.hpp"
#include "engine/recycle_bin_file.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

namespace {

constexpr const char* kSource = "(recycle bin)";

// The path's components: "/a/b/c" -> {"a", "b", "c"}.
std::vector<std::string> components(const std::string& path) {
    std::vector<std::string> out;
    for (size_t at = 0; at <= path.size();) {
        const size_t slash = std::min(path.find('/', at), path.size());
        if (slash > at) out.push_back(path.substr(at, slash - at));
        at = slash + 1;
    }
    return out;
}

// The $R file beside the $I one: the same folder and name after the first two characters.
std::string recycled_path(const std::string& info_path) {
    const size_t name = info_path.rfind('/') + 1;
    return info_path.substr(0, name) + "$R" + info_path.substr(name + 2);
}

Artifact recycled_artifact(const RecycleInfo& info, const std::string& path) {
    Artifact a;
    a.kind = "recycled_file";
    a.source = kSource;
    a.time = info.deleted;
    a.time_kind = "deleted";
    nlohmann::json& f = a.fields;
    f["original_path"] = info.original_path;
    f["original_size"] = info.original_size;
    f["deleted"] = iso_utc(info.deleted);
    f["version"] = info.version;
    const std::vector<std::string> parts = components(path);
    f["sid"] = common::to_display_utf8(parts.size() >= 2 ? parts[parts.size() - 2] : "");
    f["recycled_name"] = common::to_display_utf8(recycled_path(path));
    return a;
}

class RecycleBinInstance : public AnalyzerInstance {
  public:
    explicit RecycleBinInstance(const FileSystem& fs) : fs_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (c.entry.type != "file" || !is_recycle_info_path(c.entry.path)) return nullptr;
        const std::optional<uint64_t> version = recycle_info_version(c.data);
        if (version && *version != 1 && *version != 2) return nullptr;
        auto f = read_artifact_file(fs_, c, kMaxRecycleInfoBytes, "$I file", kSource,
                                    [](std::vector<std::byte> bytes, const std::string& path) {
                                        return read_recycle_bin_artifacts(bytes, path);
                                    });
        for (Artifact& a : f->artifacts)
            if (a.kind == "recycled_file") a.fields["recycled_exists"] = recycled_exists(c.entry);
        return f;
    }

  private:
    // Whether an allocated $R file of the name is there: the content can still be restored.
    bool recycled_exists(const Entry& info) const {
        try {
            return fs_.find(recycled_path(info.path)).allocated;
        } catch (const Error&) {
            return false;
        }
    }

    const FileSystem& fs_;
};

}  // namespace

bool is_recycle_info_path(const std::string& path) {
    const std::vector<std::string> parts = components(path);
    if (parts.size() < 3) return false;
    const std::string& name = parts.back();
    return name.size() > 2 && (name[0] == '$') && (name[1] == 'I' || name[1] == 'i') &&
           name.find(':') == std::string::npos &&
           common::lower(parts[parts.size() - 3]) == "$recycle.bin";
}

std::vector<Artifact> read_recycle_bin_artifacts(std::span<const std::byte> bytes,
                                                 const std::string& path) {
    try {
        return {recycled_artifact(read_recycle_info(bytes, path), path)};
    } catch (const std::exception& e) {
        return {unreadable_artifact(kSource, common::one_line(e.what()))};
    }
}

AnalyzerRegistration recycle_bin_registration() {
    return artifact_analyzer_registration(
        "recycle_bin",
        "Windows Recycle Bin records ($I files in $Recycle.Bin\\SID, versions 1 and 2): the "
        "deleted file's original path and size, the deletion time, the user's SID and the $R "
        "file holding the content",
        ContentNeed::Head,
        [](const FileSystem& fs) { return std::make_unique<RecycleBinInstance>(fs); });
}

}  // namespace dflab::engine
