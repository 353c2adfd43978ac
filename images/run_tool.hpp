#pragma once
// Running the standard tools the builder stands on (sfdisk, sgdisk, ewfacquire, ...): an explicit
// argv (no shell), a fixed environment (TZ=UTC, LC_ALL=C.UTF-8 plus what the caller adds), stdin
// optionally fed from a string. Throws dflab::engine::Error naming the tool and its first error
// line when it fails.
#include <map>
#include <string>
#include <vector>

namespace dflab::images {

struct ToolResult {
    int exit_code = 0;
    std::string out, err;
};

ToolResult run_tool(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env = {},
                    const std::string& input = "", bool check = true);

}  // namespace dflab::images
