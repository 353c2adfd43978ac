#include "images/disk_builder.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>

#include "engine/content.hpp"
#include "engine/error.hpp"
#include "engine/hashes.hpp"
#include "engine/unallocated.hpp"
#include "engine/volumes.hpp"
#include "images/content_generator.hpp"
#include "images/file_system_writer.hpp"
#include "images/partition_table.hpp"
#include "images/run_tool.hpp"
#include "images/temp_folder.hpp"
#include "images/truth_manifest.hpp"

namespace dflab::images {

namespace fs = std::filesystem;
using engine::Error;

namespace {

const std::string& prepared(const fs::path& out_dir) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) throw Error(out_dir.string() + ": cannot create the output folder: " + ec.message());
    return out_dir.native();
}

void write_at(const fs::path& file, uint64_t offset, std::span<const std::byte> data) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw Error(file.string() + ": cannot open for writing: " + std::strerror(errno));
    ssize_t n = ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    ::close(fd);
    if (n != static_cast<ssize_t>(data.size()))
        throw Error(file.string() + ": write failed at byte " + std::to_string(offset));
}

void copy_into(const fs::path& from, const fs::path& to, uint64_t offset) {
    std::ifstream in(from, std::ios::binary);
    std::vector<char> buf(4 << 20);
    uint64_t at = offset;
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        auto n = static_cast<size_t>(in.gcount());
        if (n == 0) break;
        write_at(to, at, std::as_bytes(std::span(buf.data(), n)));
        at += n;
    }
}

void make_sized_file(const fs::path& file, uint64_t size) {
    { std::ofstream(file, std::ios::binary | std::ios::trunc); }
    fs::resize_file(file, size);
}

std::string sha256_hex(std::span<const std::byte> data) {
    return engine::hash_bytes(data, engine::kSha256).sha256;
}

struct PartitionState {
    const PartitionSpec* spec;
    fs::path image;  // the file system's own image while it is written
    std::unique_ptr<FileSystemWriter> writer;
    std::vector<const Action*>
        deferred;  // data hidden in unallocated space: after every other action
};

std::string artifact_name(const std::optional<std::string>& id, const std::string& fallback) {
    return id ? *id : fallback;
}

// Looks a path up in a file system image of our own making (trusted: parsed in-process).
std::string inode_of(const fs::path& fs_image, const std::string& path) {
    auto evidence = engine::Evidence::open({fs_image.string()});
    auto part = engine::file_system_partitions(evidence).front();
    auto tsk = engine::open_file_system(evidence, part);
    return engine::find_by_path(tsk.get(), evidence, part, path).inode;
}

class Builder {
  public:
    Builder(const Recipe& r, const BuildOptions& o,
            const std::function<void(const std::string&)>& log)
        : recipe_(r),
          options_(o),
          log_(log),
          folder_(prepared(o.out_dir), "." + r.name + ".building") {}

    BuildResult run() {
        say("writing file systems");
        for (const auto& spec : recipe_.disk.partitions) {
            PartitionState st{&spec,
                              folder_.path() / (spec.id + ".fs"),
                              make_file_system_writer(spec.filesystem),
                              {}};
            st.writer->format(spec, st.image, spec.size, first_time());
            parts_.emplace(spec.id, std::move(st));
        }
        for (const auto& action : recipe_.actions) apply(action);
        for (auto& [id, st] : parts_) {
            st.writer->finish();
            for (const Action* a : st.deferred) hide_in_unallocated(st, *a);
        }
        say("assembling the disk");
        const fs::path raw = folder_.path() / (recipe_.name + ".raw");
        assemble(raw);
        for (const Action* a : disk_hides_) hide_on_disk(raw, *a);
        truth_.size = fs::file_size(raw);
        truth_.sha256 = sha256_file(raw);
        say("self-check with the forensic engine");
        self_check(raw);
        return publish(raw);
    }

  private:
    void say(const std::string& what) {
        if (log_) log_(what);
    }

    int64_t first_time() const {
        return recipe_.actions.empty() ? 0 : recipe_.actions.front().time;
    }

    PartitionState& partition(const std::string& id, const Action& a) {
        auto it = parts_.find(id);
        if (it == parts_.end()) throw Error(a.mark.str() + ": no partition '" + id + "'");
        return it->second;
    }

    std::vector<std::byte> content_of(const Content& c, const std::string& purpose, int64_t time) {
        return generate_content(c, GenerationContext{recipe_.seed, purpose, time});
    }

    TruthArtifact* tracked(const std::string& partition_id, const std::string& path) {
        for (auto& a : truth_.artifacts) {
            if (a.partition_id == partition_id && a.path == path && a.kind != "hidden") return &a;
        }
        return nullptr;
    }

    void apply(const Action& a) {
        std::visit([&](const auto& kind) { apply_kind(a, kind); }, a.kind);
    }

    void apply_kind(const Action& a, const MakeDirectory& k) {
        partition(a.partition, a).writer->make_directory(k.path, a.time);
    }

    void apply_kind(const Action& a, const WriteFile& k) {
        auto& st = partition(a.partition, a);
        auto bytes =
            content_of(k.content, artifact_name(k.artifact_id, a.partition + ":" + k.path), a.time);
        if (bytes.size() > st.spec->size)
            throw Error(a.mark.str() + ": " + k.path + " does not fit in partition " + a.partition);
        st.writer->write_file(k.path, bytes, a.time);
        if (!k.artifact_id) return;
        TruthArtifact t;
        t.id = *k.artifact_id;
        t.partition_id = a.partition;
        t.path = k.path;
        t.size = bytes.size();
        t.sha256 = sha256_hex(bytes);
        t.times = st.writer->stored_times(Times{a.time, a.time, a.time, a.time});
        truth_.artifacts.push_back(std::move(t));
    }

    void apply_kind(const Action& a, const SetTimes& k) {
        auto& st = partition(a.partition, a);
        st.writer->set_times(k.path, k.times);
        if (auto* t = tracked(a.partition, k.path)) {
            Times wanted = t->times;
            if (k.times.mtime) wanted.mtime = k.times.mtime;
            if (k.times.atime) wanted.atime = k.times.atime;
            if (k.times.ctime) wanted.ctime = k.times.ctime;
            if (k.times.crtime) wanted.crtime = k.times.crtime;
            t->times = st.writer->stored_times(wanted);
        }
    }

    void apply_kind(const Action& a, const Rename& k) {
        partition(a.partition, a).writer->rename(k.from, k.to, a.time);
        for (auto& t : truth_.artifacts) {
            if (t.partition_id != a.partition || t.kind == "hidden") continue;
            if (t.path == k.from)
                t.path = k.to;
            else if (t.path.starts_with(k.from + "/"))
                t.path = k.to + t.path.substr(k.from.size());
        }
    }

    void apply_kind(const Action& a, const Delete& k) {
        auto& st = partition(a.partition, a);
        TruthArtifact* t = tracked(a.partition, k.path);
        if (t) {
            st.writer->finish();
            t->inode = inode_of(st.image, k.path);  // the name goes; the address is what remains
        }
        st.writer->remove(k.path, k.overwrite, a.time);
        if (t) {
            t->allocated = false;
            if (k.overwrite) t->sha256 = sha256_hex(std::vector<std::byte>(t->size));
        }
    }

    void apply_kind(const Action& a, const WriteSlack&) {
        throw Error(a.mark.str() + ": slack: not supported by this version of the builder");
    }

    void apply_kind(const Action& a, const WriteStream&) {
        throw Error(a.mark.str() +
                    ": stream: NTFS is not supported by this version of the builder");
    }

    void apply_kind(const Action& a, const HideData& k) {
        if (k.where == HideData::Where::Unallocated)
            partition(k.partition, a).deferred.push_back(&a);
        else
            disk_hides_.push_back(&a);
    }

    void record_hidden(const HideData& k, uint64_t image_offset, std::span<const std::byte> bytes,
                       int partition_index_hint, const std::string& partition_id) {
        TruthArtifact t;
        t.id = artifact_name(k.artifact_id, "hidden@" + std::to_string(image_offset));
        t.kind = "hidden";
        t.partition_id = partition_id;
        t.partition = partition_index_hint;
        t.size = bytes.size();
        t.sha256 = sha256_hex(bytes);
        t.image_offset = image_offset;
        t.times = {};
        truth_.artifacts.push_back(std::move(t));
    }

    void hide_in_unallocated(PartitionState& st, const Action& a) {
        const auto& k = std::get<HideData>(a.kind);
        auto bytes = content_of(k.content,
                                artifact_name(k.artifact_id, "unallocated:" + st.spec->id), a.time);
        auto evidence = engine::Evidence::open({st.image.string()});
        auto part = engine::file_system_partitions(evidence).front();
        auto tsk = engine::open_file_system(evidence, part);
        auto space = engine::UnallocatedSpace::map(tsk.get());
        if (k.offset + bytes.size() > space.size()) {
            throw Error(a.mark.str() + ": hide: " + std::to_string(bytes.size()) +
                        " bytes at offset " + std::to_string(k.offset) + " do not fit in the " +
                        std::to_string(space.size()) + " unallocated bytes of partition " +
                        st.spec->id);
        }
        // Written run by run, so data longer than one free run continues in the next free block.
        uint64_t done = 0;
        std::optional<uint64_t> first;
        while (done < bytes.size()) {
            uint64_t at = space.image_offset(k.offset + done);
            uint64_t run = 1;
            while (done + run < bytes.size() &&
                   space.image_offset(k.offset + done + run) == at + run)
                ++run;
            write_at(st.image, at, std::span(bytes).subspan(done, run));
            if (!first) first = at;
            done += run;
        }
        hidden_in_fs_.push_back({&st, *first, bytes.size(), k, std::move(bytes)});
    }

    void hide_on_disk(const fs::path& raw, const Action& a) {
        const auto& k = std::get<HideData>(a.kind);
        auto bytes = content_of(k.content, artifact_name(k.artifact_id, "disk"), a.time);
        uint64_t at = k.offset;
        if (k.where == HideData::Where::Gap) {
            const PartitionSpec& p = *partition(k.partition, a).spec;
            at = *p.start * recipe_.disk.sector_size + p.size + k.offset;
        }
        if (at + bytes.size() > recipe_.disk.size)
            throw Error(a.mark.str() + ": hide: data beyond the end of the disk");
        write_at(raw, at, bytes);
        record_hidden(k, at, bytes, -1, "");  // outside every file system
    }

    void assemble(const fs::path& raw) {
        const auto& disk = recipe_.disk;
        const bool bare = disk.table == PartitionTable::None;
        for (const auto& h : hidden_in_fs_) {
            const uint64_t start = bare ? 0 : *h.state->spec->start * disk.sector_size;
            record_hidden(h.spec, start + h.fs_offset, h.bytes, -1, h.state->spec->id);
        }
        if (bare) {
            fs::rename(parts_.begin()->second.image, raw);
            return;
        }
        make_sized_file(raw, disk.size);
        write_partition_table(disk, recipe_.seed, raw);
        for (const auto& spec : disk.partitions)
            copy_into(parts_.at(spec.id).image, raw, *spec.start * disk.sector_size);
        delete_partition_entries(disk, raw);
    }

    static std::string sha256_file(const fs::path& file) {
        engine::Hasher h(engine::kSha256);
        std::ifstream in(file, std::ios::binary);
        std::vector<char> buf(4 << 20);
        while (in) {
            in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
            if (in.gcount() > 0)
                h.update(std::as_bytes(std::span(buf.data(), static_cast<size_t>(in.gcount()))));
        }
        return h.finish().sha256;
    }

    void self_check(const fs::path& raw);
    BuildResult publish(const fs::path& raw);

    struct HiddenInFs {
        PartitionState* state;
        uint64_t fs_offset;
        uint64_t size;
        HideData spec;
        std::vector<std::byte> bytes;
    };

    const Recipe& recipe_;
    const BuildOptions& options_;
    std::function<void(const std::string&)> log_;
    // Beside the outputs, so that publishing is a rename; removed unless the build completes.
    TempFolder folder_;
    std::map<std::string, PartitionState> parts_;
    std::vector<const Action*> disk_hides_;
    std::vector<HiddenInFs> hidden_in_fs_;
    Truth truth_;
};

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

void Builder::self_check(const fs::path& raw) {
    auto evidence = engine::Evidence::open({raw.string()});
    auto layout = engine::read_volume_layout(evidence);
    std::map<std::string, engine::Partition> by_id;
    for (const auto& spec : recipe_.disk.partitions) {
        const uint64_t start = recipe_.disk.table == PartitionTable::None ? 0 : *spec.start;
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
        by_id.emplace(spec.id, *found);
        truth_.partitions.push_back(
            {found->index, start, spec.id, *found->filesystem, !spec.delete_entry});
    }
    std::map<std::string, engine::TskFileSystem> open;
    for (auto& a : truth_.artifacts) {
        if (a.kind == "hidden") {
            std::vector<std::byte> data(a.size);
            evidence.read(*a.image_offset, data);
            if (!a.partition_id.empty()) a.partition = by_id.at(a.partition_id).index;
            if (sha256_hex(data) != a.sha256)
                throw Error("self-check: " + describe(a) + ": the bytes at image offset " +
                            std::to_string(*a.image_offset) + " differ");
            continue;
        }
        const engine::Partition& part = by_id.at(a.partition_id);
        a.partition = part.index;
        auto& tsk = open[a.partition_id];
        if (!tsk) tsk = engine::open_file_system(evidence, part);
        engine::Entry e =
            a.allocated ? engine::find_by_path(tsk.get(), evidence, part, a.path)
                        : engine::describe_address(tsk.get(), part, engine::parse_inode(a.inode));
        if (a.allocated) a.inode = e.inode;
        if (a.allocated != e.allocated && a.allocated)
            throw Error("self-check: " + describe(a) + ": not allocated in the image");
        engine::ContentReader reader(tsk.get(), e.address);
        engine::Hasher h(engine::kSha256);
        std::vector<std::byte> buf(1 << 20);
        reader.stream(buf, [&](std::span<const std::byte> chunk) {
            h.update(chunk);
            return true;
        });
        const std::string have = h.finish().sha256;
        if (have != a.sha256)
            throw Error("self-check: " + describe(a) + ": content sha256 " + have +
                        " differs from the planted " + a.sha256);
        expect_time(a, "mtime", a.times.mtime, e.mtime);
        expect_time(a, "atime", a.times.atime, e.atime);
        expect_time(a, "crtime", a.times.crtime, e.crtime);
        if (a.allocated) expect_time(a, "ctime", a.times.ctime, e.ctime);
    }
}

BuildResult Builder::publish(const fs::path& raw) {
    truth_.recipe = recipe_.name;
    truth_.name = recipe_.name;
    truth_.seed = recipe_.seed;
    truth_.variant = recipe_.variant;
    truth_.timezone = recipe_.timezone;
    for (const auto& [k, v] : recipe_.variables) truth_.variables.emplace_back(k, v);
    const fs::path truth_file = folder_.path() / (recipe_.name + ".truth.json");
    std::ofstream(truth_file) << truth_json(truth_);

    BuildResult result;
    result.sha256 = truth_.sha256;
    result.artifacts = truth_.artifacts.size();
    std::vector<fs::path> made{truth_file};
    if (options_.e01) {
        say("writing E01");
        const auto& c = recipe_.case_metadata;
        run_tool({"ewfacquire",
                  "-u",
                  "-q",
                  "-t",
                  (folder_.path() / recipe_.name).string(),
                  "-c",
                  "deflate:best",
                  "-d",
                  "sha1",
                  "-f",
                  "encase6",
                  "-C",
                  c.case_number,
                  "-E",
                  c.evidence_number,
                  "-e",
                  c.examiner,
                  "-D",
                  c.description,
                  "-N",
                  c.notes,
                  raw.string()});
        for (const auto& f : fs::directory_iterator(folder_.path())) {
            if (f.path().extension().string().starts_with(".E")) made.push_back(f.path());
        }
    }
    if (options_.split) {
        say("writing split raw");
        run_tool({"split", "-b", std::to_string(options_.split_size), "-d", "-a", "3",
                  "--numeric-suffixes=1", raw.string(),
                  (folder_.path() / (recipe_.name + ".")).string()});
        for (const auto& f : fs::directory_iterator(folder_.path())) {
            const std::string ext = f.path().extension().string();
            if (ext.size() == 4 && std::isdigit(static_cast<unsigned char>(ext[1])))
                made.push_back(f.path());
        }
    }
    if (options_.raw) made.push_back(raw);
    // Everything is complete: move into the output folder, the raw image last.
    for (const auto& f : made) {
        const fs::path target = options_.out_dir / f.filename();
        fs::rename(f, target);
        if (f == raw)
            result.raw = target;
        else if (f == truth_file)
            result.truth = target;
        else if (f.extension().string().starts_with(".E"))
            result.e01.push_back(target);
        else
            result.split.push_back(target);
    }
    std::sort(result.e01.begin(), result.e01.end());
    std::sort(result.split.begin(), result.split.end());
    return result;
}

}  // namespace

BuildResult build_image(const Recipe& recipe, const BuildOptions& options,
                        const std::function<void(const std::string&)>& log) {
    return Builder(recipe, options, log).run();
}

}  // namespace dflab::images
