// dflab timeline IMAGE...: the MAC(B) timeline of the file systems (with --artifacts, the times of
// the artifacts read from their files too), or their body file for mactime.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/artifact.hpp"
#include "engine/case_reader.hpp"
#include "engine/time_format.hpp"
#include "engine/timeline.hpp"
#include "engine/timeline_artifacts.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace {

struct TimelineOptions {
    ImageArgs image;
    bool body = false;
    std::optional<std::string> from, to;
    std::string zone = "UTC";
    std::string format = "csv";
    bool artifacts = false;
    std::optional<std::string> case_path;  // --case: the artifacts from its table
};

// Collects the dated artifacts the artifact analyzers read (as `dflab artifacts` runs them).
class ArtifactCollector : public engine::ScanSink {
  public:
    ArtifactCollector(const engine::TimeRange& range, std::vector<engine::ArtifactEvent>& out)
        : range_(range), out_(out) {}

    void file(engine::FileScan&& f) override {
        incomplete = incomplete || f.incomplete;
        for (const auto& findings : f.findings) {
            const auto* found = dynamic_cast<const engine::ArtifactFindings*>(findings.get());
            if (!found) continue;
            for (const auto& a : found->artifacts)
                if (a.kind == engine::kUnreadableArtifact) {
                    incomplete = true;
                    warn(std::to_string(found->partition) + ":" + found->path + ": " + a.source +
                         ": " + a.fields.value("error", "unreadable"));
                }
            engine::add_artifact_events(*found, range_, out_);
        }
    }

    void problem(int partition, const std::string& message) override {
        warn("partition " + std::to_string(partition) + ": " + message);
        incomplete = true;
    }

    bool incomplete = false;

  private:
    const engine::TimeRange& range_;
    std::vector<engine::ArtifactEvent>& out_;
};

constexpr const char* kFooter = R"(
Without --body, prints one event per distinct time stamp of each entry (files, directories,
deleted and orphan entries, NTFS streams and $FILE_NAME attributes), sorted by time then path:
  time,macb,partition,inode,type,size,allocated,mode,uid,gid,path,path_hex
'macb' says which time stamps have that time, as mactime writes it: m(odified), a(ccessed),
c(hanged; NTFS: MFT entry changed), b(orn), e.g. "m.cb". Absent times make no event. Times are
ISO 8601 in UTC, or in --timezone with its offset (2023-10-02T17:03:11+03:00). A path that is
not UTF-8 (a Latin-1 or CP1251 name) is shown with U+FFFD, and its bytes are in path_hex (empty
for UTF-8 paths; in JSON only when needed). The body file keeps names' bytes, as fls -m does.

--from/--to take 2023-10-02, 2023-10-02T14:03:11, or either with Z or +03:00; without an offset
they are read in --timezone. Both ends are included, and a date alone in --to means the whole day.

--body prints the TSK 3.x body file instead, the lines 'fls -m / -r' prints (with several file
systems, names start with /pN/, N the partition index), for TSK's mactime:
  dflab timeline disk.E01 --body > body.txt && mactime -b body.txt -d -y 2023-10-01..2023-10-03

FAT stores local times without a zone: they are read in --fat-zone (default UTC; the TZ
environment variable plays no part), as 'fls -z ZONE' reads them. Give the zone of the machine
that wrote the disk; the CSV then starts with a line '# FAT times: local time read in ZONE ...',
JSON events of FAT entries carry "fat_zone", and --body says it on standard error. --timezone
only changes how times are printed.

Examples:
  dflab timeline disk.E01 --from 2023-10-01 --to 2023-10-02 --timezone Europe/Moscow
  dflab timeline disk.E01 -p 2 --format json > timeline.jsonl
  dflab timeline usb.E01 --fat-zone Asia/Almaty --timezone Asia/Almaty

--artifacts adds one row per artifact time (docs/artifacts.md: USB devices, programs run, shell
links, events, ...), read by the artifact analyzers as 'dflab artifacts' reads them, or with
--case CASE from the artifacts table of that case of the same image. In CSV an artifact's macb
column holds its time_kind and type its kind; two columns follow: source (where in the file) and
description (the kind and its main fields). Rows sort by time, then path, then kind.

--format l2tcsv writes plaso's l2tcsv columns (file system rows and artifact rows alike):
  date,time,timezone,MACB,source,sourcetype,type,user,host,short,desc,version,filename,inode,
  notes,format,extra
date MM/DD/YYYY and time HH:MM:SS in --timezone (its name in timezone). File rows: source FILE,
type the time stamps' names; artifact rows: sourcetype the kind, type its time_kind.
  dflab timeline disk.E01 --artifacts --format l2tcsv > timeline.csv
  dflab timeline disk.E01 --artifacts --case case.sqlite --from 2024-03-01)";

}  // namespace

void register_timeline(CLI::App& app, int& exit_code) {
    auto o = std::make_shared<TimelineOptions>();
    auto* cmd = app.add_subcommand(
        "timeline",
        "MAC(B) timeline of the file systems (and, with --artifacts, of the artifacts read from "
        "their files) as CSV, JSON Lines or plaso's l2tcsv, or a body file for mactime");
    add_image_args(cmd, o->image, true, false);
    auto* body = cmd->add_flag("--body", o->body,
                               "Print the body file (what 'fls -m / -r' prints) for TSK's mactime "
                               "instead of the timeline");
    auto* from_opt =
        cmd->add_option("--from", o->from, "Only events at or after this time (ISO 8601)");
    auto* to_opt = cmd->add_option("--to", o->to,
                                   "Only events at or before this time (ISO 8601; a date alone: "
                                   "until the end of that day)");
    auto* zone_opt = cmd->add_option("--timezone", o->zone,
                                     "IANA time zone to print times in and to read --from/--to in, "
                                     "e.g. Europe/Moscow (default: UTC)");
    auto* format_opt =
        cmd->add_option("--format", o->format,
                        "Output format: csv (default), json (JSON Lines) or l2tcsv (plaso's)")
            ->check(CLI::IsMember({"csv", "json", "l2tcsv"}));
    auto* artifacts_flag =
        cmd->add_flag("--artifacts", o->artifacts,
                      "Add the times of the artifacts read from the files (docs/artifacts.md)");
    auto* case_opt = cmd->add_option("--case", o->case_path,
                                     "With --artifacts: take the artifacts from this case of the "
                                     "image (dflab analyze) instead of reading them again")
                         ->needs(artifacts_flag);
    add_fat_zone_option(cmd, o->image.fat_zones);
    for (auto* opt : {from_opt, to_opt, zone_opt, format_opt, artifacts_flag, case_opt})
        body->excludes(opt);
    cmd->footer(kFooter);

    cmd->callback([o, &exit_code] {
        // Check what the user typed before touching the image: one line, no child process.
        engine::check_time_zone(o->zone);
        engine::parse_fat_zones(o->image.fat_zones);
        const engine::TimeRange range = engine::parse_time_range(o->from, o->to, o->zone);
        const auto format = o->format == "json"     ? engine::TimelineFormat::json
                            : o->format == "l2tcsv" ? engine::TimelineFormat::l2tcsv
                                                    : engine::TimelineFormat::csv;
        std::optional<ArtifactScan> scan;  // the analyzers, when the image's files are read
        if (o->artifacts && !o->case_path) scan.emplace();

        exit_code = run_isolated("timeline", [&](engine::ChildChannel& ch) {
            ch.context(o->image.images.front());
            std::optional<engine::CaseReader> reader;  // refused before the walk when unusable
            if (o->case_path) reader.emplace(*o->case_path);
            auto evidence = engine::Evidence::open(o->image.images);
            const auto partitions = zoned_partitions(evidence, o->image);
            const std::string note = fat_zone_note(partitions);
            if ((o->body || format == engine::TimelineFormat::l2tcsv) && !note.empty())
                std::cerr << "dflab: note: " << note.substr(2) << "\n";  // body files: no comments
            else if (format == engine::TimelineFormat::csv && !note.empty())
                std::cout << note << "\n";
            std::vector<engine::TimelineRecord> records;
            std::vector<engine::ArtifactEvent> artifacts;
            ArtifactCollector collector(range, artifacts);
            WalkErrorReport skipped(evidence.name());
            for (const auto& part : partitions) {
                ch.context(evidence.name() + " partition " + std::to_string(part.index));
                const engine::FileSystem fs(evidence, part);
                const std::string prefix =
                    partitions.size() > 1 ? "/p" + std::to_string(part.index) + "/" : "/";
                engine::walk_timeline_records(
                    fs,
                    [&](engine::TimelineRecord&& r) {
                        ch.heartbeat();
                        if (o->body)
                            std::cout << engine::body_line(r, prefix) << "\n";
                        else
                            records.push_back(std::move(r));
                    },
                    skipped.handler());
                if (scan) {
                    ch.context(evidence.name() + " partition " + std::to_string(part.index) +
                               ": reading artifacts");
                    engine::scan_partition(evidence, part, scan->options, collector, &ch);
                }
            }
            if (reader) {
                ch.context(*o->case_path);
                std::vector<int> indexes;
                for (const auto& part : partitions) indexes.push_back(part.index);
                artifacts = engine::case_artifact_events(*reader, range, indexes);
            }
            if (!o->body) {
                ch.context(evidence.name() + ": sorting the timeline");
                const auto events = engine::make_events(records, range);
                if (o->artifacts || format == engine::TimelineFormat::l2tcsv)
                    engine::write_timeline_rows(
                        std::cout, engine::merge_timeline(events, artifacts), format, o->zone);
                else
                    engine::write_timeline(std::cout, events, format, o->zone);
            }
            skipped.finish(ch);
            if (collector.incomplete) ch.result(kIncompleteExit);
        });
    });
}

}  // namespace dflab::tools
