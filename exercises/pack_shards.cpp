#include "exercises/pack_shards.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <set>

#include "common/error.hpp"
#include "common/input_file.hpp"
#include "engine/hashes.hpp"

namespace dflab::exercises {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::uintmax_t kShardFileLimit = 64ull << 20;

void hash_file(engine::Hasher& hasher, const fs::path& file, const std::string& name) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw common::Error(file.string() + ": cannot be read");
    const std::string head = name + '\0' + std::to_string(fs::file_size(file)) + '\0';
    hasher.update(std::as_bytes(std::span(head)));
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        hasher.update(std::as_bytes(std::span(buffer.data(), static_cast<size_t>(in.gcount()))));
    }
}

// A path inside a shard folder, as shard.json may name it: relative, without "..".
fs::path inside(const fs::path& dir, const json& value, const std::string& where) {
    if (!value.is_string()) throw common::Error(where + ": a file name must be a string");
    const fs::path rel = fs::path(value.get<std::string>()).lexically_normal();
    if (rel.empty() || rel.is_absolute() || *rel.begin() == "..")
        throw common::Error(where + ": " + value.get<std::string>() +
                            " is not a path inside the shard folder");
    return dir / rel;
}

// The same, which must be a file that exists.
fs::path existing_file(const fs::path& dir, const json& value, const std::string& where) {
    fs::path file = inside(dir, value, where);
    if (!fs::is_regular_file(file))
        throw common::Error(where + ": " + file.string() + " is missing");
    return file;
}

unsigned variant_number(const std::string& text, const std::string& where) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v >= 500)
        throw common::Error(where + ": " + text + " is not a variant number");
    return v;
}

// Variant `key` (= v) of a shard: its answers and its images.
void read_variant(const Pack& pack, const json& shard, const std::string& key, unsigned v,
                  const fs::path& dir, const std::string& where, PackSolution& solution) {
    const json& questions = shard.at("solved").at(key);
    for (auto& q : pack.questions) {
        if (!questions.contains(q.id))
            throw common::Error(where + ": variant " + key + " has no answer to " + q.id);
        const json& s = questions.at(q.id);
        Solved solved;
        solved.answer = s.at("answer");
        for (auto& t : s.at("trace"))
            solved.trace.push_back({t.at(0).get<std::string>(), t.at(1).get<std::string>()});
        solved.implied_options = s.at("implied_options");
        solution.solved[v][q.id] = std::move(solved);
    }
    const json& built = shard.at("images").at(key);
    for (auto& image : pack.images) {
        if (!built.contains(image.id))
            throw common::Error(where + ": variant " + key + " has no image " + image.id);
        const json& b = built.at(image.id);
        BuiltImage out;
        for (auto& seg : b.at("segments"))
            out.segments.push_back(existing_file(dir, seg, where).string());
        out.truth = existing_file(dir, b.at("truth"), where);
        out.fat_zone = b.at("fat_zone").get<std::string>();
        solution.images[v][image.id] = std::move(out);
    }
}

}  // namespace

ShardSpec parse_shard(std::string_view text) {
    const auto bad = [&](const std::string& why) {
        return common::Error("--shard " + std::string(text) + ": " + why);
    };
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos) throw bad("give it as I/N, e.g. 0/4 (shards 0 to 3 of 4)");
    ShardSpec spec;
    auto number = [&](std::string_view part, unsigned& out) {
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
        if (part.empty() || ec != std::errc() || end != part.data() + part.size())
            throw bad("I and N must be whole numbers (I/N, e.g. 0/4)");
    };
    number(text.substr(0, slash), spec.index);
    number(text.substr(slash + 1), spec.count);
    if (spec.count == 0 || spec.count > 500) throw bad("N must be from 1 to 500");
    if (spec.index >= spec.count)
        throw bad("I must be from 0 to N-1 (" + std::to_string(spec.count - 1) + ")");
    return spec;
}

std::vector<unsigned> shard_variants(unsigned variants, ShardSpec spec) {
    std::vector<unsigned> out;
    for (unsigned v = spec.index; v < variants; v += spec.count) out.push_back(v);
    return out;
}

std::string pack_fingerprint(const Pack& pack) {
    std::set<std::pair<std::string, fs::path>> files;  // name in the hash, file
    for (auto& e : fs::recursive_directory_iterator(pack.folder))
        if (e.is_regular_file())
            files.emplace(fs::relative(e.path(), pack.folder).generic_string(), e.path());
    for (auto& image : pack.images)
        files.emplace("recipe:" + image.recipe.filename().string(), image.recipe);
    for (auto& rule : pack.rules) files.emplace("rule:" + rule.filename().string(), rule);
    engine::Hasher hasher(engine::kSha256);
    for (auto& [name, file] : files) hash_file(hasher, file, name);
    hash_file(hasher, fs::read_symlink("/proc/self/exe"), "dflab");
    return hasher.finish().sha256;
}

void write_shard(const Pack& pack, const PackSolution& solution, unsigned variants, ShardSpec spec,
                 const std::string& fingerprint, const fs::path& dir) {
    json solved = json::object(), images = json::object();
    for (unsigned v : solution.variants) {
        json questions = json::object();
        for (auto& [id, s] : solution.solved.at(v)) {
            json trace = json::array();
            for (auto& t : s.trace) trace.push_back({t.step, t.value});
            questions[id] = {
                {"answer", s.answer}, {"trace", trace}, {"implied_options", s.implied_options}};
        }
        solved[std::to_string(v)] = questions;
        json built = json::object();
        for (auto& [id, image] : solution.images.at(v)) {
            json segments = json::array();
            for (auto& seg : image.segments)
                segments.push_back(fs::relative(seg, dir).generic_string());
            built[id] = {{"segments", segments},
                         {"truth", fs::relative(image.truth, dir).generic_string()},
                         {"fat_zone", image.fat_zone}};
            std::error_code ec;
            fs::remove(image.case_db, ec);
        }
        images[std::to_string(v)] = built;
    }
    const json shard = {{"format", "dflab-pack-shard"},
                        {"format_version", 1},
                        {"pack", pack.id},
                        {"pack_version", pack.version},
                        {"fingerprint", fingerprint},
                        {"variants", variants},
                        {"shard", std::to_string(spec.index) + "/" + std::to_string(spec.count)},
                        {"built", solution.variants},
                        {"solved", solved},
                        {"images", images}};
    std::ofstream out(dir / "shard.json", std::ios::binary);
    out << shard.dump(1) << "\n";
    if (!out.flush()) throw common::Error((dir / "shard.json").string() + ": cannot write");
}

PackSolution read_shards(const Pack& pack, const std::vector<fs::path>& dirs,
                         const std::string& fingerprint, unsigned& variants) {
    if (dirs.empty()) throw common::Error("no shard folders to merge");
    PackSolution solution;
    std::string first_build;
    std::set<unsigned> seen;
    for (size_t n = 0; n < dirs.size(); ++n) {
        const fs::path dir = fs::absolute(dirs[n]).lexically_normal();
        const fs::path file = dir / "shard.json";
        const std::string where = file.string();
        json shard;
        try {
            shard = json::parse(common::read_input_file(file, kShardFileLimit, "pack shard"));
        } catch (const json::exception& e) {
            throw common::Error(where + ": not a pack shard: " + e.what());
        }
        try {
            if (!shard.is_object() || shard.value("format", "") != "dflab-pack-shard")
                throw common::Error(where + ": not a pack shard (dflab pack build --shard)");
            if (shard.at("format_version") != 1)
                throw common::Error(where + ": shard format version " +
                                    shard.at("format_version").dump() + " is not known");
            if (shard.at("pack") != pack.id || shard.at("pack_version") != pack.version)
                throw common::Error(where + ": a shard of pack " +
                                    shard.at("pack").get<std::string>() + " " +
                                    shard.at("pack_version").get<std::string>() + ", not of " +
                                    pack.id + " " + pack.version);
            if (shard.at("fingerprint") != fingerprint)
                throw common::Error(where +
                                    ": built from other pack files or by another dflab program "
                                    "than this merge sees; build every shard with the same ones");
            const unsigned total = shard.at("variants").get<unsigned>();
            const std::string build =
                std::to_string(total) + " variants in " + shard.at("shard").get<std::string>();
            const std::string shard_count = shard.at("shard").get<std::string>().substr(
                shard.at("shard").get<std::string>().find('/') + 1);
            if (n == 0) {
                variants = total;
                first_build = shard_count;
            } else if (total != variants || shard_count != first_build) {
                throw common::Error(where + ": a shard of another build (" + build + "; " +
                                    dirs.front().string() + " has " + std::to_string(variants) +
                                    " variants in " + first_build + " shards)");
            }
            for (auto& [key, answers] : shard.at("solved").items()) {
                const unsigned v = variant_number(key, where);
                if (v >= variants)
                    throw common::Error(where + ": variant " + key + " is beyond the build's " +
                                        std::to_string(variants) + " variants");
                if (!seen.insert(v).second)
                    throw common::Error(where + ": variant " + key +
                                        " is also in another shard given");
                solution.variants.push_back(v);
                read_variant(pack, shard, key, v, dir, where, solution);
            }
        } catch (const json::exception& e) {
            throw common::Error(where + ": not a complete pack shard: " + e.what());
        }
    }
    std::sort(solution.variants.begin(), solution.variants.end());
    for (unsigned v = 0; v < variants; ++v)
        if (!seen.count(v))
            throw common::Error("variant " + std::to_string(v) + " of " + std::to_string(variants) +
                                " is in none of the shards given; merge every shard of the build");
    return solution;
}

}  // namespace dflab::exercises
