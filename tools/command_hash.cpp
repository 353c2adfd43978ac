// dflab hash IMAGE...: MD5, SHA-1 and SHA-256 of every file (or one), like md5deep over an image.
#include <iostream>
#include <memory>
#include <sstream>

#include "common/utf8.hpp"
#include "engine/analyzers/hashes.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/error.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct HashArgs {
    ImageArgs image;
    std::string path = "/";
    std::vector<std::string> algorithms{"md5", "sha1", "sha256"};
    bool allocated_only = false;
};

unsigned hash_set(const std::vector<std::string>& names) {
    unsigned set = 0;
    for (const auto& n : names) {
        if (n == "md5")
            set |= engine::kMd5;
        else if (n == "sha1")
            set |= engine::kSha1;
        else if (n == "sha256")
            set |= engine::kSha256;
        else
            throw engine::Error("--algorithm '" + n + "': use md5, sha1 or sha256");
    }
    return set;
}

class HashPrinter : public engine::ScanSink {
  public:
    explicit HashPrinter(const HashArgs& a) : a_(a) {}
    void file(engine::FileScan&& f) override {
        if (!f.scanned) return;
        const auto* found = f.find<engine::HashFindings>();
        const engine::Digests digests = found ? found->digests : engine::Digests{};
        if (a_.image.json) {
            nlohmann::json j = engine::entry_location_json(f.entry);  // path_hex when not UTF-8
            j["size"] = f.entry.size;
            for (const auto& [name, value] :
                 {std::pair{"md5", digests.md5}, std::pair{"sha1", digests.sha1},
                  std::pair{"sha256", digests.sha256}}) {
                if (!value.empty()) j[name] = value;
            }
            if (!f.error.empty()) j["error"] = common::to_display_utf8(f.error);
            std::cout << j.dump() << "\n";
            return;
        }
        std::ostringstream line;
        for (const auto* v : {&digests.md5, &digests.sha1, &digests.sha256}) {
            if (!v->empty()) line << *v << "  ";
        }
        if (!f.error.empty()) line << "(unreadable: " << f.error << ")  ";
        line << f.entry.partition << ":" << f.entry.path << (f.entry.allocated ? "" : " (deleted)");
        std::cout << line.str() << "\n";
    }

  private:
    const HashArgs& a_;
};

}  // namespace

void register_hash(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<HashArgs>();
    auto* cmd = app.add_subcommand(
        "hash",
        "Hash the content of every file (deleted files and NTFS streams too), or of "
        "those below --path; text lines 'md5  sha1  sha256  PARTITION:PATH' or JSON Lines");
    add_image_args(cmd, a->image, true, true);
    cmd->add_option("--path", a->path, "Only entries below (or at) this path");
    cmd->add_option("-a,--algorithm", a->algorithms,
                    "md5, sha1, sha256 (repeatable; default all three)")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all();
    cmd->add_flag("--allocated", a->allocated_only, "Skip deleted entries");
    cmd->callback([a, &exit_code] {
        engine::AnalysisConfig config;
        config.hashes = hash_set(a->algorithms);
        config.file_type = false;
        const auto analyzers = engine::make_analyzers(config);
        engine::ScanOptions o;
        o.analyzers = &analyzers;
        o.deleted = !a->allocated_only;
        o.start_path = a->path;
        exit_code = run_isolated("hash", [&](engine::ChildChannel& ch) {
            HashPrinter printer(*a);
            scan_image(a->image, o, printer, ch);
        });
    });
}

}  // namespace dflab::tools
