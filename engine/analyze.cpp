#include "engine/analyze.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "common/file_descriptor.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/case_database.hpp"
#include "engine/error.hpp"
#include "engine/scan.hpp"
#include "engine/volumes.hpp"

namespace dflab::engine {

namespace {

namespace fs = std::filesystem;

// The temporary case file; removed unless renamed into place.
class PendingFile {
  public:
    explicit PendingFile(const std::string& final_path) : final_(final_path) {
        fs::path target(final_path);
        fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
        std::error_code ec;
        if (!fs::is_directory(dir, ec))
            throw Error(final_path + ": folder " + dir.string() + " does not exist");
        if (fs::is_directory(target, ec))
            throw Error(final_path + ": is a folder; give a file name");
        // Appended piece by piece: GCC 12 at -O3 misreads `"." + string` (a -Wrestrict false
        // positive).
        std::string name = ".";
        name += target.filename().string();
        name += ".partial-XXXXXX";
        temp_ = (dir / name).string();
        {
            common::FileDescriptor probe(mkstemp(temp_.data()));
            if (!probe)
                throw Error(final_path + ": cannot write here (" + std::strerror(errno) + ")");
        }
        fs::remove(temp_, ec);  // SQLite creates it afresh
    }
    ~PendingFile() {
        if (!committed_) {
            std::error_code ec;
            for (const char* suffix : {"", "-journal", "-wal", "-shm"})
                fs::remove(temp_ + suffix, ec);
        }
    }
    PendingFile(const PendingFile&) = delete;
    PendingFile& operator=(const PendingFile&) = delete;
    const std::string& path() const { return temp_; }
    void commit() {
        if (common::FileDescriptor file(::open(temp_.c_str(), O_RDONLY | O_CLOEXEC)); file)
            ::fsync(file.get());
        std::error_code ec;
        fs::rename(temp_, final_, ec);
        if (ec) throw Error(final_ + ": cannot move the finished case into place: " + ec.message());
        committed_ = true;
    }

  private:
    std::string final_, temp_;
    bool committed_ = false;
};

int64_t count(Database& db, const char* sql) {
    auto s = db.prepare(sql);
    return s.step() ? s.column_int(0) : 0;
}

}  // namespace

int64_t AnalyzeSummary::count(std::string_view key) const {
    for (const auto& c : counts)
        if (c.key == key) return c.value;
    return 0;
}

AnalyzeSummary analyze(const AnalyzeOptions& options, const SupervisorLimits& limits,
                       const std::function<void(const Progress&)>& on_progress) {
    if (!options.overwrite && fs::exists(options.output)) {
        throw Error(options.output + ": already exists (use --force to replace it)");
    }
    // Rules and keywords are checked before any image is touched; the children inherit them.
    std::optional<YaraRules> rules;
    if (!options.rules.empty()) {
        initialise_yara();
        rules = YaraRules::compile(options.rules, options.yara_defines);
    }
    std::optional<KeywordSearcher> keywords;
    if (!options.keywords.empty()) keywords.emplace(options.keywords);

    InterruptScope interrupts;  // Ctrl-C unwinds through here, so the partial case is removed
    PendingFile pending(options.output);
    create_case(pending.path());
    const std::string image_name = options.image.front();

    run_supervised(limits, [&](ChildChannel& ch) {
        ch.context(image_name);
        auto evidence = Evidence::open(options.image);
        auto info = evidence.describe();
        auto layout = read_volume_layout(evidence, options.offset);
        for (auto& p : layout.partitions) p.fat_zone = options.fat_zones.zone_for(p.index);
        Database db(pending.path(), Database::Mode::ReadWrite);
        record_image(db, image_name, info, layout);
        record_fat_zone(db, options.fat_zones.all);
    });

    struct Target {
        int index;
    };
    std::vector<Target> targets;
    {
        Database db(pending.path(), Database::Mode::ReadOnly);
        auto s =
            db.prepare("SELECT \"index\" FROM partitions WHERE filesystem IS NOT NULL ORDER BY id");
        while (s.step()) targets.push_back({static_cast<int>(s.column_int(0))});
    }

    AnalyzeSummary summary;
    AnalysisConfig config;
    config.rules = rules ? &*rules : nullptr;
    config.yara_timeout = options.yara_timeout;
    config.keywords = keywords ? &*keywords : nullptr;
    config.byte_runs = true;
    config.artifacts = true;
    config.carve = options.carve;
    config.carve_every_offset = options.carve_every_offset;
    const auto analyzers = make_analyzers(config);
    ScanOptions scan;
    scan.analyzers = &analyzers;
    scan.unallocated = options.unallocated;
    scan.workers = options.workers;
    for (const auto& t : targets) {
        interrupts.check();
        try {
            run_supervised(
                limits,
                [&](ChildChannel& ch) {
                    ch.context(image_name + " partition " + std::to_string(t.index));
                    auto evidence = Evidence::open(options.image);
                    auto parts = file_system_partitions(evidence, t.index, options.offset);
                    parts.front().fat_zone = options.fat_zones.zone_for(t.index);
                    CaseWriter writer(pending.path(), 1, t.index, analyzers);
                    scan_partition(evidence, parts.front(), scan, writer, &ch);
                    writer.commit();
                },
                on_progress);
        } catch (const Error& e) {
            interrupts.check();
            Database db(pending.path(), Database::Mode::ReadWrite);
            record_error(db, 1, t.index, e.what());
        }
    }
    if (targets.empty()) {
        Database db(pending.path(), Database::Mode::ReadWrite);
        record_error(db, 1, std::nullopt, image_name + ": no file system found in any partition");
    }

    interrupts.check();
    {
        Database db(pending.path(), Database::Mode::ReadWrite);
        finish_case(db);
        summary.counts.push_back({"files", "Entries", count(db, "SELECT count(*) FROM files")});
        summary.counts.push_back(
            {"deleted", "Deleted", count(db, "SELECT count(*) FROM files WHERE allocated = 0")});
        for (const auto& r : analyzer_registry())
            for (const auto& c : r.counts)
                summary.counts.push_back({c.key, c.label, count(db, c.sql.c_str())});
        auto errors = db.prepare("SELECT message FROM errors ORDER BY id");
        while (errors.step()) summary.errors.push_back(errors.column_text(0));
        auto zones = db.prepare(
            "SELECT \"index\", fat_zone FROM partitions WHERE fat_zone IS NOT NULL ORDER BY id");
        while (zones.step())
            summary.fat_zones[static_cast<int>(zones.column_int(0))] = zones.column_text(1);
    }
    pending.commit();
    return summary;
}

}  // namespace dflab::engine
