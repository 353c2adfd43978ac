// dflab artifacts IMAGE... [--kind K]... [--json]: the Windows artifacts the analyzers read from
// the image's files (registry hives, shell links, event logs), as `analyze` stores them in its
// artifacts table.
#include <algorithm>
#include <iostream>
#include <memory>

#include "common/text.hpp"
#include "engine/artifact.hpp"
#include "engine/error.hpp"
#include "engine/time_format.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"
#include "tools/text_columns.hpp"

namespace dflab::tools {

namespace {

struct ArtifactArgs {
    ImageArgs image;
    std::vector<std::string> kinds;
};

// A field's value as text: strings as they are, null as "-", arrays joined with ", ".
std::string field_text(const nlohmann::json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "-";
    if (v.is_array()) {
        std::vector<std::string> items;
        for (const auto& item : v) items.push_back(field_text(item));
        return common::join(items, ", ");
    }
    return v.dump();
}

// The fields as "name=value; name=value", in alphabetical order.
std::string fields_text(const nlohmann::json& fields) {
    std::string out;
    for (const auto& [key, value] : fields.items())
        out += (out.empty() ? "" : "; ") + key + "=" + field_text(value);
    return out;
}

class ArtifactPrinter : public engine::ScanSink {
  public:
    explicit ArtifactPrinter(const ArtifactArgs& a) : a_(a) {}

    void file(engine::FileScan&& f) override {
        incomplete = incomplete || f.incomplete;
        // Every artifact analyzer's findings (registry hives, shell links), in registry order.
        for (const auto& findings : f.findings)
            if (const auto* found = dynamic_cast<const engine::ArtifactFindings*>(findings.get()))
                print(*found);
    }

    void problem(int partition, const std::string& message) override {
        warn("partition " + std::to_string(partition) + ": " + message);
        incomplete = true;
    }

    // The text table, once every partition is scanned (its columns fit the longest value).
    void finish() const {
        if (a_.image.json) return;
        print_columns({"PARTITION", "PATH", "KIND", "TIME", "SOURCE", "FIELDS"}, rows_, true);
    }

    bool incomplete = false;
    size_t unreadable = 0;

  private:
    void print(const engine::ArtifactFindings& found) {
        for (const auto& artifact : found.artifacts) {
            if (artifact.kind == engine::kUnreadableArtifact) {
                ++unreadable;
                warn(std::to_string(found.partition) + ":" + found.path + ": " + artifact.source +
                     ": " + field_text(artifact.fields.value("error", "")));
            }
            if (!wanted(artifact.kind)) continue;
            if (a_.image.json) {
                std::cout << engine::artifact_json(found, artifact)
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                          << "\n";
                continue;
            }
            rows_.push_back({std::to_string(found.partition), found.path, artifact.kind,
                             artifact.time ? engine::iso_utc(*artifact.time) : "-", artifact.source,
                             fields_text(artifact.fields)});
        }
    }

    bool wanted(const std::string& kind) const {
        return a_.kinds.empty() ||
               std::find(a_.kinds.begin(), a_.kinds.end(), kind) != a_.kinds.end();
    }

    const ArtifactArgs& a_;
    std::vector<std::vector<std::string>> rows_;
};

void check_kinds(const std::vector<std::string>& kinds) {
    std::vector<std::string> known(std::begin(engine::kArtifactKinds),
                                   std::end(engine::kArtifactKinds));
    for (const auto& k : kinds)
        if (std::find(known.begin(), known.end(), k) == known.end())
            throw engine::Error("--kind '" + k +
                                "': unknown kind (kinds: " + common::join(known, ", ") + ")");
}

}  // namespace

void register_artifacts(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<ArtifactArgs>();
    auto* cmd = app.add_subcommand(
        "artifacts",
        "What the system and its users left in the image's files, whatever the files are "
        "called: registry hives (computer name, time zone, USB storage devices, programs run, "
        "recent documents, typed paths, Run dialog commands, Explorer searches, Run keys, network "
        "profiles, user accounts), shell links (.lnk), event logs, prefetch files, photos' Exif, "
        "browser histories, and on NTFS Recycle Bin records, Zone.Identifier streams and "
        "timestomped "
        "files; docs/artifacts.md lists every kind and its fields. Exit 2 when some "
        "artifact could not be read (each named on standard error)");
    add_image_args(cmd, a->image, true, true);
    std::string kinds;
    for (std::string_view k : engine::kArtifactKinds)
        kinds += (kinds.empty() ? "" : ", ") + std::string(k);
    cmd->add_option("--kind", a->kinds, "Only artifacts of this kind (repeatable): " + kinds)
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all();
    cmd->callback([a, &exit_code] {
        check_kinds(a->kinds);
        const ArtifactScan scan;
        exit_code = run_isolated("artifacts", [&](engine::ChildChannel& ch) {
            ArtifactPrinter printer(*a);
            scan_image(a->image, scan.options, printer, ch);
            printer.finish();
            if (printer.incomplete || printer.unreadable > 0) ch.result(kIncompleteExit);
        });
    });
}

}  // namespace dflab::tools
