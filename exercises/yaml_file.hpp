#pragma once
// Reading a pack's YAML files (internal): the strict reader of common/yaml_reader.hpp (every key
// checked, every error at FILE:LINE:COLUMN) plus the values packs add: texts per language and
// free-form values turned into JSON.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/yaml_reader.hpp"
#include "exercises/pack.hpp"

namespace dflab::exercises::detail {

using common::yaml::Field;
using common::yaml::MapReader;
using common::yaml::Source;

struct YamlFile {
    Source ctx;
    YAML::Node root;
};

// The largest pack.yaml, question file or course file (docs/pack-format.md "Limits"); the YAML
// is parsed within common::yaml::Limits (64 levels deep, 100000 values with aliases expanded).
inline constexpr std::uintmax_t kLargestPackFile = std::uintmax_t{4} << 20;
// The largest YARA rule file a pack names.
inline constexpr std::uintmax_t kLargestRuleFile = std::uintmax_t{4} << 20;

// Reads and parses `path` (named `display` in messages; `what` names what it should be, "question
// file"): a regular file of at most kLargestPackFile bytes (a link to /dev/zero or a pipe is
// refused unread). Throws common::SourceError.
std::unique_ptr<YamlFile> read_yaml(const std::filesystem::path& path, const std::string& display,
                                    std::string_view what);

// "text" (English) or {en: ..., ru: ..., kk: ...}.
LocalText local_text(const Source& ctx, const Field& f);
// A scalar, list or map as JSON; unquoted scalars become integers or booleans when they read as
// such, and with `decimals` plain decimals ("0.25") become numbers too (question options).
nlohmann::json json_value(const YAML::Node& node, bool decimals = false);
// A list of single values (or one value standing for a list of one).
std::vector<std::string> string_list(const Source& ctx, const Field& f, const std::string& what);
// A path inside the pack folder; fails if it escapes the folder or does not exist.
std::filesystem::path pack_path(const Source& ctx, const Field& f,
                                const std::filesystem::path& folder);

}  // namespace dflab::exercises::detail
