#include "engine/parallel_processes.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "common/file_descriptor.hpp"
#include "engine/error.hpp"
#include "engine/supervisor.hpp"

namespace dflab::engine {

namespace {

struct Child {
    pid_t pid = -1;
    common::FileDescriptor message;  // what the child says when it fails
    std::string said;
    bool done = false;
    int status = 0;
};

// The child's side: runs the work and reports a failure through `fd`; never returns.
[[noreturn]] void child_main(unsigned index, int fd, const std::function<void(unsigned)>& work) {
    int code = 0;
    std::string message;
    try {
        work(index);
    } catch (const std::exception& e) {
        message = e.what();
        code = 1;
    } catch (...) {
        message = "unknown failure";
        code = 1;
    }
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    for (size_t off = 0; off < message.size();) {
        const ssize_t n = ::write(fd, message.data() + off, message.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        off += static_cast<size_t>(n);
    }
    _exit(code);  // no destructors of the parent's objects, no atexit handlers
}

std::string why_failed(const Child& c, unsigned index) {
    if (!c.said.empty()) return c.said;
    if (WIFSIGNALED(c.status)) {
        const int sig = WTERMSIG(c.status);
        return "job " + std::to_string(index) + " was killed by signal " + std::to_string(sig) +
               " (" + strsignal(sig) + ")" +
               (sig == SIGKILL ? "; it may have run out of memory: try fewer --jobs" : "");
    }
    return "job " + std::to_string(index) + " failed with exit status " +
           std::to_string(WEXITSTATUS(c.status));
}

}  // namespace

void run_in_parallel_processes(unsigned count, const std::function<void(unsigned)>& work) {
    if (count == 0) return;
    InterruptScope interrupts;
    interrupts.check();
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    std::vector<Child> children(count);
    auto stop_all = [&] {
        for (auto& c : children)
            if (c.pid > 0 && !c.done) ::kill(c.pid, SIGTERM);
        for (auto& c : children)
            if (c.pid > 0 && !c.done) {
                while (::waitpid(c.pid, &c.status, 0) < 0 && errno == EINTR) {
                }
                c.done = true;
            }
    };
    for (unsigned i = 0; i < count; ++i) {
        int ends[2];
        if (::pipe2(ends, O_CLOEXEC) != 0) {
            stop_all();
            throw Error(std::string("cannot create pipe: ") + std::strerror(errno));
        }
        common::FileDescriptor reader(ends[0]), writer(ends[1]);
        // A job is stopped by its signal, at once: the parent is the one that cleans up. The
        // parent's InterruptScope handler, inherited through fork, would only note it, so the
        // child puts the default back; SIGINT and SIGTERM stay blocked until it has, or a job
        // stopped right after its fork would only note the signal and run on.
        sigset_t stop_signals, before;
        sigemptyset(&stop_signals);
        sigaddset(&stop_signals, SIGINT);
        sigaddset(&stop_signals, SIGTERM);
        ::pthread_sigmask(SIG_BLOCK, &stop_signals, &before);
        const pid_t pid = ::fork();
        if (pid == 0) {
            ::signal(SIGINT, SIG_DFL);
            ::signal(SIGTERM, SIG_DFL);
            ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
            for (auto& c : children) c.message.reset();
            reader.reset();
            child_main(i, writer.release(), work);
        }
        const int fork_errno = errno;
        ::pthread_sigmask(SIG_SETMASK, &before, nullptr);
        if (pid < 0) {
            stop_all();
            throw Error(std::string("cannot start job process: ") + std::strerror(fork_errno));
        }
        children[i].pid = pid;
        children[i].message = std::move(reader);
    }
    // Read what each child says (it says something only when it fails) until every pipe is
    // closed, then reap them. A failure stops the others at once.
    size_t open = count;
    bool failed = false;
    while (open > 0) {
        std::vector<pollfd> fds;
        std::vector<size_t> which;
        for (size_t i = 0; i < children.size(); ++i)
            if (children[i].message.get() >= 0) {
                fds.push_back({children[i].message.get(), POLLIN, 0});
                which.push_back(i);
            }
        // A timeout, so that a signal noted just before poll() is seen soon.
        const int n = ::poll(fds.data(), fds.size(), 200);
        if (n < 0 && errno != EINTR) {
            stop_all();
            throw Error(std::string("cannot wait for the job processes: ") + std::strerror(errno));
        }
        if (InterruptScope::interrupted()) {
            stop_all();
            throw Interrupted();
        }
        for (size_t k = 0; n > 0 && k < fds.size(); ++k) {
            if (fds[k].revents == 0) continue;
            Child& c = children[which[k]];
            char buf[4096];
            const ssize_t got = ::read(c.message.get(), buf, sizeof buf);
            if (got < 0 && errno == EINTR) continue;
            if (got > 0) {
                if (c.said.size() < 4096) c.said.append(buf, static_cast<size_t>(got));
                continue;
            }
            c.message.reset();
            --open;
            while (::waitpid(c.pid, &c.status, 0) < 0 && errno == EINTR) {
            }
            c.done = true;
            if (!(WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0)) failed = true;
        }
        if (failed) break;
    }
    if (!failed) return;
    // The first child (in index order) that failed on its own, not one stopped here.
    std::vector<bool> failed_first(count, false);
    for (unsigned i = 0; i < count; ++i)
        failed_first[i] = children[i].done &&
                          !(WIFEXITED(children[i].status) && WEXITSTATUS(children[i].status) == 0);
    stop_all();
    for (unsigned i = 0; i < count; ++i)
        if (failed_first[i]) {
            if (WIFSIGNALED(children[i].status) &&
                (WTERMSIG(children[i].status) == SIGINT || WTERMSIG(children[i].status) == SIGTERM))
                throw Interrupted();  // Ctrl-C reaches the whole process group
            throw Error(why_failed(children[i], i));
        }
}

}  // namespace dflab::engine
