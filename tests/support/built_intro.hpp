#pragma once
// A pack shipped with dflab (exercises/packs/NAME) built with two variants, once for the whole
// suite: CTest runs each test in a process of its own, so the build is kept in the build tree
// (rebuilt when dflab or the pack changes, by a stamp) and made under a lock that parallel tests
// wait on.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {

inline std::filesystem::path built_shipped_pack(const std::string& name) {
    namespace fs = std::filesystem;
    const fs::path pack = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs" / name;
    fs::path root = fs::path(DFLAB_FIXTURE_DIR).parent_path() / ("pack-" + name);
    fs::create_directories(root);
    int lock = ::open((root / "lock").c_str(), O_CREAT | O_RDWR, 0644);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0)
        throw std::runtime_error("cannot lock " + root.string());
    std::string stamp = sha256_of_output("cat " + shell_quote(DFLAB_BINARY) + " $(find " +
                                         shell_quote(pack.string()) + " -type f | sort)");
    fs::path dir = root / name;
    if (read_file((root / "stamp").string()) != stamp) {
        fs::remove_all(dir);
        auto r = dflab::test::dflab("pack build " + shell_quote(pack.string()) + " -o " +
                                    shell_quote(dir.string()) + " --variants 2");
        if (r.exit_code != 0) {
            ::close(lock);
            throw std::runtime_error("pack build failed: " + r.err);
        }
        write_file((root / "stamp").string(), stamp);
    }
    ::close(lock);  // releases the lock
    return dir;
}

inline const std::filesystem::path& built_intro_pack() {
    static const std::filesystem::path out = built_shipped_pack("intro");
    return out;
}

}  // namespace dflab::test
