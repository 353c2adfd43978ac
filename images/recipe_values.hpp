#pragma once
// The values a recipe holds (internal): sizes, times, numbers, words, ids, file system types and
// paths inside a file system, each read from a field and checked, with ${name} replaced first.
#include <date/tz.h>

#include <cstdint>
#include <optional>
#include <string>

#include "images/recipe.hpp"
#include "images/recipe_reader.hpp"

namespace dflab::images::recipe_detail {

// "64MiB", "1.5 GiB" -> bytes. When the shape is right but the value is not (too large, not whole)
// `why` says so.
std::optional<uint64_t> size_from_text(const std::string& text, std::string& why);

struct TimeParse {
    std::optional<int64_t> value;  // UTC seconds
    std::string why;  // when value is empty and the format was right: nonexistent, ambiguous
};
// ISO 8601, read in `zone` unless it carries its own offset.
TimeParse time_from_text(const std::string& text, const date::time_zone* zone);

// "2024-03-01T10:00:00+05:00" in `zone`, or as `format` (date::format) says.
std::string format_time(int64_t t, const date::time_zone* zone, const std::string& format);

// Single values (common/yaml_reader.hpp), each with ${name} replaced first (Context::expand).
using common::yaml::bool_value;
using common::yaml::id_value;
using common::yaml::int_value;
using common::yaml::keyword_value;
using common::yaml::scalar;
using common::yaml::text_value;
using common::yaml::uint_value;
uint64_t size_value(const Context& ctx, const Field& f);
int64_t time_value(const Context& ctx, const Field& f);

// File system types: the name a recipe writes and which naming rules apply.
const char* file_system_name(FileSystemType t);
std::optional<FileSystemType> file_system_named(const std::string& name);
const std::string& file_system_names();  // "fat12, fat16, ..." for messages
bool is_fat(FileSystemType t);
bool is_ext(FileSystemType t);
// FAT and NTFS: names compare without case and may not hold <>:"|?*\ or control characters.
bool has_windows_names(FileSystemType t);

// An absolute path inside a file system of `type`, its names checked against the type's rules.
std::string fs_path(const Context& ctx, const Field& f, FileSystemType type);

}  // namespace dflab::images::recipe_detail
