// Solution steps over the forensic engine: the image, its partitions and file systems, entries,
// their content and bytes at an offset.
#include <algorithm>
#include <vector>

#include "common/error.hpp"
#include "common/time_format.hpp"
#include "common/utf8.hpp"
#include "engine/content.hpp"
#include "engine/entry_json.hpp"
#include "engine/file_system.hpp"
#include "engine/hashes.hpp"
#include "exercises/solution_state.hpp"

namespace dflab::exercises::detail {

namespace {

nlohmann::json partition_value(const engine::Partition& p) {
    return {{"index", p.index},
            {"start", p.filesystem_start.value_or(p.start)},
            {"length", p.length},
            {"byte_offset", p.byte_offset()},
            {"description", p.description},
            {"filesystem", p.filesystem ? nlohmann::json(*p.filesystem) : nlohmann::json()}};
}

nlohmann::json digests_value(const engine::Digests& d, const std::string& which) {
    if (which == "md5") return d.md5;
    if (which == "sha1") return d.sha1;
    if (which == "sha256") return d.sha256;
    return {{"md5", d.md5}, {"sha1", d.sha1}, {"sha256", d.sha256}};
}

std::string lower_ascii(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// The entry's content (deleted entries where recoverable); empty when it cannot be read.
std::string content_of(const engine::FileSystem& fs, const engine::Entry& e) {
    std::string out;
    if (e.type != "file" || !e.has_metadata) return out;
    try {
        engine::ContentReader reader = fs.content(e.address);
        std::vector<std::byte> buffer(1 << 16);
        reader.stream(buffer, [&](std::span<const std::byte> chunk) {
            out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
            return out.size() < (256u << 20);  // content filters look at the first 256 MiB
        });
    } catch (const common::Error&) {
        out.clear();
    }
    return out;
}

}  // namespace

nlohmann::json entry_value(const engine::Entry& e) {
    return engine::entry_json(e);  // the one shape of an entry: docs/entry-format.md
}

void step_image(SolutionState& s, const Step& step) {
    std::string id = step.argument.get<std::string>();
    if (!s.env.images.count(id)) throw StepError("the pack has no built image " + id);
    if (id != s.image_id) {
        s.image_id = id;
        s.evidence.reset();
        s.fs.reset();
        s.partition.reset();
        s.case_db.reset();
        s.truth_manifest = nullptr;
    }
    engine::EvidenceInfo info = s.open_evidence().describe();
    nlohmann::json v = {{"format", info.format},
                        {"size", info.size},
                        {"sector_size", info.sector_size},
                        {"segments", info.segments.size()}};
    if (info.acquisition) {
        for (auto& [key, value] : info.acquisition->headers) v[key] = value;
        if (info.acquisition->stored_md5) v["stored_md5"] = *info.acquisition->stored_md5;
        if (info.acquisition->stored_sha1) v["stored_sha1"] = *info.acquisition->stored_sha1;
    }
    s.value = v;
}

void step_image_hash(SolutionState& s, const Step& step) {
    engine::Evidence& ev = s.open_evidence();
    engine::Hasher hasher;
    std::vector<std::byte> buffer(1 << 20);
    for (uint64_t offset = 0; offset < ev.size();) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(buffer.size(), ev.size() - offset));
        size_t got = ev.read(offset, std::span(buffer.data(), want));
        if (got != want)
            throw StepError("the image could not be read at byte " + std::to_string(offset + got));
        hasher.update(std::span(buffer.data(), got));
        offset += got;
    }
    s.value = digests_value(hasher.finish(), step.argument.get<std::string>());
}

void step_partitions(SolutionState& s, const Step&) {
    nlohmann::json list = nlohmann::json::array();
    for (auto& p : engine::file_system_partitions(s.open_evidence()))
        list.push_back(partition_value(p));
    s.value = list;
}

void step_partition(SolutionState& s, const Step& step) {
    int index = step.argument.get<int>();
    auto parts = engine::file_system_partitions(s.open_evidence(), index);
    s.partition = parts.front();
    s.partition->fat_zone = s.image().fat_zone;  // FAT local times: the pack image's fat_zone
    s.fs.reset();
    s.value = partition_value(*s.partition);
}

void step_filesystem(SolutionState& s, const Step&) {
    const engine::FileSystemInfo fs = s.need_fs().info();
    s.value = {{"type", fs.type},
               {"block_size", fs.block_size},
               {"block_count", fs.block_count},
               {"first_block", fs.first_block},
               {"last_block", fs.last_block},
               {"root_inode", fs.root_address},
               {"volume_id", fs.volume_id},
               {"partition", s.need_partition().index}};
}

void step_find(SolutionState& s, const Step& step) {
    const nlohmann::json& a = step.argument;
    const engine::FileSystem& fs = s.need_fs();
    std::vector<engine::Entry> found;
    if (a.contains("path")) {
        try {
            found.push_back(fs.find(a["path"].get<std::string>()));
        } catch (const common::Error&) {
            // nothing there: the filters below decide nothing was found
        }
    } else if (a.contains("inode")) {
        engine::Entry e = fs.describe(engine::parse_inode(
            a["inode"].is_string() ? a["inode"].get<std::string>() : a["inode"].dump()));
        found.push_back(std::move(e));
    } else {
        // A directory that cannot be read fails the step (Error): an answer must not rest on
        // a listing with a hole in it.
        found = fs.list();
    }
    std::erase_if(found, [&](const engine::Entry& e) {
        if (a.contains("name") && lower_ascii(e.name) != lower_ascii(a["name"].get<std::string>()))
            return true;
        if (a.contains("deleted") && a["deleted"].get<bool>() == e.allocated) return true;
        if (a.contains("type") && e.type != a["type"].get<std::string>()) return true;
        if (e.name == "." || e.name == "..") return true;
        if (a.contains("contains") || a.contains("sha256")) {
            std::string content = content_of(fs, e);
            if (a.contains("contains") &&
                content.find(a["contains"].get<std::string>()) == std::string::npos)
                return true;
            if (a.contains("sha256") &&
                engine::hash_bytes(std::as_bytes(std::span(content)), engine::kSha256).sha256 !=
                    lower_ascii(a["sha256"].get<std::string>()))
                return true;
        }
        return false;
    });
    bool all = a.value("all", false);
    if (!all && found.empty()) throw StepError("found nothing");
    nlohmann::json list = nlohmann::json::array();
    for (auto& e : found) list.push_back(entry_value(e));
    if (!all && found.size() > 1)
        throw StepError("found " + std::to_string(found.size()) +
                        " candidates where one is expected: " + candidates_text(list) +
                        "; narrow it (path, inode, deleted) or add all: true");
    s.value = all ? list : list.front();
}

void step_hash(SolutionState& s, const Step& step) {
    if (!s.value.is_object() || !s.value.contains("inode"))
        throw StepError("hash needs a file: find it first");
    engine::ContentReader reader =
        s.need_fs().content(engine::parse_inode(s.value["inode"].get<std::string>()));
    engine::Hasher hasher;
    std::vector<std::byte> buffer(1 << 16);
    reader.stream(buffer, [&](std::span<const std::byte> chunk) {
        hasher.update(chunk);
        return true;
    });
    s.value = digests_value(hasher.finish(), step.argument.get<std::string>());
}

void step_read(SolutionState& s, const Step& step) {
    uint64_t offset = step.argument["offset"].get<uint64_t>();
    size_t length = step.argument["length"].get<size_t>();
    std::vector<std::byte> data(length);
    size_t got = s.open_evidence().read(offset, data);
    if (got != length)
        throw StepError("only " + std::to_string(got) + " of " + std::to_string(length) +
                        " bytes could be read at offset " + std::to_string(offset));
    std::string as = step.argument.value("as", "text");
    std::string out;
    if (as == "hex") {
        out = engine::to_hex(std::span(reinterpret_cast<const unsigned char*>(data.data()), got));
    } else {
        // Answer keys are JSON: bytes that are not UTF-8 become U+FFFD (as: hex keeps them).
        out = common::to_display_utf8(
            std::string_view(reinterpret_cast<const char*>(data.data()), got));
    }
    s.value = out;
}

}  // namespace dflab::exercises::detail
