#pragma once
// The one error type of dflab: its message is a single line that names the input and what is
// wrong, ready to be printed as "dflab: <message>".
#include <stdexcept>
#include <string>

namespace dflab::common {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The user stopped the work (Ctrl-C, SIGTERM). Thrown so that callers unwind and remove their
// partial outputs; the dflab command then exits with 130, as a shell does for SIGINT.
class Interrupted : public Error {
  public:
    Interrupted() : Error("interrupted") {}
};

}  // namespace dflab::common
