#pragma once
// The file-type analyzer: each entry's MIME type from its first bytes, and whether its extension
// lies about it (a JPEG named notes.txt).
#include "engine/analyzer.hpp"

namespace dflab::engine {

struct FileTypeFindings : Findings {
    std::string mime;
    bool extension_mismatch = false;
    void columns(std::vector<SqlValue>& out) const override;
};

}  // namespace dflab::engine
