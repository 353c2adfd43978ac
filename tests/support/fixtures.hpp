#pragma once
// Test support: fixture images made at test time with standard tools (see tests/fixtures/make.sh),
// and running commands (the dflab binary, TSK's fls/icat/mmls as oracles) to capture their output.
#include <string>
#include <vector>

#include "engine/error.hpp"

namespace dflab::test {

// Path of a fixture image, building all fixtures once per test process (they are cached in the
// build tree and rebuilt when make.sh changes). Names: see tests/fixtures/make.sh.
std::string fixture(const std::string& name);

struct CommandResult {
    int exit_code = -1;
    std::string out;  // stdout
    std::string err;  // stderr
};

// Runs a shell command line, capturing stdout and stderr.
CommandResult run(const std::string& command_line);

// Runs the dflab binary with the given argument string (already shell-quoted where needed).
CommandResult dflab(const std::string& arguments);

std::string shell_quote(const std::string& s);
// A shell prefix that runs the command after it with the clock at `when` ("2031-07-04 23:59:58",
// libfaketime). Sanitizer builds are told to accept the preloaded library before their runtime.
std::string under_faked_clock(const std::string& when);
std::vector<std::string> lines(const std::string& text);
// A fresh directory for this test, removed with what is in it when the test process ends.
std::string temp_dir();

// The message of the dflab::engine::Error that `f` throws, or "" when it throws none.
template <typename F>
std::string error_of(F f) {
    try {
        f();
    } catch (const engine::Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace dflab::test
