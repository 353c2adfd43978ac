// dflab analyze IMAGE... -o CASE.sqlite: everything the engine finds, into one case database.
#include <algorithm>
#include <iostream>
#include <memory>

#include "engine/analyze.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"
#include "tools/progress_bar.hpp"

namespace dflab::tools {

namespace {

struct AnalyzeArgs {
    std::vector<std::string> image;
    std::vector<std::string> rules;
    std::vector<std::string> defines;  // --define NAME=VALUE
    int timeout = 60;                  // --timeout SECONDS
    std::optional<uint64_t> offset;    // --offset SECTOR
    std::vector<std::string> keywords;
    std::vector<std::string> regexes;
    std::string output;
    bool no_unallocated = false;
    bool carve = false;
    bool carve_every_offset = false;
    bool force = false;
    bool json = false;
    unsigned workers = 0;
    std::vector<std::string> fat_zones;
};

}  // namespace

void register_analyze(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<AnalyzeArgs>();
    auto* cmd = app.add_subcommand(
        "analyze",
        "Analyse an image into a case database: every file and directory (deleted and streams "
        "too), MD5/SHA-1/SHA-256, file types and extension mismatches, YARA matches and keyword "
        "hits in files and unallocated space. Exit 0 when complete, 2 when some partition could "
        "not "
        "be parsed (recorded in the case's errors table)");
    cmd->add_option("IMAGE", a->image, "Evidence image (first segment, or all segments)")
        ->required();
    cmd->add_option("-o,--output", a->output, "Case database to write (SQLite)")->required();
    cmd->add_option("--offset", a->offset,
                    "Analyse the one file system starting at this sector, without reading the "
                    "partition table (as TSK's -o)");
    cmd->add_option("-r,--rules", a->rules, "YARA rule file or folder (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all();
    add_yara_define_option(cmd, a->defines);
    add_yara_timeout_option(cmd, a->timeout);
    cmd->add_option("-k,--keyword", a->keywords, "Literal keyword to search for (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all();
    cmd->add_option("-e,--regex", a->regexes, "Regular expression to search for (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all();
    cmd->add_flag("--no-unallocated", a->no_unallocated, "Do not scan unallocated space");
    cmd->add_flag("--carve", a->carve,
                  "Carve JPEG, PNG, PDF, ZIP and SQLite files from unallocated space into the "
                  "carved_files table (docs/carving.md)");
    cmd->add_flag("--carve-every-offset", a->carve_every_offset,
                  "As --carve, with headers looked for at every byte offset, not only at sector "
                  "starts (as dflab carve --every-offset)");
    cmd->add_option("-j,--workers", a->workers, "Worker threads (default: one per core)");
    cmd->add_flag("-f,--force", a->force, "Replace the output if it exists");
    cmd->add_flag("--json", a->json, "Print the summary as JSON");
    add_fat_zone_option(cmd, a->fat_zones);
    cmd->callback([a, &exit_code] {
        engine::AnalyzeOptions o;
        o.image = a->image;
        o.offset = a->offset;
        o.rules = a->rules;
        o.yara_defines = parse_yara_defines(a->defines);
        o.yara_timeout = a->timeout;
        for (const auto& k : a->keywords) o.keywords.push_back({k, false});
        for (const auto& r : a->regexes) o.keywords.push_back({r, true});
        o.unallocated = !a->no_unallocated;
        o.carve = a->carve || a->carve_every_offset;
        o.carve_every_offset = a->carve_every_offset;
        o.workers = a->workers;
        o.output = a->output;
        o.overwrite = a->force;
        o.fat_zones = engine::parse_fat_zones(a->fat_zones);
        ProgressBar bar("analyze");
        auto s = engine::analyze(o, engine::default_limits(),
                                 [&](const engine::Progress& p) { bar.update(p); });
        bar.finish();
        nlohmann::json fat_zones = nlohmann::json::object();
        std::string fat_text;
        for (const auto& [index, zone] : s.fat_zones) {
            fat_zones[std::to_string(index)] = zone;
            fat_text += (fat_text.empty() ? "" : ", ") + zone + " (partition " +
                        std::to_string(index) + ")";
        }
        if (a->json) {
            nlohmann::json j{{"case", a->output}, {"fat_zones", fat_zones}};
            for (const auto& c : s.counts) j[c.key] = c.value;
            j["errors"] = s.errors;
            std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                      << "\n";  // errors may name files: their bytes are on stderr and in the case
        } else {
            auto row = [](const std::string& label) {
                std::string text = label + ":";
                text.resize(std::max<size_t>(text.size() + 1, 22), ' ');
                return text;
            };
            std::cout << row("Case") << a->output << "\n"
                      << row("Entries") << s.count("files") << " (" << s.count("deleted")
                      << " deleted)\n";
            for (const auto& c : s.counts)
                if (c.key != "files" && c.key != "deleted")
                    std::cout << row(c.label) << c.value << "\n";
            if (!fat_text.empty()) std::cout << row("FAT times read in") << fat_text << "\n";
        }
        for (const auto& e : s.errors) std::cerr << "dflab: warning: " << e << "\n";
        exit_code = s.errors.empty() ? 0 : 2;
    });
}

}  // namespace dflab::tools
