#pragma once
// The SQLite RAII layer lives in common/sqlite.hpp; the engine keeps its names for it.
#include "common/sqlite.hpp"

namespace dflab::engine {

using common::Database;
using common::SqlValue;
using common::Statement;
using common::Transaction;

}  // namespace dflab::engine
