// generate: {type: evtx} in a recipe: the log's channel and computer and its events, each checked
// at its line. Events of the ids Windows writes for logons, accounts, log clearing, services and
// the event log service get their provider, level, task and keywords filled in, so a trainer
// writes only the id, the time and the EventData that matter.
#include <cstdint>
#include <map>

#include "engine/error.hpp"
#include "images/recipe_contents.hpp"
#include "images/recipe_parser.hpp"
#include "images/recipe_text.hpp"
#include "images/recipe_values.hpp"

namespace dflab::images::recipe_detail {

namespace {

struct KnownEvent {
    const char* provider;
    const char* guid;
    uint8_t level;
    uint16_t task;
    uint64_t keywords;
    uint8_t version;
};

constexpr const char* kSecurityAuditing = "Microsoft-Windows-Security-Auditing";
constexpr const char* kSecurityAuditingGuid = "{54849625-5478-4994-A5BA-3E3B0328C30D}";
constexpr uint64_t kAuditSuccess = 0x8020000000000000ull;
constexpr uint64_t kAuditFailure = 0x8010000000000000ull;

// What Windows 10 writes for these ids (providers, tasks and keywords as in its manifests).
const std::map<uint32_t, KnownEvent>& known_events() {
    static const std::map<uint32_t, KnownEvent> table = {
        {4624, {kSecurityAuditing, kSecurityAuditingGuid, 0, 12544, kAuditSuccess, 2}},
        {4625, {kSecurityAuditing, kSecurityAuditingGuid, 0, 12544, kAuditFailure, 0}},
        {4634, {kSecurityAuditing, kSecurityAuditingGuid, 0, 12545, kAuditSuccess, 0}},
        {4720, {kSecurityAuditing, kSecurityAuditingGuid, 0, 13824, kAuditSuccess, 0}},
        {1102,
         {"Microsoft-Windows-Eventlog", "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}", 4, 104,
          0x4020000000000000ull, 0}},
        {7045,
         {"Service Control Manager", "{555908d1-a6d7-4695-8e1e-26931d2012f4}", 4, 0,
          0x8080000000000000ull, 0}},
        {6005, {"EventLog", "", 4, 0, 0x0080000000000000ull, 0}},
        {6006, {"EventLog", "", 4, 0, 0x0080000000000000ull, 0}},
    };
    return table;
}

EventLogEventContent parse_event(const Context& ctx, const Field& item, size_t index) {
    MapReader m(ctx, item.node, item.mark, "event " + std::to_string(index + 1),
                {"id", "time", "provider", "provider_guid", "level", "task", "keywords", "computer",
                 "user_sid", "process_id", "thread_id", "data"});
    EventLogEventContent out;
    EventRecordSpec& r = out.record;
    Field idf = m.need("id", "give the event id, e.g. id: 4624");
    r.event_id = static_cast<uint32_t>(uint_value(ctx, idf, 0, 65535));
    auto known = known_events().find(r.event_id);
    if (known != known_events().end()) {
        r.provider = known->second.provider;
        r.provider_guid = known->second.guid;
        r.level = known->second.level;
        r.task = known->second.task;
        r.keywords = known->second.keywords;
        r.version = known->second.version;
        r.process_id = r.provider == kSecurityAuditing ? 612 : 580;  // lsass.exe, services.exe
        r.user_sid = r.provider == kSecurityAuditing ? "" : "S-1-5-18";
    }
    if (const Field* f = m.find("provider")) r.provider = text_value(ctx, *f);
    if (r.provider.empty())
        ctx.fail(idf.mark, "event " + std::to_string(r.event_id) +
                               " is not one dflab knows (4624, 4625, 4634, 4720, 1102, 7045, "
                               "6005, 6006); give its provider, e.g. provider: MyService");
    if (const Field* f = m.find("provider_guid")) r.provider_guid = text_value(ctx, *f);
    if (const Field* f = m.find("level"))
        r.level = static_cast<uint8_t>(uint_value(ctx, *f, 0, 255));
    if (const Field* f = m.find("task"))
        r.task = static_cast<uint16_t>(uint_value(ctx, *f, 0, 65535));
    if (const Field* f = m.find("keywords")) {
        const std::string text = trim(scalar(ctx, *f, "hex keywords, e.g. 0x8020000000000000"));
        const std::string digits = text.rfind("0x", 0) == 0 ? text.substr(2) : text;
        if (digits.empty() || digits.size() > 16 || !is_hex(digits))
            ctx.fail(f->mark,
                     "'keywords' must be up to 16 hex digits, e.g. 0x8020000000000000, not " +
                         quote(text) + "; fix the value");
        r.keywords = std::stoull(digits, nullptr, 16);
    }
    if (const Field* f = m.find("computer")) r.computer = text_value(ctx, *f);
    if (const Field* f = m.find("user_sid")) r.user_sid = text_value(ctx, *f);
    if (const Field* f = m.find("process_id"))
        r.process_id = static_cast<uint32_t>(uint_value(ctx, *f, 0, UINT32_MAX));
    if (const Field* f = m.find("thread_id"))
        r.thread_id = static_cast<uint32_t>(uint_value(ctx, *f, 0, UINT32_MAX));
    if (const Field* f = m.find("time")) {
        r.time = time_value(ctx, *f);
        out.has_time = true;
    }
    if (const Field* f = m.find("data")) {
        MapReader data(ctx, f->node, f->mark, "event data", {"*"});
        for (const Field& d : data.fields()) r.data.emplace_back(d.key, text_value(ctx, d));
    }
    return out;
}

}  // namespace

void parse_event_log(const Context& ctx, const MapReader& g, GeneratedContent& out) {
    if (const Field* f = g.find("channel")) out.options["channel"] = text_value(ctx, *f);
    if (const Field* f = g.find("computer")) out.options["computer"] = text_value(ctx, *f);
    Field ef = g.need("events", "list the records, e.g. events: [{id: 4624, data: {...}}]");
    const YAML::Node& list = list_value(ctx, ef, "a list of {id, time, data}");
    if (list.size() == 0) ctx.fail(ef.mark, "an event log needs at least one event; add one");
    for (size_t i = 0; i < list.size(); ++i) {
        Field item = item_field(ctx, ef, i);
        out.events.push_back(parse_event(ctx, item, i));
        // Checked now so that a bad SID or text is reported at the event's line.
        std::vector<EventRecordSpec> one = {out.events.back().record};
        try {
            build_event_log("Security", one);
        } catch (const engine::Error& e) {
            ctx.fail(item.mark, std::string(e.what()) + "; fix the event");
        }
    }
}

}  // namespace dflab::images::recipe_detail
