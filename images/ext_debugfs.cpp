#include "images/ext_debugfs.hpp"

#include <cctype>
#include <regex>
#include <sstream>

#include "engine/error.hpp"

namespace dflab::images::ext {

namespace {

constexpr const char* kMarker = "dflab_mark_";
constexpr int64_t kMinTime = INT32_MIN;
constexpr int64_t kMaxTime = int64_t{INT32_MAX} + 3 * (int64_t{1} << 32);  // 2446-05-10

}  // namespace

std::string quote(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"')
            out += "\"\"";
        else
            out += c;
    }
    return out + "\"";
}

std::string set_time(const std::string& target, const char* field, int64_t t) {
    if (t < kMinTime || t > kMaxTime)
        throw engine::Error("ext: " + target + ": time " + std::to_string(t) +
                            " is outside what ext can store (1901-12-13 to 2446-05-10)");
    int64_t low = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(t)));
    int64_t epoch = (t - low) >> 32;
    std::string q = quote(target);
    return "set_inode_field " + q + " " + field + " @" + std::to_string(t) + "\n" +
           "set_inode_field " + q + " " + field + "_extra " + std::to_string(epoch) + "\n";
}

std::string set_all_times(const std::string& target, int64_t t) {
    return set_time(target, "atime", t) + set_time(target, "mtime", t) +
           set_time(target, "ctime", t) + set_time(target, "crtime", t);
}

std::string marker_command(size_t n) {
    return kMarker + std::to_string(n) + "\n";
}

std::string first_error_line(const std::string& text, const std::string& fallback) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
            line.pop_back();
        if (line.empty()) continue;
        if (line.rfind("debugfs 1.", 0) == 0 || line.rfind("mke2fs 1.", 0) == 0) continue;
        return line;
    }
    return fallback;
}

std::string batch_failure(const ToolResult& r, const std::vector<std::string>& actions) {
    // stderr holds the banner, one "Command not found dflab_mark_N" line per action and, after
    // an action's marker, that action's errors.
    std::istringstream err(r.err);
    std::string line;
    size_t current = 0;
    const std::string marker_line = std::string("debugfs: Command not found ") + kMarker;
    while (std::getline(err, line)) {
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
            line.pop_back();
        if (line.empty() || line.rfind("debugfs 1.", 0) == 0) continue;
        if (line.rfind(marker_line, 0) == 0) {
            current = std::stoul(line.substr(marker_line.size()));
            continue;
        }
        return (current < actions.size() ? actions[current] : "?") + ": " + line;
    }
    // debugfs's exit status counts failed commands (our markers among them): only a signal or
    // an error line above means failure.
    if (r.signaled) return "killed by signal " + std::to_string(r.exit_code - 128);
    return "";
}

std::vector<std::pair<uint64_t, uint64_t>> data_blocks(const std::string& stat_output) {
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    auto at = stat_output.find("\nEXTENTS:");
    if (at == std::string::npos) at = stat_output.find("\nBLOCKS:");
    if (at == std::string::npos) return ranges;  // no blocks (an empty file)
    std::string map = stat_output.substr(at);
    static const std::regex range_re(R"(\(([0-9]+)(?:-([0-9]+))?\):([0-9]+)(?:-([0-9]+))?)");
    for (std::sregex_iterator it(map.begin(), map.end(), range_re), end; it != end; ++it) {
        uint64_t first = std::stoull((*it)[3].str());
        uint64_t last = (*it)[4].matched ? std::stoull((*it)[4].str()) : first;
        ranges.emplace_back(first, last);
    }
    return ranges;
}

}  // namespace dflab::images::ext
