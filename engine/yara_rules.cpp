#include "engine/yara_rules.hpp"

#include <yara.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <system_error>

#include "engine/error.hpp"

namespace dflab::engine {

namespace fs = std::filesystem;

namespace {

struct CompilerDeleter {
    void operator()(YR_COMPILER* c) const { yr_compiler_destroy(c); }
};
struct RulesDeleter {
    void operator()(YR_RULES* r) const { yr_rules_destroy(r); }
};
struct ScannerDeleter {
    void operator()(YR_SCANNER* s) const { yr_scanner_destroy(s); }
};
struct FileCloser {
    void operator()(FILE* f) const { std::fclose(f); }
};

using CompilerPtr = std::unique_ptr<YR_COMPILER, CompilerDeleter>;
using RulesPtr = std::unique_ptr<YR_RULES, RulesDeleter>;
using ScannerPtr = std::unique_ptr<YR_SCANNER, ScannerDeleter>;
using FilePtr = std::unique_ptr<FILE, FileCloser>;

// Messages are single lines (YARA's own text too): common/error.hpp.
using common::one_line;

std::string error_name(int code) {
    switch (code) {
        case ERROR_INSUFFICIENT_MEMORY:
            return "insufficient memory";
        case ERROR_COULD_NOT_OPEN_FILE:
            return "could not open file";
        case ERROR_COULD_NOT_MAP_FILE:
            return "could not map data (access fault during scan)";
        case ERROR_SCAN_TIMEOUT:
            return "scan timed out";
        case ERROR_TOO_MANY_SCAN_THREADS:
            return "too many scan threads";
        case ERROR_CALLBACK_ERROR:
            return "callback error";
        case ERROR_INVALID_ARGUMENT:
            return "invalid argument";
        case ERROR_TOO_MANY_MATCHES:
            return "too many matches";
        case ERROR_INTERNAL_FATAL_ERROR:
            return "internal fatal error";
        case ERROR_EXEC_STACK_OVERFLOW:
            return "execution stack overflow";
        case ERROR_TOO_MANY_RE_FIBERS:
            return "too many regular expression fibers";
        case ERROR_INVALID_EXTERNAL_VARIABLE_TYPE:
            return "invalid external variable type";
        case ERROR_DUPLICATED_EXTERNAL_VARIABLE:
            return "duplicated external variable";
        default:
            return "error " + std::to_string(code);
    }
}

bool is_rule_file(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".yar" || ext == ".yara";
}

struct RuleSource {
    fs::path path;           // as opened and as YARA sees it (includes resolve relative to it)
    std::string namespace_;  // file stem, or path relative to the folder given
};

// Expands the given paths into rule files in a deterministic order.
std::vector<RuleSource> collect_sources(const std::vector<std::string>& paths) {
    std::vector<RuleSource> sources;
    std::set<fs::path> seen;  // the same file reached twice is compiled once
    auto add = [&](const fs::path& p, std::string ns) {
        std::error_code ec;
        fs::path key = fs::weakly_canonical(p, ec);
        if (ec) key = p;
        if (seen.insert(key).second) sources.push_back({p, std::move(ns)});
    };
    for (const std::string& given : paths) {
        fs::path root(given);
        std::error_code ec;
        fs::file_status st = fs::status(root, ec);
        if (ec || !fs::exists(st)) throw Error(given + ": no such file or folder");
        if (fs::is_directory(st)) {
            std::vector<fs::path> relative;
            try {
                for (auto it = fs::recursive_directory_iterator(root); it != fs::end(it); ++it) {
                    if (it->is_regular_file() && is_rule_file(it->path())) {
                        relative.push_back(it->path().lexically_relative(root));
                    }
                }
            } catch (const fs::filesystem_error& e) {
                throw Error(given + ": cannot list folder: " + one_line(e.code().message()));
            }
            if (relative.empty())
                throw Error(given + ": folder holds no *.yar or *.yara rule files");
            std::sort(relative.begin(), relative.end(), [](const fs::path& a, const fs::path& b) {
                return a.generic_string() < b.generic_string();
            });
            for (const fs::path& rel : relative) add(root / rel, rel.generic_string());
        } else {
            add(root, root.stem().string());
        }
    }
    return sources;
}

struct CompileErrors {
    std::optional<std::string> first;  // "FILE:LINE: message"
    const char* current_file = nullptr;
};

void compiler_callback(int error_level, const char* file_name, int line_number,
                       const YR_RULE* /*rule*/, const char* message, void* user_data) {
    auto* errors = static_cast<CompileErrors*>(user_data);
    if (error_level != YARA_ERROR_LEVEL_ERROR || errors->first) return;
    std::string file = file_name ? file_name : (errors->current_file ? errors->current_file : "");
    errors->first = one_line(file + ":" + std::to_string(line_number) + ": " +
                             (message ? message : "syntax error"));
}

bool is_identifier(std::string_view name) {
    auto letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
    auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    return !name.empty() && letter(name.front()) &&
           std::all_of(name.begin(), name.end(), [&](char c) { return letter(c) || digit(c); });
}

bool is_item_external(std::string_view name) {
    return std::find(std::begin(kYaraItemExternals), std::end(kYaraItemExternals), name) !=
           std::end(kYaraItemExternals);
}

// yara 4.2's cli/common.c is_integer and is_float, which decide what `yara -d` defines.
bool all_digits(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}
std::string_view unsigned_part(std::string_view v) {
    return !v.empty() && v.front() == '-' ? v.substr(1) : v;
}
bool looks_integer(std::string_view v) {
    const std::string_view u = unsigned_part(v);
    return !u.empty() && all_digits(u);
}
bool looks_float(std::string_view v) {
    const std::string_view u = unsigned_part(v);
    const size_t dot = u.find('.');
    return dot != std::string_view::npos && dot != 0 && u.find('.', dot + 1) == u.npos &&
           all_digits(u.substr(0, dot)) && all_digits(u.substr(dot + 1));
}

// Defines one user external on the compiler with the type `yara -d` would give it.
void define_external(YR_COMPILER* compiler, const YaraDefine& d) {
    const std::string& v = d.value;
    const char* name = d.name.c_str();
    int rc = ERROR_SUCCESS;
    if (looks_float(v)) {
        rc = yr_compiler_define_float_variable(compiler, name, std::strtod(v.c_str(), nullptr));
    } else if (looks_integer(v)) {
        int64_t number = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), number);
        if (ec != std::errc() || end != v.data() + v.size())
            throw Error("--define " + d.text() +
                        ": integer out of range (YARA integers are "
                        "64-bit)");
        rc = yr_compiler_define_integer_variable(compiler, name, number);
    } else if (v == "true" || v == "false") {
        rc = yr_compiler_define_boolean_variable(compiler, name, v == "true");
    } else {
        rc = yr_compiler_define_string_variable(compiler, name, v.c_str());
    }
    if (rc != ERROR_SUCCESS) throw Error("--define " + d.text() + ": " + error_name(rc));
}

// What parse_yara_define checks, also for defines made in code (AnalyzeOptions).
void check_define(const YaraDefine& d) {
    if (!is_identifier(d.name)) {
        throw Error("--define " + d.text() +
                    ": NAME must be a YARA identifier (letters, digits and _, not starting with "
                    "a digit)");
    }
    if (is_item_external(d.name)) {
        throw Error("--define " + d.text() + ": " + d.name +
                    " is set by dflab for each scanned item and cannot be defined");
    }
}

}  // namespace

YaraDefine parse_yara_define(std::string_view text) {
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos)
        throw Error("--define " + std::string(text) + ": expected NAME=VALUE");
    YaraDefine d{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
    check_define(d);
    return d;
}

void initialise_yara() {
    static std::once_flag once;
    std::call_once(once, [] {
        int rc = yr_initialize();
        if (rc != ERROR_SUCCESS) throw Error("YARA: cannot initialise: " + error_name(rc));
        // YARA copies up to 512 bytes of matched data per match; dflab keeps offsets and lengths
        // only, and a text-heavy rule can match hundreds of thousands of times in one file.
        yr_set_configuration_uint32(YR_CONFIG_MAX_MATCH_DATA, 1);
        std::atexit([] { yr_finalize(); });
    });
}

// ---------------------------------------------------------------------------------------------
// YaraRules

struct YaraRules::Impl {
    RulesPtr rules;
};

YaraRules::YaraRules(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
YaraRules::~YaraRules() = default;
YaraRules::YaraRules(YaraRules&&) noexcept = default;
YaraRules& YaraRules::operator=(YaraRules&&) noexcept = default;

size_t YaraRules::rule_count() const {
    return impl_ && impl_->rules ? impl_->rules->num_rules : 0;
}

YaraRules YaraRules::compile(const std::vector<std::string>& paths,
                             const std::vector<YaraDefine>& defines) {
    initialise_yara();
    std::set<std::string> defined;
    for (const YaraDefine& d : defines) {
        check_define(d);
        if (!defined.insert(d.name).second)
            throw Error("--define " + d.text() + ": " + d.name + " is defined twice");
    }
    std::vector<RuleSource> sources = collect_sources(paths);

    CompileErrors errors;  // outlives the compiler that points to it
    YR_COMPILER* raw = nullptr;
    if (int rc = yr_compiler_create(&raw); rc != ERROR_SUCCESS) {
        throw Error("YARA: cannot create compiler: " + error_name(rc));
    }
    CompilerPtr compiler(raw);
    yr_compiler_set_callback(compiler.get(), compiler_callback, &errors);

    for (std::string_view name : kYaraItemExternals) {
        if (int rc =
                yr_compiler_define_string_variable(compiler.get(), std::string(name).c_str(), "");
            rc != ERROR_SUCCESS) {
            throw Error("YARA: cannot define external variable " + std::string(name) + ": " +
                        error_name(rc));
        }
    }
    for (const YaraDefine& d : defines) define_external(compiler.get(), d);

    for (const RuleSource& source : sources) {
        const std::string file_name = source.path.string();
        FilePtr file(std::fopen(file_name.c_str(), "rb"));
        if (!file) {
            const int err = errno;
            throw Error(file_name + ": cannot open: " + std::strerror(err));
        }
        errors.current_file = file_name.c_str();
        int error_count = yr_compiler_add_file(compiler.get(), file.get(),
                                               source.namespace_.c_str(), file_name.c_str());
        if (error_count > 0) {
            // The compiler cannot be used after an error; report the first one.
            if (!errors.first) {
                char buffer[512];
                yr_compiler_get_error_message(compiler.get(), buffer, sizeof buffer);
                errors.first = one_line(file_name + ":0: " + buffer);
            }
            throw Error(*errors.first);
        }
        errors.current_file = nullptr;
    }

    YR_RULES* rules = nullptr;
    if (int rc = yr_compiler_get_rules(compiler.get(), &rules); rc != ERROR_SUCCESS) {
        throw Error("YARA: cannot build rules: " + error_name(rc));
    }
    auto impl = std::make_unique<Impl>();
    impl->rules.reset(rules);
    return YaraRules(std::move(impl));
}

// ---------------------------------------------------------------------------------------------
// YaraScanner

namespace {

// What the C scan callback sees (its user data) during one scan.
struct ScanState {
    uint64_t base_offset = 0;
    std::vector<YaraMatch>* results = nullptr;
    std::exception_ptr failure;  // an exception raised inside the callback, rethrown after
};

// libyara 4.2 keeps YR_MATCH records in a notebook where each one is followed by a copy of the
// matched bytes with no padding, so most records are misaligned (harmless on the platforms YARA
// supports, and YARA reads them the same way). Only this walk touches them; UBSan's alignment
// check is turned off for it alone.
[[gnu::no_sanitize("alignment")]] void append_string_matches(YR_SCAN_CONTEXT* context,
                                                             YR_STRING* string,
                                                             uint64_t base_offset,
                                                             std::vector<YaraStringMatch>& out,
                                                             uint64_t& total) {
    YR_MATCH* match = nullptr;
    size_t kept = 0;
    yr_string_matches_foreach(context, string, match) {
        if (kept++ >= kKeptMatchesPerString) break;  // the list can hold a million matches
        out.push_back({string->identifier, base_offset + static_cast<uint64_t>(match->offset),
                       static_cast<uint32_t>(match->match_length)});
    }
    // Private strings keep no matches in the list; only what it holds is counted.
    total += kept > kKeptMatchesPerString
                 ? static_cast<uint64_t>(context->matches[string->idx].count)
                 : std::min<size_t>(kept, kKeptMatchesPerString);
}

YaraMatch describe_match(YR_SCAN_CONTEXT* context, YR_RULE* rule, uint64_t base_offset) {
    YaraMatch m;
    m.rule = rule->identifier;
    m.rule_namespace = rule->ns != nullptr && rule->ns->name != nullptr ? rule->ns->name : "";

    const char* tag = nullptr;
    yr_rule_tags_foreach(rule, tag) {
        m.tags.emplace_back(tag);
    }

    YR_META* meta = nullptr;
    yr_rule_metas_foreach(rule, meta) {
        std::string value;
        switch (meta->type) {
            case META_TYPE_INTEGER:
                value = std::to_string(meta->integer);
                break;
            case META_TYPE_BOOLEAN:
                value = meta->integer ? "true" : "false";
                break;
            default:
                value = meta->string ? meta->string : "";
                break;
        }
        m.meta.emplace_back(meta->identifier, std::move(value));
    }

    YR_STRING* string = nullptr;
    yr_rule_strings_foreach(rule, string) {
        append_string_matches(context, string, base_offset, m.strings, m.string_matches);
    }
    std::sort(m.strings.begin(), m.strings.end(),
              [](const YaraStringMatch& a, const YaraStringMatch& b) {
                  if (a.offset != b.offset) return a.offset < b.offset;
                  if (a.identifier != b.identifier) return a.identifier < b.identifier;
                  return a.length < b.length;
              });
    return m;
}

int scan_callback(YR_SCAN_CONTEXT* context, int message, void* message_data, void* user_data) {
    auto* state = static_cast<ScanState*>(user_data);
    if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
    auto* rule = static_cast<YR_RULE*>(message_data);
    if (RULE_IS_PRIVATE(rule)) return CALLBACK_CONTINUE;
    try {
        state->results->push_back(describe_match(context, rule, state->base_offset));
    } catch (...) {
        state->failure = std::current_exception();
        return CALLBACK_ERROR;
    }
    return CALLBACK_CONTINUE;
}

}  // namespace

struct YaraScanner::Impl {
    ScannerPtr scanner;
    int timeout_seconds = 0;
    ScanState state;
};

YaraScanner::YaraScanner(const YaraRules& rules, int timeout_seconds)
    : impl_(std::make_unique<Impl>()) {
    YR_SCANNER* raw = nullptr;
    if (int rc = yr_scanner_create(rules.impl().rules.get(), &raw); rc != ERROR_SUCCESS) {
        throw Error("YARA: cannot create scanner: " + error_name(rc));
    }
    impl_->scanner.reset(raw);
    impl_->timeout_seconds = timeout_seconds;
    yr_scanner_set_callback(raw, scan_callback, &impl_->state);
    yr_scanner_set_flags(raw, SCAN_FLAGS_REPORT_RULES_MATCHING);
    yr_scanner_set_timeout(raw, timeout_seconds);
}

YaraScanner::~YaraScanner() = default;
YaraScanner::YaraScanner(YaraScanner&&) noexcept = default;
YaraScanner& YaraScanner::operator=(YaraScanner&&) noexcept = default;

std::vector<YaraMatch> YaraScanner::scan(std::span<const std::byte> data, const YaraTarget& target,
                                         uint64_t base_offset) {
    const std::string item = !target.filepath.empty()   ? target.filepath
                             : !target.filename.empty() ? target.filename
                                                        : std::string("buffer");
    YR_SCANNER* scanner = impl_->scanner.get();
    const std::pair<const char*, const std::string*> externals[] = {
        {"filename", &target.filename},   {"filepath", &target.filepath},
        {"extension", &target.extension}, {"filetype", &target.filetype},
        {"owner", &target.owner},
    };
    for (const auto& [name, value] : externals) {
        if (int rc = yr_scanner_define_string_variable(scanner, name, value->c_str());
            rc != ERROR_SUCCESS) {
            throw Error(item + ": YARA: cannot set external variable " + name + ": " +
                        error_name(rc));
        }
    }

    std::vector<YaraMatch> results;
    ScanState& state = impl_->state;
    state.results = &results;
    state.base_offset = base_offset;
    state.failure = nullptr;

    // YARA wants a valid pointer even for an empty buffer.
    static const uint8_t empty = 0;
    const uint8_t* bytes = data.empty() ? &empty : reinterpret_cast<const uint8_t*>(data.data());
    int rc = yr_scanner_scan_mem(scanner, bytes, data.size());
    state.results = nullptr;

    if (state.failure) std::rethrow_exception(std::exchange(state.failure, nullptr));
    if (rc == ERROR_SCAN_TIMEOUT) {
        throw Error(item + ": YARA scan timed out after " + std::to_string(impl_->timeout_seconds) +
                    " s");
    }
    if (rc != ERROR_SUCCESS) throw Error(item + ": YARA scan failed: " + error_name(rc));
    return results;
}

}  // namespace dflab::engine
