#pragma once
// A FAT16 image holding a SYSTEM hive (computer name) and a shell link in alice's Recent folder,
// built with `dflab image build` from a recipe, and the independent readers of what it holds:
// icat extracts a file (fls gives its inode), lnkinfo reads the link, hivexml the hive.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"
#include "tests/support/libyal_info.hpp"

namespace dflab::test {

struct ArtifactImage {
    std::string dir;
    std::string raw;  // the built image
    static constexpr const char* kHive = "/config/SYSTEM";
    static constexpr const char* kLink = "/Users/alice/Recent/customers.xlsx.lnk";
};

// Builds the image in a fresh directory; throws std::runtime_error with dflab's message when the
// build fails.
inline ArtifactImage build_artifact_image() {
    ArtifactImage image;
    image.dir = temp_dir();
    const std::string recipe = image.dir + "/artifacts.yaml";
    std::ofstream(recipe)
        << "name: artifacts\n"
           "start: 2024-03-05T09:00:00Z\n"
           "disk:\n"
           "  size: 16MiB\n"
           "  table: none\n"
           "  partitions:\n"
           "    - {id: c, filesystem: fat16}\n"
           "actions:\n"
           "  - mkdir: /config\n"
           "  - write: /config/SYSTEM\n"
           "    generate:\n"
           "      type: registry\n"
           "      keys:\n"
           "        - path: Select\n"
           "          values: [{name: Current, type: dword, value: 1}]\n"
           "        - path: ControlSet001\\Control\\ComputerName\\ComputerName\n"
           "          time: 2024-03-01T09:12:00Z\n"
           "          values:\n"
           "            - {name: ComputerName, type: string, value: DESKTOP-7Q2K1M}\n"
           "  - mkdir: /Users\n"
           "  - mkdir: /Users/alice\n"
           "  - mkdir: /Users/alice/Recent\n"
           "  - write: /Users/alice/Recent/customers.xlsx.lnk\n"
           "    generate:\n"
           "      type: lnk\n"
           "      target: 'E:\\customers.xlsx'\n"
           "      drive: removable\n"
           "      serial: 0x1A2B3C4D\n"
           "      label: KINGSTON\n"
           "      created: 2024-03-01T09:12:00Z\n"
           "      modified: 2024-03-04T13:46:40Z\n";
    auto built =
        dflab("image build " + shell_quote(recipe) + " -o " + shell_quote(image.dir + "/out"));
    if (built.exit_code != 0) throw std::runtime_error("image build failed: " + built.err);
    image.raw = image.dir + "/out/artifacts.raw";
    return image;
}

// The file at `path` of `raw`, extracted with icat to `out`; "" when fls does not list it.
inline std::string extract_with_icat(const std::string& raw, const std::string& path,
                                     const std::string& out) {
    std::string inode;
    for (const auto& e : fls(raw))
        if (e.path == path) inode = e.inode;
    if (inode.empty()) return "";
    auto cat = run("icat " + shell_quote(raw) + " " + inode + " > " + shell_quote(out));
    return cat.exit_code == 0 ? out : "";
}

// lnkinfo's "\tName\t\t: value" lines by name ("Local path", "Modification time", ...).
inline std::map<std::string, std::string> lnkinfo_fields(const std::string& link_file) {
    return libyal_info("lnkinfo", link_file);
}

}  // namespace dflab::test
