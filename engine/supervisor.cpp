#include "engine/supervisor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <mutex>
#include <new>
#include <optional>
#include <string>

#include "common/file_descriptor.hpp"
#include "engine/error.hpp"

namespace dflab::engine {

namespace {

std::mutex channel_mutex;

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Anonymous resident memory: what the child allocated. File-backed pages (a large file mapped
// for scanning) are left out: the kernel can drop them at any time.
uint64_t anonymous_resident_bytes(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    uint64_t kib = 0;
    while (status >> key) {
        if (key == "RssAnon:") {
            status >> kib;
            return kib * 1024;
        }
        status.ignore(1 << 12, '\n');
    }
    return 0;
}

volatile std::sig_atomic_t interrupted_by = 0;
int interrupt_scopes = 0;
struct sigaction previous_int {
}, previous_term{};
extern "C" void note_interrupt(int sig) {
    interrupted_by = sig;
}

using common::one_line;  // messages are single lines (common/error.hpp)

// The child's standard output, when it is a file or a pipe (what scripts read): the child writes
// into a pipe and the parent passes on whole lines only, so a child that is killed or fails
// half-way through a line (the memory limit, a crash) leaves no half line, no truncated JSON
// Lines record, behind. The rest of a line is passed on only when the child ends cleanly. Bytes
// without a line break are passed on once 1 MiB has gathered (binary output, `dflab cat`). A
// terminal gets the child's output directly.
class OutputRelay {
  public:
    static constexpr size_t kLongestHeldBack = 1 << 20;

    bool broken() const { return broken_; }

    // Appends what was read and passes on every whole line.
    void take(const char* data, size_t n) {
        pending_.append(data, n);
        const size_t end =
            pending_.size() > kLongestHeldBack ? pending_.size() : pending_.rfind('\n') + 1;
        if (end == 0) return;  // no line break yet (rfind gave npos)
        pass_on(end);
    }
    // The child ended cleanly: its last bytes, line or not.
    void finish() { pass_on(pending_.size()); }

  private:
    void pass_on(size_t count) {
        size_t done = 0;
        while (!broken_ && done < count) {
            const ssize_t w = ::write(STDOUT_FILENO, pending_.data() + done, count - done);
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                broken_ = true;  // EPIPE: the reader went away (`| head`)
                break;
            }
            done += static_cast<size_t>(w);
        }
        pending_.erase(0, count);
    }

    std::string pending_;
    bool broken_ = false;
};

// SIGPIPE ignored while the parent relays, so that a reader going away is a write error the
// supervisor handles (it stops the child), not the parent's sudden death.
class IgnoreSigpipe {
  public:
    IgnoreSigpipe() {
        struct sigaction sa {};
        sa.sa_handler = SIG_IGN;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGPIPE, &sa, &previous_);
    }
    ~IgnoreSigpipe() { sigaction(SIGPIPE, &previous_, nullptr); }
    IgnoreSigpipe(const IgnoreSigpipe&) = delete;
    IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

  private:
    struct sigaction previous_ {};
};

[[noreturn]] void child_main(int fd, const SupervisorLimits& limits,
                             const std::function<void(ChildChannel&)>& work) {
    ::signal(SIGINT, SIG_DFL);
    ::signal(SIGTERM, SIG_DFL);
#ifndef DFLAB_SANITIZED
    if (limits.memory_limit) {
        // A hard ceiling on the data segment (heap and private writable mappings) as well as the
        // parent's watch on anonymous resident memory. Read-only file mappings do not count.
        // Not under AddressSanitizer, whose shadow memory is such a mapping, terabytes large.
        rlim_t cap = static_cast<rlim_t>(limits.memory_limit) + (256ull << 20);
        rlimit rl{cap, cap};
        setrlimit(RLIMIT_DATA, &rl);
    }
#endif
    ChildChannel channel(fd);
    int code = 0;
    try {
        work(channel);
    } catch (const std::bad_alloc&) {
        std::string line =
            "E out of memory (limit " + std::to_string(limits.memory_limit >> 20) + " MiB)\n";
        (void)!::write(fd, line.data(), line.size());
        code = 3;
    } catch (const std::exception& e) {
        std::string line = "E " + one_line(e.what()) + "\n";
        (void)!::write(fd, line.data(), line.size());
        code = 3;
    }
    std::cout.flush();
    std::fflush(stdout);
    std::fflush(stderr);
    ::close(fd);
    _exit(code);
}

}  // namespace

InterruptScope::InterruptScope() {
    if (interrupt_scopes++ > 0) return;
    interrupted_by = 0;
    struct sigaction sa {};
    sa.sa_handler = note_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &previous_int);
    sigaction(SIGTERM, &sa, &previous_term);
}

InterruptScope::~InterruptScope() {
    if (--interrupt_scopes > 0) return;
    sigaction(SIGINT, &previous_int, nullptr);
    sigaction(SIGTERM, &previous_term, nullptr);
}

bool InterruptScope::interrupted() {
    return interrupted_by != 0;
}

void InterruptScope::check() {
    if (interrupted()) throw Interrupted();
}

void ChildChannel::send(std::string_view line) {
    std::lock_guard lock(channel_mutex);
    std::string msg(line);
    msg += '\n';
    const char* p = msg.data();
    size_t left = msg.size();
    while (left > 0) {
        ssize_t n = ::write(fd_, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        p += n;
        left -= static_cast<size_t>(n);
    }
}

void ChildChannel::context(std::string_view what) {
    send("C " + one_line(std::string(what)));
}

void ChildChannel::progress(uint64_t done, uint64_t total, std::string_view unit) {
    {
        std::lock_guard lock(channel_mutex);  // workers report from several threads
        int64_t t = now_ns();
        if (done < total && t - last_progress_ns_ < 50'000'000) return;  // at most 20 a second
        last_progress_ns_ = t;
    }
    send("P " + std::to_string(done) + " " + std::to_string(total) + " " + std::string(unit));
}

void ChildChannel::result(int code) {
    send("R " + std::to_string(code));
}

void ChildChannel::heartbeat() {
    {
        std::lock_guard lock(channel_mutex);
        int64_t t = now_ns();
        if (t - last_progress_ns_ < 1'000'000'000) return;
        last_progress_ns_ = t;
    }
    send("H");
}

int run_supervised(const SupervisorLimits& limits, const std::function<void(ChildChannel&)>& work,
                   const std::function<void(const Progress&)>& on_progress) {
    int ends[2];
    if (pipe2(ends, O_CLOEXEC) != 0)
        throw Error(std::string("cannot create pipe: ") + std::strerror(errno));
    // Owned at once: an interruption or a failure below closes both ends.
    common::FileDescriptor reader(ends[0]), writer(ends[1]);
    common::FileDescriptor output_reader, output_writer;
    const bool relay_output = ::isatty(STDOUT_FILENO) != 1;
    if (relay_output) {
        if (pipe2(ends, O_CLOEXEC) != 0)
            throw Error(std::string("cannot create pipe: ") + std::strerror(errno));
        output_reader = common::FileDescriptor(ends[0]);
        output_writer = common::FileDescriptor(ends[1]);
    }
    std::cout.flush();
    std::fflush(stdout);
    InterruptScope interrupts;
    interrupts.check();
    std::optional<IgnoreSigpipe> sigpipe_ignored;
    if (relay_output) sigpipe_ignored.emplace();
    pid_t pid = fork();
    if (pid < 0) throw Error(std::string("cannot start worker process: ") + std::strerror(errno));
    if (pid == 0) {
        reader.reset();
        if (relay_output) {
            ::signal(SIGPIPE, SIG_DFL);
            if (::dup2(output_writer.get(), STDOUT_FILENO) < 0) _exit(3);
            output_reader.reset();
            output_writer.reset();
        }
        child_main(writer.release(), limits, work);  // never returns (_exit)
    }
    writer.reset();
    output_writer.reset();
    OutputRelay relay;
    bool output_eof = !relay_output;
    // Passes on what the child wrote to its standard output, if anything is there.
    auto relay_available = [&] {
        char buf[65536];
        const ssize_t n = ::read(output_reader.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) return;
        if (n <= 0) {
            output_eof = true;
            return;
        }
        relay.take(buf, static_cast<size_t>(n));
    };

    std::string context, error_message, pending;
    int result_code = 0;
    const int64_t start = now_ns();
    int64_t last_heard = start;
    std::string failure;
    bool eof = false;
    int status = 0;
    bool exited = false;
    auto kill_child = [&](const std::string& why) {
        failure = why;
        ::kill(pid, SIGKILL);
    };
    while (!exited) {
        pollfd fds[2] = {{eof ? -1 : reader.get(), POLLIN, 0},
                         {output_eof ? -1 : output_reader.get(), POLLIN, 0}};
        const int polled = eof && output_eof ? 0 : ::poll(fds, 2, 100);
        if (eof && output_eof) ::usleep(20'000);
        if (polled > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            relay_available();
            if (relay.broken() && failure.empty()) kill_child("broken pipe");
        }
        const bool ready = polled > 0 && !eof && (fds[0].revents & (POLLIN | POLLHUP | POLLERR));
        if (ready) {
            char buf[4096];
            ssize_t n = ::read(reader.get(), buf, sizeof buf);
            if (n <= 0) {
                eof = true;
            } else {
                last_heard = now_ns();
                pending.append(buf, static_cast<size_t>(n));
                size_t nl;
                while ((nl = pending.find('\n')) != std::string::npos) {
                    std::string line = pending.substr(0, nl);
                    pending.erase(0, nl + 1);
                    if (line.rfind("C ", 0) == 0) {
                        context = line.substr(2);
                    } else if (line.rfind("E ", 0) == 0) {
                        error_message = line.substr(2);
                    } else if (line.rfind("R ", 0) == 0) {
                        result_code = std::atoi(line.c_str() + 2);
                    } else if (line.rfind("P ", 0) == 0 && on_progress) {
                        Progress p;
                        char unit[32] = {0};
                        if (std::sscanf(line.c_str() + 2, "%lu %lu %31s", &p.done, &p.total,
                                        unit) >= 2) {
                            p.unit = unit;
                            on_progress(p);
                        }
                    }
                }
            }
        }
        pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            exited = true;
            break;
        }
        if (!failure.empty()) continue;
        if (interrupted_by) {
            kill_child("interrupted");
            continue;
        }
        const int64_t t = now_ns();
        if (limits.time_limit.count() > 0 &&
            t - start > limits.time_limit.count() * 1'000'000'000) {
            kill_child("timed out after " + std::to_string(limits.time_limit.count()) + " s");
        } else if (limits.stall_limit.count() > 0 &&
                   t - last_heard > limits.stall_limit.count() * 1'000'000'000) {
            kill_child("made no progress for " + std::to_string(limits.stall_limit.count()) +
                       " s (hung parser?)");
        } else if (limits.memory_limit > 0 && anonymous_resident_bytes(pid) > limits.memory_limit) {
            kill_child("exceeded the memory limit of " + std::to_string(limits.memory_limit >> 20) +
                       " MiB");
        }
    }
    // Drain what is left (an error message may arrive just before exit).
    if (!eof) {
        char buf[4096];
        ssize_t n;
        while ((n = ::read(reader.get(), buf, sizeof buf)) > 0)
            pending.append(buf, static_cast<size_t>(n));
        size_t nl;
        while ((nl = pending.find('\n')) != std::string::npos) {
            std::string line = pending.substr(0, nl);
            pending.erase(0, nl + 1);
            if (line.rfind("C ", 0) == 0) context = line.substr(2);
            if (line.rfind("E ", 0) == 0) error_message = line.substr(2);
            if (line.rfind("R ", 0) == 0) result_code = std::atoi(line.c_str() + 2);
        }
    }
    // What the child wrote before it ended; not waiting for a writer that outlived it (a tool
    // the child started).
    if (!output_eof) {
        ::fcntl(output_reader.get(), F_SETFL, O_NONBLOCK);
        char buf[65536];
        ssize_t n;
        while (!relay.broken() && ((n = ::read(output_reader.get(), buf, sizeof buf)) > 0 ||
                                   (n < 0 && errno == EINTR)))
            if (n > 0) relay.take(buf, static_cast<size_t>(n));
    }
    reader.reset();
    output_reader.reset();
    const bool clean_exit = failure.empty() && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (clean_exit) relay.finish();  // else the half line the child left is dropped
    sigpipe_ignored.reset();
    if (relay.broken() && !interrupted_by) {
        // The reader of our output went away (e.g. `dflab ls ... | head`): end quietly, as any
        // command-line tool does.
        ::signal(SIGPIPE, SIG_DFL);
        ::raise(SIGPIPE);
    }
    const std::string where = context.empty() ? "" : context + ": ";
    if (interrupted_by ||
        (WIFSIGNALED(status) && (WTERMSIG(status) == SIGINT || WTERMSIG(status) == SIGTERM))) {
        throw Interrupted();
    }
    if (!failure.empty()) throw Error(where + failure);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE) {
        // The reader of our output went away (e.g. `dflab ls ... | head`): end quietly, as any
        // command-line tool does, rather than blaming the image.
        ::signal(SIGPIPE, SIG_DFL);
        ::raise(SIGPIPE);
    }
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char* abbrev = sigabbrev_np(sig);
        throw Error(where + "parser crashed (SIG" +
                    std::string(abbrev ? abbrev : std::to_string(sig)) +
                    "); the image is probably corrupt");
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        if (!error_message.empty()) throw Error(error_message);
        throw Error(where + "worker process failed with exit code " +
                    std::to_string(WEXITSTATUS(status)));
    }
    return result_code;
}

SupervisorLimits default_limits() {
    auto env_number = [](const char* name, uint64_t fallback) -> uint64_t {
        const char* v = std::getenv(name);
        if (!v || !*v) return fallback;
        char* end = nullptr;
        unsigned long long n = std::strtoull(v, &end, 10);
        return (end && *end == '\0') ? n : fallback;
    };
    SupervisorLimits l;
    l.time_limit = std::chrono::seconds(env_number("DFLAB_TIMEOUT", 0));
    l.stall_limit = std::chrono::seconds(env_number("DFLAB_STALL_TIMEOUT", 300));
    l.memory_limit = env_number("DFLAB_MEMORY_LIMIT_MB", 4096) << 20;
    return l;
}

}  // namespace dflab::engine
