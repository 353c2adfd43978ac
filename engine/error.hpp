#pragma once
// The engine's errors are dflab::common::Error (common/error.hpp); this header keeps the engine's
// names for them and adds what is TSK-specific.
#include <string>

#include "common/error.hpp"

namespace dflab::engine {

using common::Error;
using common::Interrupted;

// The current thread's TSK error as one line (TSK keeps errors per thread), then resets it.
std::string take_tsk_error();

}  // namespace dflab::engine
