#pragma once
// What every fuzzing harness shares (docs/reliability.md): the input written to a file, since
// dflab's readers take paths as users give them, and the rule for what counts as handled.
//
// Handled cleanly: returning, or throwing dflab's own one-line errors (common::Error and
// common::SourceError), which the dflab command prints as "dflab: MESSAGE". Anything else that
// escapes a harness (std::out_of_range, a JSON library exception, std::bad_alloc), like a crash,
// a leak, a hang or an allocation over libFuzzer's limit, is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "common/error.hpp"
#include "common/source_error.hpp"

namespace dflab::fuzz {

// A folder of this process's own under the temporary folder (/dev/shm when it exists: the input
// is rewritten for every run), removed at exit.
class InputFolder {
  public:
    InputFolder() {
        std::error_code ec;
        const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                               ? "/dev/shm"
                                               : std::filesystem::temp_directory_path();
        path_ = base / ("dflab-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path_);
    }
    ~InputFolder() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    InputFolder(const InputFolder&) = delete;
    InputFolder& operator=(const InputFolder&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // Writes `data` as the file `name` in the folder (replacing it) and returns its path.
    std::filesystem::path write(std::string_view name, std::span<const uint8_t> data) const {
        const std::filesystem::path file = path_ / name;
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data.data()),
                  static_cast<std::streamsize>(data.size()));
        if (!out.flush()) throw std::runtime_error("fuzz: cannot write " + file.string());
        return file;
    }

    static const InputFolder& get() {
        static const InputFolder folder;
        return folder;
    }

  private:
    std::filesystem::path path_;
};

// Runs `body`; dflab's own errors are the clean way to refuse an input.
inline void handled(const std::function<void()>& body) {
    try {
        body();
    } catch (const common::Error&) {
    } catch (const common::SourceError&) {
    }
}

}  // namespace dflab::fuzz
