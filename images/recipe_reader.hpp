#pragma once
// Reading the recipe's YAML (internal): the strict reader of common/yaml_reader.hpp (positions,
// maps with checked keys, single values) with what a recipe adds: its folder, its time zone and
// its variables, replaced as ${name} in every value once they are read.
#include <date/tz.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <string>

#include "common/yaml_reader.hpp"
#include "images/recipe_parser.hpp"

namespace dflab::images::recipe_detail {

using common::yaml::Field;
using common::yaml::item_field;
using common::yaml::kind_of;
using common::yaml::list_value;
using common::yaml::MapReader;
using common::yaml::parse_source;

// What the whole parse shares: the recipe's text (common::yaml::Source), its folder, its time zone
// and its variables.
struct Context : common::yaml::Source {
    std::filesystem::path folder;
    const date::time_zone* zone = nullptr;
    std::string zone_name = "UTC";  // as the recipe writes it (`timezone`)
    std::map<std::string, std::string> variables;
    bool substitute = false;  // replace ${name} in values (off while the variables are read)

    // ${name} replaced (recipe_variables.hpp) when `substitute` is on.
    std::string expand(const Field& f, const std::string& raw) const override;
};

}  // namespace dflab::images::recipe_detail
