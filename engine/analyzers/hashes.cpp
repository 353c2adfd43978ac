#include "engine/analyzers/hashes.hpp"

#include "engine/analyzers/registry.hpp"

namespace dflab::engine {

namespace {

SqlValue text_or_null(const std::string& s) {
    if (s.empty()) return nullptr;
    return s;
}

class HashInstance : public AnalyzerInstance {
  public:
    explicit HashInstance(unsigned which) : hasher_(which) {}
    void update(std::span<const std::byte> chunk) override { hasher_.update(chunk); }
    void discard() override { hasher_.finish(); }  // finish() starts the hasher afresh
    std::unique_ptr<Findings> finish(const EntryContent&) override {
        auto f = std::make_unique<HashFindings>();
        f->digests = hasher_.finish();
        return f;
    }

  private:
    Hasher hasher_;
};

class HashAnalyzer : public Analyzer {
  public:
    explicit HashAnalyzer(unsigned which) : which_(which) {}
    std::string_view name() const override { return "hashes"; }
    ContentNeed need() const override { return ContentNeed::Stream; }
    std::unique_ptr<AnalyzerInstance> instance(const FileSystem&) const override {
        return std::make_unique<HashInstance>(which_);
    }

  private:
    unsigned which_;
};

}  // namespace

void HashFindings::columns(std::vector<SqlValue>& out) const {
    out.push_back(text_or_null(digests.md5));
    out.push_back(text_or_null(digests.sha1));
    out.push_back(text_or_null(digests.sha256));
}

AnalyzerRegistration hashes_registration() {
    return {
        .name = "hashes",
        .summary = "MD5, SHA-1 and SHA-256 of each file's content (OpenSSL)",
        .columns = {{"md5", "TEXT", "lower-case hex; NULL for entries without content"},
                    {"sha1", "TEXT", "lower-case hex"},
                    {"sha256", "TEXT", "lower-case hex"}},
        .tables_sql = "",
        .indexes_sql =
            "CREATE INDEX files_md5 ON files(md5);\n"
            "CREATE INDEX files_sha256 ON files(sha256);\n",
        .counts = {{"hashed", "Hashed", "SELECT count(*) FROM files WHERE sha256 IS NOT NULL"}},
        .make = [](const AnalysisConfig& c) -> std::unique_ptr<Analyzer> {
            if (!c.hashes) return nullptr;
            return std::make_unique<HashAnalyzer>(c.hashes);
        },
    };
}

}  // namespace dflab::engine
