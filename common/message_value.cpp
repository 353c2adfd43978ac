#include "common/message_value.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "common/messages.hpp"

namespace dflab::common {

MessageArg::MessageArg(std::string text) : value(std::move(text)) {}
MessageArg::MessageArg(const char* text) : value(std::string(text)) {}
MessageArg::MessageArg(Message nested) : value(std::vector<Message>{std::move(nested)}) {}

Message Message::of(std::string key, std::vector<std::pair<std::string, MessageArg>> args) {
    Message m;
    m.key = std::move(key);
    m.args = std::move(args);
    return m;
}

Message Message::plural(std::string key, long long count,
                        std::vector<std::pair<std::string, MessageArg>> args) {
    Message m = of(std::move(key), std::move(args));
    m.count = count < 0 ? 0 : count;
    return m;
}

std::string render(std::string_view language, const Message& m) {
    if (m.key.empty()) return m.literal;
    const std::string pattern =
        m.count >= 0 ? translate_plural(language, m.key, m.count) : translate(language, m.key);
    std::string out;
    out.reserve(pattern.size() + 32);
    for (size_t i = 0; i < pattern.size();) {
        if (pattern[i] == '{') {
            size_t close = pattern.find('}', i);
            if (close != std::string::npos) {
                std::string_view name(pattern.data() + i + 1, close - i - 1);
                const MessageArg* found = nullptr;
                for (const auto& [arg_name, arg] : m.args)
                    if (arg_name == name) found = &arg;
                if (found) {
                    if (const auto* text = std::get_if<std::string>(&found->value))
                        out += *text;
                    else
                        for (const Message& nested : std::get<std::vector<Message>>(found->value))
                            out += render(language, nested);
                    i = close + 1;
                    continue;
                }
            }
        }
        out += pattern[i++];
    }
    return out;
}

nlohmann::json to_json(const Message& m) {
    if (m.key.empty()) return nlohmann::json{{"text", m.literal}};
    nlohmann::json args = nlohmann::json::object();
    for (const auto& [name, arg] : m.args) {
        if (const auto* text = std::get_if<std::string>(&arg.value))
            args[name] = *text;
        else
            args[name] = std::get<std::vector<Message>>(arg.value).empty()
                             ? nlohmann::json("")
                             : to_json(std::get<std::vector<Message>>(arg.value).front());
    }
    nlohmann::json j{{"key", m.key}, {"args", std::move(args)}};
    if (m.count >= 0) j["count"] = m.count;
    return j;
}

Message message_from_json(const nlohmann::json& j) {
    if (!j.is_object()) return {};
    auto key = j.find("key");
    if (key == j.end() || !key->is_string() || key->get_ref<const std::string&>().empty()) {
        auto text = j.find("text");
        return text != j.end() && text->is_string() ? Message(text->get<std::string>()) : Message();
    }
    Message m = Message::of(key->get<std::string>());
    if (auto count = j.find("count"); count != j.end() && count->is_number_integer())
        m.count = std::max<long long>(0, count->get<long long>());
    auto args = j.find("args");
    if (args != j.end() && args->is_object())
        for (const auto& [name, value] : args->items()) {
            if (value.is_string())
                m.args.emplace_back(name, MessageArg(value.get<std::string>()));
            else if (value.is_object())
                m.args.emplace_back(name, MessageArg(message_from_json(value)));
        }
    return m;
}

Message message_from_json_text(std::string_view text) {
    if (text.empty()) return {};
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    return j.is_discarded() ? Message() : message_from_json(j);
}

}  // namespace dflab::common
