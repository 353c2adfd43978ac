// dflab yara IMAGE... --rules R...: YARA over every file's content and unallocated space.
#include <iostream>
#include <memory>

#include "engine/analyzers/registry.hpp"
#include "engine/analyzers/yara.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct YaraArgs {
    ImageArgs image;
    std::vector<std::string> rules;
    std::vector<std::string> defines;  // --define NAME=VALUE
    int timeout = 60;                  // --timeout SECONDS
    bool no_unallocated = false;
    bool strings = false;
};

nlohmann::json match_json(const engine::YaraMatch& m) {
    nlohmann::json strings = nlohmann::json::array();
    for (const auto& s : m.strings)
        strings.push_back(
            {{"identifier", s.identifier}, {"offset", s.offset}, {"length", s.length}});
    nlohmann::json meta = nlohmann::json::object();
    for (const auto& [k, v] : m.meta) meta[k] = v;
    return {{"rule", m.rule},
            {"namespace", m.rule_namespace},
            {"tags", m.tags},
            {"meta", meta},
            {"strings", strings}};
}

// Rule names and meta come from the rules, which may hold any bytes ("\xe9" escapes): they are
// written as UTF-8 with U+FFFD for what is not (the rule files keep the bytes); entry paths carry
// path_hex.
std::string dump_line(const nlohmann::json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class YaraPrinter : public engine::ScanSink {
  public:
    explicit YaraPrinter(const YaraArgs& a) : a_(a) {}
    void file(engine::FileScan&& f) override {
        if (!f.error.empty())
            warn(std::to_string(f.entry.partition) + ":" + f.entry.path + ": " + f.error);
        incomplete = incomplete || f.incomplete;
        const auto* found = f.find<engine::YaraFindings>();
        if (!found) return;
        for (const auto& m : found->matches) {
            if (a_.image.json) {
                auto j = match_json(m);
                j.update(engine::entry_location_json(f.entry));  // path_hex when not UTF-8
                std::cout << dump_line(j) << "\n";
            } else {
                std::cout << m.rule << " " << f.entry.partition << ":" << f.entry.path << "\n";
                print_strings(m);
            }
        }
    }
    void unallocated_finding(engine::UnallocatedFinding&& f) override {
        const auto* found = f.find<engine::YaraFindings>();
        if (!found) return;
        for (size_t i = 0; i < found->matches.size(); ++i) {
            const auto& m = found->matches[i];
            const auto& at = found->places.at(i);
            if (a_.image.json) {
                auto j = match_json(m);
                j["partition"] = f.partition;
                j["path"] = nullptr;
                j["image_offset"] = at.image_offset;
                j["block"] = at.block;
                std::cout << dump_line(j) << "\n";
            } else {
                std::cout << m.rule << " " << f.partition << ":(unallocated block " << at.block
                          << ", image offset " << at.image_offset << ")\n";
                print_strings(m);
            }
        }
    }

    void problem(int partition, const std::string& message) override {
        warn("partition " + std::to_string(partition) + ": " + message);
        incomplete = true;
    }

    // Something was not scanned completely (a YARA timeout, a directory that cannot be read):
    // the command exits with 2.
    bool incomplete = false;

  private:
    void print_strings(const engine::YaraMatch& m) {
        if (!a_.strings) return;
        for (const auto& s : m.strings)
            std::cout << "0x" << std::hex << s.offset << std::dec << ":" << s.identifier << "\n";
    }
    const YaraArgs& a_;
};

}  // namespace

void register_yara(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<YaraArgs>();
    auto* cmd = app.add_subcommand(
        "yara",
        "Scan every file's content (deleted files and streams too) and unallocated space with YARA "
        "rules; externals filename, filepath, extension, filetype and owner are defined per file, "
        "others with --define");
    add_image_args(cmd, a->image, true, true);
    cmd->add_option("-r,--rules", a->rules, "Rule file or folder (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all()
        ->required();
    add_yara_define_option(cmd, a->defines);
    add_yara_timeout_option(cmd, a->timeout);
    cmd->add_flag("--no-unallocated", a->no_unallocated, "Do not scan unallocated space");
    cmd->add_flag("-s,--strings", a->strings, "Print matching strings with their offsets");
    cmd->callback([a, &exit_code] {
        const auto defines = parse_yara_defines(a->defines);
        engine::initialise_yara();
        auto rules = engine::YaraRules::compile(a->rules, defines);
        engine::AnalysisConfig config;
        config.hashes = 0;
        config.rules = &rules;
        config.yara_timeout = a->timeout;
        const auto analyzers = engine::make_analyzers(config);
        engine::ScanOptions o;
        o.analyzers = &analyzers;
        o.unallocated = !a->no_unallocated;
        exit_code = run_isolated("yara", [&](engine::ChildChannel& ch) {
            YaraPrinter printer(*a);
            scan_image(a->image, o, printer, ch);
            if (printer.incomplete) ch.result(2);
        });
    });
}

}  // namespace dflab::tools
