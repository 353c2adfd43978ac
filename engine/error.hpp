#pragma once
// One error type for the engine: its message is a single line that names the input and what is
// wrong, ready to be printed as "dflab: <message>".
#include <stdexcept>
#include <string>

namespace dflab::engine {

class Error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The current thread's TSK error as one line (TSK keeps errors per thread), then resets it.
std::string take_tsk_error();

}  // namespace dflab::engine
