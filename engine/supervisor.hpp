#pragma once
// Isolation: TSK 4.11 still crashes, hangs or allocates without bound on some malformed file
// systems, so every parse of an untrusted image runs in a supervised child process. The parent
// watches it (time, silence, memory), relays its progress, and turns any failure into one
// Error that names what the child was working on.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace dflab::engine {

struct SupervisorLimits {
    std::chrono::seconds time_limit{0};  // 0: none
    std::chrono::seconds stall_limit{
        0};                     // kill when the child reports nothing for this long; 0: none
    uint64_t memory_limit = 0;  // bytes of anonymous resident memory (the heap); 0: none
};

struct Progress {
    uint64_t done = 0;
    uint64_t total = 0;
    std::string unit;  // "bytes" or "files"
};

// The child's side: tells the parent what it is working on and how far it is.
class ChildChannel {
  public:
    explicit ChildChannel(int fd) : fd_(fd) {}
    void context(std::string_view what);  // e.g. "image.E01 partition 2"; named in failures
    void progress(uint64_t done, uint64_t total, std::string_view unit = "bytes");
    void heartbeat();       // "still alive" without progress
    void result(int code);  // the exit status run_supervised returns (default 0)

  private:
    void send(std::string_view line);
    int fd_;
    int64_t last_progress_ns_ = 0;
};

// While one exists, Ctrl-C (SIGINT) and SIGTERM do not kill this process: they are noted, the
// running child is stopped, and run_supervised() / check() throw Interrupted, so that
// callers unwind and remove their temporary outputs. Nestable; not thread-safe.
class InterruptScope {
  public:
    InterruptScope();
    ~InterruptScope();
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;
    static bool interrupted();
    static void check();  // throws Interrupted once a signal was noted
};

// Runs `work` in a child process and waits for it. Returns the code the child set with result()
// when it finished cleanly.
// Throws Error when the child threw (its own message, which names its input), crashed (signal
// named), ran out of time, went silent or exceeded the memory limit (the message then starts with
// the child's last context), or when the user interrupted (Ctrl-C, SIGTERM: Interrupted).
// When the child dies of SIGPIPE (its reader went away) the caller dies of SIGPIPE too.
int run_supervised(const SupervisorLimits& limits, const std::function<void(ChildChannel&)>& work,
                   const std::function<void(const Progress&)>& on_progress = {});

// Limits that the dflab command uses unless told otherwise (DFLAB_TIMEOUT, DFLAB_STALL_TIMEOUT
// and DFLAB_MEMORY_LIMIT_MB in the environment override them).
SupervisorLimits default_limits();

}  // namespace dflab::engine
