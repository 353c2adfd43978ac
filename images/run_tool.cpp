#include "images/run_tool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "engine/error.hpp"

namespace dflab::images {

namespace {

struct Pipe {
    int fd[2] = {-1, -1};
    Pipe() {
        if (pipe2(fd, O_CLOEXEC) != 0)
            throw engine::Error(std::string("cannot create pipe: ") + std::strerror(errno));
    }
    ~Pipe() {
        for (int f : fd) {
            if (f >= 0) ::close(f);
        }
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    void close(int i) {
        if (fd[i] >= 0) ::close(fd[i]);
        fd[i] = -1;
    }
};

std::string first_line(const std::string& s) {
    auto start = s.find_first_not_of(" \n");
    if (start == std::string::npos) return "";
    return s.substr(start, s.find('\n', start) - start);
}

}  // namespace

ToolResult run_tool(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env, const std::string& input,
                    bool check) {
    Pipe in, out, err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);

    std::map<std::string, std::string> environment{{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"},
                                                   {"TZ", "UTC"},
                                                   {"LC_ALL", "C.UTF-8"},
                                                   {"HOME", "/nonexistent"}};
    for (const auto& [k, v] : env) environment[k] = v;
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : environment) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, args;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);

    pid_t pid = 0;
    int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw engine::Error(argv[0] + ": cannot run: " + std::strerror(rc));
    in.close(0);
    out.close(1);
    err.close(1);

    ToolResult result;
    size_t written = 0;
    if (input.empty()) in.close(1);
    pollfd fds[3] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}, {in.fd[1], POLLOUT, 0}};
    int open_reads = 2;
    while (open_reads > 0 || in.fd[1] >= 0) {
        fds[2].fd = in.fd[1];
        if (::poll(fds, 3, -1) < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buf[8192];
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                fds[i].fd = -1;
                --open_reads;
            } else {
                (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
            }
        }
        if (in.fd[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = ::write(in.fd[1], input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<size_t>(n);
            if (n <= 0 || written == input.size()) in.close(1);
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (check && result.exit_code != 0) {
        std::string why = first_line(result.err);
        if (why.empty()) why = first_line(result.out);
        throw engine::Error(argv[0] + " failed (exit " + std::to_string(result.exit_code) + ")" +
                            (why.empty() ? "" : ": " + why));
    }
    return result;
}

}  // namespace dflab::images
