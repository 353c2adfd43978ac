#pragma once
// DFXML as an independent parser reads it: fiwalk -X's document (or dflab export's) parsed with
// python3's xml.etree, reduced to the volumes and file objects the export tests compare.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {

struct DfxmlRun {
    uint64_t file_offset = 0;
    std::optional<uint64_t> img_offset;
    uint64_t len = 0;
    bool fill = false;
    std::string type;  // "" or "resident", "compressed"
};

struct DfxmlObject {
    uint64_t volume = 0;  // the volume's partition_offset (bytes)
    std::string ftype, filename, name_type;
    uint64_t inode = 0, filesize = 0;
    std::map<std::string, std::string> hashes;  // "md5" -> hex, lower-case type names
    std::vector<DfxmlRun> runs;
    // Stored runs only (no resident, fill or compressed piece), covering exactly the file size.
    bool plain_runs() const {
        if (runs.empty()) return false;
        uint64_t total = 0;
        for (const auto& r : runs) {
            if (r.fill || !r.type.empty() || !r.img_offset) return false;
            total += r.len;
        }
        return total == filesize;
    }
};

struct Dfxml {
    std::vector<uint64_t> volumes;
    std::vector<DfxmlObject> objects;
};

inline constexpr const char* kDfxmlReader = R"py(
import json, sys, xml.etree.ElementTree as ET
D = '{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}'
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == D + 'dfxml', root.tag
volumes, objects = [], []
for vol in root.iter(D + 'volume'):
    offset = int(vol.findtext(D + 'partition_offset'))
    volumes.append(offset)
    for fo in vol.iter(D + 'fileobject'):
        runs = []
        for r in fo.iter(D + 'byte_run'):
            a = r.attrib
            runs.append({'file_offset': int(a.get('file_offset', 0)),
                         'img_offset': int(a['img_offset']) if 'img_offset' in a else None,
                         'len': int(a.get('len', a.get('uncompressed_len', 0))),
                         'fill': 'fill' in a, 'type': a.get('type', '')})
        objects.append({'volume': offset, 'ftype': vol.findtext(D + 'ftype_str') or '',
                        'filename': fo.findtext(D + 'filename') or '',
                        'name_type': fo.findtext(D + 'name_type') or '',
                        'inode': int(fo.findtext(D + 'inode') or 0),
                        'filesize': int(fo.findtext(D + 'filesize') or 0),
                        'hashes': {h.get('type').lower(): h.text.lower()
                                   for h in fo.findall(D + 'hashdigest')},
                        'runs': runs})
print(json.dumps({'volumes': volumes, 'objects': objects}))
)py";

inline Dfxml parse_dfxml(const std::string& path) {
    const std::string dir = temp_dir();
    write_file(dir + "/read_dfxml.py", kDfxmlReader);
    auto r = run("python3 " + shell_quote(dir + "/read_dfxml.py") + " " + shell_quote(path));
    std::filesystem::remove_all(dir);
    if (r.exit_code != 0) throw std::runtime_error("DFXML not parsed: " + path + ": " + r.err);
    const auto j = nlohmann::json::parse(r.out);
    Dfxml out;
    out.volumes = j.at("volumes").get<std::vector<uint64_t>>();
    for (const auto& o : j.at("objects")) {
        DfxmlObject d;
        d.volume = o.at("volume").get<uint64_t>();
        d.ftype = o.at("ftype").get<std::string>();
        d.filename = o.at("filename").get<std::string>();
        d.name_type = o.at("name_type").get<std::string>();
        d.inode = o.at("inode").get<uint64_t>();
        d.filesize = o.at("filesize").get<uint64_t>();
        d.hashes = o.at("hashes").get<std::map<std::string, std::string>>();
        for (const auto& r2 : o.at("runs")) {
            DfxmlRun run2;
            run2.file_offset = r2.at("file_offset").get<uint64_t>();
            if (!r2.at("img_offset").is_null())
                run2.img_offset = r2.at("img_offset").get<uint64_t>();
            run2.len = r2.at("len").get<uint64_t>();
            run2.fill = r2.at("fill").get<bool>();
            run2.type = r2.at("type").get<std::string>();
            d.runs.push_back(run2);
        }
        out.objects.push_back(std::move(d));
    }
    return out;
}

// fiwalk -X over a whole image, parsed.
inline Dfxml fiwalk(const std::string& image) {
    const std::string dir = temp_dir();
    const std::string xml = dir + "/fiwalk.xml";
    auto r = run("fiwalk -X " + shell_quote(xml) + " " + shell_quote(image));
    if (r.exit_code != 0) {
        std::filesystem::remove_all(dir);
        throw std::runtime_error("fiwalk failed on " + image + ": " + r.err);
    }
    Dfxml out = parse_dfxml(xml);
    std::filesystem::remove_all(dir);
    return out;
}

// fiwalk lists "." and ".." of every directory; a case has no rows for them.
inline bool is_dot_entry(const std::string& filename) {
    const auto slash = filename.rfind('/');
    const std::string base = slash == std::string::npos ? filename : filename.substr(slash + 1);
    return base == "." || base == "..";
}

}  // namespace dflab::test
