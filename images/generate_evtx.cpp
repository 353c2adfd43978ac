// Windows event log from events (images/event_log.hpp). The parser has filled in each event's
// provider and fields (images/recipe_windows.cpp); what is left is the time of events without one
// of their own (the action's) and the computer of events without their own.
#include "images/content_generator.hpp"
#include "images/event_log.hpp"

namespace dflab::images::detail {

std::vector<std::byte> generate_evtx(const GeneratedContent& g, const GenerationContext& c) {
    const std::string channel = option_string(g, "channel", "Security");
    const std::string computer = option_string(g, "computer", "DESKTOP");
    std::vector<EventRecordSpec> records;
    records.reserve(g.events.size());
    for (const EventLogEventContent& e : g.events) {
        records.push_back(e.record);
        if (!e.has_time) records.back().time = c.time;
        if (records.back().computer.empty()) records.back().computer = computer;
    }
    return build_event_log(channel, records);  // its errors name the record ("record 3")
}

}  // namespace dflab::images::detail
