#pragma once
// YARA: rules compiled once from files and folders (includes work; a syntax error names file and
// line), shared read-only between threads; one scanner per thread with per-item external
// variables (filename, filepath, extension, filetype, owner) as public rule sets (LOKI, THOR's
// signature-base) expect, and user-defined ones (--define NAME=VALUE) fixed for the whole run.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dflab::engine {

struct YaraStringMatch {
    std::string identifier;  // "$a"
    uint64_t offset = 0;     // base_offset + offset in the scanned data
    uint32_t length = 0;     // matched length
};

struct YaraMatch {
    std::string rule;
    std::string rule_namespace;
    std::vector<std::string> tags;
    std::vector<std::pair<std::string, std::string>> meta;  // values as text
    std::vector<YaraStringMatch> strings;                   // sorted by offset, identifier; at most
                                                            // kKeptMatchesPerString for each string
    uint64_t string_matches = 0;  // how many string matches there were in all
};

// A rule such as `"password" nocase` can match a text file thousands of times; the first matches
// of each string are kept (with their offsets), the rest only counted.
inline constexpr size_t kKeptMatchesPerString = 100;

// Values of the external variables for one scanned item.
struct YaraTarget {
    std::string filename;   // "report.pdf" ("" for unallocated space)
    std::string filepath;   // "/Users/a/report.pdf"
    std::string extension;  // "pdf", lower case, no dot
    std::string filetype;   // MIME type as libmagic reports it, e.g. "application/pdf"
    // Entry::owner: "1000" (uid), "S-1-5-21-...-1001" (NTFS SID) or "". The initialiser keeps
    // four-value initialisers ({name, path, extension, type}) free of -Wmissing-field-initializers.
    std::string owner{};
};

// The external variables dflab sets for each scanned item (the fields of YaraTarget, in order).
inline constexpr std::string_view kYaraItemExternals[] = {"filename", "filepath", "extension",
                                                          "filetype", "owner"};

// A user-defined external variable, typed as `yara -d NAME=VALUE` types it (yara 4.2's cli):
// an optional '-' then digits and one '.' (not first) is a float, an optional '-' then digits an
// integer (64-bit), exactly "true" or "false" a boolean, anything else (also "") a string.
struct YaraDefine {
    std::string name;
    std::string value;
    std::string text() const { return name + "=" + value; }  // as given, for messages
};

// Parses a --define value "NAME=VALUE" (split at the first '='). Throws Error
// "--define TEXT: ..." when there is no '=', NAME is not a YARA identifier, or NAME is one of
// kYaraItemExternals (those are set per item and cannot be defined).
YaraDefine parse_yara_define(std::string_view text);

// Call once from the main thread before any other YARA use (idempotent); the library is
// finalised at process exit.
void initialise_yara();

class YaraRules {
  public:
    // Compiles every rule file given (folders: every *.yar / *.yara below them, in sorted order;
    // each file in a namespace named after its path relative to the folder). Every external of
    // kYaraItemExternals is defined as a string ("" until a scan sets it), then each of
    // `defines` (checked as parse_yara_define checks them; a name twice is refused). Throws
    // Error "FILE:LINE: message" on the first syntax error (an undefined identifier too), naming
    // a missing/unreadable path, or "--define TEXT: ..." for a define that cannot be used.
    static YaraRules compile(const std::vector<std::string>& paths,
                             const std::vector<YaraDefine>& defines = {});
    ~YaraRules();
    YaraRules(YaraRules&&) noexcept;
    YaraRules& operator=(YaraRules&&) noexcept;

    size_t rule_count() const;
    struct Impl;
    const Impl& impl() const { return *impl_; }

  private:
    explicit YaraRules(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// One per thread. Not thread-safe itself; many scanners may share one YaraRules.
class YaraScanner {
  public:
    explicit YaraScanner(const YaraRules& rules, int timeout_seconds = 60);
    ~YaraScanner();
    YaraScanner(YaraScanner&&) noexcept;
    YaraScanner& operator=(YaraScanner&&) noexcept;

    // Scans one contiguous buffer (the whole item, so that 'filesize' and positional conditions
    // mean what rule authors expect); match offsets are base_offset + offset in data.
    std::vector<YaraMatch> scan(std::span<const std::byte> data, const YaraTarget& target,
                                uint64_t base_offset = 0);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace dflab::engine
