#include "images/temp_folder.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "engine/error.hpp"

namespace dflab::images {

namespace fs = std::filesystem;

TempFolder::TempFolder(const std::string& prefix, const fs::path& parent) {
    const fs::path where = parent.empty() ? fs::temp_directory_path() : parent;
    std::string tmpl = (where / (prefix + "-XXXXXX")).string();
    if (!::mkdtemp(tmpl.data())) {
        throw engine::Error(where.string() +
                            ": cannot create a temporary folder: " + std::strerror(errno));
    }
    path_ = tmpl;
}

TempFolder::~TempFolder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

}  // namespace dflab::images
