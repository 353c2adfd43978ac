#pragma once
// A place in a file a person wrote (a recipe, a pack, a question) and an error that stands at it.
#include <stdexcept>
#include <string>

#include "common/error.hpp"  // one_line

namespace dflab::common {

struct SourceMark {
    std::string file;
    int line = 0;    // 1-based
    int column = 0;  // 1-based, in characters
    std::string str() const {
        return file + ":" + std::to_string(line) + ":" + std::to_string(column);
    }
};

// A bad source file. what() is one line: "FILE:LINE:COLUMN: what is wrong; what to do" (or
// "FILE: ..." when the problem has no position, such as an unreadable file), control characters
// escaped as in common::Error.
class SourceError : public std::runtime_error {
  public:
    SourceError(const SourceMark& mark, const std::string& message)
        : std::runtime_error(one_line(mark.str() + ": " + message)),
          mark_(mark),
          message_(one_line(message)) {}
    SourceError(const std::string& file, const std::string& message)
        : std::runtime_error(one_line(file + ": " + message)),
          mark_{file, 0, 0},
          message_(one_line(message)) {}
    const SourceMark& mark() const { return mark_; }
    const std::string& message() const { return message_; }  // without the position

  private:
    SourceMark mark_;
    std::string message_;
};

}  // namespace dflab::common
