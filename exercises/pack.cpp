#include "exercises/pack.hpp"

namespace dflab::exercises {

const std::string& LocalText::in(const std::string& language) const {
    static const std::string none;
    if (auto it = by_language.find(language); it != by_language.end()) return it->second;
    if (auto it = by_language.find("en"); it != by_language.end()) return it->second;
    return by_language.empty() ? none : by_language.begin()->second;
}

std::string Step::text() const {
    if (argument.is_null()) return verb;
    if (argument.is_string()) return verb + " " + argument.get<std::string>();
    return verb + " " + argument.dump();
}

const PackImage* Pack::image(const std::string& want) const {
    for (auto& i : images)
        if (i.id == want) return &i;
    return nullptr;
}

const Question* Pack::question(const std::string& want) const {
    for (auto& q : questions)
        if (q.id == want) return &q;
    return nullptr;
}

const std::vector<std::string>& answer_types() {
    static const std::vector<std::string> types = {
        "text",  "hash", "integer", "offset", "size",     "timestamp", "path",
        "inode", "set",  "choice",  "regex",  "location", "free_text"};
    return types;
}

}  // namespace dflab::exercises
