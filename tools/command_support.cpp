#include "tools/command_support.hpp"

#include <iostream>
#include <map>

#include "engine/analyzers/registry.hpp"
#include "tools/progress_bar.hpp"

namespace dflab::tools {

void add_image_args(CLI::App* cmd, ImageArgs& args, bool partition, bool json) {
    cmd->add_option("IMAGE", args.images,
                    "Evidence image: raw, split raw (.001), E01, VMDK or VHD; give the first "
                    "segment or all of them")
        ->required();
    if (partition) {
        auto* index = cmd->add_option(
            "-p,--partition", args.partition,
            "Partition index as 'dflab partitions' prints it (default: every file system)");
        cmd->add_option("--offset", args.offset,
                        "Read the file system starting at this sector, without reading the "
                        "partition table (as TSK's -o; find one with 'dflab partitions --scan')")
            ->excludes(index);
    }
    if (json) cmd->add_flag("--json", args.json, "Machine-readable JSON output");
}

void add_fat_zone_option(CLI::App* cmd, std::vector<std::string>& values) {
    cmd->add_option("--fat-zone", values,
                    "IANA zone FAT local times are read in (FAT stores no zone): ZONE for every "
                    "partition or PARTITION=ZONE, repeatable (default: UTC)")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all();
}

void add_yara_define_option(CLI::App* cmd, std::vector<std::string>& values) {
    cmd->add_option("--define", values,
                    "YARA external variable NAME=VALUE for every item, repeatable; typed as "
                    "'yara -d' types it: 12 integer, 1.5 float, true/false boolean, else string "
                    "(filename, filepath, extension, filetype and owner are set per item)")
        ->expected(1)
        ->allow_extra_args(false)
        ->take_all();
}

void add_yara_timeout_option(CLI::App* cmd, int& seconds) {
    cmd->add_option("--timeout", seconds,
                    "Seconds YARA may scan one file or window of unallocated space; a scan that "
                    "takes longer is reported and the exit code is 2")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();
}

std::vector<engine::YaraDefine> parse_yara_defines(const std::vector<std::string>& values) {
    std::vector<engine::YaraDefine> out;
    out.reserve(values.size());
    for (const std::string& v : values) out.push_back(engine::parse_yara_define(v));
    return out;
}

std::vector<engine::Partition> zoned_partitions(const engine::Evidence& evidence,
                                                const ImageArgs& args) {
    const engine::FatZones zones = engine::parse_fat_zones(args.fat_zones);
    auto partitions = engine::file_system_partitions(evidence, args.partition, args.offset);
    for (auto& p : partitions) p.fat_zone = zones.zone_for(p.index);
    return partitions;
}

std::string fat_zone_note(const std::vector<engine::Partition>& partitions) {
    std::map<std::string, std::vector<int>> by_zone;
    for (const auto& p : partitions)
        if (engine::holds_fat(p)) by_zone[p.fat_zone].push_back(p.index);
    std::string note;
    for (const auto& [zone, indexes] : by_zone) {
        std::string list;
        for (int i : indexes) list += (list.empty() ? "" : ", ") + std::to_string(i);
        note += (note.empty() ? "" : "; ") + zone +
                (indexes.size() > 1 ? " (partitions " : " (partition ") + list + ")";
    }
    if (note.empty()) return note;
    return "# FAT times: local time read in " + note + "; set with --fat-zone";
}

int run_isolated(const std::string& label, const std::function<void(engine::ChildChannel&)>& work) {
    ProgressBar bar(label);
    int code = engine::run_supervised(engine::default_limits(), work,
                                      [&](const engine::Progress& p) { bar.update(p); });
    bar.finish();
    return code;
}

void scan_image(const ImageArgs& args, const engine::ScanOptions& options, engine::ScanSink& sink,
                engine::ChildChannel& channel) {
    channel.context(args.images.front());
    auto evidence = engine::Evidence::open(args.images);
    for (const auto& part : engine::file_system_partitions(evidence, args.partition, args.offset)) {
        channel.context(evidence.name() + " partition " + std::to_string(part.index));
        engine::scan_partition(evidence, part, options, sink, &channel);
    }
}

ArtifactScan::ArtifactScan() {
    engine::AnalysisConfig config;
    config.hashes = 0;
    config.file_type = false;
    config.artifacts = true;
    analyzers = engine::make_analyzers(config);
    options.analyzers = &analyzers;
    options.unallocated = false;
}

void warn(const std::string& message) {
    std::cerr << "dflab: warning: " << message << "\n";
}

std::function<void(const engine::WalkError&)> WalkErrorReport::handler() {
    return [this](const engine::WalkError& error) {
        ++count_;
        std::cout.flush();  // the line lands after the entries listed before it
        std::cerr << "dflab: " << engine::format_walk_error(image_, error) << "\n";
    };
}

void WalkErrorReport::finish(engine::ChildChannel& channel) const {
    if (count_ > 0) channel.result(kIncompleteExit);
}

}  // namespace dflab::tools
