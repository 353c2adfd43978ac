#pragma once
// A private temporary folder, removed with everything in it when the object goes away.
#include <filesystem>
#include <string>

namespace dflab::images {

class TempFolder {
  public:
    // Creates PARENT/PREFIX-XXXXXX (PARENT: the system's temporary folder when empty); throws
    // dflab::engine::Error naming the parent when it cannot.
    explicit TempFolder(const std::string& prefix, const std::filesystem::path& parent = {});
    ~TempFolder();
    TempFolder(const TempFolder&) = delete;
    TempFolder& operator=(const TempFolder&) = delete;
    const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace dflab::images
