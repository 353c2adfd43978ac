#include "tests/support/fixtures.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

namespace dflab::test {

namespace fs = std::filesystem;

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string fixture(const std::string& name) {
    static std::once_flag once;
    std::call_once(once, [] {
        std::string cmd = "bash " +
                          shell_quote(std::string(DFLAB_SOURCE_DIR) + "/tests/fixtures/make.sh") +
                          " " + shell_quote(DFLAB_FIXTURE_DIR) + " >/dev/null";
        if (std::system(cmd.c_str()) != 0) {
            throw std::runtime_error("fixture build failed: " + cmd);
        }
    });
    std::string path = std::string(DFLAB_FIXTURE_DIR) + "/" + name;
    if (!fs::exists(path)) throw std::runtime_error("no fixture " + path);
    return path;
}

CommandResult run(const std::string& command_line) {
    std::string dir = temp_dir();
    std::string out_path = dir + "/stdout", err_path = dir + "/stderr";
    std::string full = "(" + command_line + ") >" + shell_quote(out_path) + " 2>" +
                       shell_quote(err_path) + " </dev/null";
    int status = std::system(full.c_str());
    CommandResult r;
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    auto slurp = [](const std::string& p) {
        std::ifstream in(p, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    };
    r.out = slurp(out_path);
    r.err = slurp(err_path);
    fs::remove_all(dir);
    return r;
}

CommandResult dflab(const std::string& arguments) {
    return run(shell_quote(DFLAB_BINARY) + " " + arguments);
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) out.push_back(line);
    return out;
}

namespace {

// Every folder temp_dir() made, removed when the test process ends, so that test runs do not fill
// the machine's temporary folder. DFLAB_KEEP_TEST_FILES=1 keeps them, to look at after a failure.
class TempFolders {
  public:
    void add(std::string dir) {
        std::lock_guard lock(mutex_);
        dirs_.push_back(std::move(dir));
    }
    ~TempFolders() {
        if (const char* keep = std::getenv("DFLAB_KEEP_TEST_FILES"); keep && *keep == '1') return;
        for (const auto& dir : dirs_) {
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    }

  private:
    std::mutex mutex_;
    std::vector<std::string> dirs_;
};

TempFolders& temp_folders() {
    static TempFolders folders;
    return folders;
}

}  // namespace

std::string temp_dir() {
    std::string tmpl = (fs::temp_directory_path() / "dflab-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    temp_folders().add(tmpl);
    return tmpl;
}

std::string under_faked_clock(const std::string& when) {
    return "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0\" faketime " +
           shell_quote(when) + " ";
}

}  // namespace dflab::test
