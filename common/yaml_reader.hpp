#pragma once
// The strict reader of the YAML files people write (recipes, packs, questions): where each value
// stands in the text, maps whose keys are checked against the keys allowed there, and single
// values read and checked, so that every mistake is reported at its line and column with what to
// write instead (SourceError, "FILE:LINE:COLUMN: what is wrong; what to do").
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/source_error.hpp"

namespace dflab::common::yaml {

// One value of the file with its key and position.
struct Field {
    std::string key;
    YAML::Node node;
    SourceMark mark;  // of the value (of the key when the value is empty)
    SourceMark key_mark;
    size_t pos = 0;  // byte offset of the value in the source
};

// The text being read, for positions. A reader that rewrites values as it reads them (the recipe
// parser replaces ${name}) derives from it and overrides expand().
struct Source {
    std::string file;                // as messages name it
    std::string source;              // the whole text
    std::vector<size_t> line_start;  // byte offset of each line

    Source() = default;
    Source(const Source&) = default;
    Source& operator=(const Source&) = default;
    virtual ~Source() = default;

    // yaml-cpp counts columns in bytes; people count characters.
    SourceMark at_line_byte(int line, int byte_column) const;
    SourceMark at(const YAML::Mark& m) const { return at_line_byte(m.line, m.column); }
    SourceMark at_byte(size_t pos) const;
    [[noreturn]] void fail(const SourceMark& m, const std::string& message) const {
        throw SourceError(m, message);
    }
    // The single value `raw` of `f` as the readers below return it; unchanged here.
    virtual std::string expand(const Field& f, const std::string& raw) const;
};

// How much YAML a file may hold once parsed (docs/recipe-format.md, docs/pack-format.md "Limits").
// Values are counted with aliases expanded: an alias counts every value of what it refers to, so
// a "billion laughs" file (aliases of aliases) is refused before anything walks it.
struct Limits {
    int depth = 64;            // levels of nested lists and maps
    uint64_t values = 100000;  // scalars, lists and maps, keys included, aliases expanded
};

// Takes `text` as the source (positions are counted in it) and parses it as YAML; throws
// SourceError at the spot where the YAML is broken or passes a limit: "FILE:LINE:COLUMN: aliases
// expand to more than 100000 values; ...", "...: nested more than 64 levels deep; ...",
// "...: more than 100000 values; ...", "...: an alias refers to the value it stands in; ...".
YAML::Node parse_source(Source& src, std::string text, const Limits& limits = {});

// The text of the YAML file `path` (named `src.file` in messages) read as common::read_input_file
// reads it (a regular file, at most `largest` bytes; `what` names what it should be, "recipe"),
// and parsed as parse_source does. Every error is a SourceError naming `src.file`.
YAML::Node parse_source_file(Source& src, const std::filesystem::path& path, std::uintmax_t largest,
                             std::string_view what, const Limits& limits = {});

// "a single value", "a list", "a map" or "empty", for messages.
std::string kind_of(const YAML::Node& n);

// A map whose keys are all allowed (allowed == {"*"}: any key) and none twice.
class MapReader {
  public:
    MapReader(const Source& src, const YAML::Node& node, const SourceMark& mark, std::string what,
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
    const Source& src_;
    SourceMark mark_;
    std::string what_;
    std::vector<Field> fields_;
};

// The field's value as a list; fails unless it is one.
const YAML::Node& list_value(const Source& src, const Field& f, const std::string& expected);
// Item `index` of a list field, named "key[index + 1]" in messages.
Field item_field(const Source& src, const Field& list, size_t index);

// Single values, each through Source::expand. `expected` names what belongs there in messages
// ("a path inside the pack folder").
// The field's single value; fails if it is a list, a map or empty.
std::string scalar(const Source& src, const Field& f, const std::string& expected);
std::string text_value(const Source& src, const Field& f);  // valid UTF-8
// A word from a fixed set: trimmed and in lower case (the caller checks the set).
std::string keyword_value(const Source& src, const Field& f, const std::string& expected);
uint64_t uint_value(const Source& src, const Field& f, uint64_t min, uint64_t max);
int64_t int_value(const Source& src, const Field& f);
bool bool_value(const Source& src, const Field& f);
// An id (of a partition, of a question): letters, digits, '_', '-' and '.'. `what` names it in
// the message ("partition id").
std::string id_value(const Source& src, const Field& f, const std::string& expected,
                     const std::string& what);

}  // namespace dflab::common::yaml
