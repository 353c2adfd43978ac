#include "engine/analyzers/browser_history.hpp"

#include <algorithm>
#include <cctype>

#include "engine/analyzers/artifact_analyzer.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/browser_history_file.hpp"
#include "engine/error.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

namespace {

constexpr const char* kSource = "(history)";

// The browser of a Chromium history, from the profile folder in its path.
std::string chromium_browser(std::string path) {
    std::transform(path.begin(), path.end(), path.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    static constexpr std::pair<const char*, const char*> kFolders[] = {
        {"microsoft/edge", "Edge"}, {"com.microsoft.emmx", "Edge"},
        {"bravesoftware", "Brave"}, {"com.brave.browser", "Brave"},
        {"opera", "Opera"},         {"vivaldi", "Vivaldi"},
        {"yandex", "Yandex"},       {"chromium", "Chromium"},
    };
    for (const auto& [folder, name] : kFolders)
        if (path.find(folder) != std::string::npos) return name;
    return "Chrome";
}

nlohmann::json optional_json(const auto& value) {
    if (!value) return nullptr;
    return *value;
}

nlohmann::json time_json(const std::optional<int64_t>& t) {
    if (!t) return nullptr;
    return iso_utc(*t);
}

Artifact visit_artifact(const WebVisit& v, const std::string& browser) {
    Artifact a;
    a.kind = "web_visit";
    a.source = kSource;
    a.time = v.time;
    if (a.time) a.time_kind = "visited";
    a.fields = {{"browser", browser},
                {"url", v.url},
                {"title", optional_json(v.title)},
                {"visit_count", v.visit_count},
                {"transition", v.transition},
                {"from_url", optional_json(v.from_url)}};
    return a;
}

Artifact download_artifact(const WebDownload& d, const std::string& browser) {
    Artifact a;
    a.kind = "web_download";
    a.source = kSource;
    a.time = d.start;
    if (a.time) a.time_kind = "download_started";
    a.fields = {{"browser", browser},
                {"url", d.url},
                {"referrer", optional_json(d.referrer)},
                {"target_path", d.target_path},
                {"received_bytes", optional_json(d.received_bytes)},
                {"total_bytes", optional_json(d.total_bytes)},
                {"state", d.state},
                {"mime_type", optional_json(d.mime_type)},
                {"end_time", time_json(d.end)}};
    return a;
}

class BrowserHistoryInstance : public AnalyzerInstance {
  public:
    explicit BrowserHistoryInstance(const FileSystem& fs) : fs_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (!has_sqlite_header(c.data)) return nullptr;
        auto found = read_artifact_file(fs_, c, kMaxBrowserHistoryBytes, "browser history", kSource,
                                        [](std::vector<std::byte> bytes, const std::string& path) {
                                            return read_browser_history_artifacts(bytes, path);
                                        });
        if (found->artifacts.empty()) return nullptr;  // a database of something else
        return found;
    }

  private:
    const FileSystem& fs_;
};

}  // namespace

std::vector<Artifact> read_browser_history_artifacts(std::span<std::byte> bytes,
                                                     const std::string& path) {
    const std::optional<BrowserHistory> history = read_browser_history(bytes, path);
    if (!history) return {};
    const std::string browser =
        history->family == BrowserFamily::Firefox ? "Firefox" : chromium_browser(path);
    std::vector<Artifact> out;
    out.reserve(history->visits.size() + history->downloads.size() + 1);
    for (const WebVisit& v : history->visits) out.push_back(visit_artifact(v, browser));
    for (const WebDownload& d : history->downloads) out.push_back(download_artifact(d, browser));
    if (history->downloads_problem)
        out.push_back(unreadable_artifact("(downloads)", *history->downloads_problem));
    return out;
}

AnalyzerRegistration browser_history_registration() {
    return artifact_analyzer_registration(
        "browser_history",
        "browser history (any SQLite file with Chrome's, Edge's or Firefox's history "
        "tables: History, places.sqlite): every visit with its URL, title and "
        "transition, every download with its URL, referrer, saved path and size",
        ContentNeed::Head, [](const FileSystem& fs) -> std::unique_ptr<AnalyzerInstance> {
            return std::make_unique<BrowserHistoryInstance>(fs);
        });
}

}  // namespace dflab::engine
