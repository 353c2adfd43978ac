#include "exercises/yaml_file.hpp"

#include <charconv>
#include <cmath>
#include <optional>

#include "common/text.hpp"

namespace dflab::exercises::detail {

namespace fs = std::filesystem;
using common::join;
using common::quote;
using common::SourceError;
using common::trim;
using common::yaml::kind_of;
using common::yaml::scalar;
using common::yaml::text_value;

std::unique_ptr<YamlFile> read_yaml(const fs::path& path, const std::string& display,
                                    std::string_view what) {
    auto file = std::make_unique<YamlFile>();
    Source& ctx = file->ctx;
    ctx.file = display;
    std::error_code ec;
    if (!fs::exists(path, ec)) throw SourceError(display, "does not exist; check the path");
    file->root = common::yaml::parse_source_file(ctx, path, kLargestPackFile, what);
    if (!file->root.IsDefined() || file->root.IsNull())
        throw SourceError(common::SourceMark{display, 1, 1}, "the file is empty");
    return file;
}

LocalText local_text(const Source& ctx, const Field& f) {
    LocalText t;
    t.mark = f.mark;
    if (f.node.IsScalar()) {
        t.by_language["en"] = text_value(ctx, f);
        return t;
    }
    MapReader r(ctx, f.node, f.mark, "'" + f.key + "'", {"*"});
    for (auto& lang : r.fields()) {
        if (!common::is_identifier(lang.key, "") || lang.key.size() > 3)
            ctx.fail(lang.key_mark,
                     "'" + lang.key + "' is not a language code; write en, ru or kk (ISO 639-1)");
        std::string value = text_value(ctx, lang);
        if (trim(value).empty())
            ctx.fail(lang.mark, "the " + lang.key + " text of '" + f.key +
                                    "' is empty; write it or remove the line");
        t.by_language[lang.key] = value;
    }
    if (t.by_language.empty())
        ctx.fail(f.mark, "'" + f.key + "' has no text; write en: ... and ru: ... lines");
    return t;
}

namespace {

// A plain decimal as YAML 1.2's core schema reads one ("0.25", "-1.5e3"), when finite; not
// "1.0.0", ".inf" or "1e309".
std::optional<double> plain_decimal(const std::string& s) {
    if (s.empty() || s.find_first_not_of("0123456789+-.eE") != std::string::npos) return {};
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || end != s.data() + s.size() || !std::isfinite(v)) return {};
    return v;
}

}  // namespace

nlohmann::json json_value(const YAML::Node& node, bool decimals) {
    switch (node.Type()) {
        case YAML::NodeType::Scalar: {
            const std::string& s = node.Scalar();
            if (node.Tag() == "!") return s;  // quoted: a string, whatever it looks like
            if (s == "true") return true;
            if (s == "false") return false;
            if (auto i = common::parse_int<int64_t>(s)) return *i;
            if (decimals)
                if (auto d = plain_decimal(s)) return *d;
            return s;
        }
        case YAML::NodeType::Sequence: {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& item : node) a.push_back(json_value(item, decimals));
            return a;
        }
        case YAML::NodeType::Map: {
            nlohmann::json o = nlohmann::json::object();
            for (auto it = node.begin(); it != node.end(); ++it) {
                const YAML::Node k = it->first;
                o[k.Scalar()] = json_value(it->second, decimals);
            }
            return o;
        }
        default:
            return nullptr;
    }
}

std::vector<std::string> string_list(const Source& ctx, const Field& f, const std::string& what) {
    std::vector<std::string> out;
    if (f.node.IsScalar()) {
        out.push_back(trim(scalar(ctx, f, what)));
        return out;
    }
    if (!f.node.IsSequence())
        ctx.fail(f.mark, "'" + f.key + "' must be a list of " + what + ", not " + kind_of(f.node));
    for (size_t i = 0; i < f.node.size(); ++i) {
        Field item = common::yaml::item_field(ctx, f, i);
        out.push_back(trim(scalar(ctx, item, what)));
    }
    return out;
}

fs::path pack_path(const Source& ctx, const Field& f, const fs::path& folder) {
    std::string rel = trim(scalar(ctx, f, "a path inside the pack folder"));
    fs::path p = fs::path(rel);
    if (p.is_absolute())
        ctx.fail(f.mark, quote(rel) + " is an absolute path; write it relative to the pack folder");
    std::error_code ec;
    fs::path full = fs::weakly_canonical(folder / p, ec);
    fs::path base = fs::weakly_canonical(folder, ec);
    auto [b, _] = std::mismatch(base.begin(), base.end(), full.begin(), full.end());
    if (b != base.end())
        ctx.fail(f.mark, quote(rel) + " escapes the pack folder " + quote(base.string()) +
                             "; keep every file of the pack inside its folder");
    if (!fs::exists(full, ec))
        ctx.fail(f.mark, quote(rel) + " does not exist (looked for " + quote(full.string()) +
                             "); fix the path or add the file");
    return full;
}

}  // namespace dflab::exercises::detail
