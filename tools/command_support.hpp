#pragma once
// What the subcommands share: image arguments, supervised execution, (entries as JSON:
// engine/entry_json.hpp).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/entry_json.hpp"  // entry_json: the one JSON shape of an entry
#include "engine/file_system.hpp"
#include "engine/scan.hpp"
#include "engine/supervisor.hpp"
#include "engine/yara_rules.hpp"

namespace dflab::tools {

struct ImageArgs {
    std::vector<std::string> images;
    std::optional<int> partition;
    std::optional<uint64_t> offset;  // --offset SECTOR: one file system there, table not read
    bool json = false;
    std::vector<std::string> fat_zones;  // --fat-zone values: ZONE or PARTITION=ZONE
};

// IMAGE... (segments of one image), and optionally --partition or --offset, and --json.
void add_image_args(CLI::App* cmd, ImageArgs& args, bool partition, bool json);

// --fat-zone ZONE | PARTITION=ZONE (repeatable): the zone FAT local times are read in.
void add_fat_zone_option(CLI::App* cmd, std::vector<std::string>& values);

// --define NAME=VALUE (repeatable): a YARA external variable for every item, typed as
// `yara -d` types it (engine::YaraDefine).
void add_yara_define_option(CLI::App* cmd, std::vector<std::string>& values);
// --timeout SECONDS: how long YARA may scan one file or window (as `yara --timeout`).
void add_yara_timeout_option(CLI::App* cmd, int& seconds);
// The --define values parsed; throws engine::Error naming the first one that cannot be used.
std::vector<engine::YaraDefine> parse_yara_defines(const std::vector<std::string>& values);

// The selected partitions with a file system (all, or --partition), each with its fat_zone set
// from --fat-zone (UTC when not given).
std::vector<engine::Partition> zoned_partitions(const engine::Evidence& evidence,
                                                const ImageArgs& args);

// "# FAT times: local time read in Asia/Almaty (partition 2; set with --fat-zone)" when some of
// `partitions` hold FAT, "" otherwise: the header line of text outputs.
std::string fat_zone_note(const std::vector<engine::Partition>& partitions);

// Runs `work` in a supervised child (see engine/supervisor.hpp) with a progress bar labelled
// `label` on a terminal; returns the child's result code.
int run_isolated(const std::string& label, const std::function<void(engine::ChildChannel&)>& work);

// Scans every selected file system of the image (in the calling child process).
void scan_image(const ImageArgs& args, const engine::ScanOptions& options, engine::ScanSink& sink,
                engine::ChildChannel& channel);

// The artifact analyzers alone (every analyzer AnalysisConfig::artifacts turns on: registry
// hives, shell links, event logs, ...) and scan options that run only them over allocated and
// deleted entries: what `dflab artifacts` and `dflab timeline --artifacts` read. Not copyable
// (the options point at the analyzers).
struct ArtifactScan {
    ArtifactScan();
    ArtifactScan(const ArtifactScan&) = delete;
    ArtifactScan& operator=(const ArtifactScan&) = delete;
    std::vector<std::unique_ptr<engine::Analyzer>> analyzers;
    engine::ScanOptions options;
};

// A warning on stderr ("dflab: warning: ...") for what a scan could not cover.
void warn(const std::string& message);

// The exit status of a command that wrote its output but had to leave something out (a
// directory that could not be read); docs/commands.md, "Exit codes".
constexpr int kIncompleteExit = 2;

// The directories that walks of one image could not read: each is printed as it is reported,
// one line on stderr ("dflab: IMAGE: partition N: directory /path (inode 12): cannot read:
// ..."), and finish() makes the command exit with kIncompleteExit when there was any.
class WalkErrorReport {
  public:
    explicit WalkErrorReport(std::string image_name) : image_(std::move(image_name)) {}
    std::function<void(const engine::WalkError&)> handler();
    size_t count() const { return count_; }
    void finish(engine::ChildChannel& channel) const;

  private:
    std::string image_;
    size_t count_ = 0;
};

// A subcommand registers itself and returns the exit code through this slot.
using CommandRegistry = std::vector<std::function<void(CLI::App&, int& exit_code)>>;

}  // namespace dflab::tools
