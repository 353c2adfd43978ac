#include "common/embedded_files.hpp"

namespace dflab::common {

std::optional<std::string_view> find_embedded(std::span<const EmbeddedFile> files,
                                              std::string_view name) {
    for (const auto& f : files)
        if (f.name == name) return f.bytes;
    return std::nullopt;
}

}  // namespace dflab::common
