#pragma once
// File contents in a recipe (internal): text, base64, an asset file from the recipe's folder,
// seeded random bytes or a generated document, each checked where it is written.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "images/recipe.hpp"
#include "images/recipe_reader.hpp"

namespace dflab::images::recipe_detail {

// The keys that give an action its content; an action has exactly one of them.
inline const std::vector<std::string> kContentKeys = {"text", "base64", "asset", "random",
                                                      "generate"};

struct ParsedContent {
    Content content;
    std::optional<uint64_t> size;  // unknown for generated documents
    SourceMark mark;
};

// generate: {type: evtx}: channel, computer and the events (images/recipe_windows.cpp).
void parse_event_log(const Context& ctx, const MapReader& g, GeneratedContent& out);

// The content of the action read by `r` (`what` names it in messages).
ParsedContent parse_content(const Context& ctx, const MapReader& r, const std::string& what);

}  // namespace dflab::images::recipe_detail
