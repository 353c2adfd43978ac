#include "engine/scan.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "engine/content.hpp"
#include "engine/content_buffer.hpp"
#include "engine/error.hpp"
#include "engine/file_type.hpp"
#include "engine/supervisor.hpp"
#include "engine/tsk_access.hpp"
#include "engine/unallocated.hpp"

namespace dflab::engine {

namespace {

bool wants_content(const Entry& e) {
    return e.has_metadata && e.type == "file";
}

// Entries handed between the threads, numbered in walk order.
struct Batch {
    size_t seq = 0;
    std::vector<FileScan> files;
    std::vector<std::string> problems;  // directories the walk could not read, in walk order
};

// What the walking thread, the workers and the delivering thread share.
struct Pipeline {
    const Evidence* evidence = nullptr;
    const Partition* partition = nullptr;
    const ScanOptions* options = nullptr;
    const std::vector<std::unique_ptr<Analyzer>>* analyzers = nullptr;
    const UnallocatedSpace* unallocated = nullptr;
    const std::vector<Window>* windows = nullptr;
    std::vector<std::vector<UnallocatedFinding>>* window_findings = nullptr;
    ChildChannel* channel = nullptr;
    size_t limit = 8;  // batches in flight

    std::mutex mutex;
    std::condition_variable work_ready, batch_done, space_free;
    std::deque<Batch> todo;
    std::map<size_t, Batch> done;
    size_t made = 0, in_flight = 0;
    bool walk_finished = false, stopping = false;
    std::exception_ptr failure;

    std::atomic<size_t> next_window{0};
    std::atomic<uint64_t> bytes_done{0}, bytes_total{0};
    std::mutex problem_mutex;
    std::vector<std::string> window_problems;

    void fail(std::exception_ptr e) {
        std::lock_guard lock(mutex);
        if (!failure) failure = std::move(e);
        stopping = true;
        work_ready.notify_all();
        batch_done.notify_all();
        space_free.notify_all();
    }

    void stop() {
        std::lock_guard lock(mutex);
        stopping = true;
        work_ready.notify_all();
        space_free.notify_all();
    }

    void report(uint64_t bytes) {
        const uint64_t done_now = bytes_done.fetch_add(bytes) + bytes;
        if (channel) channel->progress(done_now, bytes_total.load());
    }
};

// Walks the file system on its own handle and hands the entries on in batches, waiting while
// `limit` batches are in flight.
void walk(Pipeline& p) {
    const ScanOptions& o = *p.options;
    Evidence evidence = p.evidence->reopen();
    const FileSystem fs(evidence, *p.partition);
    Batch current;
    auto hand_on = [&] {
        std::unique_lock lock(p.mutex);
        p.space_free.wait(lock, [&] { return p.in_flight < p.limit || p.stopping; });
        if (p.stopping) throw Error("scan stopped");
        current.seq = p.made++;
        ++p.in_flight;
        p.todo.push_back(std::move(current));
        current = Batch{};
        p.work_ready.notify_one();
    };
    auto add = [&](Entry&& e) {
        if (wants_content(e)) p.bytes_total.fetch_add(e.size);
        FileScan f;
        f.entry = std::move(e);
        current.files.push_back(std::move(f));
        if (p.channel) p.channel->heartbeat();
        if (current.files.size() >= o.batch) hand_on();
    };
    std::optional<Entry> single;
    if (o.start_path != "/" && !o.start_path.empty()) {
        single = fs.find(o.start_path);
        if (single->type == "directory") single.reset();
    }
    if (single) {
        add(std::move(*single));  // one file, not a folder
    } else {
        WalkOptions w;
        w.include_allocated = o.allocated;
        w.include_deleted = o.deleted;
        w.start_path = o.start_path;
        // A directory that cannot be read costs that directory: it is reported in walk order,
        // after the entries before it, and the walk goes on.
        fs.walk(w, add, [&](const WalkError& e) {
            current.problems.push_back(format_walk_error(evidence.name(), e));
        });
    }
    if (!current.files.empty() || !current.problems.empty()) hand_on();
    std::lock_guard lock(p.mutex);
    p.walk_finished = true;
    p.work_ready.notify_all();
    p.batch_done.notify_all();
}

class Worker {
  public:
    explicit Worker(Pipeline& p)
        : p_(p),
          evidence_(p.evidence->reopen()),
          fs_(evidence_, *p.partition),
          buffer_(p.options->in_memory_limit, FileTypeDetector::kHeadBytes) {
        for (const auto& a : *p.analyzers) {
            instances_.push_back(a->instance(fs_));
            needs_.push_back(a->need());
        }
        reads_ = std::any_of(needs_.begin(), needs_.end(),
                             [](ContentNeed n) { return n != ContentNeed::None; });
        keep_whole_ = std::count(needs_.begin(), needs_.end(), ContentNeed::Whole) > 0;
    }

    void run() {
        while (auto batch = next_batch()) {
            for (auto& f : batch->files) scan_file(f);
            std::lock_guard lock(p_.mutex);
            const size_t seq = batch->seq;
            p_.done.emplace(seq, std::move(*batch));
            p_.batch_done.notify_all();
        }
        buffer_.release();  // the window buffer takes its place: memory stays bounded
        for (size_t i; (i = p_.next_window.fetch_add(1)) < p_.windows->size();) {
            {
                std::lock_guard lock(p_.mutex);
                if (p_.stopping) return;
            }
            scan_window(i);
        }
    }

  private:
    std::optional<Batch> next_batch() {
        std::unique_lock lock(p_.mutex);
        p_.work_ready.wait(lock,
                           [&] { return !p_.todo.empty() || p_.walk_finished || p_.stopping; });
        if (p_.stopping || p_.todo.empty()) return std::nullopt;
        Batch b = std::move(p_.todo.front());
        p_.todo.pop_front();
        return b;
    }

    void scan_file(FileScan& f) {
        f.findings.resize(instances_.size());
        const bool content = wants_content(f.entry) && reads_;
        std::span<const std::byte> data;
        if (content) {
            f.scanned = true;
            uint64_t reported = 0;
            auto chunk = [&](std::span<const std::byte> piece) {
                for (size_t i = 0; i < instances_.size(); ++i)
                    if (needs_[i] == ContentNeed::Stream) instances_[i]->update(piece);
                reported += piece.size();
                p_.report(piece.size());
            };
            try {
                ContentReader reader = fs_.content(f.entry.address);
                data = buffer_.load(reader, keep_whole_, chunk);
            } catch (const Error& e) {
                // Unreadable content is a finding about the file, not a failure of the scan.
                f.error = e.what();
                tsk_error_reset();
                for (auto& instance : instances_) instance->discard();
                if (reported < f.entry.size) p_.report(f.entry.size - reported);
                return;
            }
            if (reported < f.entry.size) p_.report(f.entry.size - reported);
        }
        for (size_t i = 0; i < instances_.size(); ++i) {
            if (needs_[i] != ContentNeed::None && !content) continue;
            std::span<const std::byte> given;
            if (needs_[i] == ContentNeed::Whole) given = data;
            if (needs_[i] == ContentNeed::Head)
                given = data.first(std::min(data.size(), FileTypeDetector::kHeadBytes));
            EntryContent c{f.entry, given, std::span(f.findings).first(i)};
            try {
                f.findings[i] = instances_[i]->finish(c);
            } catch (const Error& e) {
                // e.g. a YARA timeout on this file. The case writer names the entry, so a message
                // that begins with its path (as the YARA scanner's do) loses that prefix.
                if (f.error.empty()) {
                    std::string_view message = e.what();
                    const std::string prefix = f.entry.path + ": ";
                    if (message.starts_with(prefix)) message.remove_prefix(prefix.size());
                    f.error = message;
                }
                f.incomplete = true;
            }
        }
    }

    void scan_window(size_t index) {
        const Window& w = (*p_.windows)[index];
        window_.resize(static_cast<size_t>(w.length));
        const UnallocatedSpace& space = *p_.unallocated;
        const size_t got = space.read(evidence_, w.start, window_);
        std::span<const std::byte> data(window_.data(), got);
        Region region{p_.partition->index,
                      w.start,
                      w.report_end,
                      index == 0,
                      [&space](uint64_t o) { return space.image_offset(o); },
                      [&space](uint64_t o) { return space.block_of(o); }};
        auto& out = (*p_.window_findings)[index];
        for (size_t i = 0; i < instances_.size(); ++i) {
            if (!(*p_.analyzers)[i]->scans_unallocated()) continue;
            try {
                if (auto f = instances_[i]->scan_region(data, region))
                    out.push_back({p_.partition->index, i, std::move(f)});
            } catch (const Error& e) {
                std::lock_guard lock(p_.problem_mutex);
                p_.window_problems.push_back("unallocated space at image offset " +
                                             std::to_string(space.image_offset(w.start)) + ": " +
                                             e.what());
            }
        }
        p_.report(w.report_end - w.start);
    }

    Pipeline& p_;
    Evidence evidence_;
    FileSystem fs_;
    ContentBuffer buffer_;
    std::vector<std::unique_ptr<AnalyzerInstance>> instances_;
    std::vector<ContentNeed> needs_;
    bool reads_ = false, keep_whole_ = false;
    std::vector<std::byte> window_;
};

unsigned worker_count(unsigned requested) {
    if (requested) return requested;
    const unsigned n = std::thread::hardware_concurrency();
    return n ? n : 2;
}

// Hands finished batches to the sink in walk order until the walk is done and every batch is
// delivered.
void deliver(Pipeline& p, ScanSink& sink) {
    for (size_t next = 0;; ++next) {
        Batch batch;
        {
            std::unique_lock lock(p.mutex);
            p.batch_done.wait(lock, [&] {
                return p.done.count(next) || p.failure || (p.walk_finished && next == p.made);
            });
            if (p.failure || !p.done.count(next)) return;
            auto node = p.done.extract(next);
            batch = std::move(node.mapped());
            --p.in_flight;
            p.space_free.notify_one();
        }
        for (auto& f : batch.files) sink.file(std::move(f));
        for (const auto& message : batch.problems) sink.problem(p.partition->index, message);
    }
}

}  // namespace

void scan_partition(const Evidence& evidence, const Partition& partition,
                    const ScanOptions& options, ScanSink& sink, ChildChannel* channel) {
    static const std::vector<std::unique_ptr<Analyzer>> none;
    const auto& analyzers = options.analyzers ? *options.analyzers : none;
    const unsigned n = worker_count(options.workers);

    std::optional<UnallocatedSpace> unallocated;
    std::vector<Window> windows;
    const bool any_region_scan = std::any_of(analyzers.begin(), analyzers.end(),
                                             [](const auto& a) { return a->scans_unallocated(); });
    if (options.unallocated && any_region_scan) {
        const FileSystem fs(evidence, partition);
        unallocated = UnallocatedSpace::map(fs);
        windows = make_windows(unallocated->size(), options.window, options.overlap);
        sink.unallocated({partition.index, unallocated->block_count(), unallocated->block_size()});
    }
    std::vector<std::vector<UnallocatedFinding>> window_findings(windows.size());

    Pipeline p;
    p.evidence = &evidence;
    p.partition = &partition;
    p.options = &options;
    p.analyzers = &analyzers;
    p.unallocated = unallocated ? &*unallocated : nullptr;
    p.windows = &windows;
    p.window_findings = &window_findings;
    p.channel = channel;
    p.limit = options.batches_in_flight ? options.batches_in_flight : 4 * size_t{n};
    if (unallocated) p.bytes_total = unallocated->size();

    std::vector<std::thread> threads;
    auto guarded = [&p](auto&& body) {
        return [&p, body] {
            try {
                body();
            } catch (...) {
                p.fail(std::current_exception());
            }
        };
    };
    threads.emplace_back(guarded([&p] { walk(p); }));
    for (unsigned i = 0; i < n; ++i) threads.emplace_back(guarded([&p] { Worker(p).run(); }));
    try {
        deliver(p, sink);
    } catch (...) {
        p.fail(std::current_exception());
    }
    if (p.failure) p.stop();
    for (auto& t : threads) t.join();
    if (p.failure) std::rethrow_exception(p.failure);

    for (auto& findings : window_findings)
        for (auto& f : findings) sink.unallocated_finding(std::move(f));
    std::sort(p.window_problems.begin(), p.window_problems.end());
    for (const auto& message : p.window_problems) sink.problem(partition.index, message);
}

}  // namespace dflab::engine
