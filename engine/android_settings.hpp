#pragma once
// Reading an Android phone's settings files from memory: the package manager's packages.xml
// (/data/system/packages.xml: every installed app with its install and update times) and the
// Wi-Fi store's WifiConfigStore.xml (/data/misc/wifi/, /data/misc/apexdata/com.android.wifi/:
// every saved network). Both are XML as Android writes them up to Android 11; a file is
// recognised by its root element (`packages`, `WifiConfigStoreData`), not by its name. Parsed with
// libxml2, with no network, no document type and libxml2's own depth limit: a file that declares
// a DOCTYPE (the way to entity bombs and external entities) is refused. Android 12 and later
// write these files as Android Binary XML (ABX), which is recognised and reported as not read.
// The artifacts are `installed_app` and `wifi_network` (docs/artifacts.md).
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/artifact.hpp"

namespace dflab::engine {

// The largest settings file read (a phone with a thousand apps has a packages.xml of a few MiB).
inline constexpr uint64_t kMaxAndroidSettingsBytes = 32ull * 1024 * 1024;

// Whether `head` (the first bytes of a file) is one of the settings files above, as XML or as ABX.
bool android_settings_file(std::span<const std::byte> head);

// The artifacts of the settings file in `bytes`, in document order. Throws Error naming `name`
// when it is not well-formed XML, declares a document type, is ABX, or is not a settings file.
std::vector<Artifact> read_android_settings(std::span<const std::byte> bytes,
                                            const std::string& name);

}  // namespace dflab::engine
