#include "common/yaml_reader.hpp"

#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "common/input_file.hpp"
#include "common/text.hpp"
#include "common/utf8.hpp"

namespace dflab::common::yaml {

namespace {

// " (did you mean 'size'?)" when a key is one typo away from an allowed one.
std::string suggestion(const std::string& key, const std::vector<std::string>& allowed) {
    std::string hint;
    size_t best = 3;
    for (auto& a : allowed) {
        size_t dist = edit_distance(lower(key), a);
        if (dist < best) best = dist, hint = " (did you mean '" + a + "'?)";
    }
    return hint;
}

// A field for `node`; where the value is empty it stands at `fallback`.
Field make_field(const Source& src, std::string key, const YAML::Node& node,
                 const SourceMark& fallback, size_t fallback_pos) {
    Field f;
    f.key = std::move(key);
    f.node = node;
    bool has_mark = node.IsDefined() && !node.IsNull();
    f.mark = has_mark ? src.at(node.Mark()) : fallback;
    f.pos = has_mark ? static_cast<size_t>(node.Mark().pos) : fallback_pos;
    f.key_mark = fallback;
    return f;
}

// Walks the parser's events before the tree is built and stops the parse at the first value that
// passes a limit. Each anchored value's size (values, aliases inside expanded) and height are kept,
// so an alias adds what it would bring in without anything being expanded.
class LimitCheck : public YAML::EventHandler {
  public:
    LimitCheck(const Source& src, const Limits& limits) : src_(src), limits_(limits) {}

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  const std::string&) override {
        leaf(mark, anchor);
    }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        auto it = done_.find(anchor);
        if (it == done_.end())
            src_.fail(src_.at(mark),
                      "an alias refers to the value it stands in; a value cannot contain itself");
        add(mark, it->second.values, it->second.height, true);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        start(mark, anchor);
    }
    void OnSequenceEnd() override { end(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        start(mark, anchor);
    }
    void OnMapEnd() override { end(); }

  private:
    struct Size {
        uint64_t values = 1;  // the value and all below it, aliases expanded
        int height = 1;       // levels, the value's own included
    };
    struct Open {
        YAML::anchor_t anchor;
        Size size;
    };

    uint64_t capped(uint64_t a, uint64_t b) const {
        return std::min(a + std::min(b, limits_.values + 1), limits_.values + 1);
    }
    // A value of `size` at the current level: counted, its depth checked, added to its parent.
    void add(const YAML::Mark& mark, uint64_t values, int height, bool alias) {
        if (static_cast<int>(open_.size()) + height > limits_.depth)
            src_.fail(src_.at(mark), "nested more than " + std::to_string(limits_.depth) +
                                         " levels deep" + (alias ? " (aliases expanded)" : "") +
                                         "; flatten the lists and maps");
        total_ = capped(total_, values);
        if (total_ > limits_.values)
            src_.fail(
                src_.at(mark),
                alias ? "aliases expand to more than " + std::to_string(limits_.values) +
                            " values (an alias counts every value it stands for); write "
                            "fewer aliases"
                      : "more than " + std::to_string(limits_.values) + " values; split the file");
        if (open_.empty()) return;
        Size& parent = open_.back().size;
        parent.values = capped(parent.values, values);
        parent.height = std::max(parent.height, height + 1);
    }
    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
        add(mark, 1, 1, false);
        if (anchor) done_[anchor] = Size{};
    }
    void start(const YAML::Mark& mark, YAML::anchor_t anchor) {
        add(mark, 1, 1, false);
        open_.push_back(Open{anchor, Size{}});
    }
    void end() {
        Open closed = open_.back();
        open_.pop_back();
        if (!open_.empty()) {
            // Its own 1 was added at its start.
            Size& parent = open_.back().size;
            parent.values = capped(parent.values, closed.size.values - 1);
            parent.height = std::max(parent.height, closed.size.height + 1);
        }
        // The total already holds what is inside; only later aliases to it add again.
        if (closed.anchor) done_[closed.anchor] = closed.size;
    }

    const Source& src_;
    const Limits& limits_;
    uint64_t total_ = 0;
    std::vector<Open> open_;
    std::map<YAML::anchor_t, Size> done_;
};

[[noreturn]] void broken(const Source& src, const YAML::Exception& e) {
    throw SourceError(src.at(e.mark), "the YAML is broken: " + e.msg +
                                          "; fix the syntax here (indentation, a missing ':' "
                                          "or a closing bracket or quote)");
}

}  // namespace

SourceMark Source::at_line_byte(int line, int byte_column) const {
    int column = byte_column;
    if (line >= 0 && static_cast<size_t>(line) < line_start.size()) {
        size_t b = line_start[static_cast<size_t>(line)];
        size_t len = std::min(static_cast<size_t>(std::max(byte_column, 0)), source.size() - b);
        column = static_cast<int>(count_chars(source.substr(b, len)));
    }
    return SourceMark{file, std::max(line, 0) + 1, std::max(column, 0) + 1};
}

SourceMark Source::at_byte(size_t pos) const {
    auto it = std::upper_bound(line_start.begin(), line_start.end(), pos);
    int line = static_cast<int>(it - line_start.begin()) - 1;
    return at_line_byte(line, static_cast<int>(pos - line_start[static_cast<size_t>(line)]));
}

std::string Source::expand(const Field&, const std::string& raw) const {
    return raw;
}

YAML::Node parse_source(Source& src, std::string text, const Limits& limits) {
    src.source = std::move(text);
    src.line_start.assign(1, 0);
    for (size_t i = 0; i < src.source.size(); ++i)
        if (src.source[i] == '\n') src.line_start.push_back(i + 1);
    // YAML is Unicode, and every value read from it may reach a JSON writer: one check here, at
    // the first bad byte, instead of one per value.
    if (const auto bad = first_invalid_utf8(src.source)) {
        static constexpr char kHex[] = "0123456789ABCDEF";
        const auto b = static_cast<unsigned char>(src.source[*bad]);
        src.fail(src.at_byte(*bad), std::string("byte 0x") + kHex[b >> 4] + kHex[b & 15] +
                                        " is not valid UTF-8; save the file as UTF-8");
    }
    try {
        // First the events only (YAML::Load reads the first document; so does this), then the
        // tree, once it is known to be within the limits.
        std::istringstream in(src.source);
        YAML::Parser parser(in);
        LimitCheck check(src, limits);
        parser.HandleNextDocument(check);
        return YAML::Load(src.source);
    } catch (const YAML::Exception& e) {
        broken(src, e);
    }
}

YAML::Node parse_source_file(Source& src, const std::filesystem::path& path, std::uintmax_t largest,
                             std::string_view what, const Limits& limits) {
    std::string text;
    try {
        text = read_input_file(path, largest, what);
    } catch (const Error& e) {
        // read_input_file names `path`; messages name the file as the reader does.
        std::string_view message = e.what();
        const std::string prefix = one_line(path.string()) + ": ";
        if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
        throw SourceError(src.file, std::string(message));
    }
    return parse_source(src, std::move(text), limits);
}

std::string kind_of(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Scalar:
            return "a single value";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Map:
            return "a map";
        default:
            return "empty";
    }
}

MapReader::MapReader(const Source& src, const YAML::Node& node, const SourceMark& mark,
                     std::string what, std::vector<std::string> allowed)
    : src_(src), mark_(mark), what_(std::move(what)) {
    bool any_key = allowed.size() == 1 && allowed[0] == "*";
    if (!node.IsMap())
        src.fail(mark,
                 what_ + " must be a map (key: value lines), not " + kind_of(node) +
                     (any_key ? "; write name: value lines" : "; allowed keys: " + join(allowed)));
    for (auto it = node.begin(); it != node.end(); ++it) {
        const YAML::Node k = it->first;  // a copy: it->first lives in a temporary proxy
        SourceMark km = src.at(k.Mark());
        if (!k.IsScalar())
            src.fail(km, "a key in " + what_ + " must be a plain word; write name: value");
        std::string key = k.Scalar();
        if (!any_key && std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            src.fail(km, "unknown key " + quote(key) + " in " + what_ + suggestion(key, allowed) +
                             "; allowed keys: " + join(allowed));
        if (find(key))
            src.fail(km, "key " + quote(key) + " appears twice in " + what_ + "; keep one");
        fields_.push_back(make_field(src, key, it->second, km, 0));
    }
}

const Field* MapReader::find(const std::string& key) const {
    for (auto& f : fields_)
        if (f.key == key) return &f;
    return nullptr;
}

std::optional<Field> MapReader::get(const std::string& key) const {
    const Field* f = find(key);
    return f ? std::optional<Field>(*f) : std::nullopt;
}

Field MapReader::need(const std::string& key, const std::string& hint) const {
    const Field* f = find(key);
    if (!f) src_.fail(mark_, what_ + " needs the key '" + key + "'; " + hint);
    return *f;
}

std::vector<const Field*> MapReader::find_each(const std::vector<std::string>& keys) const {
    std::vector<const Field*> found;
    for (auto& k : keys)
        if (const Field* f = find(k)) found.push_back(f);
    return found;
}

void MapReader::only(const std::vector<std::string>& allowed, const std::string& what,
                     bool unknown) const {
    for (auto& f : fields_)
        if (std::find(allowed.begin(), allowed.end(), f.key) == allowed.end())
            src_.fail(f.key_mark, (unknown ? "unknown key " + quote(f.key) + " in "
                                           : "key " + quote(f.key) + " does not belong in ") +
                                      what + suggestion(f.key, allowed) +
                                      "; allowed keys: " + join(allowed));
}

const YAML::Node& list_value(const Source& src, const Field& f, const std::string& expected) {
    if (!f.node.IsSequence())
        src.fail(f.mark, "'" + f.key + "' must be " + expected + ", not " + kind_of(f.node) +
                             "; write it as [a, b] or as lines starting with '- '");
    return f.node;
}

Field item_field(const Source& src, const Field& list, size_t index) {
    Field f = make_field(src, list.key + "[" + std::to_string(index + 1) + "]", list.node[index],
                         list.mark, list.pos);
    f.key_mark = f.mark;
    return f;
}

std::string scalar(const Source& src, const Field& f, const std::string& expected) {
    if (!f.node.IsScalar())
        src.fail(f.mark, "'" + f.key + "' must be " + expected + ", not " + kind_of(f.node) +
                             (f.node.IsNull() ? "; give it a value or remove the key"
                                              : "; write a single value"));
    return src.expand(f, f.node.Scalar());
}

std::string text_value(const Source& src, const Field& f) {
    std::string s = scalar(src, f, "text");
    if (!valid_utf8(s))
        src.fail(f.mark, "'" + f.key + "' is not valid UTF-8; save the file as UTF-8");
    return s;
}

std::string keyword_value(const Source& src, const Field& f, const std::string& expected) {
    return lower(trim(scalar(src, f, expected)));
}

uint64_t uint_value(const Source& src, const Field& f, uint64_t min, uint64_t max) {
    std::string s = trim(scalar(src, f, "a whole number"));
    auto v = parse_int<uint64_t>(s);
    if (!v || *v < min || *v > max)
        src.fail(f.mark, "'" + f.key + "' must be a whole number from " + std::to_string(min) +
                             " to " + std::to_string(max) + ", not " + quote(s) +
                             "; fix the value");
    return *v;
}

int64_t int_value(const Source& src, const Field& f) {
    std::string text = scalar(src, f, "a whole number");
    auto v = parse_int<int64_t>(trim(text));
    if (!v) src.fail(f.mark, quote(text) + " is not a whole number; write digits, e.g. 42 or -7");
    return *v;
}

bool bool_value(const Source& src, const Field& f) {
    std::string s = keyword_value(src, f, "true or false");
    if (s == "true") return true;
    if (s == "false") return false;
    src.fail(f.mark, "'" + f.key + "' must be true or false, not " + quote(s) + "; fix the value");
}

std::string id_value(const Source& src, const Field& f, const std::string& expected,
                     const std::string& what) {
    std::string id = scalar(src, f, expected);
    if (!is_identifier(id, "_-."))
        src.fail(f.mark, what + " " + quote(id) +
                             " may only hold letters, digits, '_', '-' and '.'; rename it");
    return id;
}

}  // namespace dflab::common::yaml
