#include "images/truth_manifest.hpp"

#include <nlohmann/json.hpp>

#include "engine/time_format.hpp"

namespace dflab::images {

namespace {

nlohmann::ordered_json time_json(const std::optional<int64_t>& t) {
    return t ? nlohmann::ordered_json(engine::iso_utc(*t)) : nlohmann::ordered_json(nullptr);
}

}  // namespace

std::string truth_json(const Truth& t) {
    nlohmann::ordered_json j;
    j["recipe"] = t.recipe;
    j["name"] = t.name;
    j["seed"] = t.seed;
    j["variant"] = t.variant;
    j["timezone"] = t.timezone;
    j["image"] = {{"sha256", t.sha256}, {"size", t.size}};
    j["variables"] = nlohmann::ordered_json::object();
    for (const auto& [k, v] : t.variables) j["variables"][k] = v;
    j["partitions"] = nlohmann::ordered_json::array();
    for (const auto& p : t.partitions) {
        j["partitions"].push_back({{"index", p.index},
                                   {"start", p.start},
                                   {"filesystem", p.filesystem},
                                   {"id", p.id},
                                   {"table_entry", p.table_entry},
                                   {"fat_zone", p.fat_zone ? nlohmann::ordered_json(*p.fat_zone)
                                                           : nlohmann::ordered_json(nullptr)}});
    }
    j["artifacts"] = nlohmann::ordered_json::array();
    for (const auto& a : t.artifacts) {
        nlohmann::ordered_json x{{"id", a.id},
                                 {"kind", a.kind},
                                 {"partition", a.partition},
                                 {"path", a.path},
                                 {"inode", a.inode},
                                 {"allocated", a.allocated},
                                 {"size", a.size},
                                 {"sha256", a.sha256},
                                 {"mtime", time_json(a.times.mtime)},
                                 {"atime", time_json(a.times.atime)},
                                 {"ctime", time_json(a.times.ctime)},
                                 {"crtime", time_json(a.times.crtime)}};
        if (a.file_name_times) {
            x["fn_mtime"] = time_json(a.file_name_times->mtime);
            x["fn_atime"] = time_json(a.file_name_times->atime);
            x["fn_ctime"] = time_json(a.file_name_times->ctime);
            x["fn_crtime"] = time_json(a.file_name_times->crtime);
        }
        if (a.image_offset) x["image_offset"] = *a.image_offset;
        if (!a.fragments.empty()) {
            x["fragments"] = nlohmann::json::array();
            for (auto [offset, length] : a.fragments)
                x["fragments"].push_back({{"offset", offset}, {"length", length}});
        }
        j["artifacts"].push_back(std::move(x));
    }
    return j.dump(2) + "\n";
}

}  // namespace dflab::images
