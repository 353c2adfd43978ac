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

// The content of the action read by `r` (`what` names it in messages).
ParsedContent parse_content(const Context& ctx, const MapReader& r, const std::string& what);

// Generated Windows files (recipe_windows.cpp), from the `generate` map `g`: a registry hive's
// root, file_name and keys; a shell link's target, volume, times and strings.
void parse_registry_keys(const Context& ctx, const MapReader& g, GeneratedContent& out);
void parse_shell_link(const Context& ctx, const MapReader& g, GeneratedContent& out);
// write: with downloaded_from: {zone, referrer, host}: the text of the Zone.Identifier stream
// Windows 10 writes for a download ("[ZoneTransfer]\r\nZoneId=3\r\nReferrerUrl=...\r\n
// HostUrl=...\r\n"), in recipe_windows.cpp.
std::string zone_identifier_text(const Context& ctx, const Field& downloaded_from);
// generate: {type: prefetch}: executable, hash, run_count, last_run, files, volume
// (recipe_windows.cpp).
void parse_prefetch(const Context& ctx, const MapReader& g, GeneratedContent& out);
// generate: {type: evtx}: channel, computer and the events (recipe_event_log.cpp).
void parse_event_log(const Context& ctx, const MapReader& g, GeneratedContent& out);
// generate: {type: jpeg, exif: {...}}: the photo's Exif block (recipe_exif.cpp).
ExifSpec parse_exif(const Context& ctx, const Field& f);
// generate: {type: chrome_history | firefox_places}: visits and downloads
// (recipe_browser_history.cpp).
void parse_browser_history(const Context& ctx, const MapReader& g, GeneratedContent& out);

}  // namespace dflab::images::recipe_detail
