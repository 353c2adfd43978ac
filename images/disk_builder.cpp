#include "images/disk_builder.hpp"

#include <algorithm>
#include <map>

#include "engine/error.hpp"
#include "engine/evidence.hpp"
#include "engine/file_system.hpp"
#include "engine/hashes.hpp"
#include "engine/volumes.hpp"
#include "images/content_generator.hpp"
#include "images/ext_writer.hpp"
#include "images/file_system_writer.hpp"
#include "images/hidden_data.hpp"
#include "images/image_file.hpp"
#include "images/partition_table.hpp"
#include "images/publish.hpp"
#include "images/recycle_bin.hpp"
#include "images/self_check.hpp"
#include "images/slack_writer.hpp"
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
engine::Entry entry_of(const fs::path& fs_image, const std::string& path) {
    auto evidence = engine::Evidence::open({fs_image.string()});
    auto part = engine::file_system_partitions(evidence).front();
    return engine::FileSystem(evidence, part).find(path);
}

std::string inode_of(const fs::path& fs_image, const std::string& path) {
    return entry_of(fs_image, path).inode;
}

class Builder {
  public:
    Builder(const Recipe& r, const BuildOptions& o, const BuildProgressCallback& progress)
        : recipe_(r),
          options_(o),
          progress_(progress),
          folder_("." + r.name + ".building", prepared(o.out_dir)) {}

    BuildResult run() {
        const uint64_t actions = recipe_.actions.size();
        report("writing file systems", 0, actions, "actions");
        for (const auto& spec : recipe_.disk.partitions) {
            PartitionState st{&spec,
                              folder_.path() / (spec.id + ".fs"),
                              make_file_system_writer(spec.filesystem),
                              {}};
            at(spec.mark, [&] { st.writer->format(spec, st.image, spec.size, first_time()); });
            parts_.emplace(spec.id, std::move(st));
        }
        uint64_t applied = 0;
        for (const auto& action : recipe_.actions) {
            apply(action);
            report("writing file systems", ++applied, actions, "actions");
        }
        for (auto& [id, st] : parts_) {
            st.writer->finish();
            for (auto& slack : slack_) {
                if (slack.partition == &st) write_slack_data(slack);
            }
            for (const Action* a : st.deferred) hide_in_unallocated(st, *a);
        }
        const fs::path raw = folder_.path() / (recipe_.name + ".raw");
        assemble(raw);
        for (const Action* a : disk_hides_) hide_on_disk(raw, *a);
        truth_.size = fs::file_size(raw);
        truth_.sha256 = sha256_file(raw, "hashing the image");
        detail::self_check(raw, recipe_, truth_, progress_);
        truth_.recipe = recipe_.name;
        truth_.name = recipe_.name;
        truth_.seed = recipe_.seed;
        truth_.variant = recipe_.variant;
        truth_.timezone = recipe_.timezone;
        for (const auto& [k, v] : recipe_.variables) truth_.variables.emplace_back(k, v);
        return detail::publish(raw, folder_.path(), recipe_, options_, truth_, progress_);
    }

  private:
    struct PendingSlack {
        PartitionState* partition;
        const Action* action;
        size_t artifact;     // index in truth_.artifacts
        uint64_t fs_offset;  // of the first slack byte in the file system image, once written
        std::vector<std::byte> bytes;
    };

    void report(const std::string& step, uint64_t done, uint64_t total, const std::string& unit) {
        if (progress_) progress_(BuildProgress{step, done, total, unit});
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
            if (a.partition_id == partition_id && a.path == path && a.kind != "hidden" &&
                a.kind != "slack")
                return &a;
        }
        return nullptr;
    }

    // Runs `step`; an error it throws that does not yet name the recipe gets the place of the
    // recipe line it comes from ("recipe.yaml:14:5: /f512.txt: the FAT16 root folder is full"),
    // and loses the paths of the build's temporary folders (the partition images lie there).
    template <typename Step>
    static void at(const SourceMark& mark, Step&& step) {
        try {
            step();
        } catch (const common::Interrupted&) {
            throw;
        } catch (const Error& e) {
            const std::string message = without_temporary_paths(e.what());
            if (mark.file.empty() || message.starts_with(mark.file + ":")) {
                if (message == e.what()) throw;
                throw Error(message);
            }
            throw Error(mark.str() + ": " + message);
        }
    }

    void apply(const Action& a) {
        at(a.mark, [&] { std::visit([&](const auto& kind) { apply_kind(a, kind); }, a.kind); });
    }

    void apply_kind(const Action& a, const MakeDirectory& k) {
        auto& st = partition(a.partition, a);
        st.writer->make_directory(k.path, a.time);
        story_times(a.partition, k.path) = Times{a.time, a.time, a.time, a.time};
        entries_changed(st, a.partition, k.path, a.time);
    }

    // Writes a file's content; returns its size and, for an artifact, its SHA-256. An asset
    // going into ext is handed to debugfs as it is, with no copy in memory or on disk.
    std::pair<uint64_t, std::string> write_content(PartitionState& st, const Action& a,
                                                   const WriteFile& k) {
        auto fits = [&](uint64_t size) {
            if (size > st.spec->size)
                throw Error(a.mark.str() + ": " + k.path + " does not fit in partition " +
                            a.partition);
        };
        if (const auto* asset = std::get_if<AssetContent>(&k.content)) {
            const uint64_t size = fs::file_size(asset->path);
            fits(size);
            if (write_ext_file_from(*st.writer, k.path, asset->path, a.time))
                return {size, k.artifact_id ? sha256_file(asset->path) : ""};
        }
        auto bytes =
            content_of(k.content, artifact_name(k.artifact_id, a.partition + ":" + k.path), a.time);
        fits(bytes.size());
        st.writer->write_file(k.path, bytes, a.time);
        return {bytes.size(), k.artifact_id ? sha256_hex(bytes) : ""};
    }

    void apply_kind(const Action& a, const WriteFile& k) {
        auto& st = partition(a.partition, a);
        const auto [size, sha256] = write_content(st, a, k);
        story_times(a.partition, k.path) = Times{a.time, a.time, a.time, a.time};
        entries_changed(st, a.partition, k.path, a.time);
        if (!k.artifact_id) return;
        TruthArtifact t;
        t.id = *k.artifact_id;
        t.partition_id = a.partition;
        t.path = k.path;
        t.size = size;
        t.sha256 = sha256;
        t.times = st.writer->stored_times(Times{a.time, a.time, a.time, a.time});
        if (st.spec->filesystem == FileSystemType::Ntfs) t.file_name_times = t.times;
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
        Times& story = story_times(a.partition, k.path);
        for (auto [field, value] : {std::pair{&story.mtime, k.times.mtime},
                                    {&story.atime, k.times.atime},
                                    {&story.ctime, k.times.ctime},
                                    {&story.crtime, k.times.crtime}})
            if (value) *field = value;
        refresh_streams(st, a.partition, k.path);
    }

    void apply_kind(const Action& a, const Rename& k) {
        auto& st = partition(a.partition, a);
        st.writer->rename(k.from, k.to, a.time);
        for (auto& t : truth_.artifacts) {
            if (t.partition_id != a.partition || t.kind == "hidden") continue;
            if (t.path == k.from)
                t.path = k.to;
            else if (t.path.starts_with(k.from + "/") || t.path.starts_with(k.from + ":"))
                t.path = k.to + t.path.substr(k.from.size());
        }
        // The renamed file or folder (not what is inside) has its metadata changed now.
        std::map<std::string, Times> moved;
        const std::string from = a.partition + ":" + k.from;
        for (auto it = story_times_.begin(); it != story_times_.end();) {
            if (it->first == from || it->first.starts_with(from + "/")) {
                moved[a.partition + ":" + k.to + it->first.substr(from.size())] = it->second;
                it = story_times_.erase(it);
            } else {
                ++it;
            }
        }
        story_times_.merge(moved);
        story_times(a.partition, k.to).ctime = a.time;
        if (auto* t = tracked(a.partition, k.to)) {
            t->times = st.writer->stored_times(story_times(a.partition, k.to));
            if (t->file_name_times) t->file_name_times = t->times;  // the new name's $FILE_NAME
        }
        refresh_streams(st, a.partition, k.to);
        entries_changed(st, a.partition, k.from, a.time);
        entries_changed(st, a.partition, k.to, a.time);
    }

    void apply_kind(const Action& a, const Delete& k) {
        auto& st = partition(a.partition, a);
        TruthArtifact* t = tracked(a.partition, k.path);
        std::vector<TruthArtifact*> streams;
        for (auto& s : truth_.artifacts) {
            if (s.kind == "stream" && s.partition_id == a.partition &&
                s.path.starts_with(k.path + ":"))
                streams.push_back(&s);
        }
        if (t || !streams.empty()) st.writer->finish();
        if (t) t->inode = inode_of(st.image, k.path);  // the name goes; the address remains
        for (auto* s : streams) s->inode = inode_of(st.image, s->path);
        st.writer->remove(k.path, k.overwrite, a.time);
        story_times_.erase(a.partition + ":" + k.path);
        entries_changed(st, a.partition, k.path, a.time);
        for (auto* s : streams) {
            s->allocated = false;
            if (k.overwrite) s->sha256 = sha256_hex(std::vector<std::byte>(s->size));
        }
        for (auto& slack : truth_.artifacts) {
            if (slack.kind == "slack" && slack.partition_id == a.partition && slack.path == k.path)
                slack.allocated = false;
        }
        if (t) {
            t->allocated = false;
            if (k.overwrite) t->sha256 = sha256_hex(std::vector<std::byte>(t->size));
        }
    }

    // Slack is written once the file system is finished (write_slack_data); the artifact is
    // recorded now, so that later renames carry its path along.
    void apply_kind(const Action& a, const WriteSlack& k) {
        auto& st = partition(a.partition, a);
        TruthArtifact t;
        t.id = artifact_name(k.artifact_id, "slack:" + a.partition + ":" + k.path);
        t.kind = "slack";
        t.partition_id = a.partition;
        t.path = k.path;
        auto bytes = content_of(k.content, t.id, a.time);
        t.size = bytes.size();
        t.sha256 = sha256_hex(bytes);
        t.times = {};
        truth_.artifacts.push_back(std::move(t));
        slack_.push_back({&st, &a, truth_.artifacts.size() - 1, 0, std::move(bytes)});
    }

    void write_slack_data(PendingSlack& slack) {
        TruthArtifact& t = truth_.artifacts[slack.artifact];
        if (!t.allocated)
            throw Error(slack.action->mark.str() + ": slack: " + t.path +
                        " is deleted later in the story; write its slack after that");
        const SlackPlace place =
            write_slack(slack.partition->image, t.path, slack.bytes, slack.action->mark.str());
        t.inode = place.inode;
        slack.fs_offset = place.offset;
    }

    // An NTFS alternate data stream: an artifact "path:stream" with its file's times (NTFS keeps
    // times per file); writing it changes the file's modified and MFT-changed times.
    void apply_kind(const Action& a, const WriteStream& k) {
        auto& st = partition(a.partition, a);
        const std::string path = k.path + ":" + k.stream;
        auto bytes =
            content_of(k.content, artifact_name(k.artifact_id, a.partition + ":" + path), a.time);
        if (bytes.size() > st.spec->size)
            throw Error(a.mark.str() + ": " + path + " does not fit in partition " + a.partition);
        try {
            st.writer->write_stream(k.path, k.stream, bytes, a.time);
        } catch (const Error& e) {
            throw Error(a.mark.str() + ": " + e.what());
        }
        Times& story = story_times(a.partition, k.path);
        story.mtime = story.ctime = a.time;
        if (auto* file = tracked(a.partition, k.path)) file->times = st.writer->stored_times(story);
        if (k.artifact_id) {
            TruthArtifact t;
            t.id = *k.artifact_id;
            t.kind = "stream";
            t.partition_id = a.partition;
            t.path = path;
            t.size = bytes.size();
            t.sha256 = sha256_hex(bytes);
            truth_.artifacts.push_back(std::move(t));
        }
        refresh_streams(st, a.partition, k.path);
    }

    // Deleting into the Recycle Bin: the file is renamed to its $R name (as Explorer moves it,
    // keeping its MFT record and times), then the $I file records its old path, size and the
    // deletion time.
    void apply_kind(const Action& a, const RecycleFile& k) {
        auto& st = partition(a.partition, a);
        st.writer->finish();
        const uint64_t size = entry_of(st.image, k.path).size;
        apply_kind(a, Rename{k.path, k.recycled});
        const auto info = build_recycle_info({k.version, k.original_path, size, a.time});
        st.writer->write_file(k.info, info, a.time);
        story_times(a.partition, k.info) = Times{a.time, a.time, a.time, a.time};
        entries_changed(st, a.partition, k.info, a.time);
    }

    // The times the story gave each file and folder (key "partition:path"); streams share them.
    Times& story_times(const std::string& partition_id, const std::string& path) {
        auto [it, made] = story_times_.try_emplace(partition_id + ":" + path);
        const int64_t formatted = first_time();  // the root folder is made with the file system
        if (made && path == "/") it->second = Times{formatted, formatted, formatted, formatted};
        return it->second;
    }

    // An entry of the folder holding `path` was made, renamed or deleted: the folder's modified
    // and metadata-changed times follow (its streams' too).
    void entries_changed(PartitionState& st, const std::string& partition_id,
                         const std::string& path, int64_t time) {
        const std::string folder = path.substr(0, std::max<size_t>(path.rfind('/'), 1));
        Times& story = story_times(partition_id, folder);
        story.mtime = story.ctime = time;
        refresh_streams(st, partition_id, folder);
    }

    void refresh_streams(PartitionState& st, const std::string& partition_id,
                         const std::string& path) {
        for (auto& t : truth_.artifacts) {
            if (t.kind == "stream" && t.partition_id == partition_id &&
                t.path.starts_with(path + ":"))
                t.times = st.writer->stored_times(story_times(partition_id, path));
        }
    }

    void apply_kind(const Action& a, const HideData& k) {
        if (k.where == HideData::Where::Unallocated)
            partition(k.partition, a).deferred.push_back(&a);
        else
            disk_hides_.push_back(&a);
    }

    // `extents`: where the bytes went, image offsets in data order.
    void record_hidden(const HideData& k, const Extents& extents, std::span<const std::byte> bytes,
                       int partition_index_hint, const std::string& partition_id) {
        const uint64_t image_offset = extents.front().first;
        TruthArtifact t;
        t.id = artifact_name(k.artifact_id, "hidden@" + std::to_string(image_offset));
        t.kind = "hidden";
        t.partition_id = partition_id;
        t.partition = partition_index_hint;
        t.size = bytes.size();
        t.sha256 = sha256_hex(bytes);
        t.image_offset = image_offset;
        if (extents.size() > 1) t.fragments = extents;
        t.times = {};
        truth_.artifacts.push_back(std::move(t));
    }

    void hide_in_unallocated(PartitionState& st, const Action& a) {
        const auto& k = std::get<HideData>(a.kind);
        auto bytes = content_of(k.content,
                                artifact_name(k.artifact_id, "unallocated:" + st.spec->id), a.time);
        auto extents = images::hide_in_unallocated(st.image, k, bytes, a.mark.str(), st.spec->id);
        hidden_in_fs_.push_back({&st, std::move(extents), k, std::move(bytes)});
    }

    void hide_on_disk(const fs::path& raw, const Action& a) {
        const auto& k = std::get<HideData>(a.kind);
        auto bytes = content_of(k.content, artifact_name(k.artifact_id, "disk"), a.time);
        uint64_t at = k.offset;
        if (k.where == HideData::Where::Gap) {
            const PartitionSpec& p = *partition(k.partition, a).spec;
            at = *p.start * recipe_.disk.sector_size + p.size + k.offset;
        }
        const auto extents =
            images::hide_on_disk(raw, k, bytes, at, recipe_.disk.size, a.mark.str());
        record_hidden(k, extents, bytes, -1, "");  // outside every file system
    }

    void assemble(const fs::path& raw) {
        const auto& disk = recipe_.disk;
        const bool bare = disk.table == PartitionTable::None;
        for (const auto& h : hidden_in_fs_) {
            const uint64_t start = bare ? 0 : *h.state->spec->start * disk.sector_size;
            auto extents = h.extents;
            for (auto& e : extents) e.first += start;
            record_hidden(h.spec, extents, h.bytes, -1, h.state->spec->id);
        }
        for (const auto& slack : slack_) {
            const uint64_t start = bare ? 0 : *slack.partition->spec->start * disk.sector_size;
            truth_.artifacts[slack.artifact].image_offset = start + slack.fs_offset;
        }
        report("assembling the disk", 0, disk.size, "bytes");
        uint64_t copied = 0;
        auto count = [&](uint64_t n) {
            copied += n;
            report("assembling the disk", copied, disk.size, "bytes");
        };
        if (bare) {
            fs::rename(parts_.begin()->second.image, raw);
            count(disk.size);
            return;
        }
        make_sized_file(raw, disk.size);
        write_partition_table(disk, recipe_.seed, raw);
        for (const auto& spec : disk.partitions)
            copy_into(parts_.at(spec.id).image, raw, *spec.start * disk.sector_size, count);
        delete_partition_entries(disk, raw);
    }

    std::string sha256_file(const fs::path& file, const std::string& step = "") {
        return sparse_sha256(file, [&](uint64_t done, uint64_t total) {
            if (!step.empty()) report(step, done, total, "bytes");
        });
    }

    struct HiddenInFs {
        PartitionState* state;
        Extents extents;  // file system offsets, data order
        HideData spec;
        std::vector<std::byte> bytes;
    };

    const Recipe& recipe_;
    const BuildOptions& options_;
    BuildProgressCallback progress_;
    // Beside the outputs, so that publishing is a rename; removed unless the build completes.
    TempFolder folder_;
    std::map<std::string, PartitionState> parts_;
    std::vector<const Action*> disk_hides_;
    std::vector<HiddenInFs> hidden_in_fs_;
    std::vector<PendingSlack> slack_;
    std::map<std::string, Times> story_times_;  // see story_times()
    Truth truth_;
};

}  // namespace

BuildResult build_image(const Recipe& recipe, const BuildOptions& options,
                        const BuildProgressCallback& progress) {
    return Builder(recipe, options, progress).run();
}

}  // namespace dflab::images
