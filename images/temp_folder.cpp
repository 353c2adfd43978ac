#include "images/temp_folder.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>

#include "engine/error.hpp"

namespace dflab::images {

namespace fs = std::filesystem;

namespace {

struct LiveFolders {
    std::mutex mutex;
    std::set<std::string, std::greater<>> paths;  // longest first where one holds another
};

LiveFolders& live_folders() {
    static LiveFolders folders;
    return folders;
}

}  // namespace

std::string without_temporary_paths(std::string text) {
    auto& live = live_folders();
    std::lock_guard lock(live.mutex);
    for (const auto& folder : live.paths) {
        for (const auto& [from, to] : {std::pair{folder + "/", std::string()},
                                       std::pair{folder, std::string("a temporary folder")}}) {
            for (size_t at = text.find(from); at != std::string::npos;
                 at = text.find(from, at + to.size()))
                text.replace(at, from.size(), to);
        }
    }
    return text;
}

TempFolder::TempFolder(const std::string& prefix, const fs::path& parent) {
    const fs::path where = parent.empty() ? fs::temp_directory_path() : parent;
    std::string tmpl = (where / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) {
        throw engine::Error(where.string() +
                            ": cannot create a temporary folder: " + std::strerror(errno));
    }
    path_ = tmpl;
    auto& live = live_folders();
    std::lock_guard lock(live.mutex);
    live.paths.insert(path_.string());
}

TempFolder::~TempFolder() {
    {
        auto& live = live_folders();
        std::lock_guard lock(live.mutex);
        live.paths.erase(path_.string());
    }
    std::error_code ec;
    fs::remove_all(path_, ec);
}

}  // namespace dflab::images
