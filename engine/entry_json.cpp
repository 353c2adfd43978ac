#include "engine/entry_json.hpp"

#include "common/utf8.hpp"
#include "engine/time_format.hpp"

namespace dflab::engine {

nlohmann::json time_json(const std::optional<int64_t>& t) {
    if (!t) return nullptr;
    return iso_utc(*t);
}

nlohmann::json entry_json(const Entry& e) {
    nlohmann::json j = nlohmann::json::object();
    j["partition"] = e.partition;
    common::set_text(j, "path", e.path);
    common::set_text(j, "name", e.name);
    j["inode"] = e.inode;
    j["type"] = e.type;
    j["size"] = e.size;
    j["allocated"] = e.allocated;
    j["deleted"] = !e.allocated;
    j["reallocated"] = e.reallocated;
    j["mtime"] = time_json(e.mtime);
    j["atime"] = time_json(e.atime);
    j["ctime"] = time_json(e.ctime);
    j["crtime"] = time_json(e.crtime);
    const auto fn = [&](std::optional<int64_t> FileNameTimes::*field) {
        return time_json(e.file_name ? (*e.file_name).*field : std::nullopt);
    };
    j["fn_mtime"] = fn(&FileNameTimes::mtime);
    j["fn_atime"] = fn(&FileNameTimes::atime);
    j["fn_ctime"] = fn(&FileNameTimes::ctime);
    j["fn_crtime"] = fn(&FileNameTimes::crtime);
    j["mode"] = e.mode;
    j["uid"] = e.uid;
    j["gid"] = e.gid;
    if (e.fat_zone) j["fat_zone"] = *e.fat_zone;
    return j;
}

nlohmann::json entry_location_json(const Entry& e) {
    nlohmann::json j = nlohmann::json::object();
    j["partition"] = e.partition;
    common::set_text(j, "path", e.path);
    j["inode"] = e.inode;
    j["allocated"] = e.allocated;
    return j;
}

}  // namespace dflab::engine
