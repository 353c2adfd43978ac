#pragma once
// The ext writer's debugfs side: commands for its batched scripts (quoting, inode times, action
// markers) and the reading of debugfs's output (which action failed, a file's data blocks).
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "images/run_tool.hpp"

namespace dflab::images::ext {

// A path as one debugfs argument: debugfs (libss) takes "..." as one word, "" inside it as a
// literal quote; nothing else is special inside quotes. A line break cannot be written at all.
std::string quote(const std::string& s);

// Commands setting one of atime, mtime, ctime, crtime of `target` to whole seconds `t`: the low
// 32 bits in the field, the epoch bits (times beyond 2038) in the *_extra field, nanoseconds 0.
// Throws when ext cannot store `t`.
std::string set_time(const std::string& target, const char* field, int64_t t);
std::string set_all_times(const std::string& target, int64_t t);

// The marker line that starts action number `n` of a batch: an unknown command, which debugfs
// reports on stderr in order with the errors, so that the errors can be told apart by action.
std::string marker_command(size_t n);

// The first line of an e2fsprogs tool's error output that says something (version banners
// skipped), without its trailing noise; `fallback` when there is none.
std::string first_error_line(const std::string& text, const std::string& fallback);

// Why a batch run of debugfs failed, as "ACTION: error line" ("" when it did not): `actions`
// are the batch's actions by marker number.
std::string batch_failure(const ToolResult& r, const std::vector<std::string>& actions);

// The data blocks (first, last; block-map and extent-tree blocks excluded) listed by debugfs's
// "stat" output; none for an empty file.
std::vector<std::pair<uint64_t, uint64_t>> data_blocks(const std::string& stat_output);

}  // namespace dflab::images::ext
