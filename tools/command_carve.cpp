// dflab carve IMAGE [--partition N | --offset SECTOR | --whole-disk] [--types T,...] -o DIR:
// files recovered from unallocated space (or a whole disk) by their structure, each validated
// (engine/carving/), written as DIR/NNNNNN-OFFSET.EXT with DIR/manifest.json and manifest.csv
// written last. docs/carving.md.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "engine/analyzers/exif.hpp"
#include "engine/carving/carver.hpp"
#include "engine/error.hpp"
#include "engine/hashes.hpp"
#include "engine/volumes.hpp"
#include "tools/command_support.hpp"
#include "tools/commands.hpp"

namespace dflab::tools {

namespace fs = std::filesystem;
using engine::carving::ByteSource;
using engine::carving::CarvedFile;

namespace {

struct CarveArgs {
    ImageArgs image;
    bool whole_disk = false;
    bool every_offset = false;
    std::vector<std::string> types;
    std::string output;
    uint64_t max_files = 100000;
};

struct ManifestRow {
    CarvedFile file;
    int partition = 0;  // -1: the whole disk
    std::string name, sha256, md5;
    nlohmann::json exif;  // a JPEG's Exif fields; null without
};

void write_bytes(const fs::path& path, std::span<const std::byte> data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size()));
    out.close();
    if (!out) throw engine::Error(path.string() + ": cannot write");
}

// Written to NAME.partial and renamed: a manifest that exists is complete.
void write_atomically(const fs::path& path, const std::string& text) {
    const fs::path partial = path.string() + ".partial";
    write_bytes(partial, std::as_bytes(std::span(text.data(), text.size())));
    fs::rename(partial, path);
}

std::string fragments_text(const std::vector<ByteSource::Extent>& fragments) {
    std::string out;
    for (const auto& e : fragments)
        out += (out.empty() ? "" : " ") + std::to_string(e.image_offset) + "+" +
               std::to_string(e.length);
    return out;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void write_manifests(const fs::path& dir, const std::vector<ManifestRow>& rows,
                     const nlohmann::json& summary) {
    nlohmann::json files = nlohmann::json::array();
    std::string csv = "name,partition,offset,length,type,subtype,sha256,md5,fragments,validation\n";
    for (const auto& r : rows) {
        nlohmann::json fragments = nlohmann::json::array();
        for (const auto& e : r.file.fragments)
            fragments.push_back({{"offset", e.image_offset}, {"length", e.length}});
        files.push_back({{"name", r.name},
                         {"partition", r.partition},
                         {"offset", r.file.image_offset},
                         {"length", r.file.length},
                         {"type", r.file.type},
                         {"subtype", r.file.subtype},
                         {"sha256", r.sha256},
                         {"md5", r.md5},
                         {"fragments", fragments},
                         {"validation", r.file.validation},
                         {"exif", r.exif}});
        csv += r.name + "," + std::to_string(r.partition) + "," +
               std::to_string(r.file.image_offset) + "," + std::to_string(r.file.length) + "," +
               r.file.type + "," + r.file.subtype + "," + r.sha256 + "," + r.md5 + "," +
               fragments_text(r.file.fragments) + "," + csv_field(r.file.validation) + "\n";
    }
    nlohmann::json manifest = summary;
    manifest["files"] = files;
    write_atomically(dir / "manifest.csv", csv);
    write_atomically(dir / "manifest.json", manifest.dump(2) + "\n");
}

void prepare_output(const fs::path& dir) {
    std::error_code ec;
    if (fs::exists(dir, ec)) {
        if (!fs::is_directory(dir, ec) || !fs::is_empty(dir, ec))
            throw engine::Error(dir.string() + ": exists and is not an empty directory");
        return;
    }
    fs::create_directories(dir, ec);
    if (ec) throw engine::Error(dir.string() + ": cannot create: " + ec.message());
}

}  // namespace

void register_carve(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<CarveArgs>();
    auto* cmd = app.add_subcommand(
        "carve",
        "Recover files by their structure from unallocated space (every file system, or "
        "--partition / --offset) or from a whole disk (--whole-disk, and by default when no file "
        "system opens): JPEG, PNG, PDF, ZIP (DOCX, XLSX, PPTX), SQLite, each validated before it "
        "is written (docs/carving.md). Writes DIR/NNNNNN-OFFSET.EXT, then DIR/manifest.json and "
        "manifest.csv. Exit 2 when the file cap was reached");
    add_image_args(cmd, a->image, true, false);
    cmd->add_flag("--whole-disk", a->whole_disk, "Carve the whole image, file systems or not");
    cmd->add_flag("--every-offset", a->every_offset,
                  "Look for headers at every byte offset, not only at the starts of 512-byte "
                  "sectors where file systems store files (finds files placed at odd offsets; "
                  "slower)");
    cmd->add_option("-t,--types", a->types,
                    "Types to carve, comma-separated (default: all): jpeg, png, pdf, zip, sqlite")
        ->delimiter(',');
    cmd->add_option("-o,--output", a->output, "Directory to write (must not exist, or be empty)")
        ->required();
    cmd->add_option("--max-files", a->max_files, "Stop after this many files (default 100000)")
        ->check(CLI::PositiveNumber);
    cmd->callback([a, &exit_code] {
        engine::carving::select_types(a->types);  // unknown types fail before any work
        if (a->whole_disk && (a->image.partition || a->image.offset))
            throw engine::Error("carve: --whole-disk excludes --partition and --offset");
        const fs::path dir(a->output);
        prepare_output(dir);
        exit_code = run_isolated("carve", [&](engine::ChildChannel& ch) {
            ch.context(a->image.images.front());
            auto evidence = engine::Evidence::open(a->image.images);
            std::vector<engine::Partition> parts;
            if (a->image.partition || a->image.offset) {
                parts =
                    engine::file_system_partitions(evidence, a->image.partition, a->image.offset);
            } else if (!a->whole_disk) {
                try {
                    parts = engine::file_system_partitions(evidence);
                } catch (const engine::Error&) {
                    // No file system opens anywhere: the whole disk is carved.
                }
            }
            engine::carving::CarveOptions options;
            options.types = a->types;
            options.max_files = a->max_files;
            options.every_offset = a->every_offset;
            uint64_t earlier = 0, total = 0;  // bytes of the sources before this one, and in all
            options.progress = [&](uint64_t done, uint64_t) { ch.progress(earlier + done, total); };
            std::vector<ManifestRow> rows;
            nlohmann::json sources = nlohmann::json::array();
            bool capped = false;
            uint64_t candidates = 0;
            auto run = [&](const ByteSource& source, int partition) {
                options.max_files = a->max_files - rows.size();
                auto stats = engine::carving::carve(
                    source, 0, source.size(), options,
                    [&](const CarvedFile& f, std::span<const std::byte> data) {
                        char name[64];
                        std::snprintf(name, sizeof name, "%06zu-%llu.", rows.size() + 1,
                                      static_cast<unsigned long long>(f.image_offset));
                        ManifestRow r{f,  partition, std::string(name) + f.extension,
                                      "", "",        nullptr};
                        const auto digests =
                            engine::hash_bytes(data, engine::kSha256 | engine::kMd5);
                        r.sha256 = digests.sha256;
                        r.md5 = digests.md5;
                        if (f.type == "jpeg")
                            r.exif = engine::carved_exif(data, r.name).value_or(nullptr);
                        write_bytes(dir / r.name, data);
                        rows.push_back(std::move(r));
                        ch.heartbeat();
                    });
                earlier += source.size();
                capped = capped || stats.capped;
                candidates += stats.candidates;
                sources.push_back({{"partition", partition},
                                   {"bytes", source.size()},
                                   {"headers", stats.candidates},
                                   {"carved", stats.carved},
                                   {"fragmented", stats.fragmented}});
            };
            // Every source first (the unallocated maps: addresses only), so progress has a total.
            std::vector<std::pair<std::unique_ptr<ByteSource>, int>> to_carve;
            if (parts.empty()) {
                to_carve.emplace_back(std::make_unique<engine::carving::ImageSource>(
                                          evidence, 0, evidence.size(), evidence.sector_size()),
                                      -1);
            }
            for (const auto& part : parts) {
                ch.context(evidence.name() + " partition " + std::to_string(part.index));
                const engine::FileSystem file_system(evidence, part);
                to_carve.emplace_back(std::make_unique<engine::carving::UnallocatedSource>(
                                          evidence, engine::UnallocatedSpace::map(file_system)),
                                      part.index);
            }
            for (const auto& [source, partition] : to_carve) total += source->size();
            for (const auto& [source, partition] : to_carve) {
                if (capped) break;
                run(*source, partition);
            }
            nlohmann::json summary{
                {"image", evidence.name()},
                {"sources", sources},
                {"headers_searched_at", a->every_offset ? "every offset" : "sector starts"},
                {"max_files", a->max_files},
                {"capped", capped}};
            write_manifests(dir, rows, summary);
            std::cout << rows.size() << " files carved into " << dir.string() << " (" << candidates
                      << " headers checked)" << (capped ? "; stopped at --max-files" : "") << "\n";
            if (capped) ch.result(kIncompleteExit);
        });
    });
}

}  // namespace dflab::tools
