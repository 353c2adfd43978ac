#include "engine/scan.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/content.hpp"
#include "engine/error.hpp"
#include "engine/file_type.hpp"
#include "engine/supervisor.hpp"
#include "engine/unallocated.hpp"

namespace dflab::engine {

namespace {

constexpr size_t kReadChunk = 1 << 20;
constexpr size_t kKeywordChunk = 8 << 20;

// Holds one item's content contiguously: in memory up to a limit, beyond it in an unlinked
// temporary file mapped into memory (the kernel pages it; resident memory stays bounded).
class ContentBuffer {
  public:
    explicit ContentBuffer(uint64_t memory_limit) : memory_limit_(memory_limit) {}
    ~ContentBuffer() { release_mapping(); }
    ContentBuffer(const ContentBuffer&) = delete;
    ContentBuffer& operator=(const ContentBuffer&) = delete;

    // Fills the buffer from `reader`, feeding each chunk to `hasher` and its size to `progress`
    // on the way. Throws Error when the content ends before its recorded size.
    std::span<const std::byte> load(ContentReader& reader, Hasher* hasher, bool keep,
                                    const std::function<void(size_t)>& progress) {
        auto data = fill(reader, hasher, keep, progress);
        if (loaded_ < reader.size()) {
            throw Error("content ended after " + std::to_string(loaded_) + " of " +
                        std::to_string(reader.size()) + " bytes");
        }
        return data;
    }

  private:
    std::span<const std::byte> fill(ContentReader& reader, Hasher* hasher, bool keep,
                                    const std::function<void(size_t)>& progress) {
        loaded_ = 0;
        release_mapping();
        const uint64_t size = reader.size();
        if (!keep || size <= memory_limit_) {
            if (keep)
                memory_.resize(static_cast<size_t>(size));
            else
                memory_.resize(std::min<uint64_t>(size, kReadChunk));
            uint64_t offset = 0;
            while (offset < size) {
                std::span<std::byte> dst =
                    keep ? std::span(memory_).subspan(static_cast<size_t>(offset))
                         : std::span(memory_);
                size_t got =
                    reader.read(offset, dst.first(std::min<size_t>(dst.size(), kReadChunk)));
                if (got == 0) break;
                if (hasher) hasher->update(dst.first(got));
                progress(got);
                if (!keep && offset == 0)
                    head_.assign(dst.begin(),
                                 dst.begin() + static_cast<long>(std::min<size_t>(
                                                   got, FileTypeDetector::kHeadBytes)));
                offset += got;
            }
            loaded_ = offset;
            if (!keep) return head_;
            return std::span<const std::byte>(memory_).first(static_cast<size_t>(offset));
        }
        return spill(reader, hasher, progress);
    }

  private:
    std::span<const std::byte> spill(ContentReader& reader, Hasher* hasher,
                                     const std::function<void(size_t)>& progress) {
        std::string path = (std::filesystem::temp_directory_path() / "dflab-spill-XXXXXX").string();
        int fd = mkstemp(path.data());
        if (fd < 0)
            throw Error(std::string("cannot create temporary file: ") + std::strerror(errno));
        ::unlink(path.c_str());
        std::vector<std::byte> chunk(kReadChunk);
        uint64_t offset = 0;
        const uint64_t size = reader.size();
        while (offset < size) {
            size_t got = reader.read(offset, chunk);
            if (got == 0) break;
            if (hasher) hasher->update(std::span(chunk).first(got));
            progress(got);
            if (::pwrite(fd, chunk.data(), got, static_cast<off_t>(offset)) !=
                static_cast<ssize_t>(got)) {
                ::close(fd);
                throw Error(std::string("cannot write temporary file: ") + std::strerror(errno));
            }
            offset += got;
        }
        loaded_ = offset;
        if (offset == 0) {
            ::close(fd);
            return {};
        }
        void* p = ::mmap(nullptr, offset, PROT_READ, MAP_PRIVATE, fd, 0);
        ::close(fd);
        if (p == MAP_FAILED)
            throw Error(std::string("cannot map temporary file: ") + std::strerror(errno));
        mapping_ = static_cast<std::byte*>(p);
        mapping_size_ = offset;
        ::madvise(p, offset, MADV_SEQUENTIAL);
        return {mapping_, static_cast<size_t>(mapping_size_)};
    }

  public:
    void release() {
        release_mapping();
        std::vector<std::byte>().swap(memory_);
    }

  private:
    void release_mapping() {
        if (mapping_) ::munmap(mapping_, mapping_size_);
        mapping_ = nullptr;
        mapping_size_ = 0;
    }

    uint64_t memory_limit_;
    std::vector<std::byte> memory_;
    std::vector<std::byte> head_;
    std::byte* mapping_ = nullptr;
    uint64_t mapping_size_ = 0;
    uint64_t loaded_ = 0;
};

std::vector<KeywordHit> search_chunked(const KeywordSearcher& searcher,
                                       std::span<const std::byte> data, uint64_t base,
                                       uint64_t report_end) {
    std::vector<KeywordHit> hits;
    const size_t overlap = KeywordSearcher::kMaxMatchBytes;
    for (size_t start = 0; start < data.size(); start += kKeywordChunk) {
        size_t len = std::min(data.size() - start, kKeywordChunk + overlap);
        size_t limit = std::min<size_t>(kKeywordChunk, data.size() - start);
        if (base + start + limit > report_end)
            limit = report_end > base + start ? report_end - base - start : 0;
        auto part = searcher.search(data.subspan(start, len), base + start, limit);
        hits.insert(hits.end(), std::make_move_iterator(part.begin()),
                    std::make_move_iterator(part.end()));
    }
    return hits;
}

bool wants_content(const Entry& e) {
    return e.has_metadata && e.type == "file";
}

struct Shared {
    const Evidence* evidence;
    const Partition* partition;
    const ScanOptions* options;
    std::vector<FileScan>* files;
    const UnallocatedSpace* unallocated;
    const std::vector<Window>* windows;
    std::vector<std::vector<UnallocatedFinding>>* window_findings;
    std::atomic<size_t> next_file{0};
    std::atomic<size_t> next_window{0};
    std::atomic<uint64_t> bytes_done{0};
    uint64_t bytes_total = 0;
    ChildChannel* channel;
    std::mutex failure_mutex;
    std::exception_ptr failure;
    std::mutex problem_mutex;
    std::vector<std::string> problems;
};

class Worker {
  public:
    explicit Worker(Shared& s)
        : s_(s),
          evidence_(s.evidence->reopen()),
          fs_(open_file_system(evidence_, *s.partition)),
          buffer_(s.options->in_memory_limit) {
        if (s.options->file_type) detector_.emplace();
        if (s.options->rules) scanner_.emplace(*s.options->rules);
    }

    void run() {
        for (size_t i; (i = s_.next_file.fetch_add(1)) < s_.files->size();)
            scan_file((*s_.files)[i]);
        buffer_.release();  // the window buffer takes its place: memory stays bounded
        for (size_t i; (i = s_.next_window.fetch_add(1)) < s_.windows->size();) scan_window(i);
    }

  private:
    void report(uint64_t bytes) {
        uint64_t done = s_.bytes_done.fetch_add(bytes) + bytes;
        if (s_.channel) s_.channel->progress(done, s_.bytes_total);
    }

    void scan_file(FileScan& f) {
        if (!wants_content(f.entry)) return;
        f.scanned = true;
        const bool keep = scanner_ || s_.options->keywords;
        std::optional<Hasher> hasher;
        if (s_.options->hashes) hasher.emplace(s_.options->hashes);
        std::span<const std::byte> data;
        uint64_t reported = 0;
        auto progress = [&](size_t n) {
            reported += n;
            report(n);
        };
        try {
            ContentReader reader(fs_.get(), f.entry.address);
            data = buffer_.load(reader, hasher ? &*hasher : nullptr, keep, progress);
        } catch (const Error& e) {
            // Unreadable content is a finding about the file, not a failure of the scan.
            f.error = e.what();
            tsk_error_reset();
            if (reported < f.entry.size) report(f.entry.size - reported);
            return;
        }
        if (reported < f.entry.size) report(f.entry.size - reported);
        if (hasher) f.digests = hasher->finish();
        if (detector_) {
            f.mime = detector_->mime_type(
                data.first(std::min(data.size(), FileTypeDetector::kHeadBytes)));
            f.extension_mismatch = name_extension_mismatch(f.entry.name, f.mime);
        }
        try {
            if (scanner_) {
                YaraTarget t{f.entry.name, f.entry.path, f.entry.extension(), f.mime};
                f.yara = scanner_->scan(data, t);
            }
            if (s_.options->keywords)
                f.hits = search_chunked(*s_.options->keywords, data, 0, UINT64_MAX);
        } catch (const Error& e) {
            f.error = e.what();  // e.g. a YARA timeout on this file; the others go on
        }
    }

    void scan_window(size_t index) {
        const Window& w = (*s_.windows)[index];
        window_.resize(static_cast<size_t>(w.length));
        size_t got = s_.unallocated->read(evidence_, w.start, window_);
        std::span<const std::byte> data(window_.data(), got);
        auto& out = (*s_.window_findings)[index];
        auto locate = [&](uint64_t stream_offset, UnallocatedFinding& f) {
            f.partition = s_.partition->index;
            f.image_offset = s_.unallocated->image_offset(stream_offset);
            f.block = s_.unallocated->block_of(stream_offset);
        };
        std::vector<YaraMatch> matches;
        if (scanner_) {
            try {
                matches = scanner_->scan(data, YaraTarget{}, w.start);
            } catch (const Error& e) {
                std::lock_guard lock(s_.problem_mutex);
                s_.problems.push_back("unallocated space at image offset " +
                                      std::to_string(s_.unallocated->image_offset(w.start)) + ": " +
                                      e.what());
            }
            for (auto& m : matches) {
                const bool had_strings = !m.strings.empty();
                std::erase_if(m.strings,
                              [&](const YaraStringMatch& sm) { return sm.offset >= w.report_end; });
                if (had_strings && m.strings.empty()) continue;  // the next window reports it
                if (!had_strings && index != 0) continue;        // a condition-only rule: once
                UnallocatedFinding f;
                locate(had_strings ? m.strings.front().offset : w.start, f);
                for (auto& sm : m.strings) sm.offset = s_.unallocated->image_offset(sm.offset);
                f.yara = std::move(m);
                out.push_back(std::move(f));
            }
        }
        if (s_.options->keywords) {
            for (auto& h : search_chunked(*s_.options->keywords, data, w.start, w.report_end)) {
                UnallocatedFinding f;
                locate(h.offset, f);
                h.offset = f.image_offset;
                f.hit = std::move(h);
                out.push_back(std::move(f));
            }
        }
        report(w.report_end - w.start);
    }

    Shared& s_;
    Evidence evidence_;
    TskFileSystem fs_;
    ContentBuffer buffer_;
    std::optional<FileTypeDetector> detector_;
    std::optional<YaraScanner> scanner_;
    std::vector<std::byte> window_;
};

unsigned worker_count(unsigned requested) {
    if (requested) return requested;
    unsigned n = std::thread::hardware_concurrency();
    return n ? n : 2;
}

}  // namespace

void scan_partition(const Evidence& evidence, const Partition& partition,
                    const ScanOptions& options, ScanSink& sink, ChildChannel* channel) {
    auto fs = open_file_system(evidence, partition);
    std::vector<FileScan> files;
    WalkOptions walk;
    walk.include_allocated = options.allocated;
    walk.include_deleted = options.deleted;
    walk.start_path = options.start_path;
    auto add = [&](Entry&& e) {
        FileScan f;
        f.entry = std::move(e);
        files.push_back(std::move(f));
        if (channel) channel->heartbeat();
    };
    std::optional<Entry> single;
    if (options.start_path != "/" && !options.start_path.empty()) {
        single = find_by_path(fs.get(), evidence, partition, options.start_path);
        if (single->type == "directory") single.reset();
    }
    if (single)
        add(std::move(*single));  // one file, not a folder
    else
        walk_entries(fs.get(), evidence, partition, walk, add);

    std::optional<UnallocatedSpace> unallocated;
    std::vector<Window> windows;
    if (options.unallocated && (options.rules || options.keywords)) {
        unallocated = UnallocatedSpace::map(fs.get());
        windows = make_windows(unallocated->size(), options.window, options.overlap);
        sink.unallocated({partition.index, unallocated->block_count(), unallocated->block_size()});
    }
    std::vector<std::vector<UnallocatedFinding>> window_findings(windows.size());

    Shared shared;
    shared.evidence = &evidence;
    shared.partition = &partition;
    shared.options = &options;
    shared.files = &files;
    shared.unallocated = unallocated ? &*unallocated : nullptr;
    shared.windows = &windows;
    shared.window_findings = &window_findings;
    shared.channel = channel;
    for (const auto& f : files) {
        if (wants_content(f.entry)) shared.bytes_total += f.entry.size;
    }
    if (unallocated) shared.bytes_total += unallocated->size();

    const unsigned n = worker_count(options.workers);
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < n; ++i) {
        threads.emplace_back([&shared] {
            try {
                Worker(shared).run();
            } catch (...) {
                std::lock_guard lock(shared.failure_mutex);
                if (!shared.failure) shared.failure = std::current_exception();
                shared.next_file = SIZE_MAX / 2;
                shared.next_window = SIZE_MAX / 2;
            }
        });
    }
    for (auto& t : threads) t.join();
    if (shared.failure) std::rethrow_exception(shared.failure);

    for (auto& f : files) sink.file(std::move(f));
    for (auto& findings : window_findings) {
        for (auto& f : findings) sink.unallocated_finding(std::move(f));
    }
    std::sort(shared.problems.begin(), shared.problems.end());
    for (const auto& p : shared.problems) sink.problem(partition.index, p);
}

}  // namespace dflab::engine
