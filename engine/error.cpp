#include "engine/error.hpp"

#include <tsk/libtsk.h>

namespace dflab::engine {

std::string take_tsk_error() {
    const char* text = tsk_error_get();
    std::string line = text ? text : "unknown error";
    tsk_error_reset();
    for (char& c : line) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line;
}

}  // namespace dflab::engine
