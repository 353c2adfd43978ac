#pragma once
// A translatable message as a value: a catalogue key and its named arguments, each a plain string
// or another Message (a note inside a feedback sentence). Grading builds these, stores them as
// JSON, and renders them later in the reader's language. A Message made from a plain string is a
// literal: it renders as that text in every language (texts not yet in the catalogues).
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace dflab::common {

struct Message;
struct MessageArg {
    std::variant<std::string, std::vector<Message>> value;  // text, or one nested message
    MessageArg(std::string text);
    MessageArg(const char* text);
    MessageArg(Message nested);
};

struct Message {
    std::string key;      // a catalogue key; "" for a literal or an empty message
    std::string literal;  // the text when key is ""
    std::vector<std::pair<std::string, MessageArg>> args;
    long long count = -1;  // >= 0: the key has plural forms (msgid_plural), chosen for count

    Message() = default;
    Message(std::string text) : literal(std::move(text)) {}
    Message(const char* text) : literal(text) {}
    static Message of(std::string key, std::vector<std::pair<std::string, MessageArg>> args = {});
    static Message plural(std::string key, long long count,
                          std::vector<std::pair<std::string, MessageArg>> args = {});
    bool empty() const { return key.empty() && literal.empty(); }
};

// The text of `m` in `language` ("en" when dflab does not speak it), its placeholders filled.
std::string render(std::string_view language, const Message& m);
nlohmann::json to_json(const Message& m);
// Never throws: what cannot be read becomes an empty message (renders as "").
Message message_from_json(const nlohmann::json& j);
// As above from stored JSON text; "" or malformed text gives an empty message.
Message message_from_json_text(std::string_view text);

}  // namespace dflab::common
