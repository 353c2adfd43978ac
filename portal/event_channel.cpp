// Event channels: each publish is encoded once and handed to every subscribed connection, which
// queues it (bounded) on its own strand. The channel keeps its subscribers weakly: a closed
// connection leaves by itself even if it could not say so.
#include <algorithm>
#include <mutex>
#include <vector>

#include "common/error.hpp"
#include "portal/http_session.hpp"

namespace dflab::portal {

namespace {

class Channel final : public EventChannel {
  public:
    void publish(std::string_view event, std::string_view data) override {
        auto message = std::make_shared<const std::string>(encode(event, data));
        std::vector<std::shared_ptr<detail::Subscriber>> live;
        {
            std::lock_guard lock(mutex_);
            prune();
            live.reserve(subscribers_.size());
            for (const auto& [key, weak] : subscribers_)
                if (auto s = weak.lock()) live.push_back(std::move(s));
        }
        for (const auto& s : live) s->deliver(message);
    }

    size_t subscribers() const override {
        std::lock_guard lock(mutex_);
        return static_cast<size_t>(
            std::count_if(subscribers_.begin(), subscribers_.end(),
                          [](const auto& entry) { return !entry.second.expired(); }));
    }

    void add(const std::shared_ptr<detail::Subscriber>& s) {
        std::lock_guard lock(mutex_);
        prune();
        subscribers_.emplace_back(s.get(), s);
    }

    void remove(const detail::Subscriber* s) {
        std::lock_guard lock(mutex_);
        std::erase_if(subscribers_, [s](const auto& entry) { return entry.first == s; });
    }

  private:
    // "event: NAME\ndata: LINE\n...\n\n"; line breaks in the data become several data lines, and
    // the name loses any (they would end the field).
    static std::string encode(std::string_view event, std::string_view data) {
        std::string out = "event: ";
        for (char c : event)
            if (c != '\n' && c != '\r') out += c;
        out += '\n';
        size_t start = 0;
        while (true) {
            const size_t end = data.find_first_of("\r\n", start);
            out += "data: ";
            out += data.substr(start, end == std::string_view::npos ? end : end - start);
            out += '\n';
            if (end == std::string_view::npos) break;
            start = end + 1;
            if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;
        }
        out += '\n';
        return out;
    }

    void prune() {
        std::erase_if(subscribers_, [](const auto& entry) { return entry.second.expired(); });
    }

    mutable std::mutex mutex_;
    std::vector<std::pair<const detail::Subscriber*, std::weak_ptr<detail::Subscriber>>>
        subscribers_;
};

Channel& ours(EventChannel& channel) {
    auto* c = dynamic_cast<Channel*>(&channel);
    if (!c) throw common::Error("event stream: the channel was not made by make_event_channel()");
    return *c;
}

}  // namespace

std::shared_ptr<EventChannel> make_event_channel() {
    return std::make_shared<Channel>();
}

namespace detail {

void subscribe(EventChannel& channel, const std::shared_ptr<Subscriber>& subscriber) {
    ours(channel).add(subscriber);
}

void unsubscribe(EventChannel& channel, const Subscriber* subscriber) {
    if (auto* c = dynamic_cast<Channel*>(&channel)) c->remove(subscriber);
}

}  // namespace detail

}  // namespace dflab::portal
