#include "images/run_tool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "common/file_descriptor.hpp"
#include "engine/error.hpp"
#include "images/temp_folder.hpp"

namespace dflab::images {

namespace {

struct Pipe {
    common::FileDescriptor fd[2];  // read end, write end
    Pipe() {
        int ends[2];
        if (pipe2(ends, O_CLOEXEC) != 0)
            throw engine::Error(std::string("cannot create pipe: ") + std::strerror(errno));
        fd[0].reset(ends[0]);
        fd[1].reset(ends[1]);
    }
    void close(int i) { fd[i].reset(); }
};

struct SpawnAttributes {
    posix_spawnattr_t attributes;
    SpawnAttributes() { posix_spawnattr_init(&attributes); }
    ~SpawnAttributes() { posix_spawnattr_destroy(&attributes); }
    SpawnAttributes(const SpawnAttributes&) = delete;
    SpawnAttributes& operator=(const SpawnAttributes&) = delete;
};

// argv[0] as a path: itself when it names a folder, else the first match in PATH or the system
// folders; "" when there is none.
std::string find_program(const std::string& name) {
    if (name.find('/') != std::string::npos) return name;
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::string_view rest(path);
        while (!rest.empty()) {
            auto colon = rest.find(':');
            auto dir = rest.substr(0, colon);
            if (!dir.empty()) dirs.emplace_back(dir);
            if (colon == std::string_view::npos) break;
            rest.remove_prefix(colon + 1);
        }
    }
    for (const char* dir :
         {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"})
        dirs.emplace_back(dir);
    for (const auto& dir : dirs) {
        std::string candidate = dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

}  // namespace

std::string first_tool_line(const std::string& text) {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(start, end - start);
        start = end + 1;
        auto first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos) continue;
        auto last = line.find_last_not_of(" \t\r");
        return line.substr(first, last - first + 1);
    }
    return "";
}

ToolResult run_tool(const std::vector<std::string>& argv, const ToolOptions& options) {
    const auto& input = options.input;
    const std::string prefix =
        argv.at(0) +
        (options.subject.empty() ? "" : ": " + without_temporary_paths(options.subject));
    const std::string program = find_program(argv[0]);
    if (program.empty())
        throw engine::Error(prefix + ": not found in PATH or the system folders" +
                            (options.package.empty() ? "" : " (install " + options.package + ")"));
    Pipe in, out, err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.fd[0].get(), 0);
    posix_spawn_file_actions_adddup2(&actions, out.fd[1].get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err.fd[1].get(), 2);

    std::map<std::string, std::string> environment{{"PATH", "/usr/sbin:/usr/bin:/sbin:/bin"},
                                                   {"TZ", "UTC"},
                                                   {"LC_ALL", "C.UTF-8"},
                                                   {"HOME", "/nonexistent"}};
    for (const auto& [k, v] : options.env) environment[k] = v;
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : environment) env_strings.push_back(k + "=" + v);
    std::vector<char*> envp, args;
    for (auto& s : env_strings) envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argv_copy = argv;
    for (auto& s : argv_copy) args.push_back(s.data());
    args.push_back(nullptr);

    SpawnAttributes attributes;
    if (options.new_session) posix_spawnattr_setflags(&attributes.attributes, POSIX_SPAWN_SETSID);

    pid_t pid = 0;
    int rc = posix_spawn(&pid, program.c_str(), &actions, &attributes.attributes, args.data(),
                         envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw engine::Error(prefix + ": cannot run " + program + ": " + std::strerror(rc));
    in.close(0);
    out.close(1);
    err.close(1);

    ToolResult result;
    size_t written = 0;
    if (input.empty()) in.close(1);
    pollfd fds[3] = {
        {out.fd[0].get(), POLLIN, 0}, {err.fd[0].get(), POLLIN, 0}, {in.fd[1].get(), POLLOUT, 0}};
    int open_reads = 2;
    while (open_reads > 0 || in.fd[1].get() >= 0) {
        fds[2].fd = in.fd[1].get();
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
        if (in.fd[1].get() >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t n = ::write(in.fd[1].get(), input.data() + written, input.size() - written);
            if (n > 0) written += static_cast<size_t>(n);
            if (n <= 0 || written == input.size()) in.close(1);
        }
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.signaled = WIFSIGNALED(status);
    if (options.check && result.exit_code != 0) {
        std::string why = first_tool_line(result.err);
        if (why.empty()) why = first_tool_line(result.out);
        why = without_temporary_paths(why);
        if (options.explain) {
            std::string explained = options.explain(result, why);
            if (!explained.empty())
                throw engine::Error((options.subject.empty() ? argv[0] : options.subject) + ": " +
                                    explained);
        }
        if (!options.subject.empty()) {
            if (why.empty())
                why = result.signaled ? "killed by signal " + std::to_string(WTERMSIG(status))
                                      : "exit status " + std::to_string(result.exit_code);
            throw engine::Error(prefix + ": " + why);
        }
        throw engine::Error(argv[0] + " failed (exit " + std::to_string(result.exit_code) + ")" +
                            (why.empty() ? "" : ": " + why));
    }
    return result;
}

}  // namespace dflab::images
