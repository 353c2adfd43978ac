#pragma once
// A private temporary folder, removed with everything in it when the object goes away. The folders
// that exist are known (without_temporary_paths), so that no message shows one.
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

// `text` with the paths of every temporary folder that exists now taken out, for messages that
// carry a tool's words: "/tmp/dflab-fat-Ab12Cd/content" becomes "content" and the folder itself
// "a temporary folder". The person reading the message never saw those folders.
std::string without_temporary_paths(std::string text);

}  // namespace dflab::images
