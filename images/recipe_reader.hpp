#pragma once
// Reading the recipe's YAML (internal): where each value stands in the text, and maps whose keys
// are checked against the keys allowed there, so that every mistake is reported at its line and
// column with what to write instead.
#include <date/tz.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "images/recipe_parser.hpp"

namespace dflab::images::recipe_detail {

// What the whole parse shares: the recipe's text, its folder, its time zone and its variables.
struct Context {
    std::string file;
    std::string source;              // the recipe text, for positions
    std::vector<size_t> line_start;  // byte offset of each line
    std::filesystem::path folder;
    const date::time_zone* zone = nullptr;
    std::string zone_name = "UTC";  // as the recipe writes it (`timezone`)
    std::map<std::string, std::string> variables;
    bool substitute = false;  // replace ${name} in values (off while the variables are read)

    // yaml-cpp counts columns in bytes; people count characters.
    SourceMark at_line_byte(int line, int byte_column) const;
    SourceMark at(const YAML::Mark& m) const { return at_line_byte(m.line, m.column); }
    SourceMark at_byte(size_t pos) const;
    [[noreturn]] void fail(const SourceMark& m, const std::string& message) const {
        throw RecipeError(m, message);
    }
};

// Takes `text` as the source (positions are counted in it) and parses it as YAML; throws
// RecipeError at the spot where the YAML is broken.
YAML::Node parse_source(Context& ctx, std::string text);

// One value of the recipe with its key and position.
struct Field {
    std::string key;
    YAML::Node node;
    SourceMark mark;  // of the value (of the key when the value is empty)
    SourceMark key_mark;
    size_t pos = 0;  // byte offset of the value in the source
};

// "a single value", "a list", "a map" or "empty", for messages.
std::string kind_of(const YAML::Node& n);

// A map whose keys are all allowed (allowed == {"*"}: any key) and none twice.
class MapReader {
  public:
    MapReader(const Context& ctx, const YAML::Node& node, const SourceMark& mark, std::string what,
              std::vector<std::string> allowed);

    const Field* find(const std::string& key) const;
    std::optional<Field> get(const std::string& key) const;
    Field need(const std::string& key, const std::string& hint) const;
    // The fields present among `keys`, in the order of `keys`.
    std::vector<const Field*> find_each(const std::vector<std::string>& keys) const;
    // Restricts the keys further (actions: the keys allowed depend on the verb).
    void only(const std::vector<std::string>& allowed, const std::string& what,
              bool unknown = false) const;
    const std::vector<Field>& fields() const { return fields_; }
    const SourceMark& mark() const { return mark_; }
    const std::string& what() const { return what_; }

  private:
    const Context& ctx_;
    SourceMark mark_;
    std::string what_;
    std::vector<Field> fields_;
};

// The field's value as a list; fails unless it is one.
const YAML::Node& list_value(const Context& ctx, const Field& f, const std::string& expected);
// Item `index` of a list field, named "key[index + 1]" in messages.
Field item_field(const Context& ctx, const Field& list, size_t index);

}  // namespace dflab::images::recipe_detail
