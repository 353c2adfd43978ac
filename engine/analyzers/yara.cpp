#include "engine/analyzers/yara.hpp"

#include <nlohmann/json.hpp>

#include "engine/analyzers/file_type.hpp"
#include "engine/analyzers/registry.hpp"

namespace dflab::engine {

namespace {

class YaraInstance : public AnalyzerInstance {
  public:
    YaraInstance(const YaraRules& rules, int timeout) : scanner_(rules, timeout) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        const auto* type = c.find<FileTypeFindings>();
        YaraTarget t{c.entry.name, c.entry.path, c.entry.extension(), type ? type->mime : "",
                     c.entry.owner};
        auto f = std::make_unique<YaraFindings>();
        f->matches = scanner_.scan(c.data, t);
        if (f->matches.empty()) return nullptr;
        return f;
    }

    std::unique_ptr<Findings> scan_region(std::span<const std::byte> data,
                                          const Region& r) override {
        auto f = std::make_unique<YaraFindings>();
        for (auto& m : scanner_.scan(data, YaraTarget{}, r.start)) {
            const bool had_strings = !m.strings.empty();
            std::erase_if(m.strings,
                          [&](const YaraStringMatch& sm) { return sm.offset >= r.report_end; });
            if (had_strings && m.strings.empty()) continue;  // the next window reports it
            if (!had_strings && !r.first) continue;          // a condition-only rule: once
            const uint64_t at = had_strings ? m.strings.front().offset : r.start;
            f->places.push_back({r.image_offset(at), r.block_of(at)});
            for (auto& sm : m.strings) sm.offset = r.image_offset(sm.offset);
            f->matches.push_back(std::move(m));
        }
        if (f->matches.empty()) return nullptr;
        return f;
    }

  private:
    YaraScanner scanner_;
};

class YaraWriter : public FindingsWriter {
  public:
    YaraWriter(Database& db, int64_t image_id, int partition)
        : db_(db),
          image_id_(image_id),
          partition_(partition),
          match_insert_(db.prepare(
              "INSERT INTO yara_matches(image_id, partition, file_id, rule, namespace, tags, "
              "meta, image_offset, block, string_matches) VALUES (?,?,?,?,?,?,?,?,?,?)")),
          string_insert_(db.prepare(
              "INSERT INTO yara_strings(match_id, identifier, offset, length) VALUES (?,?,?,?)")) {}

    void write(std::optional<int64_t> file_id, const Findings& findings) override {
        const auto& f = dynamic_cast<const YaraFindings&>(findings);
        for (size_t i = 0; i < f.matches.size(); ++i) {
            const YaraMatch& m = f.matches[i];
            std::optional<int64_t> offset, block;
            if (i < f.places.size()) {
                offset = static_cast<int64_t>(f.places[i].image_offset);
                block = static_cast<int64_t>(f.places[i].block);
            }
            std::string tags;
            for (const auto& t : m.tags) tags += (tags.empty() ? "" : " ") + t;
            nlohmann::json meta = nlohmann::json::object();
            for (const auto& [k, v] : m.meta) meta[k] = v;
            match_insert_.bind(1, image_id_)
                .bind(2, static_cast<int64_t>(partition_))
                .bind(3, file_id)
                .bind(4, std::string_view(m.rule))
                .bind(5, std::string_view(m.rule_namespace))
                .bind(6, std::string_view(tags))
                .bind(7, meta.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                .bind(8, offset)
                .bind(9, block)
                .bind(10, static_cast<int64_t>(m.string_matches));
            match_insert_.run();
            const int64_t match_id = db_.last_insert_id();
            for (const auto& s : m.strings) {
                string_insert_.bind(1, match_id)
                    .bind(2, std::string_view(s.identifier))
                    .bind(3, static_cast<int64_t>(s.offset))
                    .bind(4, static_cast<int64_t>(s.length));
                string_insert_.run();
            }
        }
    }

  private:
    Database& db_;
    int64_t image_id_;
    int partition_;
    Statement match_insert_, string_insert_;
};

class YaraAnalyzer : public Analyzer {
  public:
    YaraAnalyzer(const YaraRules& rules, int timeout) : rules_(rules), timeout_(timeout) {}
    std::string_view name() const override { return "yara"; }
    ContentNeed need() const override { return ContentNeed::Whole; }
    bool scans_unallocated() const override { return true; }
    std::unique_ptr<AnalyzerInstance> instance(const FileSystem&) const override {
        return std::make_unique<YaraInstance>(rules_, timeout_);
    }
    std::unique_ptr<FindingsWriter> writer(Database& db, int64_t image_id,
                                           int partition) const override {
        return std::make_unique<YaraWriter>(db, image_id, partition);
    }

  private:
    const YaraRules& rules_;
    int timeout_;
};

}  // namespace

AnalyzerRegistration yara_registration() {
    return {
        .name = "yara",
        .summary = "YARA rules over each file's whole content and over unallocated space",
        .columns = {},
        .tables_sql = R"sql(
CREATE TABLE yara_matches (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES images(id),
    partition INTEGER NOT NULL,
    file_id   INTEGER REFERENCES files(id),  -- NULL for unallocated space
    rule      TEXT NOT NULL,
    namespace TEXT NOT NULL,
    tags      TEXT NOT NULL,             -- space-separated
    meta      TEXT NOT NULL,             -- JSON object
    string_matches INTEGER NOT NULL,     -- all string matches; yara_strings keeps the first 100 of each string
    image_offset INTEGER,                -- unallocated space: image byte offset of the first match
    block     INTEGER                    -- unallocated space: file system block
);
CREATE TABLE yara_strings (
    match_id   INTEGER NOT NULL REFERENCES yara_matches(id),
    identifier TEXT NOT NULL,
    offset     INTEGER NOT NULL,         -- in the file, or the image byte offset in unallocated space
    length     INTEGER NOT NULL
);
)sql",
        .indexes_sql =
            "CREATE INDEX yara_matches_file ON yara_matches(file_id);\n"
            "CREATE INDEX yara_strings_match ON yara_strings(match_id);\n",
        .counts = {{"yara_matches", "YARA matches", "SELECT count(*) FROM yara_matches"}},
        .make = [](const AnalysisConfig& c) -> std::unique_ptr<Analyzer> {
            if (!c.rules) return nullptr;
            return std::make_unique<YaraAnalyzer>(*c.rules, c.yara_timeout);
        },
    };
}

}  // namespace dflab::engine
