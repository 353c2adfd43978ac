// dflab search IMAGE... -k TERM / -e REGEX: keyword search in files and unallocated space.
#include <iostream>
#include <memory>

#include "engine/analyzers/keywords.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/error.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct SearchArgs {
    ImageArgs image;
    std::vector<std::string> keywords, regexes;
    bool no_unallocated = false;
    bool case_sensitive = false;
};

class HitPrinter : public engine::ScanSink {
  public:
    HitPrinter(const SearchArgs& a, const engine::KeywordSearcher& s) : a_(a), s_(s) {}
    void file(engine::FileScan&& f) override {
        if (!f.error.empty())
            warn(std::to_string(f.entry.partition) + ":" + f.entry.path + ": " + f.error);
        incomplete = incomplete || f.incomplete;
        const auto* found = f.find<engine::KeywordFindings>();
        if (!found) return;
        for (const auto& h : found->hits) {
            nlohmann::json j = hit_json(h);
            j.update(engine::entry_location_json(f.entry));  // path_hex when not UTF-8
            print(j, std::to_string(f.entry.partition) + ":" + f.entry.path);
        }
    }
    void unallocated_finding(engine::UnallocatedFinding&& f) override {
        const auto* found = f.find<engine::KeywordFindings>();
        if (!found) return;
        for (size_t i = 0; i < found->hits.size(); ++i) {
            const uint64_t block = found->blocks.at(i);
            nlohmann::json j = hit_json(found->hits[i]);
            j["partition"] = f.partition;
            j["path"] = nullptr;
            j["block"] = block;
            j["image_offset"] = found->hits[i].offset;
            print(j, std::to_string(f.partition) + ":(unallocated block " + std::to_string(block) +
                         ")");
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
    nlohmann::json hit_json(const engine::KeywordHit& h) {
        const auto& t = s_.terms().at(h.term);
        return {{"term", t.text},     {"regex", t.regex},       {"offset", h.offset},
                {"length", h.length}, {"encoding", h.encoding}, {"text", h.text}};
    }
    void print(const nlohmann::json& j, const std::string& where) {
        if (a_.image.json) {
            std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
        } else {
            std::cout << where << "\t" << j["offset"].get<uint64_t>() << "\t"
                      << j["encoding"].get<std::string>() << "\t" << j["text"].get<std::string>()
                      << "\n";
        }
    }
    const SearchArgs& a_;
    const engine::KeywordSearcher& s_;
};

}  // namespace

void register_search(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<SearchArgs>();
    auto* cmd = app.add_subcommand(
        "search",
        "Keyword search over file content and unallocated space, in ASCII/UTF-8 and UTF-16LE, "
        "case-insensitive (Latin and Cyrillic) unless --case-sensitive. Offsets: within the file, "
        "or absolute in the image for unallocated space");
    add_image_args(cmd, a->image, true, true);
    cmd->add_option("-k,--keyword", a->keywords, "Literal term (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all();
    cmd->add_option("-e,--regex", a->regexes, "Regular expression, PCRE syntax (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all();
    cmd->add_flag("--no-unallocated", a->no_unallocated, "Do not search unallocated space");
    cmd->add_flag("--case-sensitive", a->case_sensitive, "Match case exactly");
    cmd->callback([a, &exit_code] {
        std::vector<engine::KeywordTerm> terms;
        for (const auto& k : a->keywords) terms.push_back({k, false});
        for (const auto& r : a->regexes) terms.push_back({r, true});
        if (terms.empty()) throw engine::Error("search: give at least one --keyword or --regex");
        engine::KeywordSearcher searcher(terms, a->case_sensitive);
        engine::AnalysisConfig config;
        config.hashes = 0;
        config.file_type = false;
        config.keywords = &searcher;
        const auto analyzers = engine::make_analyzers(config);
        engine::ScanOptions o;
        o.analyzers = &analyzers;
        o.unallocated = !a->no_unallocated;
        exit_code = run_isolated("search", [&](engine::ChildChannel& ch) {
            HitPrinter printer(*a, searcher);
            scan_image(a->image, o, printer, ch);
            if (printer.incomplete) ch.result(2);
        });
    });
}

}  // namespace dflab::tools
