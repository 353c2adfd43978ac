// The content scan: unallocated space as blkls sees it, provenance of its bytes, overlapping
// windows that find a pattern across any boundary exactly once, and order-stable results.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/analyzers/file_type.hpp"
#include "engine/analyzers/hashes.hpp"
#include "engine/analyzers/keywords.hpp"
#include "engine/analyzers/registry.hpp"
#include "engine/analyzers/yara.hpp"
#include "engine/hashes.hpp"
#include "engine/scan.hpp"
#include "engine/unallocated.hpp"
#include "engine/volumes.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab {
namespace {

using engine::Evidence;
using test::fixture;
using test::run;
using test::shell_quote;

std::string sha256_of_command(const std::string& cmd) {
    auto r = run(cmd + " | sha256sum");
    EXPECT_EQ(r.exit_code, 0) << cmd << ": " << r.err;
    return r.out.substr(0, 64);
}

std::string stream_sha256(const Evidence& ev, const engine::UnallocatedSpace& space) {
    engine::Hasher h(engine::kSha256);
    std::vector<std::byte> buf(1 << 20);
    for (uint64_t off = 0; off < space.size();) {
        size_t got = space.read(ev, off, buf);
        if (got == 0) break;
        h.update(std::span(buf.data(), got));
        off += got;
    }
    return h.finish().sha256;
}

struct Opened {
    Evidence evidence;
    engine::Partition partition;
    engine::FileSystem fs;
};

Opened open_partition(const std::string& image, int index) {
    auto ev = Evidence::open({image});
    auto part = engine::file_system_partitions(ev, index).front();
    engine::FileSystem fs(ev, part);
    return {std::move(ev), part, std::move(fs)};
}

TEST(Unallocated, StreamEqualsBlklsOutput) {
    for (auto [image, index, sector] :
         {std::tuple{"fat16.img", 0, 0}, std::tuple{"ext4.img", 0, 0},
          std::tuple{"mbr.img", 4, 11264}, std::tuple{"mbr.img", 8, 17408}}) {
        SCOPED_TRACE(std::string(image) + " partition " + std::to_string(index));
        auto o = open_partition(fixture(image), index);
        auto space = engine::UnallocatedSpace::map(o.fs);
        ASSERT_GT(space.size(), 0u);
        std::string blkls = sha256_of_command("blkls -o " + std::to_string(sector) + " " +
                                              shell_quote(fixture(image)));
        EXPECT_EQ(stream_sha256(o.evidence, space), blkls);
    }
}

TEST(Unallocated, BlockOfAgreesWithBlkcalc) {
    auto o = open_partition(fixture("ext4.img"), 0);
    auto space = engine::UnallocatedSpace::map(o.fs);
    for (uint64_t unalloc_block :
         {uint64_t{0}, uint64_t{7}, space.block_count() / 2, space.block_count() - 1}) {
        auto r = run("blkcalc -u " + std::to_string(unalloc_block) + " " +
                     shell_quote(fixture("ext4.img")));
        ASSERT_EQ(r.exit_code, 0) << r.err;
        uint64_t offset = unalloc_block * space.block_size() + 5;
        EXPECT_EQ(space.block_of(offset), std::stoull(r.out)) << "blkls block " << unalloc_block;
        EXPECT_EQ(space.image_offset(offset), std::stoull(r.out) * space.block_size() + 5);
    }
}

TEST(Windows, CoverTheStreamAndReportEachByteOnce) {
    for (auto [size, window, overlap] : {std::tuple<uint64_t, uint64_t, uint64_t>{1000, 100, 10},
                                         {100, 100, 10},
                                         {1, 64, 8},
                                         {12345, 4096, 4095},
                                         {0, 10, 1}}) {
        auto ws = engine::make_windows(size, window, overlap);
        uint64_t covered = 0;
        for (size_t i = 0; i < ws.size(); ++i) {
            EXPECT_EQ(ws[i].start, covered) << "report ranges are contiguous";
            EXPECT_LE(ws[i].start + ws[i].length, size);
            EXPECT_LE(ws[i].report_end, ws[i].start + ws[i].length);
            if (i + 1 < ws.size()) {
                // whatever starts before report_end and is at most `overlap` long fits in the
                // window
                EXPECT_GE(ws[i].start + ws[i].length,
                          ws[i].report_end + std::min(overlap, window / 2));
            }
            covered = ws[i].report_end;
        }
        EXPECT_EQ(covered, size);
    }
}

class CollectingSink : public engine::ScanSink {
  public:
    std::vector<engine::FileScan> files;
    std::vector<engine::UnallocatedFinding> findings;
    void file(engine::FileScan&& f) override { files.push_back(std::move(f)); }
    void unallocated_finding(engine::UnallocatedFinding&& f) override {
        findings.push_back(std::move(f));
    }
};

std::string write_rule(const std::string& dir, const std::string& text) {
    std::string path = dir + "/rule.yar";
    std::ofstream(path) << text;
    return path;
}

// Plants `marker` into the unallocated stream of a copy of fat16.img at stream offsets just
// before a window's end, and checks that the scan reports it exactly once at the right offset.
TEST(ScanPartition, FindsPatternsAcrossWindowBoundariesExactlyOnce) {
    const std::string dir = test::temp_dir();
    const std::string image = dir + "/fat.img";
    std::filesystem::copy_file(fixture("fat16.img"), image);
    const std::string marker = "ZQXJ-boundary-marker-7781";
    const uint64_t window = 64 * 1024, overlap = 4 * 1024;

    std::vector<uint64_t> planted;
    {
        auto o = open_partition(image, 0);
        auto space = engine::UnallocatedSpace::map(o.fs);
        ASSERT_GT(space.size(), 4 * window);
        int fd = ::open(image.c_str(), O_WRONLY);
        ASSERT_GE(fd, 0);
        // across the end of window 0 (found by window 1 only), and across window 2's report_end
        for (uint64_t stream_offset : {window - 7, 3 * (window - overlap) - 5}) {
            uint64_t at = space.image_offset(stream_offset);
            ASSERT_EQ(space.image_offset(stream_offset + marker.size() - 1), at + marker.size() - 1)
                << "the marker must lie in one run of blocks";
            ASSERT_EQ(::pwrite(fd, marker.data(), marker.size(), static_cast<off_t>(at)),
                      static_cast<ssize_t>(marker.size()));
            planted.push_back(at);
        }
        ::close(fd);
    }

    engine::initialise_yara();
    auto rules = engine::YaraRules::compile(
        {write_rule(dir, "rule marker { strings: $m = \"" + marker + "\" condition: $m }")});
    engine::KeywordSearcher keywords({{marker, false}});
    engine::AnalysisConfig config;
    config.rules = &rules;
    config.keywords = &keywords;
    const auto analyzers = engine::make_analyzers(config);
    engine::ScanOptions opts;
    opts.analyzers = &analyzers;
    opts.unallocated = true;
    opts.window = window;
    opts.overlap = overlap;
    opts.workers = 2;

    auto o = open_partition(image, 0);
    CollectingSink sink;
    engine::scan_partition(o.evidence, o.partition, opts, sink);
    std::vector<uint64_t> yara_offsets, keyword_offsets;
    for (const auto& f : sink.findings) {
        if (const auto* y = f.find<engine::YaraFindings>()) {
            for (const auto& m : y->matches)
                if (m.rule == "marker")
                    for (const auto& s : m.strings) yara_offsets.push_back(s.offset);
        }
        if (const auto* k = f.find<engine::KeywordFindings>())
            for (const auto& h : k->hits) keyword_offsets.push_back(h.offset);
    }
    EXPECT_EQ(yara_offsets, planted);
    EXPECT_EQ(keyword_offsets, planted);
    std::filesystem::remove_all(dir);
}

std::vector<std::string> summarise(const CollectingSink& sink) {
    std::vector<std::string> out;
    for (const auto& f : sink.files) {
        const auto* hashes = f.find<engine::HashFindings>();
        const auto* type = f.find<engine::FileTypeFindings>();
        std::string line = f.entry.path + " " + f.entry.inode + " " +
                           (hashes ? hashes->digests.sha256 : "") + " " + (type ? type->mime : "");
        if (const auto* y = f.find<engine::YaraFindings>())
            for (const auto& m : y->matches) line += " " + m.rule;
        if (const auto* k = f.find<engine::KeywordFindings>())
            for (const auto& h : k->hits) line += " hit@" + std::to_string(h.offset) + h.encoding;
        out.push_back(line);
    }
    for (const auto& f : sink.findings) {
        if (const auto* y = f.find<engine::YaraFindings>())
            for (const auto& p : y->places)
                out.push_back("unalloc@" + std::to_string(p.image_offset));
        if (const auto* k = f.find<engine::KeywordFindings>())
            for (const auto& h : k->hits) out.push_back("unalloc@" + std::to_string(h.offset));
    }
    return out;
}

TEST(ScanPartition, SameResultsWhateverTheWorkersAndSpilling) {
    const std::string dir = test::temp_dir();
    engine::initialise_yara();
    auto rules = engine::YaraRules::compile(
        {write_rule(dir,
                    "rule line_rule { strings: $a = \"line 0150 of the big file\" condition: $a "
                    "and filesize > 4000 }\n"
                    "rule password { strings: $p = \"password\" nocase condition: $p }")});
    engine::KeywordSearcher keywords({{"секретный ключ", false}, {"pass\\w+", true}});
    auto o = open_partition(fixture("fat16.img"), 0);
    std::vector<std::vector<std::string>> results;
    engine::AnalysisConfig config;
    config.rules = &rules;
    config.keywords = &keywords;
    const auto analyzers = engine::make_analyzers(config);
    struct Setting {
        unsigned workers;
        uint64_t memory_limit;
        size_t batch, in_flight;
    };
    // The last two hand entries on one at a time with one batch in flight: the walk waits for
    // every entry to be written before it goes on, and the order must not change.
    for (auto [workers, memory_limit, batch, in_flight] :
         {Setting{1u, uint64_t{64} << 20, 256, 0}, Setting{2u, uint64_t{64} << 20, 256, 0},
          Setting{2u, uint64_t{100}, 256, 0}, Setting{2u, uint64_t{64} << 20, 1, 1},
          Setting{1u, uint64_t{64} << 20, 3, 2}}) {
        engine::ScanOptions opts;
        opts.analyzers = &analyzers;
        opts.unallocated = true;
        opts.workers = workers;
        opts.batch = batch;
        opts.batches_in_flight = in_flight;
        opts.in_memory_limit =
            memory_limit;  // 100 bytes: nearly every file goes through a temporary file
        CollectingSink sink;
        engine::scan_partition(o.evidence, o.partition, opts, sink);
        results.push_back(summarise(sink));
    }
    for (size_t i = 1; i < results.size(); ++i)
        EXPECT_EQ(results[0], results[i]) << "setting " << i;
    bool big_matched = false;
    for (const auto& line : results[0])
        big_matched |=
            line.find("/Docs/big.txt") == 0 && line.find("line_rule") != std::string::npos;
    EXPECT_TRUE(big_matched);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dflab
