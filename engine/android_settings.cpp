#include "engine/android_settings.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cctype>
#include <charconv>
#include <climits>
#include <memory>
#include <optional>
#include <string_view>

#include "engine/error.hpp"

namespace dflab::engine {

namespace {

constexpr std::string_view kAbxMagic{"ABX\0", 4};
constexpr size_t kRootSearchBytes = 4096;       // where the root element must start
constexpr int64_t kLatestMs = 253402300799999;  // 9999-12-31 23:59:59.999 UTC

enum class Root { None, Packages, Wifi };

Root root_of(std::string_view name) {
    if (name == "packages") return Root::Packages;
    if (name == "WifiConfigStoreData") return Root::Wifi;
    return Root::None;
}

std::string_view as_text(std::span<const std::byte> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// The root element's name of a text XML file: the first '<' not opening a declaration, a
// processing instruction or a comment.
std::string_view xml_root_name(std::string_view text) {
    size_t at = 0;
    if (text.starts_with("\xEF\xBB\xBF")) at = 3;
    while (at < text.size() && at < kRootSearchBytes) {
        at = text.find('<', at);
        if (at == std::string_view::npos || at + 1 >= text.size()) return {};
        const char next = text[at + 1];
        if (next == '?' || next == '!') {
            ++at;
            continue;
        }
        size_t end = at + 1;
        while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                     text[end] == '_' || text[end] == '-' || text[end] == ':'))
            ++end;
        return text.substr(at + 1, end - at - 1);
    }
    return {};
}

// The root element's name of an ABX file: START_DOCUMENT, then START_TAG with a new interned
// string (index 0xFFFF, a big-endian 16-bit length, UTF-8), as Android's BinaryXmlSerializer
// writes them.
std::string_view abx_root_name(std::string_view text) {
    if (text.size() < 10 || !text.starts_with(kAbxMagic)) return {};
    if (static_cast<unsigned char>(text[4]) != 0x10 ||
        static_cast<unsigned char>(text[5]) != 0x32 ||
        static_cast<unsigned char>(text[6]) != 0xFF || static_cast<unsigned char>(text[7]) != 0xFF)
        return {};
    const size_t length =
        static_cast<unsigned char>(text[8]) << 8 | static_cast<unsigned char>(text[9]);
    if (10 + length > text.size()) return {};
    return text.substr(10, length);
}

// Where the first element starts: the first '<' not opening a declaration, a processing
// instruction or a comment (the text's size when there is none).
size_t first_element(std::string_view text) {
    for (size_t at = text.find('<'); at != std::string_view::npos; at = text.find('<', at + 1)) {
        if (at + 1 < text.size() && text[at + 1] != '?' && text[at + 1] != '!') return at;
    }
    return text.size();
}

Error doctype_error(const std::string& name) {
    return Error(name +
                 ": declares a document type (DOCTYPE), which Android's settings files "
                 "never do; not read");
}

struct DocFree {
    void operator()(xmlDoc* d) const noexcept { xmlFreeDoc(d); }
};
struct ContextFree {
    void operator()(xmlParserCtxt* c) const noexcept { xmlFreeParserCtxt(c); }
};
struct XmlFree {
    void operator()(xmlChar* s) const noexcept { xmlFree(s); }
};

std::string_view name_of(const xmlNode* n) {
    return n->name ? std::string_view(reinterpret_cast<const char*>(n->name)) : std::string_view();
}

std::optional<std::string> attribute(const xmlNode* n, const char* name) {
    std::unique_ptr<xmlChar, XmlFree> v(xmlGetProp(n, reinterpret_cast<const xmlChar*>(name)));
    if (!v) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(v.get()));
}

std::string text_of(const xmlNode* n) {
    std::unique_ptr<xmlChar, XmlFree> v(xmlNodeGetContent(n));
    return v ? std::string(reinterpret_cast<const char*>(v.get())) : std::string();
}

std::vector<const xmlNode*> children(const xmlNode* n, std::string_view name) {
    std::vector<const xmlNode*> out;
    for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && name_of(c) == name) out.push_back(c);
    return out;
}

const xmlNode* child(const xmlNode* n, std::string_view name) {
    auto all = children(n, name);
    return all.empty() ? nullptr : all.front();
}

std::optional<int64_t> parse_integer(const std::optional<std::string>& text, int base) {
    if (!text || text->empty()) return std::nullopt;
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v, base);
    if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
    return v;
}

nlohmann::json json_or_null(const std::optional<std::string>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json json_or_null(const std::optional<int64_t>& v) {
    return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

// A decimal number as a number, anything else as the text it is.
nlohmann::json number_or_text(const std::optional<std::string>& v) {
    if (auto n = parse_integer(v, 10)) return *n;
    return json_or_null(v);
}

// PackageManagerService writes ft (the APK's file time), it (first install) and ut (last
// update) as hexadecimal milliseconds since 1970.
void read_packages(const xmlNode* root, std::vector<Artifact>& out) {
    for (const xmlNode* p : children(root, "package")) {
        const auto name = attribute(p, "name");
        const auto installed = parse_integer(attribute(p, "it"), 16);
        Artifact a;
        a.kind = "installed_app";
        a.source = "package/" + name.value_or("");
        if (installed && *installed > 0 && *installed <= kLatestMs) {
            a.time = *installed / 1000;
            a.time_kind = "installed";
        }
        a.fields = {{"package", json_or_null(name)},
                    {"version", number_or_text(attribute(p, "version"))},
                    {"installer", json_or_null(attribute(p, "installer"))},
                    {"user_id", number_or_text(attribute(p, "userId"))},
                    {"code_path", json_or_null(attribute(p, "codePath"))},
                    {"first_install_ms", json_or_null(installed)},
                    {"last_update_ms", json_or_null(parse_integer(attribute(p, "ut"), 16))},
                    {"file_time_ms", json_or_null(parse_integer(attribute(p, "ft"), 16))}};
        out.push_back(std::move(a));
    }
}

// WifiConfiguration values are typed elements named by their `name` attribute:
// <string name="SSID">&quot;Home&quot;</string>, <int name="CreatorUid" value="1000" />,
// <boolean name="HiddenSSID" value="false" />, <null name="PreSharedKey" />.
struct WifiValues {
    const xmlNode* config;

    const xmlNode* find(std::string_view key) const {
        for (const xmlNode* c = config->children; c; c = c->next)
            if (c->type == XML_ELEMENT_NODE && attribute(c, "name") == key) return c;
        return nullptr;
    }
    nlohmann::json text(std::string_view key, bool unquote = false) const {
        const xmlNode* n = find(key);
        if (!n || name_of(n) != "string") return nullptr;
        std::string v = text_of(n);
        if (unquote && v.size() >= 2 && v.front() == '"' && v.back() == '"')
            v = v.substr(1, v.size() - 2);
        return v;
    }
    nlohmann::json integer(std::string_view key) const {
        const xmlNode* n = find(key);
        if (!n || name_of(n) != "int") return nullptr;
        return json_or_null(parse_integer(attribute(n, "value"), 10));
    }
    nlohmann::json boolean(std::string_view key) const {
        const xmlNode* n = find(key);
        if (!n || name_of(n) != "boolean") return nullptr;
        const auto v = attribute(n, "value");
        if (v == "true") return true;
        if (v == "false") return false;
        return nullptr;
    }
};

// The security type is what ConfigKey holds after the quoted SSID ("\"Home\"WPA_PSK").
nlohmann::json security_of(const nlohmann::json& config_key) {
    if (!config_key.is_string()) return nullptr;
    const std::string key = config_key.get<std::string>();
    const size_t quote = key.rfind('"');
    if (quote == std::string::npos || quote + 1 >= key.size()) return nullptr;
    return key.substr(quote + 1);
}

void read_wifi(const xmlNode* root, std::vector<Artifact>& out) {
    int64_t row = 0;
    for (const xmlNode* network : children(child(root, "NetworkList"), "Network")) {
        const xmlNode* config = child(network, "WifiConfiguration");
        if (!config) continue;
        ++row;
        const WifiValues v{config};
        const nlohmann::json key = v.text("ConfigKey");
        Artifact a;
        a.kind = "wifi_network";
        a.source = "network/" + std::to_string(row);
        a.fields = {{"row", row},
                    {"ssid", v.text("SSID", true)},
                    {"config_key", key},
                    {"security", security_of(key)},
                    {"pre_shared_key", v.text("PreSharedKey", true)},
                    {"hidden", v.boolean("HiddenSSID")},
                    {"creator_name", v.text("CreatorName")},
                    {"creator_uid", v.integer("CreatorUid")},
                    {"creation_time_text", v.text("CreationTime")}};
        out.push_back(std::move(a));
    }
}

}  // namespace

bool android_settings_file(std::span<const std::byte> head) {
    const std::string_view text = as_text(head);
    if (text.starts_with(kAbxMagic)) return root_of(abx_root_name(text)) != Root::None;
    if (!text.starts_with("<?xml") && !text.starts_with("\xEF\xBB\xBF<?xml")) return false;
    return root_of(xml_root_name(text)) != Root::None;
}

std::vector<Artifact> read_android_settings(std::span<const std::byte> bytes,
                                            const std::string& name) {
    const std::string_view text = as_text(bytes);
    if (text.starts_with(kAbxMagic)) {
        throw Error(name +
                    ": Android Binary XML (ABX, Android 12 and later), which dflab does "
                    "not read yet");
    }
    if (bytes.size() > static_cast<size_t>(INT_MAX)) throw Error(name + ": too large to parse");
    // Refused before libxml2 sees it: a document type is how entity bombs and external entities
    // come in, and a settings file never has one.
    const size_t doctype = text.find("<!DOCTYPE");
    if (doctype != std::string_view::npos && doctype < first_element(text))
        throw doctype_error(name);
    std::unique_ptr<xmlParserCtxt, ContextFree> context(xmlNewParserCtxt());
    if (!context) throw Error(name + ": cannot make an XML parser");
    std::unique_ptr<xmlDoc, DocFree> doc(
        xmlCtxtReadMemory(context.get(), text.data(), static_cast<int>(text.size()), name.c_str(),
                          nullptr, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc) {
        const xmlError* e = xmlCtxtGetLastError(context.get());
        std::string why = e && e->message ? e->message : "not well-formed";
        while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
        for (char& c : why)
            if (c == '\n' || c == '\r') c = ' ';
        throw Error(name + ": not well-formed XML" +
                    (e ? " (line " + std::to_string(e->line) + "): " : ": ") + why);
    }
    if (doc->intSubset || doc->extSubset) throw doctype_error(name);
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    std::vector<Artifact> out;
    switch (root ? root_of(name_of(root)) : Root::None) {
        case Root::Packages:
            read_packages(root, out);
            break;
        case Root::Wifi:
            read_wifi(root, out);
            break;
        case Root::None:
            throw Error(name + ": not a packages.xml or WifiConfigStore.xml (root element '" +
                        std::string(root ? name_of(root) : "") + "')");
    }
    return out;
}

}  // namespace dflab::engine
