// dflab partitions IMAGE...: the volume layout with gaps and the file system of each partition.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>

#include "engine/error.hpp"
#include "engine/file_system_scan.hpp"
#include "engine/volumes.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

// partitions --scan: file systems found by their signatures, each marked with whether the
// partition table (if one can be read) knows a partition starting there.
void print_scan(const engine::Evidence& evidence, bool json, engine::ChildChannel& ch) {
    std::vector<uint64_t> known;
    std::string scheme = "none readable";
    try {
        auto layout = engine::read_volume_layout(evidence);
        scheme = layout.scheme;
        // Only what a table entry describes: a file system found in a gap (a deleted entry) is
        // what the scan is for, and is not in the table.
        for (const auto& p : layout.partitions)
            if (p.filesystem && p.kind == "partition")
                known.push_back(p.filesystem_start.value_or(p.start));
    } catch (const engine::Error&) {
        // A damaged table is why one scans: the scan's results stand on their own.
    }
    auto found = engine::scan_for_file_systems(
        evidence, [&](uint64_t done, uint64_t total) { ch.progress(done, total); });
    auto in_table = [&](uint64_t start) {
        return std::find(known.begin(), known.end(), start) != known.end();
    };
    if (json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& f : found)
            out.push_back({{"start", f.start},
                           {"length", f.length},
                           {"filesystem", f.type},
                           {"signature", f.signature},
                           {"sector_size", evidence.sector_size()},
                           {"in_partition_table", in_table(f.start)}});
        std::cout << out.dump(2) << "\n";
        return;
    }
    std::cout << "Partition table: " << scheme << "\n";
    std::printf("%-12s %-12s %-12s %-10s %-8s %s\n", "Start", "End", "Length", "FS", "In table",
                "Found by");
    for (const auto& f : found) {
        std::printf("%012llu %012llu %012llu %-10s %-8s %s\n",
                    static_cast<unsigned long long>(f.start),
                    static_cast<unsigned long long>(f.start + (f.length ? f.length - 1 : 0)),
                    static_cast<unsigned long long>(f.length), f.type.c_str(),
                    in_table(f.start) ? "yes" : "no", f.signature.c_str());
    }
    if (found.empty()) std::printf("(no file system found)\n");
    std::fflush(stdout);
}

}  // namespace

void register_partitions(CLI::App& app, int& exit_code) {
    auto args = std::make_shared<ImageArgs>();
    auto scan = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand(
        "partitions",
        "List partitions (MBR, GPT, ...), the unallocated gaps between them and their file systems "
        "(start and length in sectors; a bare file system is index 0 at start 0)");
    add_image_args(cmd, *args, false, true);
    cmd->add_flag("--scan", *scan,
                  "Also find file systems by their signatures anywhere in the image (FAT, exFAT "
                  "and NTFS boot sectors, ext superblocks), as sigfind does: for a damaged or "
                  "wiped partition table; read one with --offset START");
    cmd->callback([args, scan, &exit_code] {
        exit_code = run_isolated("partitions", [&](engine::ChildChannel& ch) {
            ch.context(args->images.front());
            auto evidence = engine::Evidence::open(args->images);
            if (*scan) {
                print_scan(evidence, args->json, ch);
                return;
            }
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
