// dflab partitions IMAGE...: the volume layout with gaps and the file system of each partition.
#include <cstdio>
#include <iostream>
#include <memory>

#include "engine/volumes.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

void register_partitions(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<ImageArgs>();
    auto* cmd = app.add_subcommand(
        "partitions",
        "List partitions (MBR, GPT, ...), the unallocated gaps between them and their file systems "
        "(start and length in sectors; a bare file system is index 0 at start 0)");
    add_image_args(cmd, *args, false, true);
    cmd->callback([args, &exit_code] {
        exit_code = run_isolated("partitions", [&](engine::ChildChannel& ch) {
            ch.context(args->images.front());
            auto evidence = engine::Evidence::open(args->images);
            auto layout = engine::read_volume_layout(evidence);
            if (args->json) {
                nlohmann::json out = nlohmann::json::array();
                for (const auto& p : layout.partitions) {
                    out.push_back(
                        {{"index", p.index},
                         {"start", p.start},
                         {"length", p.length},
                         {"description", p.description},
                         {"kind", p.kind},
                         {"filesystem", p.filesystem ? nlohmann::json(*p.filesystem) : nullptr},
                         {"sector_size", p.sector_size},
                         {"filesystem_start",
                          p.filesystem ? nlohmann::json(p.filesystem_start.value_or(p.start))
                                       : nlohmann::json(nullptr)}});
                }
                // Descriptions come from the partition table (TSK makes GPT names UTF-8); never
                // throw.
                std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
                          << "\n";
                return;
            }
            std::cout << "Scheme: " << layout.scheme << "\n";
            std::printf("%-5s %-12s %-12s %-12s %-12s %-10s %s\n", "Index", "Start", "End",
                        "Length", "Kind", "FS", "Description");
            for (const auto& p : layout.partitions) {
                std::printf(
                    "%03d:  %012llu %012llu %012llu %-12s %-10s %s\n", p.index,
                    static_cast<unsigned long long>(p.start),
                    static_cast<unsigned long long>(p.start + (p.length ? p.length - 1 : 0)),
                    static_cast<unsigned long long>(p.length), p.kind.c_str(),
                    p.filesystem.value_or("-").c_str(), p.description.c_str());
            }
            std::fflush(stdout);
        });
    });
}

}  // namespace dflab::tools
