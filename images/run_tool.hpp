#pragma once
// Running the standard tools the builder stands on (sfdisk, sgdisk, mkfs.fat, mkntfs, mtools,
// mke2fs, debugfs, ...): an explicit argv (no shell), a fixed environment (PATH, TZ=UTC,
// LC_ALL=C.UTF-8, HOME plus what the caller adds), stdin optionally fed from a string. Throws
// dflab::engine::Error naming the tool and its first error line when it fails.
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace dflab::images {

struct ToolResult {
    int exit_code = 0;      // the exit status, or 128 + the signal
    bool signaled = false;  // killed by a signal
    std::string out, err;
};

struct ToolOptions {
    std::map<std::string, std::string> env;  // added to (or replacing) the fixed environment
    std::string input;                       // stdin (empty: end of file at once)
    bool check = true;                       // throw when the tool exits non-zero or is killed
    // Start the tool in a new session (setsid): no controlling terminal, so it cannot stop to
    // ask a question.
    bool new_session = false;
    std::string subject;  // named in errors: "TOOL: SUBJECT: first error line"
    std::string package;  // named when the tool is not installed: "(install PACKAGE)"
    // What a failure means in dflab's words, from the tool's first error line (temporary paths
    // already taken out): the error is then "SUBJECT: EXPLANATION", without the tool's name or
    // text. "" for a failure it does not know; then the tool's words are shown.
    std::function<std::string(const ToolResult&, const std::string& first_line)> explain;
};

// argv[0] is looked up in PATH, then in /usr/local/sbin, /usr/local/bin, /usr/sbin, /usr/bin,
// /sbin and /bin. Errors: "TOOL failed (exit N): first error line" or, with a subject,
// "TOOL: SUBJECT: first error line" (or the exit status or signal when the tool said nothing), or
// "SUBJECT: EXPLANATION" (ToolOptions::explain); always one line, with no temporary folder's path
// in it (without_temporary_paths).
ToolResult run_tool(const std::vector<std::string>& argv, const ToolOptions& options);

inline ToolResult run_tool(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env = {},
                           const std::string& input = "", bool check = true) {
    ToolOptions options;
    options.env = env;
    options.input = input;
    options.check = check;
    return run_tool(argv, options);
}

// The first line of `text` that says something, trimmed.
std::string first_tool_line(const std::string& text);

}  // namespace dflab::images
