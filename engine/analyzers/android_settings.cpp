// The Android settings analyzer: every packages.xml and WifiConfigStore.xml, recognised by its
// root element whatever its name (engine/android_settings.hpp), gives one artifact per installed
// app or saved network; a damaged one, or one in Android Binary XML, is one `unreadable`
// artifact of that file.
#include "engine/android_settings.hpp"
#include "engine/analyzers/artifact_analyzer.hpp"
#include "engine/analyzers/registry.hpp"

namespace dflab::engine {

namespace {

class AndroidSettingsInstance : public AnalyzerInstance {
  public:
    explicit AndroidSettingsInstance(const FileSystem& fs) : fs_(fs) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        if (!android_settings_file(c.data)) return nullptr;
        return read_artifact_file(fs_, c, kMaxAndroidSettingsBytes, "phone settings file",
                                  "(phone settings)",
                                  [](std::vector<std::byte> bytes, const std::string& path) {
                                      return read_android_settings(bytes, path);
                                  });
    }

  private:
    const FileSystem& fs_;
};

}  // namespace

AnalyzerRegistration android_settings_registration() {
    return artifact_analyzer_registration(
        "android_settings",
        "Android settings files (packages.xml, WifiConfigStore.xml, by their root element): every "
        "installed app with its install time and every saved Wi-Fi network",
        ContentNeed::Head, [](const FileSystem& fs) -> std::unique_ptr<AnalyzerInstance> {
            return std::make_unique<AndroidSettingsInstance>(fs);
        });
}

}  // namespace dflab::engine
