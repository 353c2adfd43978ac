#pragma once
// Files compiled into the binary at build time (cmake/embed.cmake): web pages, styles, scripts and
// message catalogues, so that dflab needs nothing installed beside it and serves no file from disk
// that a request could name.
#include <optional>
#include <span>
#include <string_view>

namespace dflab::common {

struct EmbeddedFile {
    std::string_view name;   // path relative to the embedded folder, '/' separated
    std::string_view bytes;  // the file's contents
};

// The file called `name` in `files`, or nullopt.
std::optional<std::string_view> find_embedded(std::span<const EmbeddedFile> files,
                                              std::string_view name);

}  // namespace dflab::common
