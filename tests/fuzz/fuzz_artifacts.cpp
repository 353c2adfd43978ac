// Fuzzing harness: the artifact decoders (docs/artifacts.md), which read what a suspect's disk
// holds: registry hives (libregf), shell links (liblnk), event logs (libevtx), prefetch files
// (libscca), Recycle Bin records, Zone.Identifier streams, browser histories (SQLite), photos'
// Exif (libexif), a phone's databases (SQLite), their deleted rows (SQLite's file format) and
// settings files (libxml2). The first byte chooses
// the decoder; the rest is the file's content. A decoder turns damage into an `unreadable` artifact
// or an Error, never anything else.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/analyzers/browser_history.hpp"
#include "engine/analyzers/exif.hpp"
#include "engine/analyzers/prefetch.hpp"
#include "engine/analyzers/recycle_bin.hpp"
#include "engine/analyzers/shell_links.hpp"
#include "engine/analyzers/zone_identifier.hpp"
#include "engine/android_databases.hpp"
#include "engine/android_settings.hpp"
#include "engine/event_log_file.hpp"
#include "engine/exif_reader.hpp"
#include "engine/registry_artifacts.hpp"
#include "engine/sqlite_free_records.hpp"
#include "tests/fuzz/fuzz_input.hpp"

namespace {

using Bytes = std::span<const std::byte>;
using Decoder = void (*)(Bytes);

const Decoder kDecoders[] = {
    [](Bytes b) {
        (void)dflab::engine::read_registry_artifacts({b.begin(), b.end()}, "NTUSER.DAT");
    },
    [](Bytes b) { (void)dflab::engine::read_shell_link_artifacts(b, "a.lnk"); },
    [](Bytes b) { (void)dflab::engine::read_event_log(b, "Security.evtx"); },
    [](Bytes b) { (void)dflab::engine::read_prefetch_artifacts(b, "CMD.EXE-4A81B364.pf"); },
    [](Bytes b) {
        (void)dflab::engine::read_recycle_bin_artifacts(
            b, "/$Recycle.Bin/S-1-5-21-1-2-3-1001/$IAB12CD.docx");
    },
    [](Bytes b) {
        (void)dflab::engine::read_zone_identifier_artifacts(b, "a.exe:Zone.Identifier");
    },
    [](Bytes b) {
        std::vector<std::byte> copy(b.begin(), b.end());  // SQLite reads the buffer it is given
        (void)dflab::engine::read_browser_history_artifacts(copy, "History");
    },
    [](Bytes b) {
        if (const auto block = dflab::engine::find_exif_block(b))
            (void)dflab::engine::read_exif_artifacts(*block, "IMG_0001.jpg");
    },
    [](Bytes b) {
        std::vector<std::byte> copy(b.begin(), b.end());
        (void)dflab::engine::read_android_artifacts(copy, "mmssms.db");
    },
    [](Bytes b) {
        if (dflab::engine::android_settings_file(b))
            (void)dflab::engine::read_android_settings(b, "packages.xml");
    },
    [](Bytes b) {
        std::vector<std::byte> copy(b.begin(), b.end());
        (void)dflab::engine::read_sqlite_free_records(copy, "msgstore.db");
    },
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const Decoder decode = kDecoders[data[0] % std::size(kDecoders)];
    const Bytes content(reinterpret_cast<const std::byte*>(data + 1), size - 1);
    dflab::fuzz::handled([&] { decode(content); });
    return 0;
}
