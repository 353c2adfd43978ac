#include "engine/analyzers/event_logs.hpp"

#include <cstring>

#include "common/windows_time.hpp"
#include "engine/analyzers/artifact_analyzer.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/error.hpp"
#include "engine/event_log_file.hpp"
#include "engine/tsk_access.hpp"

namespace dflab::engine {

namespace {

bool has_event_log_signature(std::span<const std::byte> head) {
    return head.size() >= 8 && std::memcmp(head.data(), "ElfFile\0", 8) == 0;
}

Artifact event_artifact(const EventLogRecord& r) {
    Artifact a;
    a.kind = "event";
    a.time = common::filetime_to_unix(r.written);
    a.time_kind = a.time ? "written" : "";
    a.source = (r.channel.empty() ? std::string() : r.channel + " ") + "record " +
               std::to_string(r.record_id);
    nlohmann::json data = nlohmann::json::object();
    for (const auto& [name, value] : r.data) data[name] = value;
    a.fields = {{"event_id", r.event_id},
                {"record_id", r.record_id},
                {"provider", r.provider},
                {"channel", r.channel},
                {"computer", r.computer},
                {"level", r.level},
                {"user_sid", r.user_sid.empty() ? nlohmann::json() : nlohmann::json(r.user_sid)},
                {"data", std::move(data)}};
    if (const std::string_view meaning = event_meaning(r.event_id, r.provider); !meaning.empty())
        a.fields["meaning"] = std::string(meaning);
    if (r.recovered) a.fields["recovered"] = true;
    return a;
}

class EventLogInstance : public AnalyzerInstance {
  public:
    explicit EventLogInstance(const FileSystem& fs) : fs_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (!has_event_log_signature(c.data)) return nullptr;
        return read_artifact_file(fs_, c, kMaxEventLogBytes, "event log", "(log)",
                                  [](std::vector<std::byte> bytes, const std::string& path) {
                                      EventLogContents log = read_event_log(bytes, path);
                                      std::vector<Artifact> out;
                                      for (const auto& [where, reason] : log.problems)
                                          out.push_back(unreadable_artifact(where, reason));
                                      for (const EventLogRecord& r : log.records)
                                          out.push_back(event_artifact(r));
                                      return out;
                                  });
    }

  private:
    const FileSystem& fs_;
};

}  // namespace

std::string_view event_meaning(uint32_t event_id, std::string_view provider) {
    struct Meaning {
        uint32_t id;
        std::string_view provider, meaning;
    };
    static constexpr std::string_view kAuditing = "Microsoft-Windows-Security-Auditing";
    static constexpr Meaning kMeanings[] = {
        {4624, kAuditing, "logon"},
        {4625, kAuditing, "failed_logon"},
        {4634, kAuditing, "logoff"},
        {4720, kAuditing, "account_created"},
        {1102, "Microsoft-Windows-Eventlog", "log_cleared"},
        {7045, "Service Control Manager", "service_installed"},
        {6005, "EventLog", "eventlog_started"},
        {6006, "EventLog", "eventlog_stopped"},
    };
    for (const Meaning& m : kMeanings)
        if (m.id == event_id && m.provider == provider) return m.meaning;
    return {};
}

AnalyzerRegistration event_logs_registration() {
    return artifact_analyzer_registration(
        "event_logs",
        "Windows event logs (any file starting with \"ElfFile\"): every record, with "
        "its event id, provider, computer, user SID and EventData; logons, failed "
        "logons, logoffs, accounts created, logs cleared, services installed",
        ContentNeed::Head, [](const FileSystem& fs) -> std::unique_ptr<AnalyzerInstance> {
            return std::make_unique<EventLogInstance>(fs);
        });
}

}  // namespace dflab::engine
