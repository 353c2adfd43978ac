#include "portal/portal_labs.hpp"

#include <fstream>
#include <sstream>

#include "common/error.hpp"

namespace dflab::portal {

namespace fs = std::filesystem;
using common::Error;

namespace {

// SHA256SUMS as sha256sum writes it: "HEX  relative/path" per line.
std::map<std::string, std::string> read_checksums(const fs::path& file) {
    std::ifstream in(file);
    if (!in) throw Error(file.string() + ": cannot be read (is this a participant bundle?)");
    std::map<std::string, std::string> sums;
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() < 67 || line.substr(64, 2) != "  ") continue;
        sums[line.substr(66)] = line.substr(0, 64);
    }
    return sums;
}

// `relative` inside `root`, refusing anything that would leave it or is not a regular file.
fs::path inside(const fs::path& root, const std::string& relative, const std::string& what) {
    fs::path rel(relative);
    if (rel.is_absolute() || relative.find("..") != std::string::npos || relative.empty())
        throw Error(what + ": refuses the path '" + relative + "'");
    fs::path full = root / rel;
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(full, ec)))
        throw Error(what + ": " + full.string() + " is not a regular file");
    return full;
}

}  // namespace

PortalLab::PortalLab(const fs::path& record, const fs::path& bundle)
    : record_path_(record), bundle_(bundle) {
    record_ = std::make_unique<scoring::LabRecord>(record);
    lab_ = std::make_unique<scoring::Lab>(*record_, scoring::clock_from_environment());
    id_ = lab_->key().pack;
    const fs::path pack_json = bundle / "pack.json";
    std::ifstream in(pack_json, std::ios::binary);
    if (!in)
        throw Error(pack_json.string() + ": cannot be read (give OUT/participant of a built pack)");
    manifest_ = nlohmann::json::parse(in, nullptr, false);
    if (manifest_.is_discarded() || !manifest_.is_object() ||
        manifest_.value("format", "") != "dflab-pack")
        throw Error(pack_json.string() + ": not a dflab participant bundle (pack.json)");
    if (manifest_.value("id", "") != id_ ||
        manifest_.value("version", "") != lab_->key().pack_version) {
        throw Error(bundle.string() + ": the bundle is pack " + manifest_.value("id", "?") + " " +
                    manifest_.value("version", "?") + ", the lab record " + record.string() +
                    " is pack " + id_ + " " + lab_->key().pack_version);
    }
    const auto sums = read_checksums(bundle / "SHA256SUMS");
    for (const auto& image : manifest_.at("images")) {
        const int variant = image.at("variant").get<int>();
        for (const auto& f : image.at("files")) {
            const std::string rel = f.get<std::string>();
            EvidenceFile e;
            e.image = image.at("id").get<std::string>();
            e.path = inside(bundle, rel, bundle.string());
            e.file = e.path.filename().string();
            e.size = fs::file_size(e.path);
            auto sum = sums.find(rel);
            if (sum == sums.end())
                throw Error((bundle / "SHA256SUMS").string() + ": lists no checksum for " + rel);
            e.sha256 = sum->second;
            evidence_[variant].push_back(std::move(e));
        }
    }
    read_hints();
    visible_ = record_->setting("scoreboard_visible").value_or("0") == "1";
    frozen_ = record_->setting("scoreboard_frozen").value_or("");
}

bool PortalLab::scoreboard_visible() const {
    std::lock_guard guard(settings_mutex_);
    return visible_;
}

std::string PortalLab::scoreboard_frozen() const {
    std::lock_guard guard(settings_mutex_);
    return frozen_;
}

void PortalLab::set_scoreboard(bool visible, const std::string& frozen, const std::string& time,
                               const std::string& who) {
    {
        common::Transaction transaction(record_->database());
        record_->set_setting("scoreboard_visible", visible ? "1" : "0");
        record_->set_setting("scoreboard_frozen", frozen);
        record_->append_audit(time, "scoreboard", who, {{"visible", visible}, {"frozen", frozen}});
        transaction.commit();
    }
    std::lock_guard guard(settings_mutex_);
    visible_ = visible;
    frozen_ = frozen;
    changed();
}

std::shared_ptr<const std::vector<scoring::Standing>> PortalLab::standings_cached() {
    const std::string until = scoreboard_frozen();
    auto lock_record = lock();
    std::lock_guard guard(settings_mutex_);
    if (!standings_ || standings_version_ != version_) {
        standings_ = std::make_shared<const std::vector<scoring::Standing>>(lab_->standings(until));
        standings_version_ = version_;
    }
    return standings_;
}

void PortalLab::read_hints() {
    hints_.clear();
    rubrics_.clear();
    const auto key = nlohmann::json::parse(record_->info().answer_key);
    for (const auto& q : key.at("questions")) {
        const std::string qid = q.at("id").get<std::string>();
        auto& texts = hints_[qid];
        for (const auto& h : q.value("hints", nlohmann::json::array()))
            texts.push_back(h.value("text", nlohmann::json::object()));
        rubrics_[qid] = q.value("rubric", nlohmann::json::object());
    }
}

void PortalLab::reload_key() {
    lab_ = std::make_unique<scoring::Lab>(*record_, scoring::clock_from_environment());
    read_hints();
    changed();
}

std::vector<EvidenceFile> PortalLab::evidence(int variant) const {
    auto it = evidence_.find(variant);
    return it == evidence_.end() ? std::vector<EvidenceFile>{} : it->second;
}

const std::vector<nlohmann::json>& PortalLab::hint_texts(const std::string& question) const {
    static const std::vector<nlohmann::json> none;
    auto it = hints_.find(question);
    return it == hints_.end() ? none : it->second;
}

nlohmann::json PortalLab::rubric(const std::string& question) const {
    auto it = rubrics_.find(question);
    return it == rubrics_.end() ? nlohmann::json::object() : it->second;
}

}  // namespace dflab::portal
