#pragma once
// The labs a portal serves: each a lab record (the only store) with the participant bundle of
// its pack. The record's SQLite connection is used by one request at a time (lock()), so that
// attempts are counted in the same transaction that stores them; the bundle is read once at
// start (pack.json, SHA256SUMS), and evidence is served only from the files it lists.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scoring/lab_grading.hpp"
#include "scoring/lab_record.hpp"

namespace dflab::portal {

struct EvidenceFile {
    std::string image;   // the image's id in the pack
    std::string file;    // its file name, as participants see and request it
    std::string sha256;  // from the bundle's SHA256SUMS
    std::filesystem::path path;
    uint64_t size = 0;
};

class PortalLab {
  public:
    // Throws common::Error naming the record or bundle when they do not fit together.
    PortalLab(const std::filesystem::path& record, const std::filesystem::path& bundle);

    const std::string& id() const { return id_; }                 // the pack id
    const nlohmann::json& manifest() const { return manifest_; }  // the bundle's pack.json
    const std::filesystem::path& record_path() const { return record_path_; }

    // Hold this lock while using record() and lab().
    std::unique_lock<std::mutex> lock() { return std::unique_lock(mutex_); }
    scoring::LabRecord& record() { return *record_; }
    scoring::Lab& lab() { return *lab_; }
    // Reads the key again from the record (after a regrade).
    void reload_key();

    // The evidence files of `variant` (none for a variant the bundle lacks).
    std::vector<EvidenceFile> evidence(int variant) const;
    // The question's hint texts per language, in order, from the stored answer key.
    const std::vector<nlohmann::json>& hint_texts(const std::string& question) const;
    // The free-text rubric of a question, per language ({} when none).
    nlohmann::json rubric(const std::string& question) const;

    // The scoreboard's settings (cached from the record's settings table). set_scoreboard writes
    // them to the record: hold lock() while calling it.
    bool scoreboard_visible() const;
    std::string scoreboard_frozen() const;  // "" or the ISO time it was frozen at
    void set_scoreboard(bool visible, const std::string& frozen, const std::string& time,
                        const std::string& who);
    // The ranked standings as of the freeze (or now), computed once per version.
    std::shared_ptr<const std::vector<scoring::Standing>> standings_cached();

    // Bumped after every stored change; readers cache by it.
    uint64_t version() const { return version_; }
    void changed() { ++version_; }

  private:
    void read_hints();

    std::string id_;
    std::filesystem::path record_path_, bundle_;
    std::mutex mutex_;
    std::unique_ptr<scoring::LabRecord> record_;
    std::unique_ptr<scoring::Lab> lab_;
    nlohmann::json manifest_;
    std::map<int, std::vector<EvidenceFile>> evidence_;
    std::map<std::string, std::vector<nlohmann::json>> hints_;
    std::map<std::string, nlohmann::json> rubrics_;
    std::atomic<uint64_t> version_ = 1;
    mutable std::mutex settings_mutex_;
    bool visible_ = false;
    std::string frozen_;
    std::shared_ptr<const std::vector<scoring::Standing>> standings_;
    uint64_t standings_version_ = 0;
};

}  // namespace dflab::portal
