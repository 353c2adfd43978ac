#include "engine/export_case.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <random>

#include "engine/error.hpp"

namespace dflab::engine {

namespace {

using Json = nlohmann::ordered_json;

// Random (version 4) UUIDs for the node identifiers, as CASE's examples use.
class Ids {
  public:
    Ids() : rng_(seed()) {}
    std::string next(const std::string& kind) {
        std::array<uint8_t, 16> b{};
        for (size_t i = 0; i < b.size(); i += 8) {
            const uint64_t r = rng_();
            for (size_t k = 0; k < 8; ++k) b[i + k] = static_cast<uint8_t>(r >> (8 * k));
        }
        b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);
        b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);
        char text[37];
        std::snprintf(text, sizeof(text),
                      "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                      b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
                      b[13], b[14], b[15]);
        return "kb:" + kind + "-" + text;
    }

  private:
    static std::seed_seq::result_type seed() {
        std::random_device device;
        return device();
    }
    std::mt19937_64 rng_;
};

Json ref(const std::string& id) {
    return Json{{"@id", id}};
}

Json typed(const char* type, const std::string& value) {
    return Json{{"@type", type}, {"@value", value}};
}

Json hashes(Ids& ids, const std::optional<std::string>& md5, const std::optional<std::string>& sha1,
            const std::optional<std::string>& sha256) {
    Json out = Json::array();
    const std::pair<const char*, const std::optional<std::string>*> all[] = {
        {"MD5", &md5}, {"SHA1", &sha1}, {"SHA256", &sha256}};
    for (const auto& [method, value] : all) {
        if (!*value || (*value)->empty()) continue;
        out.push_back({{"@id", ids.next("hash")},
                       {"@type", "uco-types:Hash"},
                       {"uco-types:hashMethod", typed("uco-vocabulary:HashNameVocab", method)},
                       {"uco-types:hashValue", typed("xsd:hexBinary", **value)}});
    }
    return out;
}

Json relationship(Ids& ids, const std::string& source, const std::string& target) {
    return {{"@id", ids.next("relationship")},
            {"@type", "uco-core:Relationship"},
            {"uco-core:source", ref(source)},
            {"uco-core:target", ref(target)},
            {"uco-core:kindOfRelationship", "Contained_Within"},
            {"uco-core:isDirectional", true}};
}

// UCO's FileSystemTypeVocab name for TSK's file system name, else TSK's name.
std::string file_system_type(const std::string& tsk) {
    if (tsk == "fat12") return "FAT12";
    if (tsk == "fat16") return "FAT16";
    if (tsk == "fat32") return "FAT32";
    if (tsk == "exfat") return "ExFAT";
    if (tsk == "ntfs") return "NTFS";
    if (tsk == "ext2" || tsk == "ext3" || tsk == "ext4") return "ExtFS";
    if (tsk == "hfs") return "HFS";
    if (tsk == "iso9660") return "ISO9660";
    return tsk;
}

Json file_node(Ids& ids, const CaseFile& f, const std::string& id) {
    Json facet = {{"@id", ids.next("file-facet")},
                  {"@type", "uco-observable:FileFacet"},
                  {"uco-observable:fileName", f.name},
                  {"uco-observable:filePath", f.path},
                  {"uco-observable:isDirectory", f.type == "directory"},
                  {"uco-observable:sizeInBytes", f.size},
                  {"uco-observable:allocationStatus",
                   f.allocated ? "allocated" : (f.reallocated ? "reallocated" : "deleted")}};
    if (f.extension) facet["uco-observable:extension"] = *f.extension;
    const std::pair<const char*, const std::optional<std::string>*> times[] = {
        {"uco-observable:modifiedTime", &f.mtime},
        {"uco-observable:accessedTime", &f.atime},
        {"uco-observable:metadataChangeTime", &f.ctime},
        {"uco-observable:observableCreatedTime", &f.crtime}};
    for (const auto& [name, value] : times)
        if (*value) facet[name] = typed("xsd:dateTime", **value);
    Json facets = Json::array({facet});
    Json digests = hashes(ids, f.md5, f.sha1, f.sha256);
    if (!digests.empty() || f.mime) {
        Json content = {{"@id", ids.next("content-data-facet")},
                        {"@type", "uco-observable:ContentDataFacet"},
                        {"uco-observable:sizeInBytes", f.size}};
        if (f.mime) content["uco-observable:mimeType"] = *f.mime;
        if (!digests.empty()) content["uco-observable:hash"] = std::move(digests);
        facets.push_back(std::move(content));
    }
    std::string description = "partition " + std::to_string(f.partition) + ", inode " + f.inode;
    if (f.content_error) description += "; content: " + *f.content_error;
    return {{"@id", id},
            {"@type", "uco-observable:File"},
            {"uco-core:description", description},
            {"uco-core:hasFacet", std::move(facets)}};
}

}  // namespace

void export_case(CaseReader& reader, std::ostream& out) {
    Ids ids;
    const Json context = {
        {"kb", "http://example.org/kb/"},
        {"case-investigation", "https://ontology.caseontology.org/case/investigation/"},
        {"uco-action", "https://ontology.unifiedcyberontology.org/uco/action/"},
        {"uco-core", "https://ontology.unifiedcyberontology.org/uco/core/"},
        {"uco-observable", "https://ontology.unifiedcyberontology.org/uco/observable/"},
        {"uco-tool", "https://ontology.unifiedcyberontology.org/uco/tool/"},
        {"uco-types", "https://ontology.unifiedcyberontology.org/uco/types/"},
        {"uco-vocabulary", "https://ontology.unifiedcyberontology.org/uco/vocabulary/"},
        {"xsd", "http://www.w3.org/2001/XMLSchema#"}};
    out << "{\n\"@context\": " << context.dump() << ",\n\"@graph\": [\n";
    bool first = true;
    auto emit = [&](const Json& node) {
        // Names from a hostile image need not be UTF-8: such bytes become U+FFFD.
        out << (first ? "" : ",\n") << node.dump(-1, ' ', false, Json::error_handler_t::replace);
        first = false;
        if (!out) throw Error("CASE: write failed (disk full?)");
    };

    const std::string tool = ids.next("tool");
    emit({{"@id", tool},
          {"@type", "uco-tool:Tool"},
          {"uco-core:name", "dflab"},
          {"uco-tool:version", "0.1.0"},
          {"uco-tool:toolType", "forensic analysis"}});

    const CaseImage& image = reader.image();
    const std::string image_id = ids.next("image");
    Json image_facets = Json::array({{{"@id", ids.next("image-facet")},
                                      {"@type", "uco-observable:ImageFacet"},
                                      {"uco-observable:imageType", image.format}},
                                     {{"@id", ids.next("file-facet")},
                                      {"@type", "uco-observable:FileFacet"},
                                      {"uco-observable:fileName", image.path},
                                      {"uco-observable:sizeInBytes", image.size}}});
    Json stored = hashes(ids, image.stored_md5, image.stored_sha1, std::nullopt);
    if (!stored.empty())
        image_facets.push_back({{"@id", ids.next("content-data-facet")},
                                {"@type", "uco-observable:ContentDataFacet"},
                                {"uco-observable:sizeInBytes", image.size},
                                {"uco-observable:hash", std::move(stored)}});
    Json image_node = {{"@id", image_id},
                       {"@type", "uco-observable:Image"},
                       {"uco-core:hasFacet", std::move(image_facets)}};
    std::string about;
    for (const auto& [label, value] :
         {std::pair{"case number", &image.case_number},
          std::pair{"evidence number", &image.evidence_number},
          std::pair{"examiner", &image.examiner}, std::pair{"description", &image.description},
          std::pair{"acquired", &image.acquisition_date}})
        if (*value) about += (about.empty() ? "" : "; ") + std::string(label) + ": " + **value;
    if (!about.empty()) image_node["uco-core:description"] = about;
    emit(image_node);

    std::vector<std::string> file_ids;
    for (const CasePartition& p : reader.partitions()) {
        if (p.kind != "partition" && !p.filesystem) continue;
        const std::string partition_id = ids.next("partition");
        emit({{"@id", partition_id},
              {"@type", "uco-observable:DiskPartition"},
              {"uco-core:hasFacet",
               Json::array({{{"@id", ids.next("disk-partition-facet")},
                             {"@type", "uco-observable:DiskPartitionFacet"},
                             {"uco-observable:partitionID", p.index},
                             {"uco-observable:partitionOffset", p.byte_offset()},
                             {"uco-observable:partitionLength", p.length * p.sector_size},
                             {"uco-observable:diskPartitionType", p.description}}})}});
        emit(relationship(ids, partition_id, image_id));
        if (!p.filesystem || !p.analysed) continue;
        const std::string fs_id = ids.next("file-system");
        Json fs_facet = {{"@id", ids.next("file-system-facet")},
                         {"@type", "uco-observable:FileSystemFacet"},
                         {"uco-observable:fileSystemType", file_system_type(*p.filesystem)}};
        if (p.block_size) fs_facet["uco-observable:clusterSize"] = *p.block_size;
        emit({{"@id", fs_id},
              {"@type", "uco-observable:FileSystem"},
              {"uco-core:hasFacet", Json::array({fs_facet})}});
        emit(relationship(ids, fs_id, partition_id));
        reader.for_each_file(p.index, [&](const CaseFile& f) {
            file_ids.push_back(ids.next("file"));
            emit(file_node(ids, f, file_ids.back()));
            emit(relationship(ids, file_ids.back(), fs_id));
        });
    }

    // Provenance: every file came from the image through dflab's analysis.
    const std::string record = ids.next("provenance-record");
    Json objects = Json::array();
    for (const auto& id : file_ids) objects.push_back(ref(id));
    emit({{"@id", record},
          {"@type", "case-investigation:ProvenanceRecord"},
          {"uco-core:description", "Files found by dflab analyze in " + image.path},
          {"uco-core:object", std::move(objects)}});
    emit({{"@id", ids.next("investigative-action")},
          {"@type", "case-investigation:InvestigativeAction"},
          {"uco-core:name", "dflab analyze"},
          {"uco-core:description", "case database " + reader.path()},
          {"uco-action:instrument", ref(tool)},
          {"uco-action:object", Json::array({ref(image_id)})},
          {"uco-action:result", Json::array({ref(record)})}});
    out << "\n]\n}\n";
    if (!out) throw Error("CASE: write failed (disk full?)");
}

}  // namespace dflab::engine
