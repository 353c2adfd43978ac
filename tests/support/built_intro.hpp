#pragma once
// The shipped intro pack built with two variants, once for the whole suite: CTest runs each test
// in a process of its own, so the build is kept in the build tree (rebuilt when dflab or the pack
// changes, by a stamp) and made under a lock that parallel tests wait on.
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "tests/oracle.hpp"
#include "tests/support/fixtures.hpp"

namespace dflab::test {

inline const std::filesystem::path& built_intro_pack() {
    namespace fs = std::filesystem;
    static const fs::path out = [] {
        const fs::path intro = fs::path(DFLAB_SOURCE_DIR) / "exercises/packs/intro";
        fs::path root = fs::path(DFLAB_FIXTURE_DIR).parent_path() / "pack-intro";
        fs::create_directories(root);
        int lock = ::open((root / "lock").c_str(), O_CREAT | O_RDWR, 0644);
        if (lock < 0 || ::flock(lock, LOCK_EX) != 0)
            throw std::runtime_error("cannot lock " + root.string());
        std::string stamp = sha256_of_output("cat " + shell_quote(DFLAB_BINARY) + " $(find " +
                                             shell_quote(intro.string()) + " -type f | sort)");
        fs::path dir = root / "intro";
        if (read_file((root / "stamp").string()) != stamp) {
            fs::remove_all(dir);
            auto r = dflab::test::dflab("pack build " + shell_quote(intro.string()) + " -o " +
                                        shell_quote(dir.string()) + " --variants 2");
            if (r.exit_code != 0) throw std::runtime_error("pack build failed: " + r.err);
            write_file((root / "stamp").string(), stamp);
        }
        ::close(lock);  // releases the lock
        return dir;
    }();
    return out;
}

}  // namespace dflab::test
