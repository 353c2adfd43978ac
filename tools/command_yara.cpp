// dflab yara IMAGE... --rules R...: YARA over every file's content and unallocated space.
#include <iostream>
#include <memory>

#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct YaraArgs {
    ImageArgs image;
    std::vector<std::string> rules;
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
        for (const auto& m : f.yara) {
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
        if (!f.yara) return;
        if (a_.image.json) {
            auto j = match_json(*f.yara);
            j["partition"] = f.partition;
            j["path"] = nullptr;
            j["image_offset"] = f.image_offset;
            j["block"] = f.block;
            std::cout << dump_line(j) << "\n";
        } else {
            std::cout << f.yara->rule << " " << f.partition << ":(unallocated block " << f.block
                      << ", image offset " << f.image_offset << ")\n";
            print_strings(*f.yara);
        }
    }

    void problem(int partition, const std::string& message) override {
        warn("partition " + std::to_string(partition) + ": " + message);
    }

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
        "rules; externals filename, filepath, extension and filetype are defined per file");
    add_image_args(cmd, a->image, true, true);
    cmd->add_option("-r,--rules", a->rules, "Rule file or folder (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all()
        ->required();
    cmd->add_flag("--no-unallocated", a->no_unallocated, "Do not scan unallocated space");
    cmd->add_flag("-s,--strings", a->strings, "Print matching strings with their offsets");
    cmd->callback([a, &exit_code] {
        engine::initialise_yara();
        auto rules = engine::YaraRules::compile(a->rules);
        engine::ScanOptions o;
        o.hashes = 0;
        o.rules = &rules;
        o.unallocated = !a->no_unallocated;
        exit_code = run_isolated("yara", [&](engine::ChildChannel& ch) {
            YaraPrinter printer(*a);
            scan_image(a->image, o, printer, ch);
        });
    });
}

}  // namespace dflab::tools
