#pragma once
// Reading a text file handed to dflab (a findings file, a participant list, an answer key): only
// a regular file is read (a link to one is followed; a folder, device or pipe is refused without
// a byte read, so a link to /dev/zero or a FIFO cannot make dflab wait or grow), and only up to a
// limit.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace dflab::common {

// The whole of `file`. `what` names what the file should be ("findings file"). Throws Error:
// "FILE: no such file", "FILE: not a regular file (a folder, device or pipe); not a WHAT",
// "FILE: larger than LIMIT; not a WHAT" (LIMIT as "16 MiB") or "FILE: cannot be read: REASON".
std::string read_input_file(const std::filesystem::path& file, std::uintmax_t limit,
                            std::string_view what);

// "16 MiB", "64 KiB" or "1000 bytes": a limit for messages.
std::string size_text(std::uintmax_t bytes);

}  // namespace dflab::common
