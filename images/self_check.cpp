#include "images/self_check.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/content.hpp"
#include "engine/error.hpp"
#include "engine/evidence.hpp"
#include "engine/file_system.hpp"
#include "engine/hashes.hpp"
#include "engine/volumes.hpp"

namespace dflab::images::detail {

namespace fs = std::filesystem;
using engine::Error;

namespace {

std::string sha256_hex(std::span<const std::byte> data) {
    return engine::hash_bytes(data, engine::kSha256).sha256;
}

std::string describe(const TruthArtifact& a) {
    return "artifact '" + a.id + "' (" + (a.path.empty() ? "hidden data" : a.path) + ")";
}

void expect_time(const TruthArtifact& a, const char* which, const std::optional<int64_t>& want,
                 const std::optional<int64_t>& have) {
    if (!want || want == have) return;
    throw Error("self-check: " + describe(a) + ": " + which + " should be " +
                std::to_string(*want) + ", the image has " +
                (have ? std::to_string(*have) : std::string("none")));
}

// The slack bytes as the engine reads them: the file's content with slack, after its end.
void check_slack(const engine::FileSystem& fs, const TruthArtifact& a) {
    const engine::Entry e = fs.find(a.path);
    if (e.inode != a.inode)
        throw Error("self-check: " + describe(a) + ": the file is at inode " + e.inode +
                    ", the slack was written for inode " + a.inode);
    engine::ContentReader reader = fs.content(e.address, engine::ReadOptions{.slack = true});
    std::vector<std::byte> data(a.size);
    size_t got = 0;
    while (got < data.size()) {
        const size_t n = reader.read(e.size + got, std::span(data).subspan(got));
        if (n == 0) break;
        got += n;
    }
    if (got != data.size() || sha256_hex(data) != a.sha256)
        throw Error("self-check: " + describe(a) + ": the slack after the file's " +
                    std::to_string(e.size) + " bytes differs from the planted data");
}

}  // namespace

void self_check(const fs::path& raw, const Recipe& recipe, Truth& truth,
                const BuildProgressCallback& progress) {
    auto report = [&](uint64_t done) {
        if (progress)
            progress(BuildProgress{"self-check", done, truth.artifacts.size(), "artifacts"});
    };
    auto evidence = engine::Evidence::open({raw.string()});
    auto layout = engine::read_volume_layout(evidence);
    std::map<std::string, engine::Partition> by_id;
    for (const auto& spec : recipe.disk.partitions) {
        const uint64_t start = recipe.disk.table == PartitionTable::None ? 0 : *spec.start;
        const engine::Partition* found = nullptr;
        for (const auto& p : layout.partitions) {
            if (p.filesystem && p.filesystem_start.value_or(p.start) == start &&
                (!found || p.kind == "partition")) {
                found = &p;
            }
        }
        if (!found)
            throw Error("self-check: partition '" + spec.id + "' at sector " +
                        std::to_string(start) + ": no file system there");
        engine::Partition read_as = *found;
        if (!spec.timezone.empty()) read_as.fat_zone = spec.timezone;  // FAT: its local zone
        by_id.emplace(spec.id, read_as);
        truth.partitions.push_back(
            {found->index, start, spec.id, *found->filesystem, !spec.delete_entry,
             spec.timezone.empty() ? std::nullopt : std::optional<std::string>(spec.timezone)});
    }
    std::map<std::string, engine::FileSystem> open;
    uint64_t checked = 0;
    for (auto& a : truth.artifacts) {
        report(checked++);
        if (a.kind == "hidden" || a.kind == "slack") {
            std::vector<std::byte> data(a.size);
            if (a.fragments.empty()) {
                evidence.read(*a.image_offset, data);
            } else {  // the pieces joined in data order
                uint64_t at = 0;
                for (auto [offset, length] : a.fragments) {
                    if (length > data.size() - at)
                        throw Error("self-check: " + describe(a) + ": fragments longer than it");
                    evidence.read(offset, std::span(data).subspan(at, length));
                    at += length;
                }
            }
            if (!a.partition_id.empty()) a.partition = by_id.at(a.partition_id).index;
            if (sha256_hex(data) != a.sha256)
                throw Error("self-check: " + describe(a) + ": the bytes at image offset " +
                            std::to_string(*a.image_offset) + " differ");
            if (a.kind == "hidden") continue;
        }
        const engine::Partition& part = by_id.at(a.partition_id);
        a.partition = part.index;
        auto it = open.find(a.partition_id);
        if (it == open.end())
            it = open.emplace(a.partition_id, engine::FileSystem(evidence, part)).first;
        const engine::FileSystem& fs = it->second;
        if (a.kind == "slack") {
            check_slack(fs, a);
            continue;
        }
        engine::Entry e = a.allocated ? fs.find(a.path) : fs.describe(engine::parse_inode(a.inode));
        if (a.allocated) a.inode = e.inode;
        if (a.allocated != e.allocated && a.allocated)
            throw Error("self-check: " + describe(a) + ": not allocated in the image");
        engine::ContentReader reader = fs.content(e.address);
        engine::Hasher h(engine::kSha256);
        std::vector<std::byte> buf(1 << 20);
        reader.stream(buf, [&](std::span<const std::byte> chunk) {
            h.update(chunk);
            return true;
        });
        const std::string have = h.finish().sha256;
        if (have != a.sha256)
            throw Error("self-check: " + describe(a) + ": content sha256 " + have +
                        " differs from the planted " + a.sha256 +
                        (a.allocated ? ""
                                     : "; a later write has probably reused the deleted file's "
                                       "address " +
                                           a.inode +
                                           ", so it is no longer recoverable: write the later "
                                           "files before deleting it, or drop its id"));
        expect_time(a, "mtime", a.times.mtime, e.mtime);
        expect_time(a, "atime", a.times.atime, e.atime);
        expect_time(a, "crtime", a.times.crtime, e.crtime);
        if (a.allocated) expect_time(a, "ctime", a.times.ctime, e.ctime);
    }
    report(checked);
}

}  // namespace dflab::images::detail
