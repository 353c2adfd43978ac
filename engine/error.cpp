#include "engine/error.hpp"

#include <tsk/libtsk.h>

namespace dflab::engine {

std::string take_tsk_error() {
    const char* text = tsk_error_get();
    std::string line = text ? text : "unknown error";
    tsk_error_reset();
    std::string out;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c != '\n' && c != '\r') {
            out += c;
            continue;
        }
        // TSK ends its messages, and the part it puts in parentheses, with a newline.
        const bool closing = i + 1 < line.size() && line[i + 1] == ')';
        if (!closing && !out.empty() && out.back() != ' ') out += ' ';
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

}  // namespace dflab::engine
