#include "engine/analyzers/keywords.hpp"

#include <algorithm>
#include <iterator>

#include "engine/analyzers/registry.hpp"

namespace dflab::engine {

namespace {

constexpr size_t kChunk = 8 << 20;

// Searches in chunks that overlap by the longest match, so that memory for the search's own
// state stays bounded on large files; hits at or after `report_end` are left out.
std::vector<KeywordHit> search_chunked(const KeywordSearcher& searcher,
                                       std::span<const std::byte> data, uint64_t base,
                                       uint64_t report_end) {
    std::vector<KeywordHit> hits;
    const size_t overlap = KeywordSearcher::kMaxMatchBytes;
    for (size_t start = 0; start < data.size(); start += kChunk) {
        size_t len = std::min(data.size() - start, kChunk + overlap);
        size_t limit = std::min<size_t>(kChunk, data.size() - start);
        if (base + start + limit > report_end)
            limit = report_end > base + start ? report_end - base - start : 0;
        auto part = searcher.search(data.subspan(start, len), base + start, limit);
        hits.insert(hits.end(), std::make_move_iterator(part.begin()),
                    std::make_move_iterator(part.end()));
    }
    return hits;
}

class KeywordInstance : public AnalyzerInstance {
  public:
    explicit KeywordInstance(const KeywordSearcher& s) : searcher_(s) {}

    std::unique_ptr<Findings> finish(const EntryContent& c) override {
        auto f = std::make_unique<KeywordFindings>();
        f->hits = search_chunked(searcher_, c.data, 0, UINT64_MAX);
        if (f->hits.empty()) return nullptr;
        return f;
    }

    std::unique_ptr<Findings> scan_region(std::span<const std::byte> data,
                                          const Region& r) override {
        auto f = std::make_unique<KeywordFindings>();
        f->hits = search_chunked(searcher_, data, r.start, r.report_end);
        if (f->hits.empty()) return nullptr;
        for (auto& h : f->hits) {
            f->blocks.push_back(r.block_of(h.offset));
            h.offset = r.image_offset(h.offset);
        }
        return f;
    }

  private:
    const KeywordSearcher& searcher_;
};

class KeywordWriter : public FindingsWriter {
  public:
    KeywordWriter(Database& db, int64_t image_id, int partition, const KeywordSearcher& s)
        : image_id_(image_id),
          partition_(partition),
          searcher_(s),
          insert_(db.prepare("INSERT INTO keyword_hits(image_id, partition, file_id, term, "
                             "is_regex, offset, length, encoding, text, block) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?)")) {}

    void write(std::optional<int64_t> file_id, const Findings& findings) override {
        const auto& f = dynamic_cast<const KeywordFindings&>(findings);
        for (size_t i = 0; i < f.hits.size(); ++i) {
            const KeywordHit& h = f.hits[i];
            const auto& term = searcher_.terms().at(h.term);
            std::optional<int64_t> block;
            if (i < f.blocks.size()) block = static_cast<int64_t>(f.blocks[i]);
            insert_.bind(1, image_id_)
                .bind(2, static_cast<int64_t>(partition_))
                .bind(3, file_id)
                .bind(4, std::string_view(term.text))
                .bind(5, static_cast<int64_t>(term.regex))
                .bind(6, static_cast<int64_t>(h.offset))
                .bind(7, static_cast<int64_t>(h.length))
                .bind(8, std::string_view(h.encoding))
                .bind(9, std::string_view(h.text))
                .bind(10, block);
            insert_.run();
        }
    }

  private:
    int64_t image_id_;
    int partition_;
    const KeywordSearcher& searcher_;
    Statement insert_;
};

class KeywordAnalyzer : public Analyzer {
  public:
    explicit KeywordAnalyzer(const KeywordSearcher& s) : searcher_(s) {}
    std::string_view name() const override { return "keywords"; }
    ContentNeed need() const override { return ContentNeed::Whole; }
    bool scans_unallocated() const override { return true; }
    std::unique_ptr<AnalyzerInstance> instance(const FileSystem&) const override {
        return std::make_unique<KeywordInstance>(searcher_);
    }
    std::unique_ptr<FindingsWriter> writer(Database& db, int64_t image_id,
                                           int partition) const override {
        return std::make_unique<KeywordWriter>(db, image_id, partition, searcher_);
    }

  private:
    const KeywordSearcher& searcher_;
};

}  // namespace

AnalyzerRegistration keywords_registration() {
    return {
        .name = "keywords",
        .summary = "keywords and regular expressions in UTF-8 and UTF-16LE, case-folded",
        .columns = {},
        .tables_sql = R"sql(
CREATE TABLE keyword_hits (
    id        INTEGER PRIMARY KEY,
    image_id  INTEGER NOT NULL REFERENCES images(id),
    partition INTEGER NOT NULL,
    file_id   INTEGER REFERENCES files(id),  -- NULL for unallocated space
    term      TEXT NOT NULL,
    is_regex  INTEGER NOT NULL,
    offset    INTEGER NOT NULL,          -- in the file, or the image byte offset in unallocated space
    length    INTEGER NOT NULL,
    encoding  TEXT NOT NULL,             -- utf-8 or utf-16le
    text      TEXT NOT NULL,
    block     INTEGER                    -- unallocated space: file system block
);
)sql",
        .indexes_sql = "CREATE INDEX keyword_hits_file ON keyword_hits(file_id);\n",
        .counts = {{"keyword_hits", "Keyword hits", "SELECT count(*) FROM keyword_hits"}},
        .make = [](const AnalysisConfig& c) -> std::unique_ptr<Analyzer> {
            if (!c.keywords) return nullptr;
            return std::make_unique<KeywordAnalyzer>(*c.keywords);
        },
    };
}

}  // namespace dflab::engine
